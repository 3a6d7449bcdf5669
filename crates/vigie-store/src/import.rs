//! Writing incidents: all of an import in one transaction, upserting by `ref`.

use std::collections::HashMap;

use sqlx::{Postgres, QueryBuilder, Row as _, Sqlite, Transaction};
use vigie_model::{Code, Finess, Incident, Structure};
use vigie_workflow::calendar;

use vigie_journal::{Action, Actor, NewEntry, Payload};

use crate::{Pool, Store, StoreError, journal::Append as _, portal::ns, revision::BUMP};

/// Incidents written by one statement (29 values each, under SQLite's 32,766 limit).
const BATCH: usize = 500;

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// An import in progress: nothing is visible to others until [`Import::commit`].
pub struct Import {
    tx: Tx,
    /// Forgotten at commit: the import may change structures that API tokens act for.
    tokens: std::sync::Arc<crate::tokens::TokenCache>,
    /// Counted at commit: the observatory's data changed.
    changes: crate::revision::Changes,
    before: i64,
    written: u64,
    structures: HashMap<Finess, (i64, Structure)>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    /// Incidents that were not there before.
    pub inserted: u64,
    /// Incidents whose `ref` was already there (or repeated in the import), now updated.
    pub updated: u64,
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

pub(crate) const INSERT_INCIDENTS: &str =
    concat!("INSERT INTO incidents (", incident_columns!(), ") ");

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

/// An incident flattened to the values of one `incidents` row.
pub(crate) struct Flat<'a> {
    pub(crate) incident: &'a Incident,
    pub(crate) structure_id: i64,
    pub(crate) local_year: i32,
    pub(crate) local_month: i32,
    pub(crate) slot: &'static str,
}

impl<'a> Flat<'a> {
    /// Flattens `incident` of structure `structure_id`, with its Paris date.
    pub(crate) fn new(incident: &'a Incident, structure_id: i64) -> Flat<'a> {
        let at = incident.declared_at.timestamp();
        let local = calendar::paris_time(at);
        Flat {
            incident,
            structure_id,
            local_year: i32::from(local.year()),
            local_month: i32::from(local.month()),
            slot: calendar::deposit_slot(at).code(),
        }
    }
}

/// Binds the values of `incident_columns!` for a `Flat`, to a `Separated` of `push_values`.
macro_rules! push_incident {
    ($b:expr, $f:expr) => {{
        use vigie_model::Code as _;
        let f: &$crate::import::Flat<'_> = $f;
        let i = f.incident;
        let q = i.qualification.as_ref();
        $b.push_bind(i.reference.as_ref().map(|r| r.as_str()))
            .push_bind(f.structure_id)
            .push_bind(i.declared_at.unix_nanos())
            .push_bind(i.declared_at.offset_seconds())
            .push_bind(i.detected_at.map(|d| d.unix_nanos()))
            .push_bind(i.detected_at.map(|d| d.offset_seconds()))
            .push_bind(i.channel.code())
            .push_bind(i.state_at_declaration.code())
            .push_bind(i.support_requested)
            .push_bind(i.care_impact.code())
            .push_bind(i.degraded_hours.map(vigie_model::DegradedHours::get))
            .push_bind(i.data_impact.impacts().bits() as i32)
            .push_bind(i.data_impact.kinds().bits() as i32)
            .push_bind(i.patient_danger.code())
            .push_bind(i.title.as_ref().map(|t| t.as_str()))
            .push_bind(i.description.as_ref().map(|t| t.as_str()))
            .push_bind(q.map(|q| q.origin().code()))
            .push_bind(q.map(|q| q.categories().bits() as i32).unwrap_or(0))
            .push_bind(
                q.and_then(|q| q.ransomware_reach())
                    .map(vigie_model::Code::code),
            )
            .push_bind(q.and_then(|q| q.infra_side()).map(vigie_model::Code::code))
            .push_bind(
                q.and_then(|q| q.out_of_scope_reason())
                    .map(vigie_model::Code::code),
            )
            .push_bind(q.and_then(|q| q.event()).map(|e| e.as_str()))
            .push_bind(i.handling.technical_support)
            .push_bind(i.handling.false_positive)
            .push_bind(i.handling.complements_requested)
            .push_bind(i.handling.complements_received)
            .push_bind(f.local_year)
            .push_bind(f.local_month)
            .push_bind(f.slot);
    }};
}
pub(crate) use push_incident;

/// An `INSERT` of `rows` (`Flat`s) into `incidents`, followed by `tail`.
macro_rules! incidents_query {
    ($db:ty, $rows:expr, $tail:expr) => {{
        let mut qb = QueryBuilder::<$db>::new(INSERT_INCIDENTS);
        qb.push_values($rows, |mut b, f: &Flat<'_>| push_incident!(b, f));
        qb.push($tail);
        qb
    }};
}

macro_rules! upsert_structure {
    ($tx:expr, $s:expr) => {{
        let s: &Structure = $s;
        let row = sqlx::query(UPSERT_STRUCTURE)
            .bind(s.finess.as_str())
            .bind(s.name.as_str())
            .bind(s.kind.code())
            .bind(s.legal_status.code())
            .bind(s.region.code())
            .bind(s.ose)
            .bind(s.ght.as_ref().map(|g| g.as_str()))
            .fetch_one(&mut **$tx)
            .await?;
        row.try_get::<i64, _>(0)?
    }};
}

impl Import {
    pub(crate) async fn begin(store: &Store) -> Result<Import, StoreError> {
        let (tx, before) = match store.pool() {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                // Write first: SQLite takes its write lock now, so a commit by another
                // connection cannot make a later first write fail (SQLITE_BUSY_SNAPSHOT).
                sqlx::query("UPDATE journal_head SET seq = seq WHERE id = 1")
                    .execute(&mut *tx)
                    .await?;
                let n = sqlx::query_scalar::<_, i64>(COUNT)
                    .fetch_one(&mut *tx)
                    .await?;
                (Tx::Sqlite(tx), n)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let n = sqlx::query_scalar::<_, i64>(COUNT)
                    .fetch_one(&mut *tx)
                    .await?;
                (Tx::Postgres(tx), n)
            }
        };
        Ok(Import {
            tx,
            tokens: store.tokens.clone(),
            changes: store.changes.clone(),
            before,
            written: 0,
            structures: HashMap::new(),
        })
    }

    /// Writes incidents; a `ref` already stored or repeated is updated, the later one winning.
    pub async fn write(&mut self, incidents: &[Incident]) -> Result<(), StoreError> {
        for chunk in incidents.chunks(BATCH) {
            self.write_chunk(chunk).await?;
        }
        Ok(())
    }

    async fn structure_id(&mut self, s: &Structure) -> Result<i64, StoreError> {
        if let Some((id, known)) = self.structures.get(&s.finess)
            && known == s
        {
            return Ok(*id);
        }
        let id = match &mut self.tx {
            Tx::Sqlite(tx) => upsert_structure!(tx, s),
            Tx::Postgres(tx) => upsert_structure!(tx, s),
        };
        self.structures.insert(s.finess, (id, s.clone()));
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
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let mut qb = incidents_query!(Sqlite, rows.iter(), ON_CONFLICT);
                qb.build().execute(&mut **tx).await?;
            }
            Tx::Postgres(tx) => {
                let mut qb = incidents_query!(Postgres, rows.iter(), ON_CONFLICT);
                qb.build().execute(&mut **tx).await?;
            }
        }
        self.written += chunk.len() as u64;
        Ok(())
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
        let before = self.before;
        let written = self.written;
        let counts = move |after: i64| {
            let inserted = u64::try_from(after - before).unwrap_or(0);
            ImportCounts {
                inserted,
                updated: written.saturating_sub(inserted),
            }
        };
        let entry = |counts: &ImportCounts| NewEntry {
            at_ns: ns(now),
            actor: by.clone(),
            action: Action::DataImported,
            subject: "incidents".into(),
            payload: Payload::new()
                .with("source", source)
                .with("inserted", counts.inserted)
                .with("updated", counts.updated),
        };
        macro_rules! finish {
            ($tx:expr) => {{
                let mut tx = $tx;
                let n = sqlx::query_scalar::<_, i64>(COUNT)
                    .fetch_one(&mut *tx)
                    .await?;
                let counts = counts(n);
                if written > 0 {
                    tx.append_journal(vec![entry(&counts)]).await?;
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                counts
            }};
        }
        let tokens = self.tokens;
        let changes = self.changes;
        let counts = match self.tx {
            Tx::Sqlite(tx) => finish!(tx),
            Tx::Postgres(tx) => finish!(tx),
        };
        tokens.clear();
        if written > 0 {
            changes.bump();
        }
        Ok(counts)
    }

    /// Drops everything written.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.tx {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}
