//! The journal vouches for the data: every message's text, every incident's v1 line and
//! the set of routings, recomputed from the tables and compared with what the journal
//! last recorded of them (`vigie journal verify --data`).
//!
//! What the journal records, and so what can be compared:
//!
//! - a routing (a case opened to an authority): the declaration's entry names the routings
//!   made with it (`routed`), and every later one has a `case_routed` entry (`authority`);
//! - a message: its `message_posted` entry names it (`message`) with the SHA-256 of its
//!   text (`body_sha256`);
//! - an incident: the declaration's entry holds the SHA-256 of its v1 line
//!   (`incident_sha256`), and so does, since this check exists, every entry that changes
//!   the line (a qualification, a support action, an event linked, a message, which may
//!   request complements): [`append_journal`](super::Append) adds it, read in the
//!   transaction of the change. A case changed by an older entry, which lacks the hash, and
//!   an imported incident before any such entry, are *not vouched*: counted, not compared.
//!   An imported incident (it has a `ref`) is not vouched either once a later import may
//!   have updated it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::TryStreamExt as _;
use sqlx::Row as _;
use vigie_journal::{Action, NewEntry, sha256_hex};
use vigie_model::{CaseNumber, Code as _, Incident};

use crate::{
    Pool, Store, StoreError,
    decode::{self, SELECT_ALL, case_number},
    on_pool,
};

/// The payload key holding the SHA-256 of an incident's v1 line.
pub(crate) const INCIDENT_SHA256: &str = "incident_sha256";

/// Differences named per kind, at most.
const NAMED: usize = 5;

/// The SHA-256 of an incident's v1 line, as the journal records it.
pub(crate) fn incident_sha256(incident: &Incident) -> String {
    sha256_hex(vigie_model::interchange::v1::to_line(incident).as_bytes())
}

/// Actions that change an incident's v1 line, whose entries vouch for it.
const CHANGING: [Action; 4] = [
    Action::CaseQualified,
    Action::SupportRecorded,
    Action::EventLinked,
    Action::MessagePosted,
];

/// The case whose incident `entry` changes, if it is an entry of such an action on a case.
pub(crate) fn changes_incident(entry: &NewEntry) -> Option<CaseNumber> {
    if !CHANGING.contains(&entry.action) {
        return None;
    }
    CaseNumber::parse(&entry.subject).ok()
}

/// How a row differs from what the journal says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discrepancy {
    /// In the table, never journaled.
    NotJournaled,
    /// Journaled, no longer in the table.
    Missing,
    /// Its content is not the one last journaled.
    Changed,
}

impl Discrepancy {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Discrepancy::NotJournaled => "not_journaled",
            Discrepancy::Missing => "missing",
            Discrepancy::Changed => "changed",
        }
    }

    /// What happened, in French, after the row's name.
    pub fn label(self) -> &'static str {
        match self {
            Discrepancy::NotJournaled => "est dans la base mais n'a jamais été journalisé",
            Discrepancy::Missing => "est journalisé mais absent de la base",
            Discrepancy::Changed => "ne correspond plus à son empreinte journalisée",
        }
    }
}

/// One row that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What it is: a case number (`VIG-2024-000042`), a message (`message 7 (VIG-…)`), a
    /// routing (`VIG-2024-000042 → anssi`).
    pub subject: String,
    /// How it differs.
    pub what: Discrepancy,
}

/// The check of one kind of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataCheck {
    /// Rows compared with the journal.
    pub checked: u64,
    /// Rows the journal does not vouch for (written before the journal recorded their hash).
    pub not_vouched: u64,
    /// Rows that differ.
    pub differing: u64,
    /// The first few of them.
    pub first: Vec<Difference>,
}

impl DataCheck {
    fn differs(&mut self, subject: String, what: Discrepancy) {
        self.differing += 1;
        if self.first.len() < NAMED {
            self.first.push(Difference { subject, what });
        }
    }
}

/// What `--data` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataReport {
    /// Incidents (their v1 lines).
    pub incidents: DataCheck,
    /// Messages (their texts and cases).
    pub messages: DataCheck,
    /// Routings (which case is open to which authority).
    pub routings: DataCheck,
}

impl DataReport {
    /// Nothing differs.
    pub fn sound(&self) -> bool {
        [&self.incidents, &self.messages, &self.routings]
            .iter()
            .all(|c| c.differing == 0)
    }
}

/// What the journal last said of an incident.
#[derive(Debug, Default)]
struct Vouched {
    /// The last hash journaled, and the number of its entry.
    hash: Option<(String, i64)>,
    /// A later entry changed it without recording the hash.
    stale: bool,
}

/// What the journal says of the data.
#[derive(Debug, Default)]
struct Journaled {
    incidents: HashMap<String, Vouched>,
    /// `(case, authority)`.
    routings: BTreeSet<(String, String)>,
    /// Message id → (case, SHA-256 of its text).
    messages: BTreeMap<i64, (String, String)>,
    /// The number of the last import's entry.
    last_import: i64,
}

impl Journaled {
    fn read(&mut self, seq: i64, action: &str, subject: String, payload: &str) {
        let Ok(action) = Action::parse(action) else {
            return;
        };
        let payload: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(payload).unwrap_or_default();
        let text = |key: &str| payload.get(key).and_then(|v| v.as_str());
        let hash = text(INCIDENT_SHA256).map(|h| (h.to_owned(), seq));
        match action {
            Action::DataImported => self.last_import = seq,
            Action::CaseDeclared => {
                for routed in text("routed").unwrap_or("").split(';') {
                    if let Some((to, _rules)) = routed.split_once(':') {
                        self.routings.insert((subject.clone(), to.to_owned()));
                    }
                }
                let v = self.incidents.entry(subject).or_default();
                v.stale = hash.is_none();
                v.hash = hash;
            }
            Action::CaseRouted => {
                if let Some(to) = text("authority") {
                    self.routings.insert((subject, to.to_owned()));
                }
            }
            _ if CHANGING.contains(&action) => {
                if action == Action::MessagePosted
                    && let (Some(id), Some(body)) = (
                        payload.get("message").and_then(|v| v.as_i64()),
                        text("body_sha256"),
                    )
                {
                    self.messages.insert(id, (subject.clone(), body.to_owned()));
                }
                let v = self.incidents.entry(subject).or_default();
                match hash {
                    Some(hash) => {
                        v.hash = Some(hash);
                        v.stale = false;
                    }
                    None => v.stale = true,
                }
            }
            _ => {}
        }
    }
}

/// The journal's entries about data, oldest first.
const ENTRIES: &str = "SELECT seq, action, subject, payload FROM journal \
    WHERE action IN ('case_declared', 'case_routed', 'case_qualified', 'support_recorded', \
    'event_linked', 'message_posted', 'data_imported') ORDER BY seq";

const MESSAGES: &str = "SELECT m.id, m.body, m.incident_id, i.local_year FROM messages m \
    LEFT JOIN incidents i ON i.id = m.incident_id ORDER BY m.id";

const ROUTINGS: &str = "SELECT r.incident_id, i.local_year, r.authority FROM routings r \
    LEFT JOIN incidents i ON i.id = r.incident_id ORDER BY r.incident_id, r.authority";

/// The case a row belongs to, by its incident's identifier and year (`#id` without one).
fn case_of(id: i64, year: Option<i32>) -> String {
    year.and_then(|y| case_number(id, y).ok())
        .map_or_else(|| format!("#{id}"), |c| c.to_string())
}

impl Store {
    /// Recomputes the hash of every incident's v1 line, of every message's text and the set
    /// of routings, in one snapshot, and compares them with what the journal last recorded.
    pub async fn verify_data(&self) -> Result<DataReport, StoreError> {
        let mut journaled = Journaled::default();
        let mut report = DataReport::default();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if matches!(self.pool(), Pool::Postgres(_)) {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
            }
            {
                let mut rows = sqlx::query(ENTRIES).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    let payload: String = row.try_get("payload").unwrap_or_default();
                    journaled.read(
                        row.try_get("seq")?,
                        &row.try_get::<String, _>("action").unwrap_or_default(),
                        row.try_get("subject").unwrap_or_default(),
                        &payload,
                    );
                }
            }

            // Incidents: the current v1 line against the last hash journaled.
            let mut seen = BTreeSet::new();
            {
                let incidents = &mut report.incidents;
                let mut rows = sqlx::query(SELECT_ALL).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    let (case, incident) = IncidentRow::case(row)?;
                    let (case, incident) = match (case, incident) {
                        (Ok(case), Ok(incident)) => (case, incident),
                        (case, _) => {
                            // A value that no longer reads was changed behind Vigie's back.
                            let subject = case.map_or_else(|id| format!("#{id}"), |c| c.to_string());
                            seen.insert(subject.clone());
                            incidents.checked += 1;
                            incidents.differs(subject, Discrepancy::Changed);
                            continue;
                        }
                    };
                    let subject = case.to_string();
                    let vouched = journaled.incidents.get(&subject);
                    seen.insert(subject.clone());
                    let hash = match vouched {
                        Some(Vouched { hash: Some((hash, seq)), stale: false })
                            if incident.reference.is_none() || *seq > journaled.last_import =>
                        {
                            hash
                        }
                        _ => {
                            incidents.not_vouched += 1;
                            continue;
                        }
                    };
                    incidents.checked += 1;
                    if *hash != incident_sha256(&incident) {
                        incidents.differs(subject, Discrepancy::Changed);
                    }
                }
                let mut gone: Vec<&String> = journaled
                    .incidents
                    .iter()
                    .filter(|(case, v)| v.hash.is_some() && !seen.contains(*case))
                    .map(|(case, _)| case)
                    .collect();
                gone.sort();
                for case in gone {
                    incidents.checked += 1;
                    incidents.differs(case.clone(), Discrepancy::Missing);
                }
            }

            // Messages: the text's hash and the case, against the message's entry.
            {
                let messages = &mut report.messages;
                let mut found = BTreeSet::new();
                let mut rows = sqlx::query(MESSAGES).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    let id: i64 = row.try_get("id")?;
                    let body: Option<String> = row.try_get("body").ok();
                    let incident: i64 = row.try_get("incident_id").unwrap_or_default();
                    let year: Option<i32> = row.try_get("local_year").ok().flatten();
                    let case = case_of(incident, year);
                    found.insert(id);
                    messages.checked += 1;
                    let subject = format!("message {id} ({case})");
                    match journaled.messages.get(&id) {
                        None => messages.differs(subject, Discrepancy::NotJournaled),
                        Some((journaled_case, hash)) => {
                            let same = body.is_some_and(|b| sha256_hex(b.as_bytes()) == *hash);
                            if !same || *journaled_case != case {
                                messages.differs(subject, Discrepancy::Changed);
                            }
                        }
                    }
                }
                for (id, (case, _)) in &journaled.messages {
                    if !found.contains(id) {
                        messages.checked += 1;
                        messages.differs(format!("message {id} ({case})"), Discrepancy::Missing);
                    }
                }
            }

            // Routings: the set in the table against the set journaled.
            {
                let routings = &mut report.routings;
                let mut found = BTreeSet::new();
                let mut rows = sqlx::query(ROUTINGS).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    let incident: i64 = row.try_get("incident_id").unwrap_or_default();
                    let year: Option<i32> = row.try_get("local_year").ok().flatten();
                    let to: String = row.try_get("authority").unwrap_or_default();
                    let key = (case_of(incident, year), to);
                    routings.checked += 1;
                    if !journaled.routings.contains(&key) {
                        routings.differs(format!("{} → {}", key.0, key.1), Discrepancy::NotJournaled);
                    }
                    found.insert(key);
                }
                for key in journaled.routings.difference(&found) {
                    routings.checked += 1;
                    routings.differs(format!("{} → {}", key.0, key.1), Discrepancy::Missing);
                }
            }
            tx.rollback().await?;
        });
        Ok(report)
    }
}

/// A row of `SELECT_ALL` read back: the case number (the bare identifier when it does not
/// read) and the incident (an error when a value was changed into one that does not parse).
type ReadBack = (Result<CaseNumber, i64>, Result<Incident, StoreError>);

/// A row of `SELECT_ALL` on either engine.
trait IncidentRow: sqlx::Row + Sized {
    /// The row read back.
    fn case(self) -> Result<ReadBack, StoreError>;
}

macro_rules! incident_row {
    ($row:ty, $decode:path) => {
        impl IncidentRow for $row {
            fn case(self) -> Result<ReadBack, StoreError> {
                let id: i64 = self.try_get("id")?;
                let year: Option<i32> = self.try_get("local_year").ok();
                let case = year.and_then(|y| case_number(id, y).ok()).ok_or(id);
                Ok((case, $decode(Ok(self))))
            }
        }
    };
}

incident_row!(sqlx::sqlite::SqliteRow, decode::incident_sqlite);
incident_row!(sqlx::postgres::PgRow, decode::incident_pg);
