//! Declarations: what goes with a declaration when it is recorded.

use vigie_mail::{Acknowledgment, Mailbox};
use vigie_model::{CaseNumber, Incident};
use vigie_store::OutboxMail;

use crate::{
    accounts::{Portal, message_id},
    outbox::queueable,
};

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
    message_id(&left, portal.public_url)
        .map(|id| vec![queueable(mail, &id)])
        .unwrap_or_default()
}
