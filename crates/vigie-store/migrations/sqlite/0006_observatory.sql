-- The revision of the data the observatory counts: one row, its number raised by every
-- transaction that changes a counted value (declarations, imports, qualifications,
-- complements, technical support, structures, activity shares). Servers read it every
-- few seconds to know whether their figures are still those of the database.

CREATE TABLE observatory_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO observatory_revision (id, revision) VALUES (1, 0);
