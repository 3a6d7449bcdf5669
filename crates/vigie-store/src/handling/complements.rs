//! Requests for complements, their answers and reminders.

use super::*;

/// A request for complements still unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingComplements {
    /// The case.
    pub case: CaseNumber,
    /// Reminders sent so far.
    pub reminders: i32,
}

impl Store {
    /// Asks the structure for complements: the request as a message on the case, the case
    /// waiting for an answer, and the notice e-mails, in one transaction.
    pub async fn request_complements(
        &self,
        case: CaseNumber,
        by: UserId,
        body: &str,
        mails: &[OutboxMail],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        macro_rules! request_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE incidents SET complements_requested = TRUE, complements_received = FALSE, \
                     case_state = 'waiting_complements', complements_requested_at_ns = $2, \
                     complement_reminders = 0, last_reminder_at_ns = $2 \
                     WHERE id = $1 AND local_year = $3",
                )
                .bind(case.id())
                .bind(ns(now))
                .bind(i32::from(case.year()))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::NotFound("case"));
                }
                let message: i64 = sqlx::query_scalar(
                    "INSERT INTO messages (incident_id, author_id, body, created_at_ns) VALUES ($1, $2, $3, $4) \
                     RETURNING id",
                )
                .bind(case.id())
                .bind(by.0)
                .bind(body)
                .bind(ns(now))
                .fetch_one(&mut *tx)
                .await?;
                for mail in mails {
                    enqueue!(&mut *tx, mail, now);
                }
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: Actor::User(by.0),
                    action: Action::MessagePosted,
                    subject: case.to_string(),
                    payload: Payload::new()
                        .with("message", message)
                        .with("author", Actor::User(by.0).to_string())
                        .with("body_sha256", sha256_hex(body.as_bytes()))
                        .with("complements_requested", true),
                }])
                .await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
            }};
        }
        match self.pool() {
            Pool::Sqlite(pool) => request_on!(pool),
            Pool::Postgres(pool) => request_on!(pool),
        }
        self.changes.bump();
        Ok(())
    }

    /// Records that the structure answered a request for complements (nothing if none was
    /// pending); the case goes back to qualification. Returns whether one was pending.
    pub async fn complements_answered(&self, case: CaseNumber) -> Result<bool, StoreError> {
        let sql = "UPDATE incidents SET complements_received = TRUE, \
                   case_state = CASE WHEN case_state = 'waiting_complements' THEN 'qualifying' ELSE case_state END \
                   WHERE id = $1 AND local_year = $2 AND complements_requested AND NOT complements_received";
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(case.id()).bind(i32::from(case.year())).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                sqlx::query(BUMP).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            n
        });
        if n == 1 {
            self.changes.bump();
        }
        Ok(n == 1)
    }

    /// Pending requests for complements whose last notice is at or before `quiet_since`
    /// and that had fewer than `max_reminders` reminders.
    pub async fn complements_to_remind(
        &self,
        quiet_since: Timestamp,
        max_reminders: i32,
    ) -> Result<Vec<PendingComplements>, StoreError> {
        let sql = "SELECT i.id, i.local_year, i.complement_reminders, i.structure_id, i.declared_by \
                   FROM incidents i WHERE i.complements_requested AND NOT i.complements_received \
                   AND i.last_reminder_at_ns <= $1 AND i.complement_reminders < $2 ORDER BY i.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(ns(quiet_since)).bind(max_reminders).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                out.push(PendingComplements {
                    case: case_number(id, row.try_get("local_year")?)?,
                    reminders: row.try_get("complement_reminders")?,
                });
            }
        });
        Ok(out)
    }

    /// Records reminder number `reminder` of a case and queues its e-mails, unless another
    /// worker sent it already (then nothing is queued and `false` is returned).
    pub async fn complements_reminded(
        &self,
        case: CaseNumber,
        reminder: i32,
        mails: &[OutboxMail],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        macro_rules! remind_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE incidents SET complement_reminders = $2, last_reminder_at_ns = $3 \
                     WHERE id = $1 AND complement_reminders = $4 AND NOT complements_received",
                )
                .bind(case.id())
                .bind(reminder)
                .bind(ns(now))
                .bind(reminder - 1)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    for mail in mails {
                        enqueue!(&mut *tx, mail, now);
                    }
                }
                tx.commit().await?;
                n == 1
            }};
        }
        Ok(match self.pool() {
            Pool::Sqlite(pool) => remind_on!(pool),
            Pool::Postgres(pool) => remind_on!(pool),
        })
    }
}
