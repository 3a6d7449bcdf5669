-- The declaration portal: accounts, sessions, declarations' life, messages, drafts,
-- API tokens, invitations, routings, and the outbox of e-mails.
-- Instants are nanoseconds since 1970 UTC.

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    email              TEXT    NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL,
    role               TEXT    NOT NULL,
    structure_id       INTEGER REFERENCES structures (id),
    ght                TEXT,
    region             TEXT,
    authority          TEXT,
    password_hash      TEXT,
    totp_secret        TEXT,
    totp_last_step     BIGINT,
    failed_logins      INTEGER NOT NULL DEFAULT 0,
    last_failure_ns    BIGINT,
    locked_until_ns    BIGINT,
    disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ns      BIGINT  NOT NULL
);

CREATE TABLE recovery_codes (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    used_at_ns  BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    token_hash     TEXT    PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf           TEXT    NOT NULL,
    mfa_done       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ns  BIGINT  NOT NULL,
    expires_at_ns  BIGINT  NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE invitations (
    token_hash      TEXT    PRIMARY KEY,
    email           TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    structure_id    INTEGER REFERENCES structures (id),
    ght             TEXT,
    region          TEXT,
    authority       TEXT,
    invited_by      INTEGER REFERENCES users (id),
    expires_at_ns   BIGINT  NOT NULL,
    accepted_at_ns  BIGINT
);

CREATE TABLE api_tokens (
    id             INTEGER PRIMARY KEY,
    structure_id   INTEGER NOT NULL REFERENCES structures (id),
    token_hash     TEXT    NOT NULL UNIQUE,
    label          TEXT    NOT NULL,
    created_by     INTEGER REFERENCES users (id),
    created_at_ns  BIGINT  NOT NULL,
    revoked_at_ns  BIGINT
);

ALTER TABLE incidents ADD COLUMN case_state TEXT NOT NULL DEFAULT 'received';
ALTER TABLE incidents ADD COLUMN declared_by INTEGER REFERENCES users (id);
ALTER TABLE incidents ADD COLUMN measures_taken TEXT;
ALTER TABLE incidents ADD COLUMN affected_systems TEXT;

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    author_id      INTEGER REFERENCES users (id),
    body           TEXT    NOT NULL,
    created_at_ns  BIGINT  NOT NULL
);
CREATE INDEX messages_by_incident ON messages (incident_id);

CREATE TABLE routings (
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    authority      TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    routed_at_ns   BIGINT  NOT NULL,
    PRIMARY KEY (incident_id, authority)
);

CREATE TABLE drafts (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    structure_id   INTEGER NOT NULL REFERENCES structures (id),
    step           INTEGER NOT NULL,
    fields         TEXT    NOT NULL,
    updated_at_ns  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, structure_id)
);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    recipients       TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    text_body        TEXT    NOT NULL,
    html_body        TEXT    NOT NULL,
    message_id       TEXT    NOT NULL,
    created_at_ns    BIGINT  NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ns  BIGINT  NOT NULL,
    sent_at_ns       BIGINT,
    failed_at_ns     BIGINT,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_ns) WHERE sent_at_ns IS NULL AND failed_at_ns IS NULL;
