//! What every format says alike: the incident's taxonomy entries, its summary in French,
//! the structure as it may be named, and dates.

use jiff::Timestamp;
use vigie_model::{
    Category, Code, DataImpactCode, Incident, Origin, OutOfScopeReason, PatientDanger,
    taxonomy::{self, RootCause, RsitType, VerisAction, VerisAttribute},
};

use crate::{Case, Options};

/// The ENISA and VERIS entries of one incident, each once, in category order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entries {
    /// RSIT types: the categories' (main type first), `Test` for an exercise, `Undetermined`
    /// when the incident is not qualified.
    pub rsit: Vec<RsitType>,
    /// ENISA root causes (an infrastructure failure's depends on its side).
    pub root_causes: Vec<RootCause>,
    /// VERIS actions.
    pub veris_actions: Vec<VerisAction>,
    /// VERIS attributes the categories imply.
    pub veris_attributes: Vec<VerisAttribute>,
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// The taxonomy entries of an incident's qualification.
pub fn entries(incident: &Incident) -> Entries {
    let mut e = Entries::default();
    let Some(q) = &incident.qualification else {
        e.rsit.push(RsitType::Undetermined);
        return e;
    };
    for c in q.categories().iter() {
        let m = taxonomy::mapping(c);
        for t in m.rsit {
            push(&mut e.rsit, *t);
        }
        let cause = match (c, q.infra_side()) {
            (Category::InfraFailure, Some(side)) => Some(taxonomy::infra_root_cause(side)),
            _ => m.root_cause,
        };
        if let Some(cause) = cause {
            push(&mut e.root_causes, cause);
        }
        push(&mut e.veris_actions, m.veris_action);
        for a in m.veris_attributes {
            push(&mut e.veris_attributes, *a);
        }
    }
    if let Some(t) = q
        .out_of_scope_reason()
        .and_then(taxonomy::out_of_scope_rsit)
    {
        push(&mut e.rsit, t);
    }
    if e.rsit.is_empty() {
        e.rsit.push(RsitType::Undetermined);
    }
    e
}

/// Whether the incident was a crisis exercise.
pub fn is_exercise(incident: &Incident) -> bool {
    incident
        .qualification
        .as_ref()
        .is_some_and(|q| q.out_of_scope_reason() == Some(OutOfScopeReason::Exercise))
}

/// Whether the incident is of malicious origin.
pub fn is_malicious(incident: &Incident) -> bool {
    incident
        .qualification
        .as_ref()
        .is_some_and(|q| q.origin() == Origin::Malicious)
}

/// The structure as an export may name it: its name, or its kind and region.
pub fn structure_label(incident: &Incident, options: &Options) -> String {
    let s = &incident.structure;
    if options.structure_name {
        s.name.to_string()
    } else {
        format!("{}, {}", s.kind.label(), s.region.label())
    }
}

/// The title of an export: the case number and the categories (or the declarant's title
/// when free text is allowed and there is one).
pub fn title(case: &Case<'_>, options: &Options) -> String {
    let i = case.incident;
    if options.free_text
        && let Some(t) = i.title.as_ref().filter(|t| !t.as_str().trim().is_empty())
    {
        return format!("{} : {}", case.case, t);
    }
    format!("{} : {}", case.case, qualification_text(i))
}

/// The qualification in French: categories with their details, or the origin.
pub fn qualification_text(incident: &Incident) -> String {
    let Some(q) = &incident.qualification else {
        return "incident non qualifié".to_owned();
    };
    let mut parts: Vec<String> = Vec::new();
    for c in q.categories().iter() {
        let detail = match c {
            Category::Ransomware => q.ransomware_reach().map(|r| r.label()),
            Category::InfraFailure => q.infra_side().map(|s| s.label()),
            _ => None,
        };
        parts.push(match detail {
            Some(d) => format!("{} ({})", c.label(), d.to_lowercase()),
            None => c.label().to_owned(),
        });
    }
    if let Some(r) = q.out_of_scope_reason() {
        parts.push(format!("{} : {}", q.origin().label(), r.label()));
    }
    if parts.is_empty() {
        parts.push(q.origin().label().to_owned());
    }
    parts.join(", ")
}

/// A summary in French built from the codes alone (with the description when free text is
/// allowed).
pub fn text(case: &Case<'_>, options: &Options) -> String {
    let i = case.incident;
    let st = &i.structure;
    let who = if options.structure_name {
        format!("{} ({}, {})", st.name, st.kind.label(), st.region.label())
    } else {
        format!(
            "une structure de type {} ({})",
            st.kind.label(),
            st.region.label()
        )
    };
    let mut s = format!(
        "Incident {} déclaré par {who} : {}.",
        case.case,
        qualification_text(i)
    );
    s.push_str(&format!(" Prise en charge : {}", i.care_impact.label()));
    if let Some(h) = i.degraded_hours {
        s.push_str(&format!(" ({} h)", h.get()));
    }
    s.push('.');
    let impacts: Vec<&str> = i.data_impact.impacts().iter().map(|d| d.label()).collect();
    s.push_str(&format!(" Données : {}", impacts.join(", ")));
    let kinds: Vec<&str> = i.data_impact.kinds().iter().map(|k| k.label()).collect();
    if !kinds.is_empty() {
        s.push_str(&format!(" ({})", kinds.join(", ")));
    }
    s.push('.');
    s.push_str(&format!(" Patients : {}.", i.patient_danger.label()));
    if let Some(event) = i.qualification.as_ref().and_then(|q| q.event()) {
        s.push_str(&format!(" Événement : {event}."));
    }
    if options.free_text
        && let Some(d) = i.description.as_ref().filter(|d| !d.as_str().is_empty())
    {
        s.push_str("\n\n");
        s.push_str(d.as_str());
    }
    s
}

/// How severe the incident is for MISP's threat level: 1 high (care interrupted, patients
/// actually endangered), 2 medium (degraded care, data disclosed, potential danger), 3 low,
/// 4 undefined (not qualified).
pub fn severity(incident: &Incident) -> u8 {
    use vigie_model::CareImpact;
    if incident.qualification.is_none() {
        return 4;
    }
    if incident.care_impact == CareImpact::Interrupted
        || incident.patient_danger == PatientDanger::Actual
    {
        1
    } else if incident.care_impact == CareImpact::Degraded
        || incident.patient_danger == PatientDanger::Potential
        || incident
            .data_impact
            .impacts()
            .contains(DataImpactCode::Disclosed)
    {
        2
    } else {
        3
    }
}

/// When the incident happened as far as it is known: detection, or else declaration.
pub fn happened_at(incident: &Incident) -> Timestamp {
    incident
        .detected_at
        .unwrap_or(incident.declared_at)
        .timestamp()
}

/// An instant as STIX writes it: UTC with milliseconds.
pub fn stix_time(at: Timestamp) -> String {
    format!("{:.3}", at.round(jiff::Unit::Millisecond).unwrap_or(at))
}
