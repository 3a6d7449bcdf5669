//! The CERT's handling of a case: qualification, and routing to the authorities by the
//! rules in force, with the alerts that announce each new routing.

use std::sync::Arc;

use jiff::Timestamp;
use vigie_access::{IncidentAction, Viewer, allows};
use vigie_mail::{Mailbox, RoutingAlert};
use vigie_model::{CaseNumber, Code, Incident, Qualification};
use vigie_store::{
    CaseRecord, Judgement, OutboxMail, QualificationChange, Store, StoreError, SupportEntry,
};
use vigie_workflow::{
    routing::{Recipient, Routing, RoutingFacts, Rules, RulesError},
    support::{ReflexSheet, SupportAction},
};

use crate::{
    accounts::{Portal, message_id},
    outbox::queueable,
};

/// Why a handling action was refused.
#[derive(Debug, thiserror::Error)]
pub enum HandlingError {
    /// The actor may not handle this case, or it does not exist.
    #[error("no such case in your scope")]
    NotAllowed,
    /// The routing rules are invalid.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The routing rules in force: the latest saved version, or the defaults.
pub async fn rules_in_force(store: &Store) -> Result<Rules, HandlingError> {
    Ok(match store.routing_rules().await? {
        Some(saved) => Rules::parse(&saved.body)?,
        None => Rules::default_rules(),
    })
}

/// Checks and saves a new version of the routing rules; returns its number.
pub async fn save_rules(
    store: &Store,
    actor: &Viewer,
    document: &str,
    now: Timestamp,
) -> Result<i64, HandlingError> {
    Rules::parse(document)?;
    Ok(store
        .save_routing_rules(document, Some(actor.user()), now)
        .await?)
}

/// What the rules read of an incident and the CERT's judgement.
pub fn routing_facts(incident: &Incident, judgement: Judgement) -> RoutingFacts {
    let q = incident.qualification.as_ref();
    RoutingFacts {
        origin: q.map(Qualification::origin),
        categories: q
            .map(|q| q.categories().iter().collect())
            .unwrap_or_default(),
        care_impact: incident.care_impact,
        patient_danger: incident.patient_danger,
        structure_type: incident.structure.kind,
        ose: incident.structure.ose,
        major: judgement.major,
        significant: judgement.significant,
    }
}

/// The alerts announcing the routings to `fresh` recipients, one message per recipient,
/// to the addresses the directory gives for it (none if it has no account).
pub fn routing_alerts(
    directory: &[(Recipient, String)],
    fresh: &[Recipient],
    routings: &[Routing],
    case: CaseNumber,
    incident: &Incident,
    portal: Portal<'_>,
) -> Vec<OutboxMail> {
    let case_number = case.to_string();
    let link = format!(
        "{}/declarations/{case_number}",
        portal.public_url.trim_end_matches('/')
    );
    let mut out = Vec::new();
    for routing in routings.iter().filter(|r| fresh.contains(&r.to)) {
        let to: Vec<Mailbox> = directory
            .iter()
            .filter(|(r, _)| *r == routing.to)
            .filter_map(|(_, address)| address.parse().ok())
            .collect();
        if to.is_empty() {
            continue;
        }
        let reasons: Vec<&str> = routing.fired.iter().map(|f| f.reason.as_str()).collect();
        let mail = vigie_mail::routing_alert(&RoutingAlert {
            to: &to,
            authority: routing.to.label(),
            case_number: &case_number,
            structure_name: incident.structure.name.as_str(),
            declared_at: incident.declared_at,
            reasons: &reasons,
            portal_url: &link,
            cert_name: portal.cert_name,
        });
        let left = format!("route.{}.{}", case.id(), routing.to.code());
        if let Ok(id) = message_id(&left, portal.public_url) {
            out.push(queueable(mail, &id));
        }
    }
    out
}

/// How long the rules in force and the alert directory are trusted once read: a burst of
/// declarations reads them once, and a change (new rules saved elsewhere, an authority's
/// account added) reaches every declaration within this delay. Saving rules through the
/// same cache clears it at once.
pub const ROUTING_TRUSTED_FOR: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// The rules in force and the alert directories, read from the store and trusted for
/// [`ROUTING_TRUSTED_FOR`].
#[derive(Debug, Default)]
pub struct RoutingCache {
    inner: std::sync::Mutex<CachedRouting>,
}

#[derive(Debug, Default)]
struct CachedRouting {
    rules: Option<(Timestamp, Arc<Rules>)>,
    directories: std::collections::HashMap<vigie_model::Region, (Timestamp, Directory)>,
}

/// Who is alerted of a routing: (recipient, address).
type Directory = Arc<Vec<(Recipient, String)>>;

impl RoutingCache {
    /// Forgets everything read.
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            *inner = CachedRouting::default();
        }
    }

    /// The rules in force, from the cache while fresh.
    pub async fn rules(&self, store: &Store, now: Timestamp) -> Result<Arc<Rules>, HandlingError> {
        if let Ok(inner) = self.inner.lock()
            && let Some((at, rules)) = &inner.rules
            && now.duration_since(*at) < ROUTING_TRUSTED_FOR
        {
            return Ok(rules.clone());
        }
        let rules = Arc::new(rules_in_force(store).await?);
        if let Ok(mut inner) = self.inner.lock() {
            inner.rules = Some((now, rules.clone()));
        }
        Ok(rules)
    }

    /// The alert directory of a region, from the cache while fresh.
    pub async fn directory(
        &self,
        store: &Store,
        region: vigie_model::Region,
        now: Timestamp,
    ) -> Result<Directory, HandlingError> {
        if let Ok(inner) = self.inner.lock()
            && let Some((at, directory)) = inner.directories.get(&region)
            && now.duration_since(*at) < ROUTING_TRUSTED_FOR
        {
            return Ok(directory.clone());
        }
        let directory = Arc::new(store.alert_directory(region).await?);
        if let Ok(mut inner) = self.inner.lock() {
            inner.directories.insert(region, (now, directory.clone()));
        }
        Ok(directory)
    }
}

/// Everything a declaration needs for its routing, computed before it is stored: the
/// routings the rules call for, and the directory to alert.
#[derive(Debug, Clone)]
pub struct DeclarationRouting {
    /// The routings, all new for a new case.
    pub routings: Vec<Routing>,
    directory: Directory,
}

impl DeclarationRouting {
    /// Evaluates the rules in force on a new declaration.
    pub async fn prepare(
        store: &Store,
        cache: &RoutingCache,
        incident: &Incident,
        now: Timestamp,
    ) -> Result<Self, HandlingError> {
        let rules = cache.rules(store, now).await?;
        let routings = rules.route(&routing_facts(incident, Judgement::default()));
        let directory = if routings.is_empty() {
            Directory::default()
        } else {
            cache
                .directory(store, incident.structure.region, now)
                .await?
        };
        Ok(DeclarationRouting {
            routings,
            directory,
        })
    }

    /// The alerts for the new case.
    pub fn alerts(
        &self,
        case: CaseNumber,
        incident: &Incident,
        portal: Portal<'_>,
    ) -> Vec<OutboxMail> {
        let all: Vec<Recipient> = self.routings.iter().map(|r| r.to).collect();
        routing_alerts(
            &self.directory,
            &all,
            &self.routings,
            case,
            incident,
            portal,
        )
    }
}

/// Qualifies a case: records the qualification and judgement with their history, routes
/// the case wherever the rules in force now send it (routings are never withdrawn) and
/// alerts the new recipients. Returns the recipients newly routed to.
pub async fn qualify(
    store: &Store,
    actor: &Viewer,
    record: &CaseRecord,
    qualification: Qualification,
    judgement: Judgement,
    portal: Portal<'_>,
    now: Timestamp,
) -> Result<Vec<Recipient>, HandlingError> {
    if !allows(actor, &record.facts, IncidentAction::Handle) {
        return Err(HandlingError::NotAllowed);
    }
    let mut incident = record.incident.clone();
    incident.qualification = Some(qualification.clone());
    let rules = rules_in_force(store).await?;
    let routings = rules.route(&routing_facts(&incident, judgement));
    let directory = store.alert_directory(incident.structure.region).await?;
    let case = record.case;
    Ok(store
        .qualify(
            case,
            &QualificationChange {
                qualification: &qualification,
                judgement,
                by: actor.user(),
            },
            &routings,
            |fresh| routing_alerts(&directory, fresh, &routings, case, &incident, portal),
            now,
        )
        .await?)
}

/// Whom the CERT writes to about a case: whoever declared it, or else the active
/// declarant accounts of the structure.
async fn case_contacts(store: &Store, record: &CaseRecord) -> Result<Vec<Mailbox>, StoreError> {
    if let Some(user) = record.declared_by
        && let Some(u) = store.user(user).await?.filter(|u| !u.disabled)
    {
        return Ok(u.email.parse().into_iter().collect());
    }
    Ok(store
        .users_of_structure(record.facts.structure)
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.viewer.role() == vigie_access::Role::Declarant)
        .filter_map(|u| u.email.parse().ok())
        .collect())
}

fn complement_mail(
    to: &[Mailbox],
    record: &CaseRecord,
    reminder: u32,
    portal: Portal<'_>,
) -> Vec<OutboxMail> {
    if to.is_empty() {
        return Vec::new();
    }
    let case_number = record.case.to_string();
    let link = format!(
        "{}/declarations/{case_number}#messages",
        portal.public_url.trim_end_matches('/')
    );
    let mail = vigie_mail::complement_request(&vigie_mail::ComplementRequest {
        to,
        case_number: &case_number,
        structure_name: record.incident.structure.name.as_str(),
        declared_at: record.incident.declared_at,
        title: record.incident.title.as_ref().map(|t| t.as_str()),
        portal_url: &link,
        cert_name: portal.cert_name,
        reminder,
    });
    let left = format!("complements.{}.{reminder}", record.case.id());
    message_id(&left, portal.public_url)
        .map(|id| vec![queueable(mail, &id)])
        .unwrap_or_default()
}

/// Asks the structure for complements: the question is a message on the case (read on
/// the portal only), the case waits, and the structure is told by e-mail.
pub async fn request_complements(
    store: &Store,
    actor: &Viewer,
    record: &CaseRecord,
    question: &str,
    portal: Portal<'_>,
    now: Timestamp,
) -> Result<(), HandlingError> {
    if !allows(actor, &record.facts, IncidentAction::Handle) {
        return Err(HandlingError::NotAllowed);
    }
    let to = case_contacts(store, record).await?;
    let mails = complement_mail(&to, record, 0, portal);
    store
        .request_complements(record.case, actor.user(), question, &mails, now)
        .await?;
    Ok(())
}

/// Sends the reminders that are due: for each request unanswered since `quiet` and
/// reminded fewer than `max` times. Returns how many were sent.
pub async fn remind_complements(
    store: &Store,
    portal: Portal<'_>,
    quiet: jiff::SignedDuration,
    max: i32,
    now: Timestamp,
) -> Result<usize, HandlingError> {
    let mut sent = 0;
    for pending in store.complements_to_remind(now - quiet, max).await? {
        let Some(record) = store.case(pending.case).await? else {
            continue;
        };
        let reminder = pending.reminders + 1;
        let to = case_contacts(store, &record).await?;
        let mails = complement_mail(&to, &record, reminder.unsigned_abs(), portal);
        if store
            .complements_reminded(pending.case, reminder, &mails, now)
            .await?
        {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Records a support action on a case.
pub async fn record_support(
    store: &Store,
    actor: &Viewer,
    record: &CaseRecord,
    action: SupportAction,
    note: &str,
    now: Timestamp,
) -> Result<(), HandlingError> {
    if !allows(actor, &record.facts, IncidentAction::Handle) {
        return Err(HandlingError::NotAllowed);
    }
    let entry = SupportEntry {
        action,
        note,
        by: actor.user(),
        message: None,
    };
    store.record_support(record.case, &entry, &[], now).await?;
    Ok(())
}

/// Sends a reflex sheet to the structure: by e-mail to its contacts, and as a message on
/// its case; the sending is recorded as a support action.
pub async fn send_reflex_sheet(
    store: &Store,
    actor: &Viewer,
    record: &CaseRecord,
    sheet: ReflexSheet,
    portal: Portal<'_>,
    now: Timestamp,
) -> Result<(), HandlingError> {
    if !allows(actor, &record.facts, IncidentAction::Handle) {
        return Err(HandlingError::NotAllowed);
    }
    let text = store.reflex_sheet(sheet).await?;
    let to = case_contacts(store, record).await?;
    let case_number = record.case.to_string();
    let link = format!(
        "{}/declarations/{case_number}#messages",
        portal.public_url.trim_end_matches('/')
    );
    let mut mails = Vec::new();
    if !to.is_empty() {
        let mail = vigie_mail::reflex_sheet(&vigie_mail::ReflexSheetMail {
            to: &to,
            case_number: &case_number,
            structure_name: record.incident.structure.name.as_str(),
            declared_at: record.incident.declared_at,
            sheet_title: &text.title,
            sheet_body: &text.body,
            portal_url: &link,
            cert_name: portal.cert_name,
        });
        let left = format!(
            "sheet.{}.{}.{}",
            record.case.id(),
            sheet.code(),
            now.as_second()
        );
        if let Ok(id) = message_id(&left, portal.public_url) {
            mails.push(queueable(mail, &id));
        }
    }
    let message = format!("Fiche réflexe : {}\n\n{}", text.title, text.body.trim());
    let entry = SupportEntry {
        action: SupportAction::ReflexSheetSent,
        note: sheet.label(),
        by: actor.user(),
        message: Some(&message),
    };
    store
        .record_support(record.case, &entry, &mails, now)
        .await?;
    Ok(())
}

/// Writes one message to every case linked to a shared event, and tells each structure
/// by e-mail that a message awaits on its case. Returns the number of cases written to.
pub async fn message_event(
    store: &Store,
    actor: &Viewer,
    event: &str,
    body: &str,
    portal: Portal<'_>,
    now: Timestamp,
) -> Result<u64, HandlingError> {
    if !matches!(
        actor.role(),
        vigie_access::Role::Analyst | vigie_access::Role::Oncall
    ) {
        return Err(HandlingError::NotAllowed);
    }
    let mut mails = Vec::new();
    for linked in store.event_cases(event).await? {
        let Some(record) = store.case(linked.case).await? else {
            continue;
        };
        let to = case_contacts(store, &record).await?;
        if to.is_empty() {
            continue;
        }
        let case_number = record.case.to_string();
        let link = format!(
            "{}/declarations/{case_number}#messages",
            portal.public_url.trim_end_matches('/')
        );
        let mail = vigie_mail::event_notice(&vigie_mail::EventNotice {
            to: &to,
            event,
            case_number: &case_number,
            structure_name: record.incident.structure.name.as_str(),
            declared_at: record.incident.declared_at,
            portal_url: &link,
            cert_name: portal.cert_name,
        });
        let left = format!("event.{}.{}", record.case.id(), now.as_nanosecond());
        if let Ok(id) = message_id(&left, portal.public_url) {
            mails.push(queueable(mail, &id));
        }
    }
    Ok(store
        .message_event(event, actor.user(), body, &mails, now)
        .await?)
}
