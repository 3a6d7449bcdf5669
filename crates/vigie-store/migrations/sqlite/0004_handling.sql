-- Case handling: assignment, the CERT's judgement (significant, major), the history of
-- qualifications, the rules that routed each case, and the routing rules themselves.

ALTER TABLE incidents ADD COLUMN assignee INTEGER REFERENCES users (id);
ALTER TABLE incidents ADD COLUMN significant BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN major BOOLEAN NOT NULL DEFAULT FALSE;
-- Complements: when they were asked for, and the reminders sent since.
ALTER TABLE incidents ADD COLUMN complements_requested_at_ns BIGINT;
ALTER TABLE incidents ADD COLUMN complement_reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN last_reminder_at_ns BIGINT;
CREATE INDEX incidents_open ON incidents (case_state, declared_at_ns);

ALTER TABLE routings ADD COLUMN rules TEXT NOT NULL DEFAULT '';

CREATE TABLE qualification_history (
    id                   INTEGER PRIMARY KEY,
    incident_id          INTEGER NOT NULL REFERENCES incidents (id),
    changed_by           INTEGER REFERENCES users (id),
    changed_at_ns        BIGINT  NOT NULL,
    origin               TEXT    NOT NULL,
    categories           INTEGER NOT NULL,
    ransomware_reach     TEXT,
    infra_side           TEXT,
    out_of_scope_reason  TEXT,
    significant          BOOLEAN NOT NULL,
    major                BOOLEAN NOT NULL
);
CREATE INDEX qualification_history_by_incident ON qualification_history (incident_id);

CREATE TABLE routing_rules (
    version      INTEGER PRIMARY KEY,
    body         TEXT    NOT NULL,
    saved_by     INTEGER REFERENCES users (id),
    saved_at_ns  BIGINT  NOT NULL
);

-- NIS2 reports of significant incidents: every submission kept, numbered per kind.
CREATE TABLE nis2_reports (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL REFERENCES incidents (id),
    kind           TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    submitted_by   INTEGER REFERENCES users (id),
    submitted_at_ns BIGINT NOT NULL,
    body           TEXT    NOT NULL,
    UNIQUE (incident_id, kind, version)
);

-- Support given to the structure, action by action.
CREATE TABLE support_actions (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id),
    action        TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    done_by       INTEGER REFERENCES users (id),
    done_at_ns    BIGINT  NOT NULL
);
CREATE INDEX support_actions_by_incident ON support_actions (incident_id);

-- Reflex sheets as the analysts edited them; the latest version of each is in force.
CREATE TABLE reflex_sheet_versions (
    id            INTEGER PRIMARY KEY,
    sheet         TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    saved_by      INTEGER REFERENCES users (id),
    saved_at_ns   BIGINT  NOT NULL
);
CREATE INDEX reflex_sheet_versions_by_sheet ON reflex_sheet_versions (sheet, id);

-- Shared events: one cause behind many declarations (a provider's outage, a vendor's
-- ransomware). Declarations link to an event by its name (`incidents.event`).
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    description   TEXT    NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at_ns BIGINT  NOT NULL
);
CREATE INDEX incidents_by_event ON incidents (event) WHERE event IS NOT NULL;

-- Years of the observatory published as open data, with the small-cell threshold applied.
CREATE TABLE published_years (
    year             INTEGER PRIMARY KEY,
    threshold        INTEGER NOT NULL,
    published_at_ns  BIGINT  NOT NULL,
    published_by     TEXT    NOT NULL
);
