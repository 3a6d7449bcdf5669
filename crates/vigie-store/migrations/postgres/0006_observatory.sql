-- The revision of the data the observatory counts: one row, its number raised by every
-- transaction that changes a counted value (declarations, imports, qualifications,
-- complements, technical support, structures, activity shares). Servers read it every
-- few seconds to know whether their figures are still those of the database. The row is
-- updated last in each transaction; most of them already hold the journal's head until
-- they commit, so it adds almost no wait.

CREATE TABLE observatory_revision (
    id       SMALLINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT   NOT NULL
);
INSERT INTO observatory_revision (id, revision) VALUES (1, 0);
