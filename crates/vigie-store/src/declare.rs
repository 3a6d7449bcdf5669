//! Declarations, committed in groups. Each store has one writer task: it takes every
//! declaration queued (up to [`MAX_GROUP`]), writes them all in one transaction, commits,
//! and only then answers each caller with its case number. Under load, one commit (and
//! one sync to disk) serves many declarations; alone, a declaration is written at once.
//!
//! A declaration's incident, its texts and its acknowledgment e-mails are written, and the
//! draft it was made from deleted, in the same transaction (see `write_group!`). A group that fails before its commit is written
//! again one declaration at a time, so that a bad declaration fails alone; a group whose
//! commit fails is not retried (it may have landed) and each of its callers is told that
//! its declaration is unconfirmed.

mod postgres;

use std::panic::{AssertUnwindSafe, catch_unwind};

use jiff::Timestamp;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use tokio::sync::{mpsc, oneshot};
use vigie_access::{StructureId, UserId};
use vigie_journal::{Action, Actor, NewEntry, Payload};
use vigie_model::{CaseNumber, Code as _, Incident};
use vigie_workflow::routing::Routing;

use crate::{
    Pool, StoreError,
    decode::ns,
    decode::parsed,
    import::{Flat, incident_columns, push_incident},
    journal::Append as _,
    portal::{CaseRecord, DeclarationTexts, DraftKey, OutboxMail},
    revision::{BUMP, Changes},
};

/// Most declarations committed in one transaction (34 values each: one statement stays
/// under SQLite's 32,766 variables).
const MAX_GROUP: usize = 256;

/// Declarations waiting for the writer, at most; further callers wait for room.
const QUEUE: usize = 4 * MAX_GROUP;

/// Declarations between two checkpoints on SQLite (about 4 KiB each with their
/// acknowledgment: about as many WAL pages as SQLite's own 1,000-page automatic checkpoint).
const CHECKPOINT_EVERY: usize = 1_000;

/// The writer connection's automatic checkpoint (pages), a backstop for the checkpointer.
pub(crate) const WRITER_AUTOCHECKPOINT: &str = "10000";

/// Outbox rows written by one statement (7 values each).
const MAIL_ROWS: usize = 1_000;

/// The acknowledgment e-mails of a declaration, once its case number is known.
pub(crate) type Mails = Box<dyn Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync>;

/// A declaration waiting to be written, and the caller waiting for its case number.
pub(crate) struct Pending {
    pub(crate) structure: StructureId,
    pub(crate) incident: Incident,
    pub(crate) declared_by: Option<UserId>,
    pub(crate) actor: Actor,
    pub(crate) texts: DeclarationTexts,
    pub(crate) routings: Vec<Routing>,
    /// The draft it was made from, deleted in the same transaction.
    pub(crate) draft: Option<DraftKey>,
    /// What the journal says of it (its entry's payload).
    pub(crate) journal: Payload,
    pub(crate) mails: Mails,
    pub(crate) now: Timestamp,
    pub(crate) answer: oneshot::Sender<Result<CaseNumber, StoreError>>,
}

/// A store's handle on its writer of declarations.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Pending>,
    pool: Pool,
}

impl Writer {
    /// Starts the writer task on `pool` (its own connection); it ends with the last handle.
    /// On SQLite, `checkpoints` is where the WAL is checkpointed, off the writer's path.
    pub(crate) fn start(pool: Pool, checkpoints: Option<SqlitePool>, changes: Changes) -> Writer {
        let (queue, received) = mpsc::channel(QUEUE);
        let checkpointer = checkpoints.map(|pool| {
            let (due, wait) = mpsc::channel(1);
            tokio::spawn(checkpoint(pool, wait));
            due
        });
        tokio::spawn(run(pool.clone(), received, checkpointer, changes));
        Writer { queue, pool }
    }

    /// The writer's own connection pool.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Queues a declaration and waits until it is committed (or has failed).
    pub(crate) async fn declare(
        &self,
        pending: impl FnOnce(oneshot::Sender<Result<CaseNumber, StoreError>>) -> Pending,
    ) -> Result<CaseNumber, StoreError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || StoreError::Unconfirmed("the writer of declarations stopped".into());
        self.queue
            .send(pending(answer))
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Closes the writer's connection once the group being written is committed.
    pub(crate) async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// The writer task: one group after another, until every handle is dropped; on SQLite,
/// asks for a checkpoint every [`CHECKPOINT_EVERY`] declarations.
async fn run(
    pool: Pool,
    mut received: mpsc::Receiver<Pending>,
    checkpointer: Option<mpsc::Sender<()>>,
    changes: Changes,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    let mut since_checkpoint = 0;
    while received.recv_many(&mut group, MAX_GROUP).await > 0 {
        since_checkpoint += group.len();
        commit_group(&pool, std::mem::take(&mut group), &changes).await;
        if let Some(checkpointer) = &checkpointer
            && since_checkpoint >= CHECKPOINT_EVERY
            // Full: a checkpoint is running, ask again after the next group.
            && checkpointer.try_send(()).is_ok()
        {
            since_checkpoint = 0;
        }
    }
}

/// SQLite: copies the WAL into the database file on a connection of the pool, while the
/// writer goes on (a passive checkpoint never blocks it). The writer's own automatic
/// checkpoint, far later (`WRITER_AUTOCHECKPOINT` pages), then has little left to copy
/// and lets the WAL start over: the WAL stays bounded under any load.
async fn checkpoint(pool: SqlitePool, mut due: mpsc::Receiver<()>) {
    while due.recv().await.is_some() {
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            Ok(_) | Err(sqlx::Error::PoolClosed) => {}
            Err(e) => eprintln!("declarations: checkpoint failed: {e}"),
        }
    }
}

/// Why a group was not written.
struct Failed {
    error: StoreError,
    /// The commit itself failed: the group may have landed, so it is not written again.
    committing: bool,
}

impl Failed {
    fn before_commit(error: impl Into<StoreError>) -> Failed {
        Failed {
            error: error.into(),
            committing: false,
        }
    }

    /// What a caller of the group is told.
    fn for_caller(&self) -> StoreError {
        StoreError::Unconfirmed(self.error.to_string())
    }
}

/// Writes a group and answers its callers; if it fails before its commit, writes its
/// declarations one by one. The observatory's data changed (or may have) before any
/// caller is answered.
async fn commit_group(pool: &Pool, group: Vec<Pending>, changes: &Changes) {
    let written = write(pool, &group).await;
    changes.bump();
    match written {
        Ok(cases) => {
            for (pending, case) in group.into_iter().zip(cases) {
                // A caller that stopped waiting will find its case in the list.
                let _ = pending.answer.send(Ok(case));
            }
        }
        Err(failed) if failed.committing => {
            eprintln!(
                "declarations: a group of {} failed: {}",
                group.len(),
                failed.error
            );
            for pending in group {
                let _ = pending.answer.send(Err(failed.for_caller()));
            }
        }
        Err(failed) if group.len() == 1 => {
            if let Some(pending) = group.into_iter().next() {
                let _ = pending.answer.send(Err(failed.error));
            }
        }
        Err(failed) => {
            eprintln!(
                "declarations: a group of {} failed ({}), written one by one",
                group.len(),
                failed.error
            );
            for pending in group {
                let written = write(pool, std::slice::from_ref(&pending)).await;
                changes.bump();
                let result = match written {
                    Ok(cases) => Ok(cases[0]),
                    Err(f) if f.committing => Err(f.for_caller()),
                    Err(f) => Err(f.error),
                };
                let _ = pending.answer.send(result);
            }
        }
    }
}

/// A declaration of a group, with the identifier and case number it is given.
struct Written<'a> {
    pending: &'a Pending,
    flat: Flat<'a>,
    id: i64,
    case: CaseNumber,
}

/// Gives each declaration of a group its identifier (`ids`, in order) and case number.
fn number<'a>(group: &'a [Pending], ids: &[i64]) -> Result<Vec<Written<'a>>, StoreError> {
    group
        .iter()
        .zip(ids)
        .map(|(pending, &id)| {
            let flat = Flat::new(&pending.incident, pending.structure.0);
            let year = i16::try_from(flat.local_year).unwrap_or(i16::MAX);
            let case = parsed(
                CaseNumber::new(year, id).ok_or("no case number"),
                "incidents",
                id,
                "id",
            )?;
            Ok(Written {
                pending,
                flat,
                id,
                case,
            })
        })
        .collect()
}

/// The acknowledgment e-mails of a declaration; a caller's function that panics fails
/// its declaration, not the writer.
fn mails_of(written: &Written<'_>) -> Result<Vec<OutboxMail>, StoreError> {
    catch_unwind(AssertUnwindSafe(|| (written.pending.mails)(written.case))).map_err(|_| {
        StoreError::Unconfirmed(format!(
            "the acknowledgment of {} could not be written",
            written.case
        ))
    })
}

const INSERT_DECLARATIONS: &str = concat!(
    "INSERT INTO incidents (id, ",
    incident_columns!(),
    ", case_state, declared_by, measures_taken, affected_systems) "
);

const INSERT_ROUTINGS: &str =
    "INSERT INTO routings (incident_id, authority, reason, rules, routed_at_ns) ";

const INSERT_MAILS: &str = "INSERT INTO outbox (recipients, subject, text_body, html_body, \
     message_id, created_at_ns, next_attempt_ns) ";

const DELETE_DRAFTS: &str = "DELETE FROM drafts WHERE ";

/// SQLite: the next identifiers, safe to take because `BEGIN IMMEDIATE` holds the write lock.
const SQLITE_LAST_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM incidents";

/// Writes a group in one transaction on one engine: `$ids` gives the group its
/// identifiers within the open transaction `tx`.
macro_rules! write_group {
    ($db:ty, $pool:expr, $begin:expr, $group:expr, |$tx:ident, $n:ident| $ids:expr) => {{
        let group: &[Pending] = $group;
        let staged = async {
            let mut $tx = $pool.begin_with($begin).await?;
            let $n = group.len();
            let ids: Vec<i64> = $ids;
            let written = number(group, &ids)?;
            let mut rows = QueryBuilder::<$db>::new(INSERT_DECLARATIONS);
            rows.push_values(&written, |mut b, w| {
                b.push_bind(w.id);
                push_incident!(b, &w.flat);
                let p = w.pending;
                b.push_bind(CaseRecord::INITIAL_STATE.code())
                    .push_bind(p.declared_by.map(|u| u.0))
                    .push_bind(p.texts.measures_taken.as_deref())
                    .push_bind(p.texts.affected_systems.as_deref());
            });
            // The acknowledgments are built while the database inserts the incidents.
            let built = async {
                let mut mails = Vec::with_capacity(written.len());
                for w in &written {
                    for mail in mails_of(w)? {
                        mails.push((mail, w.pending.now));
                    }
                }
                Ok::<_, StoreError>(mails)
            };
            let (inserted, mails) = tokio::join!(rows.build().execute(&mut *$tx), built);
            inserted?;
            let mails = mails?;

            // Per declaration, in the group's transaction: what must commit with it, in
            // `written` order (the order of the ids): its routings (all new, so one
            // multi-row INSERT for the group), its e-mails, the deletion of its draft, and
            // its journal entry (one append for the group). The PostgreSQL writer (`postgres.rs`) writes the same.
            let routed: Vec<(CaseNumber, &Routing, Timestamp)> = written
                .iter()
                .flat_map(|w| {
                    w.pending
                        .routings
                        .iter()
                        .map(move |r| (w.case, r, w.pending.now))
                })
                .collect();
            let push_routings =
                |rows: &mut QueryBuilder<$db>, chunk: &[(CaseNumber, &Routing, Timestamp)]| {
                    rows.push(INSERT_ROUTINGS);
                    rows.push_values(chunk, |mut b, (case, routing, now)| {
                        b.push_bind(case.id())
                            .push_bind(routing.to.code())
                            .push_bind(routing.reasons())
                            .push_bind(routing.rule_ids())
                            .push_bind(ns(*now));
                    });
                };
            let push_mails = |rows: &mut QueryBuilder<$db>, chunk: &[(OutboxMail, Timestamp)]| {
                rows.push(INSERT_MAILS);
                rows.push_values(chunk, |mut b, (mail, now)| {
                    b.push_bind(mail.recipients.join(","))
                        .push_bind(&mail.subject)
                        .push_bind(&mail.text)
                        .push_bind(&mail.html)
                        .push_bind(&mail.message_id)
                        .push_bind(ns(*now))
                        .push_bind(ns(*now));
                });
            };
            for chunk in routed.chunks(MAIL_ROWS) {
                let mut rows = QueryBuilder::<$db>::new("");
                push_routings(&mut rows, chunk);
                rows.build().execute(&mut *$tx).await?;
            }
            for chunk in mails.chunks(MAIL_ROWS) {
                let mut rows = QueryBuilder::<$db>::new("");
                push_mails(&mut rows, chunk);
                rows.build().execute(&mut *$tx).await?;
            }
            // The drafts they were made from (at most two values each).
            let drafts: Vec<DraftKey> = written.iter().filter_map(|w| w.pending.draft).collect();
            if !drafts.is_empty() {
                let mut rows = QueryBuilder::<$db>::new(DELETE_DRAFTS);
                let mut any = rows.separated(" OR ");
                for d in &drafts {
                    any.push("(user_id = ")
                        .push_bind_unseparated(d.user.0)
                        .push_unseparated(" AND structure_id = ")
                        .push_bind_unseparated(d.structure.0)
                        .push_unseparated(")");
                }
                rows.build().execute(&mut *$tx).await?;
            }

            // One entry per declaration, naming the routings made with it.
            let entries: Vec<_> = written
                .iter()
                .map(|w| {
                    let p = w.pending;
                    NewEntry {
                        at_ns: ns(p.now),
                        actor: p.actor.clone(),
                        action: Action::CaseDeclared,
                        subject: w.case.to_string(),
                        payload: p.journal.clone(),
                    }
                })
                .collect();
            $tx.append_journal(entries).await?;
            sqlx::query(BUMP).execute(&mut *$tx).await?;

            let cases: Vec<CaseNumber> = written.iter().map(|w| w.case).collect();
            Ok::<_, StoreError>(($tx, cases))
        };
        let (tx, cases) = staged.await.map_err(Failed::before_commit)?;
        tx.commit().await.map_err(|e| Failed {
            error: e.into(),
            committing: true,
        })?;
        Ok(cases)
    }};
}

/// Writes a group of declarations in one transaction; their case numbers, in order.
async fn write(pool: &Pool, group: &[Pending]) -> Result<Vec<CaseNumber>, Failed> {
    match pool {
        Pool::Sqlite(pool) => {
            // SQLite has no INSERT inside WITH: one statement per table.
            write_group!(Sqlite, pool, "BEGIN IMMEDIATE", group, |tx, n| {
                let last: i64 = sqlx::query_scalar(SQLITE_LAST_ID)
                    .fetch_one(&mut *tx)
                    .await?;
                (1..=n as i64).map(|k| last + k).collect()
            })
        }
        Pool::Postgres(pool) => postgres::write(pool, group).await,
    }
}

/// What the journal says of a declaration: who declared for which structure, a SHA-256 of
/// the incident as declared (its v1 line), never its content, and its routings.
pub(crate) fn declared_payload(
    incident: &Incident,
    declared_by: Option<UserId>,
    routings: &[Routing],
) -> Payload {
    let line = vigie_model::interchange::v1::to_line(incident);
    let mut payload = Payload::new()
        .with("structure", incident.structure.finess.as_str())
        .with(
            "declared_by",
            declared_by.map(|u| Actor::User(u.0).to_string()),
        )
        .with(
            "incident_sha256",
            vigie_journal::sha256_hex(line.as_bytes()),
        );
    // The routings made with the declaration, by Vigie's rules, in the same entry:
    // `recipient:rule+rule` separated by `;`.
    if !routings.is_empty() {
        let routed: Vec<String> = routings
            .iter()
            .map(|r| format!("{}:{}", r.to.code(), r.rule_ids().replace(',', "+")))
            .collect();
        payload = payload.with("routed", routed.join(";"));
    }
    payload
}

/// A declaration to store, with what is written in its transaction.
#[derive(Debug, Clone, Copy)]
pub struct NewDeclaration<'a> {
    /// The declaring structure.
    pub structure: StructureId,
    /// The incident as declared.
    pub incident: &'a Incident,
    /// The account that declared it, if any.
    pub declared_by: Option<UserId>,
    /// Who the journal says acted.
    pub actor: &'a Actor,
    /// Measures taken and affected systems.
    pub texts: &'a DeclarationTexts,
    /// The routings the rules in force give it.
    pub routings: &'a [Routing],
    /// The draft it was made from, deleted with the declaration's commit.
    pub draft: Option<DraftKey>,
    /// When it is declared.
    pub now: Timestamp,
}

impl crate::Store {
    /// Stores a declaration made from no draft: see [`Store::submit`].
    #[allow(clippy::too_many_arguments)]
    pub async fn declare(
        &self,
        structure: StructureId,
        incident: &Incident,
        declared_by: Option<UserId>,
        actor: &Actor,
        texts: &DeclarationTexts,
        routings: &[Routing],
        mails: impl Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync + 'static,
        now: Timestamp,
    ) -> Result<CaseNumber, StoreError> {
        let declaration = NewDeclaration {
            structure,
            incident,
            declared_by,
            actor,
            texts,
            routings,
            draft: None,
            now,
        };
        self.submit(declaration, mails).await
    }

    /// Stores a declaration, its routings, the e-mails that acknowledge and announce it
    /// (`mails`, given its case number) and its journal entries, and deletes the draft it
    /// was made from, in one transaction: once this returns a case number, all are
    /// durable; if it fails, the draft is still there.
    ///
    /// Declarations are committed in groups by the store's writer (one transaction for
    /// every declaration queued meanwhile); a declaration that fails does not fail the
    /// others. If the caller stops waiting, the declaration is still written.
    pub async fn submit(
        &self,
        declaration: NewDeclaration<'_>,
        mails: impl Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync + 'static,
    ) -> Result<CaseNumber, StoreError> {
        let d = declaration;
        self.declarations
            .declare(|answer| Pending {
                // Hashed here, on the caller's task, not on the writer's.
                journal: declared_payload(d.incident, d.declared_by, d.routings),
                structure: d.structure,
                incident: d.incident.clone(),
                declared_by: d.declared_by,
                actor: d.actor.clone(),
                texts: d.texts.clone(),
                routings: d.routings.to_vec(),
                draft: d.draft,
                mails: Box::new(mails),
                now: d.now,
                answer,
            })
            .await
    }
}
