-- What analysts write around the figures of a year's report: a text per section, every
-- version kept, and the threats of the timeline (figure 17).

CREATE TABLE report_texts (
    year           INTEGER NOT NULL,
    section        TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    written_by     INTEGER REFERENCES users (id),
    written_at_ns  BIGINT  NOT NULL,
    PRIMARY KEY (year, section, version)
);

CREATE TABLE threats (
    id             INTEGER PRIMARY KEY,
    year           INTEGER NOT NULL,
    identified_on  TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    reference      TEXT,
    summary        TEXT    NOT NULL,
    created_by     INTEGER REFERENCES users (id),
    created_at_ns  BIGINT  NOT NULL
);
CREATE INDEX threats_by_year ON threats (year, identified_on);
