//! The CERT's handling of a case: qualification, and routing to the authorities by the
//! rules in force, with the alerts that announce each new routing.

use jiff::Timestamp;
use vigie_access::{IncidentAction, Viewer, allows};
use vigie_mail::{Mailbox, MessageId, RoutingAlert};
use vigie_model::{CaseNumber, Incident, Qualification};
use vigie_store::{CaseRecord, Judgement, OutboxMail, QualificationChange, Store, StoreError};
use vigie_workflow::routing::{Recipient, Routing, RoutingFacts, Rules, RulesError};

use crate::{
    accounts::{Portal, domain},
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
        if let Ok(id) = MessageId::new(&left, domain(portal.public_url))
            .or_else(|_| MessageId::new(&left, "vigie.localhost"))
        {
            out.push(queueable(mail, &id));
        }
    }
    out
}

/// Everything a declaration needs for its routing, computed before it is stored: the
/// routings the rules call for, and the directory to alert.
pub struct DeclarationRouting {
    /// The routings, all new for a new case.
    pub routings: Vec<Routing>,
    directory: Vec<(Recipient, String)>,
}

impl DeclarationRouting {
    /// Evaluates the rules in force on a new declaration.
    pub async fn prepare(store: &Store, incident: &Incident) -> Result<Self, HandlingError> {
        let rules = rules_in_force(store).await?;
        let routings = rules.route(&routing_facts(incident, Judgement::default()));
        let directory = if routings.is_empty() {
            Vec::new()
        } else {
            store.alert_directory(incident.structure.region).await?
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
