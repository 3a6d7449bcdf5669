-- The tamper-evident journal: one row per recorded action, chained by SHA-256
-- (vigie-journal describes the hash), and its head: the last entry's number and hash,
-- moved in the same transaction as every append.
-- Appends lock the head row first, so concurrent appenders take numbers one after the other.

CREATE TABLE journal (
    seq        BIGINT  PRIMARY KEY,
    at_ns      BIGINT  NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
);
CREATE INDEX journal_by_subject ON journal (subject, seq);

CREATE TABLE journal_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT  NOT NULL,
    hash  TEXT    NOT NULL
);
INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Entries are never changed nor deleted by Vigie; these triggers stop mistakes (whoever
-- owns the database can drop them: the hash chain is what detects tampering).
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END;
$$;
CREATE TRIGGER journal_no_change BEFORE UPDATE OR DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
