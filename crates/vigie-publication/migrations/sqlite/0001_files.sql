-- The files of a published year, frozen as they were published: the public observatory
-- (JSON), each figure (CSV, JSON, SVG, HTML table) and the yearly report (HTML, PDF).
-- The public pages serve these bytes, never a recount. A year published again replaces
-- its files in the same transaction; `edition` counts its publications.
CREATE TABLE publication_files (
    year         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body         BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    PRIMARY KEY (year, name)
);

CREATE TABLE publication_editions (
    year    INTEGER PRIMARY KEY,
    edition INTEGER NOT NULL
);
