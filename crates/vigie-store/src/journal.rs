//! The journal in the database: appends inside the transaction of what they record, the
//! verification of the whole chain, and the latest entries.
//!
//! **Invariant:** an entry is appended in the same transaction as the change it records,
//! so one is never durable without the other. Every append starts by writing the head row
//! (`UPDATE journal_head … RETURNING`): PostgreSQL locks that row until commit, and SQLite
//! takes its write lock, so concurrent appenders take numbers one after the other and none
//! fails. On SQLite, a transaction that journals must write before it reads (or append
//! first), or a concurrent commit between its read and its first write fails it.

use std::{future::Future, net::IpAddr};

use sqlx::{PgConnection, Postgres, QueryBuilder, Row as _, Sqlite, SqliteConnection};
use vigie_access::UserId;
use vigie_journal::{
    Action, Actor, Anchor, Hash, Head, Linked, NewEntry, Payload, StoredHead, Tamper, Verified,
    Verifier,
};

use crate::{Pool, Store, StoreError, decode::ns, on_pool};

mod data;

pub use data::{DataCheck, DataReport, Difference, Discrepancy};

/// A journal entry as stored (the entry, the hash it follows and its own).
pub type JournalRecord = Linked;

/// Rows inserted per statement (8 parameters each, well under SQLite's limit).
const ROWS_PER_INSERT: usize = 1_000;

/// Who acted, when only an account may be known: that account, or Vigie itself.
pub(crate) fn actor_of(user: Option<UserId>) -> Actor {
    user.map_or(Actor::System, |u| Actor::User(u.0))
}

/// Locks the head of the journal (by writing it) and reads it.
pub(crate) const LOCK_HEAD: &str =
    "UPDATE journal_head SET seq = seq WHERE id = 1 RETURNING seq, hash";

/// The start of an insert of linked entries, in the order they are bound.
macro_rules! insert_journal {
    () => {
        "INSERT INTO journal (seq, at_ns, actor, action, subject, payload, prev_hash, hash) "
    };
}

/// Inserts one linked entry.
pub(crate) const INSERT_ENTRY: &str =
    concat!(insert_journal!(), "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");

/// Moves the head to `$1` (seq) and `$2` (hash).
pub(crate) const MOVE_HEAD: &str = "UPDATE journal_head SET seq = $1, hash = $2 WHERE id = 1";

/// The head as read from its row.
pub(crate) fn head(seq: i64, hash: &str) -> Result<Head, StoreError> {
    let hash = Hash::from_hex(hash).ok_or_else(|| StoreError::Corrupt {
        table: "journal_head",
        id: 1,
        column: "hash",
        reason: "not 64 hexadecimal characters".into(),
    })?;
    Ok(Head { seq, hash })
}

/// A connection inside an open transaction that can append to the journal.
pub(crate) trait Append {
    /// Appends `entries` in order after the head, and moves the head to the last one.
    fn append_journal(
        &mut self,
        entries: Vec<NewEntry>,
    ) -> impl Future<Output = Result<Head, StoreError>> + Send;
}

macro_rules! append_on {
    ($conn:ty, $db:ty, $one_statement:expr, $incident:path) => {
        impl Append for $conn {
            async fn append_journal(
                &mut self,
                mut entries: Vec<NewEntry>,
            ) -> Result<Head, StoreError> {
                // The first statement writes: the head is locked until commit.
                let row = sqlx::query(LOCK_HEAD).fetch_one(&mut *self).await?;
                let mut head = head(row.try_get("seq")?, &row.try_get::<String, _>("hash")?)?;
                if entries.is_empty() {
                    return Ok(head);
                }
                // What these entries changed is written: they vouch for the incident as
                // it now stands in this transaction.
                for entry in &mut entries {
                    let Some(case) = data::changes_incident(entry) else {
                        continue;
                    };
                    let row = sqlx::query(crate::decode::SELECT_CASE)
                        .bind(case.id())
                        .fetch_optional(&mut *self)
                        .await?;
                    if let Some(row) = row {
                        let incident = $incident(Ok(row))?;
                        entry.payload = std::mem::take(&mut entry.payload)
                            .with(data::INCIDENT_SHA256, data::incident_sha256(&incident));
                    }
                }
                let linked: Vec<Linked> = entries.into_iter().map(|e| head.append(e)).collect();
                let push_rows = |qb: &mut QueryBuilder<$db>, chunk: &[Linked]| {
                    qb.push(insert_journal!());
                    qb.push_values(chunk.to_vec(), |mut b, l| {
                        b.push_bind(l.entry.seq)
                            .push_bind(l.entry.at_ns)
                            .push_bind(l.entry.actor)
                            .push_bind(l.entry.action)
                            .push_bind(l.entry.subject)
                            .push_bind(l.entry.payload)
                            .push_bind(l.prev_hash)
                            .push_bind(l.hash);
                    });
                };
                if $one_statement && linked.len() <= ROWS_PER_INSERT {
                    // PostgreSQL: the entries and the new head in one round trip.
                    let mut qb = QueryBuilder::<$db>::new("WITH appended AS (");
                    push_rows(&mut qb, &linked);
                    qb.push(") UPDATE journal_head SET seq = ")
                        .push_bind(head.seq)
                        .push(", hash = ")
                        .push_bind(head.hash.to_hex())
                        .push(" WHERE id = 1");
                    qb.build().execute(&mut *self).await?;
                    return Ok(head);
                }
                for chunk in linked.chunks(ROWS_PER_INSERT) {
                    let mut qb = QueryBuilder::<$db>::new("");
                    push_rows(&mut qb, chunk);
                    qb.build().execute(&mut *self).await?;
                }
                sqlx::query(MOVE_HEAD)
                    .bind(head.seq)
                    .bind(head.hash.to_hex())
                    .execute(&mut *self)
                    .await?;
                Ok(head)
            }
        }
    };
}

// SQLite has no INSERT inside WITH: entries, then the head.
append_on!(
    SqliteConnection,
    Sqlite,
    false,
    crate::decode::incident_sqlite
);
append_on!(PgConnection, Postgres, true, crate::decode::incident_pg);

/// Reads a stored entry; a value that does not read (a type changed behind Vigie's back)
/// reads as one that fails its hash.
macro_rules! linked {
    ($row:expr) => {{
        let row = $row;
        let text = |column: &str| {
            row.try_get::<String, _>(column)
                .unwrap_or_else(|_| String::from("\u{0}unreadable"))
        };
        let at_ns = row.try_get::<i64, _>("at_ns");
        Linked {
            entry: vigie_journal::Entry {
                seq: row.try_get("seq")?,
                at_ns: *at_ns.as_ref().unwrap_or(&i64::MIN),
                actor: text("actor"),
                action: text("action"),
                subject: text("subject"),
                payload: text("payload"),
            },
            prev_hash: text("prev_hash"),
            hash: if at_ns.is_ok() {
                text("hash")
            } else {
                String::new()
            },
        }
    }};
}

/// Which factor a login attempt checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFactor {
    /// The password.
    Password,
    /// A TOTP code.
    Totp,
    /// A recovery code.
    RecoveryCode,
}

impl LoginFactor {
    /// The code written in the journal.
    pub fn code(self) -> &'static str {
        match self {
            LoginFactor::Password => "password",
            LoginFactor::Totp => "totp",
            LoginFactor::RecoveryCode => "recovery_code",
        }
    }
}

/// A login attempt as the journal records it: the factor checked and where it came from
/// (never the secret given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Login {
    /// The factor checked.
    pub factor: LoginFactor,
    /// The client's address, when known.
    pub from: Option<IpAddr>,
}

impl Login {
    fn payload(&self) -> Payload {
        Payload::new()
            .with("factor", self.factor.code())
            .with("from", self.from.map(|ip| ip.to_string()))
    }
}

/// Why a login was refused before any secret was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    /// No account has this address.
    UnknownAccount,
    /// The account is locked after too many failures.
    Locked,
    /// A demo account, whose password is published, on a server not running the demo.
    DemoOutsideDemo,
}

/// The address a refused login gave, if it looks like one (what someone types in the login
/// field may be a password).
fn attempted_login(login: &str) -> Option<String> {
    let login = login.trim().to_lowercase();
    let plausible = login.len() <= 254
        && login.contains('@')
        && !login.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(login)
}

impl Store {
    /// Appends entries in a transaction of their own: for what changes nothing else in the
    /// database (an export, a refused login).
    pub async fn journal(&self, entries: Vec<NewEntry>) -> Result<Head, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let head = tx.append_journal(entries).await?;
            tx.commit().await?;
            Ok(head)
        })
    }

    /// Checks the whole journal, in one snapshot, against its head and these anchors.
    pub async fn verify_journal(
        &self,
        anchors: &[Anchor],
    ) -> Result<Result<Verified, Tamper>, StoreError> {
        use futures_util::TryStreamExt as _;
        let head_sql = "SELECT seq, hash FROM journal_head WHERE id = 1";
        let entries_sql = "SELECT seq, at_ns, actor, action, subject, payload, prev_hash, hash \
                           FROM journal ORDER BY seq";
        let mut verifier = Verifier::new(anchors);
        let head = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if matches!(self.pool(), Pool::Postgres(_)) {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
            }
            let head = match sqlx::query(head_sql).fetch_optional(&mut *tx).await? {
                Some(row) => Some(StoredHead {
                    seq: row.try_get("seq")?,
                    hash: row.try_get("hash")?,
                }),
                None => None,
            };
            {
                let mut rows = sqlx::query(entries_sql).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    verifier.push(&linked!(row));
                }
            }
            tx.rollback().await?;
            head
        });
        Ok(verifier.finish(head.as_ref()))
    }

    /// The head row of the journal (the last entry's number and hash), unverified; `None`
    /// when the row is gone.
    pub async fn journal_head(&self) -> Result<Option<StoredHead>, StoreError> {
        let sql = "SELECT seq, hash FROM journal_head WHERE id = 1";
        Ok(
            on_pool!(self, pool => match sqlx::query(sql).fetch_optional(pool).await? {
                Some(row) => Some(StoredHead { seq: row.try_get("seq")?, hash: row.try_get("hash")? }),
                None => None,
            }),
        )
    }

    /// The last `limit` entries, of one subject if given (a case number, `user:42`),
    /// oldest first.
    pub async fn journal_entries(
        &self,
        subject: Option<&str>,
        limit: i64,
    ) -> Result<Vec<JournalRecord>, StoreError> {
        let sql = "SELECT seq, at_ns, actor, action, subject, payload, prev_hash, hash FROM journal \
                   WHERE ($1 IS NULL OR subject = $1) ORDER BY seq DESC LIMIT $2";
        let sql = match self.pool() {
            Pool::Sqlite(_) => sql,
            // PostgreSQL must know the type of a parameter compared with NULL.
            Pool::Postgres(_) => {
                "SELECT seq, at_ns, actor, action, subject, payload, prev_hash, hash FROM journal \
                 WHERE ($1::TEXT IS NULL OR subject = $1) ORDER BY seq DESC LIMIT $2"
            }
        };
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(subject).bind(limit).fetch_all(pool).await? {
                out.push(linked!(row));
            }
        });
        out.reverse();
        Ok(out)
    }

    /// Records a login refused before any secret was checked (unknown account, locked
    /// account); the address tried is kept only if it looks like one.
    pub async fn login_refused(
        &self,
        user: Option<UserId>,
        attempted: &str,
        login: &Login,
        why: LoginRefusal,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let (reason, subject, tried) = match (why, user) {
            (LoginRefusal::Locked, Some(user)) => ("locked", Actor::User(user.0).to_string(), None),
            (LoginRefusal::Locked, None) => ("locked", "unknown".to_owned(), None),
            (LoginRefusal::DemoOutsideDemo, Some(user)) => {
                ("demo_account", Actor::User(user.0).to_string(), None)
            }
            (LoginRefusal::DemoOutsideDemo, None) => ("demo_account", "unknown".to_owned(), None),
            (LoginRefusal::UnknownAccount, _) => (
                "unknown_account",
                "unknown".to_owned(),
                attempted_login(attempted),
            ),
        };
        self.journal(vec![NewEntry {
            at_ns: ns(now),
            actor: Actor::Anonymous,
            action: Action::LoginFailed,
            subject,
            payload: login.payload().with("reason", reason).with("login", tried),
        }])
        .await?;
        Ok(())
    }
}

/// The entry of a login checked against an account.
pub(crate) fn login_entry(
    user: UserId,
    login: &Login,
    succeeded: bool,
    locked_until: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
) -> NewEntry {
    let mut payload = login.payload();
    if !succeeded {
        payload = payload.with("locked_until_ns", locked_until.map(ns));
    }
    NewEntry {
        at_ns: ns(now),
        actor: if succeeded {
            Actor::User(user.0)
        } else {
            Actor::Anonymous
        },
        action: if succeeded {
            Action::LoginSucceeded
        } else {
            Action::LoginFailed
        },
        subject: Actor::User(user.0).to_string(),
        payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plausible_addresses_are_kept() {
        assert_eq!(
            attempted_login(" Alice@CH.fr "),
            Some("alice@ch.fr".to_owned())
        );
        for secret in ["Tr0ub4dor&3-horse", "with space@x", "a\u{7}@b", ""] {
            assert_eq!(attempted_login(secret), None, "{secret}");
        }
        assert_eq!(attempted_login(&format!("{}@x.fr", "a".repeat(260))), None);
    }
}
