//! The service's use cases on real stores: the outbox delivered through a real SMTP
//! server on loopback, and the observatory's snapshots.

mod observatory;

use std::time::Duration;

use jiff::{Timestamp, ToSpan};
use vigie_mail::{Mailbox, Mailer, SmtpConfig};
use vigie_service::outbox::{Delivery, deliver_due};
use vigie_store::{OutboxMail, Store};
use vigie_test_support::SmtpServer;

fn mail(to: &str, n: u32) -> OutboxMail {
    OutboxMail {
        recipients: vec![to.to_owned()],
        subject: format!("Accusé de réception n° {n}"),
        text: "Nous avons bien reçu votre signalement.".into(),
        html: "<p>Nous avons bien reçu votre signalement.</p>".into(),
        message_id: format!("<ack.{n}@vigie.test>"),
    }
}

#[tokio::test]
async fn the_outbox_is_delivered_retried_and_given_up_only_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("v.db").display()))
        .await
        .unwrap();
    let smtp = SmtpServer::start().await;
    smtp.reject("nobody@ch-exemple.fr");
    smtp.defer("later@ch-exemple.fr");
    let from: Mailbox = "Vigie <vigie@cert.test>".parse().unwrap();
    let mailer = Mailer::new(SmtpConfig::from_url(&smtp.url(), from).unwrap()).unwrap();
    let now: Timestamp = "2024-11-28T08:00:00Z".parse().unwrap();
    store
        .enqueue_mail(&mail("rssi@ch-exemple.fr", 1), now)
        .await
        .unwrap();
    store
        .enqueue_mail(&mail("nobody@ch-exemple.fr", 2), now)
        .await
        .unwrap();
    store
        .enqueue_mail(&mail("later@ch-exemple.fr", 3), now)
        .await
        .unwrap();

    let round = deliver_due(&store, &mailer, now).await.unwrap();
    assert_eq!(
        round,
        Delivery {
            sent: 1,
            deferred: 1,
            failed: 1
        }
    );
    let received = smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(received[0].to, ["rssi@ch-exemple.fr"]);
    let data = String::from_utf8_lossy(&received[0].data);
    assert!(data.contains("Message-ID: <ack.1@vigie.test>"), "{data}");

    // Nothing is due again before the retry; the deferred one is retried after.
    assert_eq!(
        deliver_due(&store, &mailer, now + 1.minute())
            .await
            .unwrap(),
        Delivery::default()
    );
    let retry = deliver_due(&store, &mailer, now + 2.minutes())
        .await
        .unwrap();
    assert_eq!(
        retry,
        Delivery {
            sent: 0,
            deferred: 1,
            failed: 0
        }
    );
    // After 48 hours of failures, it is given up.
    let last = deliver_due(&store, &mailer, now + 49.hours())
        .await
        .unwrap();
    assert_eq!(
        last,
        Delivery {
            sent: 0,
            deferred: 0,
            failed: 1
        }
    );
    assert!(
        store
            .due_mails(now + 100.hours(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
