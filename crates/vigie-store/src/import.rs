//! Writing incidents: all of an import in one transaction, upserting by `ref`.
//!
//! On SQLite an import is written by a thread of its own, on a connection of its own
//! (`sqlite`); on PostgreSQL, by batches of rows in one transaction. Either way nothing is
//! visible to others before the commit, and the commit journals the import.

mod sqlite;

use std::collections::HashMap;

use sqlx::{Postgres, QueryBuilder, Row as _, Transaction};
use vigie_model::calendar;
use vigie_model::{Code, Finess, Incident, Structure};
use vigie_workflow::case::CaseState;

use vigie_journal::{Action, Actor, NewEntry, Payload};

use crate::{Pool, Store, StoreError, decode::ns, journal::Append as _, revision::BUMP};

/// Incidents written by one statement on PostgreSQL.
const BATCH: usize = 1_000;

enum Writer {
    /// The import's thread, which holds the transaction.
    Sqlite(sqlite::Writer),
    Postgres(PgImport),
}

/// An import on PostgreSQL: its transaction, and what it has written.
struct PgImport {
    tx: Transaction<'static, Postgres>,
    /// The state of the cases it adds.
    cases: CaseState,
    before: i64,
    written: u64,
    structures: Upserted,
}

/// The structures an import has upserted, by FINESS, with their identifiers and what was
/// written: a structure is upserted again only when a line describes it differently.
#[derive(Default)]
struct Upserted(HashMap<Finess, (i64, Structure)>);

impl Upserted {
    /// The identifier of `s`, if it was upserted as it is now.
    fn id(&self, s: &Structure) -> Option<i64> {
        self.0
            .get(&s.finess)
            .and_then(|(id, written)| (written == s).then_some(*id))
    }

    /// Remembers that `s` was upserted as `id`.
    fn remember(&mut self, s: &Structure, id: i64) {
        self.0.insert(s.finess, (id, s.clone()));
    }
}

/// An import in progress: nothing is visible to others until [`Import::commit`].
pub struct Import {
    writer: Writer,
    /// Forgotten at commit: the import may change structures that API tokens act for.
    tokens: std::sync::Arc<crate::tokens::TokenCache>,
    /// Counted at commit: the observatory's data changed.
    changes: crate::revision::Changes,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    /// Incidents that were not there before.
    pub inserted: u64,
    /// Incidents whose `ref` was already there (or repeated in the import), now updated.
    pub updated: u64,
}

impl ImportCounts {
    /// The counts of an import that wrote `written` rows, from the table's size before and
    /// after it.
    fn of(written: u64, before: i64, after: i64) -> ImportCounts {
        let inserted = u64::try_from(after - before).unwrap_or(0);
        ImportCounts {
            inserted,
            updated: written.saturating_sub(inserted),
        }
    }
}

/// Who commits an import, of what, when: its journal entry.
struct Commit {
    by: Actor,
    source: String,
    at_ns: i64,
}

impl Commit {
    /// The journal entry of an import with these counts, whose new cases are in state
    /// `cases`.
    fn entry(&self, counts: &ImportCounts, cases: CaseState) -> NewEntry {
        NewEntry {
            at_ns: self.at_ns,
            actor: self.by.clone(),
            action: Action::DataImported,
            subject: "incidents".into(),
            payload: Payload::new()
                .with("source", self.source.as_str())
                .with("inserted", counts.inserted)
                .with("updated", counts.updated)
                .with("new_cases", cases.code()),
        }
    }
}

const COUNT: &str = "SELECT COUNT(*) FROM incidents";

const UPSERT_STRUCTURE: &str = "INSERT INTO structures (finess, name, kind, legal_status, region, ose, ght) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (finess) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
     legal_status = excluded.legal_status, region = excluded.region, ose = excluded.ose, \
     ght = excluded.ght RETURNING id";

/// The columns of `incidents` an [`Incident`] fills, in the order `push_incident!` binds them.
macro_rules! incident_columns {
    () => {
        "ref, structure_id, declared_at_ns, \
         declared_offset_s, detected_at_ns, detected_offset_s, channel, state_at_declaration, \
         support_requested, care_impact, degraded_hours, data_impact, data_kind, patient_danger, \
         title, description, origin, categories, ransomware_reach, infra_side, out_of_scope_reason, \
         event, technical_support, false_positive, complements_requested, complements_received, \
         local_year, local_month, deposit_slot"
    };
}
pub(crate) use incident_columns;

/// The columns an import writes: the incident's, then the state of its case if it is new
/// (`ON_CONFLICT` leaves the state of a case already there as it is).
const INSERT_IMPORTED: &str = concat!(
    "INSERT INTO incidents (",
    incident_columns!(),
    ", case_state) "
);

const ON_CONFLICT: &str = " ON CONFLICT (ref) DO UPDATE SET structure_id = excluded.structure_id, \
     declared_at_ns = excluded.declared_at_ns, declared_offset_s = excluded.declared_offset_s, \
     detected_at_ns = excluded.detected_at_ns, detected_offset_s = excluded.detected_offset_s, \
     channel = excluded.channel, state_at_declaration = excluded.state_at_declaration, \
     support_requested = excluded.support_requested, care_impact = excluded.care_impact, \
     degraded_hours = excluded.degraded_hours, data_impact = excluded.data_impact, \
     data_kind = excluded.data_kind, patient_danger = excluded.patient_danger, \
     title = excluded.title, description = excluded.description, origin = excluded.origin, \
     categories = excluded.categories, ransomware_reach = excluded.ransomware_reach, \
     infra_side = excluded.infra_side, out_of_scope_reason = excluded.out_of_scope_reason, \
     event = excluded.event, technical_support = excluded.technical_support, \
     false_positive = excluded.false_positive, \
     complements_requested = excluded.complements_requested, \
     complements_received = excluded.complements_received, local_year = excluded.local_year, \
     local_month = excluded.local_month, deposit_slot = excluded.deposit_slot";

/// An incident as the values of one `incidents` row: the one mapping from the model to
/// the columns, which every writer binds (imports and declarations, on both engines).
pub(crate) struct Flat<'a> {
    pub(crate) reference: Option<&'a str>,
    pub(crate) structure_id: i64,
    pub(crate) declared_at_ns: i64,
    pub(crate) declared_offset_s: i32,
    pub(crate) detected_at_ns: Option<i64>,
    pub(crate) detected_offset_s: Option<i32>,
    pub(crate) channel: &'static str,
    pub(crate) state_at_declaration: &'static str,
    pub(crate) support_requested: bool,
    pub(crate) care_impact: &'static str,
    pub(crate) degraded_hours: Option<f64>,
    pub(crate) data_impact: i32,
    pub(crate) data_kind: i32,
    pub(crate) patient_danger: &'static str,
    pub(crate) title: Option<&'a str>,
    pub(crate) description: Option<&'a str>,
    pub(crate) origin: Option<&'static str>,
    pub(crate) categories: i32,
    pub(crate) ransomware_reach: Option<&'static str>,
    pub(crate) infra_side: Option<&'static str>,
    pub(crate) out_of_scope_reason: Option<&'static str>,
    pub(crate) event: Option<&'a str>,
    pub(crate) technical_support: bool,
    pub(crate) false_positive: bool,
    pub(crate) complements_requested: bool,
    pub(crate) complements_received: bool,
    pub(crate) local_year: i32,
    pub(crate) local_month: i32,
    pub(crate) slot: &'static str,
}

impl<'a> Flat<'a> {
    /// Flattens `incident` of structure `structure_id`, with its Paris date.
    pub(crate) fn new(incident: &'a Incident, structure_id: i64) -> Flat<'a> {
        // Bit masks of at most 16 values: they fit an INTEGER column as i32.
        let mask = |bits: u32| bits as i32;
        let i = incident;
        let q = i.qualification.as_ref();
        let at = i.declared_at.timestamp();
        let local = calendar::paris_time(at);
        Flat {
            reference: i.reference.as_ref().map(|r| r.as_str()),
            structure_id,
            declared_at_ns: i.declared_at.unix_nanos(),
            declared_offset_s: i.declared_at.offset_seconds(),
            detected_at_ns: i.detected_at.map(|d| d.unix_nanos()),
            detected_offset_s: i.detected_at.map(|d| d.offset_seconds()),
            channel: i.channel.code(),
            state_at_declaration: i.state_at_declaration.code(),
            support_requested: i.support_requested,
            care_impact: i.care_impact.code(),
            degraded_hours: i.degraded_hours.map(vigie_model::DegradedHours::get),
            data_impact: mask(i.data_impact.impacts().bits()),
            data_kind: mask(i.data_impact.kinds().bits()),
            patient_danger: i.patient_danger.code(),
            title: i.title.as_ref().map(|t| t.as_str()),
            description: i.description.as_ref().map(|t| t.as_str()),
            origin: q.map(|q| q.origin().code()),
            categories: q.map_or(0, |q| mask(q.categories().bits())),
            ransomware_reach: q.and_then(|q| q.ransomware_reach()).map(Code::code),
            infra_side: q.and_then(|q| q.infra_side()).map(Code::code),
            out_of_scope_reason: q.and_then(|q| q.out_of_scope_reason()).map(Code::code),
            event: q.and_then(|q| q.event()).map(|e| e.as_str()),
            technical_support: i.handling.technical_support,
            false_positive: i.handling.false_positive,
            complements_requested: i.handling.complements_requested,
            complements_received: i.handling.complements_received,
            local_year: i32::from(local.year()),
            local_month: i32::from(local.month()),
            slot: calendar::deposit_slot(at).code(),
        }
    }
}

/// Binds the values of `incident_columns!` for a `Flat`, to a `Separated` of `push_values`.
macro_rules! push_incident {
    ($b:expr, $f:expr) => {{
        let f: &$crate::import::Flat<'_> = $f;
        $b.push_bind(f.reference)
            .push_bind(f.structure_id)
            .push_bind(f.declared_at_ns)
            .push_bind(f.declared_offset_s)
            .push_bind(f.detected_at_ns)
            .push_bind(f.detected_offset_s)
            .push_bind(f.channel)
            .push_bind(f.state_at_declaration)
            .push_bind(f.support_requested)
            .push_bind(f.care_impact)
            .push_bind(f.degraded_hours)
            .push_bind(f.data_impact)
            .push_bind(f.data_kind)
            .push_bind(f.patient_danger)
            .push_bind(f.title)
            .push_bind(f.description)
            .push_bind(f.origin)
            .push_bind(f.categories)
            .push_bind(f.ransomware_reach)
            .push_bind(f.infra_side)
            .push_bind(f.out_of_scope_reason)
            .push_bind(f.event)
            .push_bind(f.technical_support)
            .push_bind(f.false_positive)
            .push_bind(f.complements_requested)
            .push_bind(f.complements_received)
            .push_bind(f.local_year)
            .push_bind(f.local_month)
            .push_bind(f.slot);
    }};
}
pub(crate) use push_incident;

impl Import {
    pub(crate) async fn begin(store: &Store, cases: CaseState) -> Result<Import, StoreError> {
        let writer = match (store.pool(), &store.sqlite_file) {
            (Pool::Sqlite(_), Some(file)) => {
                Writer::Sqlite(sqlite::Writer::start(file, cases).await?)
            }
            (Pool::Sqlite(_), None) => unreachable!("a SQLite store knows its file"),
            (Pool::Postgres(pool), _) => {
                let mut tx = pool.begin().await?;
                let before = sqlx::query_scalar::<_, i64>(COUNT)
                    .fetch_one(&mut *tx)
                    .await?;
                Writer::Postgres(PgImport {
                    tx,
                    cases,
                    before,
                    written: 0,
                    structures: Upserted::default(),
                })
            }
        };
        Ok(Import {
            writer,
            tokens: store.tokens.clone(),
            changes: store.changes.clone(),
        })
    }

    /// Writes incidents; a `ref` already stored or repeated is updated, the later one
    /// winning. On SQLite the rows are written while the caller goes on (reading the
    /// next ones): an error surfaces at a later call or at the commit, and nothing lands.
    pub async fn write(&mut self, incidents: Vec<Incident>) -> Result<(), StoreError> {
        match &mut self.writer {
            Writer::Sqlite(writer) => writer.write(incidents).await,
            Writer::Postgres(import) => {
                for chunk in incidents.chunks(BATCH) {
                    import.write_chunk(chunk).await?;
                }
                Ok(())
            }
        }
    }

    /// Makes everything written visible at once, with its journal entry: who imported
    /// from where, and how many incidents were added and updated (an import that wrote
    /// nothing changed nothing, and is not journaled).
    pub async fn commit(
        self,
        by: &Actor,
        source: &str,
        now: jiff::Timestamp,
    ) -> Result<ImportCounts, StoreError> {
        let commit = Commit {
            by: by.clone(),
            source: source.to_owned(),
            at_ns: ns(now),
        };
        let (counts, written) = match self.writer {
            Writer::Sqlite(writer) => writer.commit(commit).await?,
            Writer::Postgres(import) => import.commit(&commit).await?,
        };
        self.tokens.clear();
        if written > 0 {
            self.changes.bump();
        }
        Ok(counts)
    }

    /// Drops everything written.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.writer {
            Writer::Sqlite(writer) => writer.rollback().await,
            Writer::Postgres(import) => Ok(import.tx.rollback().await?),
        }
    }
}

impl PgImport {
    async fn structure_id(&mut self, s: &Structure) -> Result<i64, StoreError> {
        if let Some(id) = self.structures.id(s) {
            return Ok(id);
        }
        let id = sqlx::query(UPSERT_STRUCTURE)
            .bind(s.finess.as_str())
            .bind(s.name.as_str())
            .bind(s.kind.code())
            .bind(s.legal_status.code())
            .bind(s.region.code())
            .bind(s.ose)
            .bind(s.ght.as_ref().map(|g| g.as_str()))
            .fetch_one(&mut *self.tx)
            .await?
            .try_get::<i64, _>(0)?;
        self.structures.remember(s, id);
        Ok(id)
    }

    async fn write_chunk(&mut self, chunk: &[Incident]) -> Result<(), StoreError> {
        // Within one statement a ref may appear once: a repeated ref keeps the place of its
        // first line and the content of its last, as if each line had been written in turn.
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (n, incident) in chunk.iter().enumerate() {
            if let Some(r) = &incident.reference {
                last.insert(r.as_str(), n);
            }
        }
        let mut rows = Vec::with_capacity(chunk.len());
        for incident in chunk {
            let incident = match &incident.reference {
                Some(r) => match last.remove(r.as_str()) {
                    Some(n) => &chunk[n],
                    None => continue,
                },
                None => incident,
            };
            let structure_id = self.structure_id(&incident.structure).await?;
            rows.push(Flat::new(incident, structure_id));
        }
        let mut qb = QueryBuilder::<Postgres>::new(INSERT_IMPORTED);
        let state = self.cases.code();
        qb.push_values(rows.iter(), |mut b, f: &Flat<'_>| {
            push_incident!(b, f);
            b.push_bind(state);
        });
        qb.push(ON_CONFLICT);
        qb.build().execute(&mut *self.tx).await?;
        self.written += chunk.len() as u64;
        Ok(())
    }

    async fn commit(mut self, commit: &Commit) -> Result<(ImportCounts, u64), StoreError> {
        let after = sqlx::query_scalar::<_, i64>(COUNT)
            .fetch_one(&mut *self.tx)
            .await?;
        let counts = ImportCounts::of(self.written, self.before, after);
        if self.written > 0 {
            self.tx
                .append_journal(vec![commit.entry(&counts, self.cases)])
                .await?;
            sqlx::query(BUMP).execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        Ok((counts, self.written))
    }
}
