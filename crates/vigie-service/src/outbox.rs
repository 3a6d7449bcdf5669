//! Delivering the outbox: every mail written with what it tells is sent, retried while
//! the failure is transient, and given up only when the relay refuses it for good.

use jiff::{SignedDuration, Timestamp};
use vigie_mail::{Mail, Mailbox, Mailer, MessageId, Stamp};
use vigie_store::{DueMail, OutboxMail, Store, StoreError};

/// Mails taken from the outbox at each round.
const ROUND: i64 = 100;

/// How long a mail is retried before it is given up.
const GIVE_UP_AFTER: SignedDuration = SignedDuration::from_hours(48);

/// What a round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Mails accepted by the relay.
    pub sent: u32,
    /// Mails that failed for now and will be retried.
    pub deferred: u32,
    /// Mails given up (refused for good, or too old).
    pub failed: u32,
}

/// A message ready for the outbox: its recipients' addresses, its texts and its Message-ID.
pub fn queueable(mail: Mail, message_id: &MessageId) -> OutboxMail {
    OutboxMail {
        recipients: mail.to.iter().map(|m| m.email.to_string()).collect(),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        message_id: message_id.to_string(),
    }
}

/// When to retry after `attempts` failed attempts: 1, 2, 4… minutes, at most an hour.
pub fn retry_delay(attempts: i32) -> SignedDuration {
    let minutes = 1i64 << attempts.clamp(0, 6);
    SignedDuration::from_mins(minutes.min(60))
}

/// Sends the mails due at `now`, recording each outcome.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    now: Timestamp,
) -> Result<Delivery, StoreError> {
    let mut report = Delivery::default();
    for due in store.due_mails(now, ROUND).await? {
        match send(mailer, &due).await {
            Ok(()) => {
                store.mail_sent(due.id, now).await?;
                report.sent += 1;
            }
            Err((error, transient)) => {
                let too_old = now.duration_since(due.queued_at) > GIVE_UP_AFTER;
                let retry = (transient && !too_old).then(|| now + retry_delay(due.attempts + 1));
                store.mail_failed(due.id, &error, retry, now).await?;
                if retry.is_some() {
                    report.deferred += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Sends one mail; on failure, the reason and whether it is worth retrying.
async fn send(mailer: &Mailer, due: &DueMail) -> Result<(), (String, bool)> {
    let to = due
        .mail
        .recipients
        .iter()
        .map(|r| r.parse::<Mailbox>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| (format!("bad recipient: {e}"), false))?;
    let mail = Mail {
        to,
        subject: due.mail.subject.clone(),
        text: due.mail.text.clone(),
        html: due.mail.html.clone(),
    };
    let id = due
        .mail
        .message_id
        .trim_start_matches('<')
        .trim_end_matches('>');
    let (left, domain) = id.split_once('@').unwrap_or((id, "vigie.localhost"));
    let message_id =
        MessageId::new(left, domain).map_err(|e| (format!("bad Message-ID: {e}"), false))?;
    let stamp = Stamp {
        message_id,
        date: due.queued_at,
    };
    mailer
        .send(&mail, &stamp)
        .await
        .map_err(|e| (e.to_string(), e.is_transient()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=8).map(|a| retry_delay(a).as_mins()).collect();
        assert_eq!(minutes, [2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
