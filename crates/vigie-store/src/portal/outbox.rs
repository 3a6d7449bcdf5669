//! The outbox of e-mails: queued in the transaction of what they announce, sent later.

use super::*;

/// An e-mail waiting in the outbox: written in the same transaction as what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Recipients' addresses.
    pub recipients: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Message-ID, so a retried delivery is recognisable.
    pub message_id: String,
}

/// A mail due for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMail {
    /// Outbox identifier.
    pub id: i64,
    /// The mail.
    pub mail: OutboxMail,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When it was queued.
    pub queued_at: Timestamp,
}

impl Store {
    /// Queues an e-mail on its own.
    pub async fn enqueue_mail(&self, mail: &OutboxMail, now: Timestamp) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            enqueue!(&mut *tx, mail, now);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Mails due for delivery at `now`, oldest first.
    pub async fn due_mails(&self, now: Timestamp, limit: i64) -> Result<Vec<DueMail>, StoreError> {
        let sql = "SELECT id, recipients, subject, text_body, html_body, message_id, attempts, created_at_ns \
                   FROM outbox WHERE sent_at_ns IS NULL AND failed_at_ns IS NULL AND next_attempt_ns <= $1 \
                   ORDER BY id LIMIT $2";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(ns(now)).bind(limit).fetch_all(pool).await? {
                let recipients: String = row.try_get("recipients")?;
                let queued: i64 = row.try_get("created_at_ns")?;
                out.push(DueMail {
                    id: row.try_get("id")?,
                    mail: OutboxMail {
                        recipients: recipients.split(',').map(str::to_owned).collect(),
                        subject: row.try_get("subject")?,
                        text: row.try_get("text_body")?,
                        html: row.try_get("html_body")?,
                        message_id: row.try_get("message_id")?,
                    },
                    attempts: row.try_get("attempts")?,
                    queued_at: instant(queued),
                });
            }
        });
        Ok(out)
    }

    /// Records a delivered mail.
    pub async fn mail_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET sent_at_ns = $2, attempts = attempts + 1 WHERE id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(id).bind(ns(now)).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records a failed delivery: retried at `retry_at`, or given up when `None`.
    pub async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET attempts = attempts + 1, last_error = $2, \
                   next_attempt_ns = COALESCE($3, next_attempt_ns), failed_at_ns = $4 WHERE id = $1";
        let failed = if retry_at.is_none() {
            Some(ns(now))
        } else {
            None
        };
        on_pool!(self, pool => sqlx::query(sql).bind(id).bind(error).bind(retry_at.map(ns)).bind(failed).execute(pool).await?.rows_affected());
        Ok(())
    }
}
