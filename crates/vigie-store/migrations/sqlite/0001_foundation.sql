-- Structures, incidents with their qualification, and reference data.
-- Codes are stored as their stable text codes; multi-valued fields as bit masks whose
-- bit i is the value of index i in the vocabulary (vigie_model::Code::index).
-- Dates are nanoseconds since 1970 UTC, with the offset they were given in.

CREATE TABLE structures (
    id            INTEGER PRIMARY KEY,
    finess        TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    legal_status  TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    ose           BOOLEAN NOT NULL DEFAULT FALSE,
    ght           TEXT
);

CREATE TABLE incidents (
    id                    INTEGER PRIMARY KEY,
    ref                   TEXT    UNIQUE,
    structure_id          INTEGER NOT NULL REFERENCES structures (id),
    declared_at_ns        BIGINT  NOT NULL,
    declared_offset_s     INTEGER NOT NULL,
    detected_at_ns        BIGINT,
    detected_offset_s     INTEGER,
    channel               TEXT    NOT NULL,
    state_at_declaration  TEXT    NOT NULL,
    support_requested     BOOLEAN NOT NULL,
    care_impact           TEXT    NOT NULL,
    degraded_hours        REAL,
    data_impact           INTEGER NOT NULL,
    data_kind             INTEGER NOT NULL,
    patient_danger        TEXT    NOT NULL,
    title                 TEXT,
    description           TEXT,
    origin                TEXT,
    categories            INTEGER NOT NULL DEFAULT 0,
    ransomware_reach      TEXT,
    infra_side            TEXT,
    out_of_scope_reason   TEXT,
    event                 TEXT,
    technical_support     BOOLEAN NOT NULL DEFAULT FALSE,
    false_positive        BOOLEAN NOT NULL DEFAULT FALSE,
    complements_requested BOOLEAN NOT NULL DEFAULT FALSE,
    complements_received  BOOLEAN NOT NULL DEFAULT FALSE,
    local_year            INTEGER NOT NULL,
    local_month           INTEGER NOT NULL,
    deposit_slot          TEXT    NOT NULL
);

CREATE INDEX incidents_by_structure ON incidents (structure_id);

CREATE TABLE establishments (
    finess        TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    category      INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    legal_status  TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    department    TEXT    NOT NULL
);

CREATE TABLE regions (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE activity_shares (
    region  TEXT PRIMARY KEY,
    share   REAL NOT NULL
);
