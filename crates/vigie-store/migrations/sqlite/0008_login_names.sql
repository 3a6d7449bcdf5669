-- Failed logins of names that have no account, counted like an account's own
-- (`users.failed_logins`, `last_failure_ns`, `locked_until_ns`), so that a locked name looks
-- the same whether it exists or not. The name is kept only as the SHA-256 of its
-- normalised form (lower case, trimmed): what people type there may be a password.

CREATE TABLE login_names (
    name_sha256      TEXT    PRIMARY KEY,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    last_failure_ns  BIGINT  NOT NULL,
    locked_until_ns  BIGINT
);
CREATE INDEX login_names_by_last_failure ON login_names (last_failure_ns);
