//! Vigie's e-mail as its callers use it: configuration, templates, and delivery to a real
//! SMTP server on loopback.

mod config;
mod send;
mod templates;

use vigie_mail::{Acknowledgment, Mailbox};
use vigie_model::DateTime;

/// A mailbox from its text; panics on a typo in a test.
fn mailbox(s: &str) -> Mailbox {
    s.parse().unwrap()
}

/// A declaration made on 5 March 2024 at 14:30 in Paris (winter time, UTC+1).
fn declared_at() -> DateTime {
    DateTime::parse("2024-03-05T13:30:00Z").unwrap()
}

/// The acknowledgment used through these tests.
fn acknowledgment<'a>(to: &'a [Mailbox], title: Option<&'a str>) -> Acknowledgment<'a> {
    Acknowledgment {
        to,
        case_number: "VIG-2024-000123",
        structure_name: "Centre hospitalier de Dax – Côte d'Argent",
        declared_at: declared_at(),
        title,
        portal_url: "https://vigie.example.org/dossiers/VIG-2024-000123",
        cert_name: "CERT Santé",
    }
}
