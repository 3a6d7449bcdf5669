//! Declarations: the one use case every channel (the portal's form, the on-call form, the
//! API) calls to declare, and what goes with a declaration when it is recorded.

use jiff::Timestamp;
use vigie_access::UserId;
use vigie_mail::{Acknowledgment, Mailbox};
use vigie_model::{CaseNumber, Channel, DateTime, DeclarationErrors, Incident, RawDeclaration};
use vigie_store::{
    Actor, DeclarationTexts, DraftKey, NewDeclaration, OutboxMail, Store, StoreError,
    StructureRecord,
};

use crate::{
    accounts::{Portal, message_id},
    handling::{DeclarationRouting, HandlingError, RoutingCache},
    outbox::queueable,
};

/// Who declares, by which channel, and what goes with the declaration.
#[derive(Debug, Clone)]
pub struct Declarant {
    /// The declaring structure.
    pub structure: StructureRecord,
    /// How the declaration reached the CERT.
    pub channel: Channel,
    /// The account that declared, if any (the author of an API token).
    pub declared_by: Option<UserId>,
    /// Who the journal says acted.
    pub actor: Actor,
    /// Where the acknowledgment goes (nowhere if empty).
    pub acknowledge_to: Vec<Mailbox>,
    /// The draft the declaration was made from, deleted in its transaction.
    pub draft: Option<DraftKey>,
}

/// A declaration recorded: its case number and what was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    /// The case number, returned once the declaration committed.
    pub case: CaseNumber,
    /// The incident as stored.
    pub incident: Incident,
    /// Measures taken and affected systems, as stored.
    pub texts: DeclarationTexts,
}

/// Why a declaration was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum DeclareError {
    /// Fields are wrong: each named, nothing was written.
    #[error(transparent)]
    Invalid(#[from] DeclarationErrors),
    /// The declaration time is outside the supported years.
    #[error("the declaration time {0} cannot be stored")]
    Unrepresentable(Timestamp),
    /// The routing rules in force could not be read.
    #[error(transparent)]
    Handling(#[from] HandlingError),
    /// The database failed (the draft, if any, is still there).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Declares an incident: parses the fields (the same checks for every channel), routes it
/// by the rules in force, and stores it with its acknowledgment, its alerts and its journal
/// entry, deleting its draft, in one transaction. Declared at `now`, seen in Paris time.
pub async fn declare(
    store: &Store,
    routing: &RoutingCache,
    portal: Portal<'_>,
    declarant: Declarant,
    raw: &RawDeclaration,
    now: Timestamp,
) -> Result<Declared, DeclareError> {
    let paris = vigie_model::calendar::paris();
    let declaration = raw.parse(now, paris)?;
    let declared_at =
        DateTime::new(now, paris.to_offset(now)).ok_or(DeclareError::Unrepresentable(now))?;
    let Declarant {
        structure,
        channel,
        declared_by,
        actor,
        acknowledge_to,
        draft,
    } = declarant;
    let incident = declaration.incident(structure.structure.clone(), channel, declared_at);
    let texts = DeclarationTexts {
        measures_taken: declaration.measures_taken.map(|t| t.as_str().to_owned()),
        affected_systems: declaration.affected_systems.map(|t| t.as_str().to_owned()),
    };
    let routed = DeclarationRouting::prepare(store, routing, &incident, now).await?;
    let routings = routed.routings.clone();
    let mails = declaration_mails(
        acknowledge_to,
        structure.structure.name.to_string(),
        &incident,
        portal,
        routed,
    );
    let case = store
        .submit(
            NewDeclaration {
                structure: structure.id,
                incident: &incident,
                declared_by,
                actor: &actor,
                texts: &texts,
                routings: &routings,
                draft,
                now,
            },
            mails,
        )
        .await?;
    Ok(Declared {
        case,
        incident,
        texts,
    })
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
    message_id(&left, portal.public_url)
        .map(|id| vec![queueable(mail, &id)])
        .unwrap_or_default()
}

/// The e-mails of a new declaration as `Store::declare` takes them (owned, built by the
/// store's writer once the case has its number): the acknowledgment, and the alerts of its
/// routings.
pub fn declaration_mails(
    to: Vec<Mailbox>,
    structure_name: String,
    incident: &Incident,
    portal: Portal<'_>,
    routing: DeclarationRouting,
) -> impl Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync + 'static {
    let incident = incident.clone();
    let public_url = portal.public_url.to_owned();
    let cert_name = portal.cert_name.to_owned();
    move |case| {
        let portal = Portal {
            public_url: &public_url,
            cert_name: &cert_name,
        };
        let mut mails = acknowledgment(&to, case, &structure_name, &incident, portal);
        mails.extend(routing.alerts(case, &incident, portal));
        mails
    }
}
