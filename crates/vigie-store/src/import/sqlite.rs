//! An import into SQLite, written by a thread of its own on a connection of its own.
//!
//! The thread takes batches of incidents from a short queue while the caller reads and
//! parses the next ones, and writes each row with one prepared statement through SQLite's
//! C API (no runtime, no copy of the values between), all in one `BEGIN IMMEDIATE`
//! transaction:
//!
//! - no foreign-key checks: every structure an incident names is upserted first, in the
//!   same transaction, so the reference holds by construction;
//! - a larger page cache, taken only as the import touches pages;
//! - once an import has written many rows, the secondary indexes of `incidents` are dropped
//!   and built again before the commit, in the same transaction: sorting once costs less
//!   than inserting each row into each index (measured by `vigie-bench`). Readers never
//!   see the difference: nothing is visible before the commit, and the commit holds every
//!   index.
//!
//! If the thread fails, it ends, its connection closes and SQLite rolls the transaction
//! back; the caller learns why at its next write or at the commit. An import dropped
//! without commit closes the queue, with the same effect.

use std::{path::Path, thread, time::Duration};

use rusqlite::{Connection, OpenFlags, Statement, params};
use tokio::sync::{mpsc, oneshot};
use vigie_model::{Code as _, Incident, Structure};
use vigie_workflow::case::CaseState;

use super::{
    COUNT, Commit, Flat, INSERT_IMPORTED, ImportCounts, ON_CONFLICT, UPSERT_STRUCTURE, Upserted,
};
use crate::{
    StoreError,
    journal::{INSERT_ENTRY, LOCK_HEAD, MOVE_HEAD, head},
    revision::BUMP,
};

/// Batches waiting for the thread, at most; the caller waits for room beyond.
const QUEUE: usize = 4;

/// Page cache of the import's connection, in KiB.
const CACHE_KIB: i64 = 256 * 1024;

/// How long the import waits for another writer to finish before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Rows an import writes before it drops the secondary indexes of `incidents`, if that is
/// also at least half the rows there were before.
const REBUILD_INDEXES_AFTER: u64 = 50_000;

/// The secondary indexes of `incidents` (SQLite keeps those of its constraints itself).
const SECONDARY_INDEXES: &str = "SELECT name, sql FROM sqlite_master \
     WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL ORDER BY name";

/// What the thread is asked to do.
enum Job {
    Write(Vec<Incident>),
    Commit(Commit),
    Rollback,
}

/// How the thread ended: committed (the counts, and the rows written), or rolled back.
type Outcome = Result<Option<(ImportCounts, u64)>, StoreError>;

/// The caller's side of an import into SQLite.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
    outcome: oneshot::Receiver<Outcome>,
}

impl Writer {
    /// Opens the import's connection to `file` and begins its transaction, on its thread.
    pub(super) async fn start(file: &Path, cases: CaseState) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let (ready, started) = oneshot::channel();
        let (ended, outcome) = oneshot::channel();
        let file = file.to_owned();
        thread::Builder::new()
            .name("vigie-import".into())
            .spawn(move || match Session::begin(&file, cases) {
                Ok(session) => {
                    let _ = ready.send(Ok(()));
                    let _ = ended.send(session.run(queue));
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            })
            .map_err(|_| StoreError::ImportStopped)?;
        started.await.map_err(|_| StoreError::ImportStopped)??;
        Ok(Writer { jobs, outcome })
    }

    /// Queues a batch; waits only while the queue is full.
    pub(super) async fn write(&mut self, incidents: Vec<Incident>) -> Result<(), StoreError> {
        if self.jobs.send(Job::Write(incidents)).await.is_ok() {
            return Ok(());
        }
        // The thread ended: it failed, and says why.
        match (&mut self.outcome).await {
            Ok(Err(e)) => Err(e),
            _ => Err(StoreError::ImportStopped),
        }
    }

    /// Asks the thread to commit once everything queued is written.
    pub(super) async fn commit(self, commit: Commit) -> Result<(ImportCounts, u64), StoreError> {
        let _ = self.jobs.send(Job::Commit(commit)).await;
        match self.outcome.await {
            Ok(Ok(Some(done))) => Ok(done),
            Ok(Err(e)) => Err(e),
            Ok(Ok(None)) | Err(_) => Err(StoreError::ImportStopped),
        }
    }

    /// Asks the thread to roll back.
    pub(super) async fn rollback(self) -> Result<(), StoreError> {
        let _ = self.jobs.send(Job::Rollback).await;
        match self.outcome.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StoreError::ImportStopped),
        }
    }
}

/// The secondary indexes of `incidents` during an import.
enum Indexes {
    /// Maintained row by row.
    Kept,
    /// Dropped; the statements that create them again, run before the commit.
    Dropped(Vec<String>),
}

/// The thread's side: its connection, inside the import's transaction.
struct Session {
    conn: Connection,
    /// The state of the cases it adds.
    cases: CaseState,
    /// Rows in `incidents` when the import began.
    before: i64,
    /// Rows written (a repeated `ref` counts each time).
    written: u64,
    /// Structures upserted in this transaction.
    structures: Upserted,
    indexes: Indexes,
}

impl Session {
    fn begin(file: &Path, cases: CaseState) -> Result<Session, StoreError> {
        let conn = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // As durable as the store's own connections; the rest is the import's alone.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", false)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // IMMEDIATE: the write lock now, so a commit by another connection cannot make a
        // later first write fail (SQLITE_BUSY_SNAPSHOT).
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let before = conn.query_row(COUNT, [], |r| r.get(0))?;
        Ok(Session {
            conn,
            cases,
            before,
            written: 0,
            structures: Upserted::default(),
            indexes: Indexes::Kept,
        })
    }

    fn run(mut self, mut queue: mpsc::Receiver<Job>) -> Outcome {
        while let Some(job) = queue.blocking_recv() {
            match job {
                Job::Write(incidents) => self.write(&incidents)?,
                Job::Commit(commit) => return self.commit(&commit).map(Some),
                Job::Rollback => {
                    self.conn.execute_batch("ROLLBACK")?;
                    return Ok(None);
                }
            }
        }
        // The import was dropped: closing the connection rolls it back.
        Ok(None)
    }

    fn write(&mut self, incidents: &[Incident]) -> Result<(), StoreError> {
        let written = self.written + incidents.len() as u64;
        if matches!(self.indexes, Indexes::Kept)
            && written >= REBUILD_INDEXES_AFTER
            && written >= u64::try_from(self.before / 2).unwrap_or(0)
        {
            self.drop_indexes()?;
        }
        // Prepared once a batch: a batch is thousands of rows.
        let mut insert = self.conn.prepare(&insert_one())?;
        let state = self.cases.code();
        let mut upsert = self.conn.prepare(UPSERT_STRUCTURE)?;
        for incident in incidents {
            let id = structure_id(&mut upsert, &mut self.structures, &incident.structure)?;
            let f = Flat::new(incident, id);
            insert.execute(params![
                f.reference,
                f.structure_id,
                f.declared_at_ns,
                f.declared_offset_s,
                f.detected_at_ns,
                f.detected_offset_s,
                f.channel,
                f.state_at_declaration,
                f.support_requested,
                f.care_impact,
                f.degraded_hours,
                f.data_impact,
                f.data_kind,
                f.patient_danger,
                f.title,
                f.description,
                f.origin,
                f.categories,
                f.ransomware_reach,
                f.infra_side,
                f.out_of_scope_reason,
                f.event,
                f.technical_support,
                f.false_positive,
                f.complements_requested,
                f.complements_received,
                f.local_year,
                f.local_month,
                f.slot,
                state,
            ])?;
        }
        self.written = written;
        Ok(())
    }

    fn drop_indexes(&mut self) -> Result<(), StoreError> {
        let indexes = self
            .conn
            .prepare(SECONDARY_INDEXES)?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        for (name, _) in &indexes {
            self.conn
                .execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        self.indexes = Indexes::Dropped(indexes.into_iter().map(|(_, sql)| sql).collect());
        Ok(())
    }

    fn commit(self, commit: &Commit) -> Result<(ImportCounts, u64), StoreError> {
        let conn = &self.conn;
        if let Indexes::Dropped(indexes) = &self.indexes {
            for sql in indexes {
                conn.execute_batch(sql)?;
            }
        }
        let after: i64 = conn.query_row(COUNT, [], |r| r.get(0))?;
        let counts = ImportCounts::of(self.written, self.before, after);
        if self.written > 0 {
            let (seq, hash): (i64, String) =
                conn.query_row(LOCK_HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let mut head = head(seq, &hash)?;
            let l = head.append(commit.entry(&counts, self.cases));
            conn.execute(
                INSERT_ENTRY,
                params![
                    l.entry.seq,
                    l.entry.at_ns,
                    l.entry.actor,
                    l.entry.action,
                    l.entry.subject,
                    l.entry.payload,
                    l.prev_hash,
                    l.hash
                ],
            )?;
            conn.execute(MOVE_HEAD, params![head.seq, head.hash.to_hex()])?;
            conn.execute(BUMP, [])?;
        }
        conn.execute_batch("COMMIT")?;
        Ok((counts, self.written))
    }
}

/// The statement that upserts one incident (its 29 columns and its case's state).
fn insert_one() -> String {
    let values = (1..=30).map(|n| format!("?{n}")).collect::<Vec<_>>();
    format!(
        "{INSERT_IMPORTED} VALUES ({}){ON_CONFLICT}",
        values.join(", ")
    )
}

/// The identifier of structure `s`, upserted the first time it is seen (or seen changed).
fn structure_id(
    upsert: &mut Statement<'_>,
    known: &mut Upserted,
    s: &Structure,
) -> Result<i64, StoreError> {
    if let Some(id) = known.id(s) {
        return Ok(id);
    }
    let id = upsert.query_row(
        params![
            s.finess.as_str(),
            s.name.as_str(),
            s.kind.code(),
            s.legal_status.code(),
            s.region.code(),
            s.ose,
            s.ght.as_ref().map(|g| g.as_str()),
        ],
        |r| r.get(0),
    )?;
    known.remember(s, id);
    Ok(id)
}
