//! The handling panel of a case as staff see it: the qualification form's state, the
//! routings, the history, support and complements.

use vigie_access::{IncidentAction, Visible, reveal};
use vigie_model::{
    CaseNumber, Category, Code, CodeSet, InfraSide, Origin, OutOfScopeReason, Qualification,
    RansomwareReach,
};
use vigie_store::{CaseRecord, HandlingRecord, Judgement};
use vigie_workflow::{
    case::CaseState,
    support::{ReflexSheet, SupportAction},
};

use crate::{
    App, WebError,
    pages::choice::{Choice, choices, pick},
    session::SignedIn,
};

/// The qualification form's state: what was typed, and the errors by field.
#[derive(Debug, Default, Clone)]
pub struct QualifyState {
    pub(crate) origin: String,
    pub(crate) categories: Vec<String>,
    pub(crate) reach: String,
    pub(crate) side: String,
    pub(crate) reason: String,
    pub(crate) significant: bool,
    pub(crate) major: bool,
    /// Errors: (field, message).
    pub(crate) errors: Vec<(&'static str, String)>,
}

impl QualifyState {
    fn of(record: &CaseRecord, handling: &HandlingRecord) -> QualifyState {
        let q = record.incident.qualification.as_ref();
        QualifyState {
            origin: q.map(|q| q.origin().code().to_owned()).unwrap_or_default(),
            categories: q
                .map(|q| q.categories().iter().map(|c| c.code().to_owned()).collect())
                .unwrap_or_default(),
            reach: q
                .and_then(|q| q.ransomware_reach())
                .map(|r| r.code().to_owned())
                .unwrap_or_default(),
            side: q
                .and_then(|q| q.infra_side())
                .map(|r| r.code().to_owned())
                .unwrap_or_default(),
            reason: q
                .and_then(|q| q.out_of_scope_reason())
                .map(|r| r.code().to_owned())
                .unwrap_or_default(),
            significant: handling.judgement.significant,
            major: handling.judgement.major,
            errors: Vec::new(),
        }
    }

    pub(crate) fn from_form(form: &[(String, String)]) -> QualifyState {
        let one = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        QualifyState {
            origin: one("origin"),
            categories: form
                .iter()
                .filter(|(k, _)| k == "categories")
                .map(|(_, v)| v.clone())
                .collect(),
            reach: one("ransomware_reach"),
            side: one("infra_side"),
            reason: one("out_of_scope_reason"),
            significant: one("significant") == "on",
            major: one("major") == "on",
            errors: Vec::new(),
        }
    }

    /// Parses the form into a consistent qualification, or records the errors by field.
    pub(crate) fn parse(
        &mut self,
        event: Option<vigie_model::qualification::EventName>,
    ) -> Option<(Qualification, Judgement)> {
        fn opt(s: &str) -> Option<&str> {
            Some(s).filter(|s| !s.is_empty())
        }
        let origin = match Origin::parse(&self.origin) {
            Ok(o) => Some(o),
            Err(_) => {
                self.errors
                    .push(("origin", "Choisissez l'origine de l'incident.".into()));
                None
            }
        };
        let categories =
            CodeSet::<Category>::parse_codes(self.categories.iter().map(String::as_str));
        let reach = opt(&self.reach).map(RansomwareReach::parse).transpose();
        let side = opt(&self.side).map(InfraSide::parse).transpose();
        let reason = opt(&self.reason).map(OutOfScopeReason::parse).transpose();
        let (Some(origin), Ok(categories), Ok(reach), Ok(side), Ok(reason)) =
            (origin, categories, reach, side, reason)
        else {
            if self.errors.is_empty() {
                self.errors
                    .push(("categories", "Un des choix est inconnu.".into()));
            }
            return None;
        };
        if origin != Origin::OutOfScope && categories.is_empty() {
            self.errors.push((
                "categories",
                "Cochez au moins une catégorie de cette origine.".into(),
            ));
            return None;
        }
        match Qualification::new(origin, categories, reach, side, reason, event) {
            Ok(q) => Some((
                q,
                Judgement {
                    significant: self.significant,
                    major: self.major,
                },
            )),
            Err(e) => {
                use vigie_model::QualificationError as Q;
                let (field, message) = match e {
                    Q::CategoryOfOtherOrigin { category, .. } => (
                        "categories",
                        format!(
                            "« {} » ne relève pas de l'origine choisie.",
                            category.label()
                        ),
                    ),
                    Q::ReachWithoutRansomware => (
                        "ransomware_reach",
                        "La portée ne s'indique que pour un rançongiciel.".to_owned(),
                    ),
                    Q::SideWithoutInfraFailure => (
                        "infra_side",
                        "Le côté ne s'indique que pour un dysfonctionnement d'infrastructure."
                            .to_owned(),
                    ),
                    Q::ReasonInScope => (
                        "out_of_scope_reason",
                        "Le motif ne s'indique que pour un incident hors périmètre.".to_owned(),
                    ),
                };
                self.errors.push((field, message));
                None
            }
        }
    }

    /// The error of a field, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// A group of category boxes, one per origin.
pub struct CategoryGroup {
    /// Legend.
    pub legend: &'static str,
    /// Boxes.
    pub boxes: Vec<Choice>,
}

/// A routing as shown.
pub struct ShownRouting {
    pub(crate) to: &'static str,
    pub(crate) rules: String,
    pub(crate) reason: String,
    pub(crate) at: String,
}

/// A qualification version as shown.
pub struct ShownVersion {
    pub(crate) at: String,
    pub(crate) by: String,
    pub(crate) summary: String,
}

/// What the handling panel shows and offers.
pub struct HandlingView {
    /// The form's state.
    pub form: QualifyState,
    pub(crate) origins: Vec<Choice>,
    pub(crate) groups: Vec<CategoryGroup>,
    pub(crate) reaches: Vec<Choice>,
    pub(crate) sides: Vec<Choice>,
    pub(crate) reasons: Vec<Choice>,
    pub(crate) staff: Vec<Choice>,
    pub(crate) states: Vec<Choice>,
    pub(crate) routings: Vec<ShownRouting>,
    pub(crate) history: Vec<ShownVersion>,
    /// Complements asked and not yet received.
    pub(crate) waiting: bool,
    /// Support actions recorded, oldest first.
    pub(crate) support: Vec<ShownSupport>,
    /// Actions that may be recorded.
    pub(crate) actions: Vec<Choice>,
    /// Reflex sheets that may be sent.
    pub(crate) sheets: Vec<Choice>,
    /// Shared events the case may be linked to (the linked one selected).
    pub(crate) events: Vec<Choice>,
    /// How the qualified categories read in ENISA's taxonomy and VERIS.
    pub(crate) mapping: Vec<crate::pages::taxonomy::MappingLine>,
    /// Why a request for complements was refused.
    pub(crate) complement_error: Option<&'static str>,
    /// What was typed in a refused request for complements.
    pub(crate) complement_draft: String,
}

/// A support action as shown.
pub struct ShownSupport {
    pub(crate) action: &'static str,
    pub(crate) note: String,
    pub(crate) by: String,
    pub(crate) at: String,
}

/// A refused request for complements: what was typed and why it was refused.
pub struct ComplementRetry {
    /// What was typed.
    pub draft: String,
    /// Why it was refused.
    pub error: &'static str,
}

fn summary(q: &Qualification, j: Judgement) -> String {
    let mut parts = vec![q.origin().label().to_owned()];
    let cats: Vec<&str> = q.categories().iter().map(|c| c.label()).collect();
    if !cats.is_empty() {
        parts.push(cats.join(", "));
    }
    if let Some(r) = q.ransomware_reach() {
        parts.push(format!("portée : {}", r.label()));
    }
    if let Some(s) = q.infra_side() {
        parts.push(s.label().to_owned());
    }
    if let Some(r) = q.out_of_scope_reason() {
        parts.push(r.label().to_owned());
    }
    if j.significant {
        parts.push("significatif (NIS2)".into());
    }
    if j.major {
        parts.push("majeur".into());
    }
    parts.join(" ; ")
}

/// Builds the handling panel of a case for CERT staff.
pub async fn view(
    app: &App,
    record: &CaseRecord,
    form: Option<QualifyState>,
    complement: Option<ComplementRetry>,
) -> Result<HandlingView, WebError> {
    let handling = app
        .store
        .handling(record.case)
        .await?
        .ok_or(WebError::NotFound)?;
    let form = form.unwrap_or_else(|| QualifyState::of(record, &handling));
    let chosen: Vec<&str> = form.categories.iter().map(String::as_str).collect();
    let groups = [Origin::Malicious, Origin::NonMalicious]
        .into_iter()
        .map(|origin| CategoryGroup {
            legend: origin.label(),
            boxes: Category::of_origin(origin)
                .map(|c| Choice {
                    value: c.code().to_owned(),
                    label: c.label().to_owned(),
                    selected: chosen.contains(&c.code()),
                })
                .collect(),
        })
        .collect();
    let assignee = handling
        .assignee
        .map(|u| u.0.to_string())
        .unwrap_or_default();
    let staff = app
        .store
        .staff()
        .await?
        .into_iter()
        .map(|s| Choice {
            selected: s.id.0.to_string() == assignee,
            value: s.id.0.to_string(),
            label: s.name,
        })
        .collect();
    Ok(HandlingView {
        origins: choices::<Origin>(&[form.origin.as_str()]),
        groups,
        reaches: pick(choices::<RansomwareReach>(&[form.reach.as_str()]), "—"),
        sides: pick(choices::<InfraSide>(&[form.side.as_str()]), "—"),
        reasons: pick(choices::<OutOfScopeReason>(&[form.reason.as_str()]), "—"),
        staff: pick(staff, "Personne"),
        states: choices::<CaseState>(&[record.state.code()]),
        routings: handling
            .routings
            .iter()
            .map(|r| ShownRouting {
                to: r.to.label(),
                rules: if r.rules.is_empty() {
                    "manuel".into()
                } else {
                    r.rules.replace(',', ", ")
                },
                reason: r.reason.clone(),
                at: vigie_model::calendar::french_date_time(r.at),
            })
            .collect(),
        history: handling
            .history
            .iter()
            .rev()
            .map(|v| ShownVersion {
                at: vigie_model::calendar::french_date_time(v.at),
                by: v.by.clone().unwrap_or_else(|| "—".into()),
                summary: summary(&v.qualification, v.judgement),
            })
            .collect(),
        form,
        support: app
            .store
            .support_actions(record.case)
            .await?
            .into_iter()
            .map(|a| ShownSupport {
                action: a.action.label(),
                note: a.note,
                by: a.by.unwrap_or_else(|| "—".into()),
                at: vigie_model::calendar::french_date_time(a.at),
            })
            .collect(),
        actions: choices::<SupportAction>(&[])
            .into_iter()
            .filter(|c| c.value != SupportAction::ReflexSheetSent.code())
            .collect(),
        sheets: choices::<ReflexSheet>(&[]),
        mapping: {
            let categories: Vec<&'static str> = record
                .incident
                .qualification
                .as_ref()
                .map(|q| q.categories().iter().map(|c| c.code()).collect())
                .unwrap_or_default();
            crate::pages::taxonomy::mapping_lines()
                .into_iter()
                .filter(|l| categories.contains(&l.code))
                .collect()
        },
        events: {
            let linked = record
                .incident
                .qualification
                .as_ref()
                .and_then(|q| q.event())
                .map(|e| e.as_str().to_owned());
            let linked = match linked {
                Some(l) => Some(l),
                None => app.store.event_of(record.case).await?,
            };
            pick(
                app.store
                    .events(None)
                    .await?
                    .into_iter()
                    .map(|e| Choice {
                        selected: linked.as_deref() == Some(e.name.as_str()),
                        value: e.name.clone(),
                        label: e.name,
                    })
                    .collect(),
                "Aucun",
            )
        },
        waiting: record.incident.handling.complements_requested
            && !record.incident.handling.complements_received,
        complement_error: complement.as_ref().map(|c| c.error),
        complement_draft: complement.map(|c| c.draft).unwrap_or_default(),
    })
}

pub(crate) async fn handled_case(
    app: &App,
    who: &SignedIn,
    case: &str,
) -> Result<Visible<CaseRecord>, WebError> {
    let number = CaseNumber::parse(case).map_err(|_| WebError::NotFound)?;
    let record = app.store.case(number).await?.ok_or(WebError::NotFound)?;
    let viewer = &who.user.viewer;
    let facts = record.facts.clone();
    if let Ok(visible) = reveal(viewer, &facts, IncidentAction::Handle, record) {
        Ok(visible)
    } else if vigie_access::allows(viewer, &facts, IncidentAction::Read) {
        Err(WebError::Forbidden)
    } else {
        Err(WebError::NotFound)
    }
}
