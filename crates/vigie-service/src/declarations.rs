//! Declarations: what goes with a declaration when it is recorded.

use vigie_mail::{Acknowledgment, Mailbox, MessageId};
use vigie_model::{CaseNumber, Incident};
use vigie_store::OutboxMail;

use crate::{
    accounts::{Portal, domain},
    outbox::queueable,
};

/// The acknowledgment of a declaration as `Store::declare` takes it: owned, to be built
/// by the store's writer once the declaration has its case number.
pub fn acknowledger(
    to: Vec<Mailbox>,
    structure_name: String,
    incident: &Incident,
    portal: Portal<'_>,
) -> impl Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync + 'static {
    let incident = incident.clone();
    let public_url = portal.public_url.to_owned();
    let cert_name = portal.cert_name.to_owned();
    move |case| {
        let portal = Portal {
            public_url: &public_url,
            cert_name: &cert_name,
        };
        acknowledgment(&to, case, &structure_name, &incident, portal)
    }
}

/// The acknowledgment of a declaration, to queue in the same transaction as the declaration
/// (nothing if there is no one to send it to).
pub fn acknowledgment(
    to: &[Mailbox],
    case: CaseNumber,
    structure_name: &str,
    incident: &Incident,
    portal: Portal<'_>,
) -> Vec<OutboxMail> {
    if to.is_empty() {
        return Vec::new();
    }
    let case_number = case.to_string();
    let link = format!(
        "{}/declarations/{case_number}",
        portal.public_url.trim_end_matches('/')
    );
    let mail = vigie_mail::acknowledgment(&Acknowledgment {
        to,
        case_number: &case_number,
        structure_name,
        declared_at: incident.declared_at,
        title: incident.title.as_ref().map(|t| t.as_str()),
        portal_url: &link,
        cert_name: portal.cert_name,
    });
    let left = format!("ack.{}", case.id());
    match MessageId::new(&left, domain(portal.public_url))
        .or_else(|_| MessageId::new(&left, "vigie.localhost"))
    {
        Ok(message_id) => vec![queueable(mail, &message_id)],
        Err(_) => Vec::new(),
    }
}
