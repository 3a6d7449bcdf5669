//! Delivery through the loopback SMTP server of `vigie-test-support`, read back as a mail
//! client would read it.

use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use vigie_mail::{Mail, MailError, Mailer, MessageId, SmtpConfig, Stamp};
use vigie_test_support::SmtpServer;

use crate::{acknowledgment, mailbox};

const WAIT: Duration = Duration::from_secs(10);

fn mailer(url: &str) -> Mailer {
    let mut config =
        SmtpConfig::from_url(url, mailbox("Vigie <ne-pas-repondre@vigie.example.org>")).unwrap();
    config.timeout = Duration::from_secs(5);
    Mailer::new(config).unwrap()
}

fn stamp(n: u32) -> Stamp {
    Stamp {
        message_id: MessageId::new(&format!("outbox-{n}"), "vigie.example.org").unwrap(),
        date: "2024-03-05T13:30:02Z".parse().unwrap(),
    }
}

fn ack_to(address: &str) -> Mail {
    vigie_mail::acknowledgment(&acknowledgment(
        &[mailbox(address)],
        Some("Chiffrement de serveurs"),
    ))
}

#[tokio::test]
async fn the_acknowledgment_arrives_as_sent() {
    let server = SmtpServer::start().await;
    let mailer = mailer(&server.url());
    let to = [
        mailbox("Responsable SSI <rssi@ch-dax.example.fr>"),
        mailbox("dpo@ch-dax.example.fr"),
    ];
    let mail = vigie_mail::acknowledgment(&acknowledgment(&to, Some("Chiffrement de serveurs")));
    mailer.send(&mail, &stamp(1)).await.unwrap();

    let received = server.wait_for(1, WAIT).await;
    let [received] = received.as_slice() else {
        panic!("{received:?}");
    };
    assert_eq!(received.from, "ne-pas-repondre@vigie.example.org");
    assert_eq!(
        received.to,
        ["rssi@ch-dax.example.fr", "dpo@ch-dax.example.fr"]
    );

    let raw = String::from_utf8(received.data.clone()).unwrap();
    // Non-ASCII subjects must be encoded (RFC 2047): headers are ASCII.
    let headers = raw.split("\r\n\r\n").next().unwrap();
    assert!(headers.is_ascii(), "{headers}");
    assert!(
        headers.contains("\r\nAuto-Submitted: auto-generated\r\n"),
        "{headers}"
    );
    assert!(
        headers.contains("\r\nX-Auto-Response-Suppress: All\r\n"),
        "{headers}"
    );
    assert!(
        headers.contains("\r\nDate: Tue, 05 Mar 2024 13:30:02 +0000\r\n"),
        "{headers}"
    );

    let message = MessageParser::default().parse(&received.data).unwrap();
    assert_eq!(
        message.subject(),
        Some("[Vigie] Accusé de réception de votre signalement VIG-2024-000123")
    );
    assert_eq!(message.message_id(), Some("outbox-1@vigie.example.org"));
    assert_eq!(
        message.date().map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-03-05T13:30:02Z")
    );
    let from = message.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.name(), Some("Vigie"));
    assert_eq!(from.address(), Some("ne-pas-repondre@vigie.example.org"));
    let to: Vec<_> = message
        .to()
        .unwrap()
        .iter()
        .map(|a| a.address().unwrap())
        .collect();
    assert_eq!(to, ["rssi@ch-dax.example.fr", "dpo@ch-dax.example.fr"]);
    assert_eq!(
        message.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );

    let content_type = message.root_part().content_type().unwrap();
    assert_eq!(content_type.ctype(), "multipart");
    assert_eq!(content_type.subtype(), Some("alternative"));
    assert_eq!(message.text_body_count(), 1);
    assert_eq!(message.html_body_count(), 1);
    for part in message.text_bodies().chain(message.html_bodies()) {
        let charset = part.content_type().and_then(|c| c.attribute("charset"));
        assert_eq!(
            charset.map(str::to_ascii_lowercase).as_deref(),
            Some("utf-8")
        );
    }

    let text = message.body_text(0).unwrap();
    assert_eq!(text.replace("\r\n", "\n"), mail.text);
    assert!(text.contains("VIG-2024-000123"));
    assert!(text.contains("Date de déclaration : 5 mars 2024 à 14 h 30 (heure de Paris)"));
    let html = message.body_html(0).unwrap();
    assert_eq!(html.replace("\r\n", "\n"), mail.html);
}

#[tokio::test]
async fn rendering_is_what_is_sent_and_is_reproducible() {
    let server = SmtpServer::start().await;
    let mailer = mailer(&server.url());
    let mail = ack_to("rssi@ch-dax.example.fr");
    mailer.send(&mail, &stamp(7)).await.unwrap();
    let received = server.wait_for(1, WAIT).await;

    let rendered = mail.render(mailer.from(), &stamp(7)).unwrap();
    assert_eq!(rendered, mail.render(mailer.from(), &stamp(7)).unwrap());
    // The SMTP client ends the data with one more CRLF before the final dot.
    let sent = received[0].data.strip_suffix(b"\r\n").unwrap();
    assert_eq!(
        String::from_utf8_lossy(sent),
        String::from_utf8_lossy(&rendered)
    );
}

#[tokio::test]
async fn a_refused_recipient_is_a_permanent_error() {
    let server = SmtpServer::start().await;
    server.reject("inconnu@ch-dax.example.fr");
    let mailer = mailer(&server.url());

    let error = mailer
        .send(&ack_to("inconnu@ch-dax.example.fr"), &stamp(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailError::Rejected { code: 550, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    assert_eq!(
        error.to_string(),
        "the SMTP server refused the message (550)"
    );

    // The pool recovers: the next message goes through.
    mailer
        .send(&ack_to("rssi@ch-dax.example.fr"), &stamp(2))
        .await
        .unwrap();
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["rssi@ch-dax.example.fr"]);
}

#[tokio::test]
async fn a_deferred_recipient_is_a_transient_error() {
    let server = SmtpServer::start().await;
    server.defer("plein@ch-dax.example.fr");
    let error = mailer(&server.url())
        .send(&ack_to("plein@ch-dax.example.fr"), &stamp(1))
        .await
        .unwrap_err();
    assert!(matches!(error, MailError::Unavailable { .. }), "{error:?}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_closed_port_is_a_transient_error() {
    // Bind a port, then free it: nothing listens there any more.
    let url = {
        let server = SmtpServer::start().await;
        server.url()
    };
    let mailer = mailer(&url);
    let error = mailer
        .send(&ack_to("rssi@ch-dax.example.fr"), &stamp(1))
        .await
        .unwrap_err();
    assert!(matches!(error, MailError::Unavailable { .. }), "{error:?}");
    assert!(error.is_transient());
    let error = mailer.check().await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

#[tokio::test]
async fn a_mail_without_recipient_is_refused_before_sending() {
    let server = SmtpServer::start().await;
    let mut mail = ack_to("rssi@ch-dax.example.fr");
    mail.to.clear();
    let error = mailer(&server.url())
        .send(&mail, &stamp(1))
        .await
        .unwrap_err();
    assert!(matches!(error, MailError::Build { .. }), "{error:?}");
    assert!(!error.is_transient());
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn check_reaches_the_server() {
    let server = SmtpServer::start().await;
    mailer(&server.url()).check().await.unwrap();
    // The check spoke to the relay (a greeting and a no-op) and sent nothing.
    let verbs = server.verbs();
    assert!(verbs.first().is_some_and(|v| v == "EHLO"), "{verbs:?}");
    assert!(verbs.iter().any(|v| v == "NOOP"), "{verbs:?}");
    assert!(
        !verbs.iter().any(|v| v == "MAIL" || v == "DATA"),
        "{verbs:?}"
    );
    assert!(server.messages().is_empty());
    // A relay that is gone fails the check.
    let url = server.url();
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let error = mailer(&url).check().await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

#[test]
fn message_ids_are_dot_atoms() {
    assert_eq!(
        MessageId::new("outbox-42", "vigie.example.org")
            .unwrap()
            .to_string(),
        "<outbox-42@vigie.example.org>"
    );
    for (left, domain, side) in [
        ("", "vigie.example.org", "left part"),
        ("a b", "vigie.example.org", "left part"),
        ("a>", "vigie.example.org", "left part"),
        ("outbox-42", "vigie..example.org", "domain"),
        ("outbox-42", ".vigie.example.org", "domain"),
        ("outbox-42", "vigie@example.org", "domain"),
    ] {
        let error = MessageId::new(left, domain).unwrap_err();
        assert_eq!(error.side, side, "{left}@{domain}");
    }
}
