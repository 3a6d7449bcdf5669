//! The CERT's side of a case: the analyst queue, the handling panel of a case
//! (qualification with its history, assignment, state, routings) and the routing rules.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use vigie_access::{IncidentAction, Role, UserId, Visible, reveal};
use vigie_model::{
    CareImpact, CaseNumber, Category, Code, CodeSet, InfraSide, Origin, OutOfScopeReason,
    PatientDanger, Qualification, RansomwareReach, Region, StructureType,
};
use vigie_service::handling::{self, HandlingError};
use vigie_store::{CaseRecord, HandlingRecord, Judgement, QueueFilter, QueueSort};
use vigie_workflow::{
    case::CaseState,
    nis2::{self, Deadline, Report, Status},
    routing::{DEFAULT_RULES, Rules},
    support::{ReflexSheet, SupportAction},
};

use crate::{
    App, WebError,
    layout::Layout,
    pages::cases::french,
    session::{Protected, SignedIn},
};

/// A choice in a select or a group of boxes.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Label shown.
    pub label: String,
    /// Currently chosen.
    pub selected: bool,
}

pub(crate) fn choices<T: Code>(chosen: &[&str]) -> Vec<Choice> {
    T::ALL
        .iter()
        .map(|v| Choice {
            value: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: chosen.contains(&v.code()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The queue.

/// What the queue's filter form sends (every field optional).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct QueueQuery {
    etat: String,
    origine: String,
    impact: String,
    danger: String,
    region: String,
    structure: String,
    anciennete: String,
    attribution: String,
    tri: String,
    page: String,
}

/// One line of the queue as shown.
pub struct QueueRow {
    case: String,
    title: String,
    structure: String,
    kind: &'static str,
    region: &'static str,
    declared: String,
    age: String,
    state: &'static str,
    care: &'static str,
    danger: &'static str,
    origin: &'static str,
    assignee: String,
    significant: bool,
    urgent: bool,
    nis2_overdue: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    states: Vec<Choice>,
    origins: Vec<Choice>,
    impacts: Vec<Choice>,
    dangers: Vec<Choice>,
    regions: Vec<Choice>,
    kinds: Vec<Choice>,
    ages: Vec<Choice>,
    assignees: Vec<Choice>,
    sorts: Vec<Choice>,
    page: i64,
    more: bool,
    query: String,
}

const QUEUE_PAGE: i64 = 50;

const AGES: [(&str, &str, i64); 3] = [
    ("24h", "Plus de 24 heures", 24),
    ("72h", "Plus de 72 heures", 72),
    ("7j", "Plus de 7 jours", 24 * 7),
];

fn age_of(declared: Timestamp, now: Timestamp) -> String {
    let minutes = now.duration_since(declared).as_secs().max(0) / 60;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} j", m / (24 * 60)),
    }
}

pub(crate) fn pick(options: Vec<Choice>, none_label: &str) -> Vec<Choice> {
    let any = !options.iter().any(|c| c.selected);
    std::iter::once(Choice {
        value: String::new(),
        label: none_label.to_owned(),
        selected: any,
    })
    .chain(options)
    .collect()
}

/// `GET /traitement`: the analyst queue.
pub async fn queue(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let now = app.now();
    let filter = q.filter(&who, now);
    let page = super::cases::clamp_page(q.page.parse::<i64>().unwrap_or(1));
    let lines = app
        .store
        .queue(&filter, QUEUE_PAGE + 1, (page - 1) * QUEUE_PAGE)
        .await?;
    let more = lines.len() as i64 > QUEUE_PAGE;
    let rows = lines
        .into_iter()
        .take(QUEUE_PAGE as usize)
        .map(|l| QueueRow {
            nis2_overdue: (l.significant || l.nis2_first.iter().any(Option::is_some))
                && nis2::any_overdue(&nis2::deadlines(
                    l.aware_at,
                    |r| l.nis2_first[usize::from(r.index())],
                    now,
                )),
            case: l.case.to_string(),
            title: l.title.unwrap_or_else(|| "(sans titre)".into()),
            structure: l.structure_name,
            kind: l.structure_type.label(),
            region: l.region.label(),
            declared: french(l.declared_at),
            age: age_of(l.declared_at.timestamp(), now),
            state: l.state.label(),
            care: l.care_impact.label(),
            danger: l.patient_danger.label(),
            origin: l.origin.map_or("Non qualifié", |o| o.label()),
            assignee: l.assignee.unwrap_or_else(|| "—".into()),
            significant: l.significant,
            urgent: l.care_impact == CareImpact::Interrupted
                || l.patient_danger == PatientDanger::Actual,
        })
        .collect();
    let staff = app.store.staff().await?;
    let mut assignees = vec![
        Choice {
            value: "moi".into(),
            label: "Moi".into(),
            selected: q.attribution == "moi",
        },
        Choice {
            value: "personne".into(),
            label: "Personne".into(),
            selected: q.attribution == "personne",
        },
    ];
    assignees.extend(staff.into_iter().map(|s| Choice {
        selected: q.attribution == s.id.0.to_string(),
        value: s.id.0.to_string(),
        label: s.name,
    }));
    let mut states = choices::<CaseState>(&[q.etat.as_str()]);
    states.push(Choice {
        value: "tous".into(),
        label: "Tous, clos compris".into(),
        selected: q.etat == "tous",
    });
    let mut origins = vec![Choice {
        value: "none".into(),
        label: "Non qualifié".into(),
        selected: q.origine == "none",
    }];
    origins.extend(choices::<Origin>(&[q.origine.as_str()]));
    let ages = AGES
        .iter()
        .map(|(code, label, _)| Choice {
            value: (*code).into(),
            label: (*label).into(),
            selected: q.anciennete == *code,
        })
        .collect();
    let sorts = [
        ("", "Les plus anciennes d'abord"),
        ("recent", "Les plus récentes d'abord"),
        ("gravite", "Les plus graves d'abord"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: (*v).into(),
        label: (*l).into(),
        selected: q.tri == *v,
    })
    .collect();
    let query = serde_urlencoded::to_string([
        ("etat", &q.etat),
        ("origine", &q.origine),
        ("impact", &q.impact),
        ("danger", &q.danger),
        ("region", &q.region),
        ("structure", &q.structure),
        ("anciennete", &q.anciennete),
        ("attribution", &q.attribution),
        ("tri", &q.tri),
    ])
    .unwrap_or_default();
    super::render(&QueuePage {
        layout: Layout::signed_in("File de traitement", "queue", &who),
        rows,
        states: pick(states, "Ouverts (non clos)"),
        origins: pick(origins, "Toutes"),
        impacts: pick(choices::<CareImpact>(&[q.impact.as_str()]), "Tous"),
        dangers: pick(choices::<PatientDanger>(&[q.danger.as_str()]), "Toutes"),
        regions: pick(choices::<Region>(&[q.region.as_str()]), "Toutes"),
        kinds: pick(choices::<StructureType>(&[q.structure.as_str()]), "Tous"),
        ages: pick(ages, "Toutes"),
        assignees: pick(assignees, "Tous"),
        sorts,
        page,
        more,
        query,
    })
}

impl QueueQuery {
    /// The store's filter for this query, as seen by `who` at `now`.
    pub(crate) fn filter(&self, who: &SignedIn, now: Timestamp) -> QueueFilter {
        let q = self;
        fn parse(s: &str) -> Option<&str> {
            Some(s).filter(|s| !s.is_empty())
        }
        let mut filter = QueueFilter {
            states: parse(&q.etat)
                .and_then(|s| CaseState::parse(s).ok())
                .map(|s| vec![s])
                .unwrap_or_default(),
            origin: match q.origine.as_str() {
                "" => None,
                "none" => Some(None),
                code => Origin::parse(code).ok().map(Some),
            },
            care_impact: parse(&q.impact).and_then(|s| CareImpact::parse(s).ok()),
            patient_danger: parse(&q.danger).and_then(|s| PatientDanger::parse(s).ok()),
            region: parse(&q.region).and_then(|s| Region::parse(s).ok()),
            structure_type: parse(&q.structure).and_then(|s| StructureType::parse(s).ok()),
            declared_before: AGES
                .iter()
                .find(|(code, _, _)| *code == q.anciennete)
                .map(|(_, _, hours)| now - SignedDuration::from_hours(*hours)),
            assignee: match q.attribution.as_str() {
                "" => None,
                "personne" => Some(None),
                "moi" => Some(Some(who.user.id)),
                other => other.parse::<i64>().ok().map(|id| Some(UserId(id))),
            },
            sort: match q.tri.as_str() {
                "recent" => QueueSort::Newest,
                "gravite" => QueueSort::Severity,
                _ => QueueSort::Oldest,
            },
        };
        if q.etat == "tous" {
            filter.states = CaseState::ALL.to_vec();
        }
        filter
    }
}

// ---------------------------------------------------------------------------------------
// The handling panel of a case.

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

    fn from_form(form: &[(String, String)]) -> QualifyState {
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
    fn parse(
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
    pub(crate) mapping: Vec<super::exports::MappingLine>,
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
            super::exports::mapping_lines()
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

/// `POST /declarations/{case}/qualification`.
pub async fn qualify(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let mut state = QualifyState::from_form(&form);
    let event = record
        .get()
        .incident
        .qualification
        .as_ref()
        .and_then(|q| q.event().cloned());
    let Some((qualification, judgement)) = state.parse(event) else {
        let mut response = super::cases::show_with(&app, &who, record, Some(state), None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    match handling::qualify(
        &app.store,
        &who.user.viewer,
        record.get(),
        qualification,
        judgement,
        app.portal(),
        app.now(),
    )
    .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/declarations/{number}#traitement"
        ))),
        Err(HandlingError::NotAllowed) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// What the assignment form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    assignee: String,
}

/// `POST /declarations/{case}/attribution`: assigns the case (empty: to no one).
pub async fn assign(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<AssignForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let assignee = match form.assignee.as_str() {
        "" => None,
        id => {
            let id = id
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest("unknown assignee"))?;
            let staff = app.store.staff().await?;
            Some(
                staff
                    .iter()
                    .find(|s| s.id.0 == id)
                    .ok_or(WebError::BadRequest("unknown assignee"))?
                    .id,
            )
        }
    };
    let number = record.get().case;
    app.store
        .assign(number, assignee, who.user.id, app.now())
        .await?;
    Ok(super::see_other(&format!(
        "/declarations/{number}#traitement"
    )))
}

/// What the request for complements sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ComplementForm {
    question: String,
}

/// `POST /declarations/{case}/complements`: asks the structure for complements.
pub async fn request_complements(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<ComplementForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let question = form.question.trim();
    if question.is_empty() || question.chars().count() > 20_000 {
        let retry = ComplementRetry {
            draft: form.question,
            error: "Écrivez la question posée à la structure (20 000 caractères au plus).",
        };
        let mut response = super::cases::show_with(&app, &who, record, None, Some(retry)).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let number = record.get().case;
    handling::request_complements(
        &app.store,
        &who.user.viewer,
        record.get(),
        question,
        app.portal(),
        app.now(),
    )
    .await?;
    Ok(super::see_other(&format!(
        "/declarations/{number}#messages"
    )))
}

/// What the state form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StateForm {
    state: String,
}

/// `POST /declarations/{case}/etat`: moves the case to another handling state.
pub async fn set_state(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<StateForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let Ok(state) = CaseState::parse(&form.state) else {
        let mut response = super::cases::show_with(&app, &who, record, None, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    app.store
        .set_case_state(number, state, who.user.id, app.now())
        .await?;
    Ok(super::see_other(&format!(
        "/declarations/{number}#traitement"
    )))
}

// ---------------------------------------------------------------------------------------
// The routing rules.

/// A rule as shown.
pub struct ShownRule {
    id: String,
    to: &'static str,
    conditions: Vec<String>,
    reason: String,
}

/// A saved version as shown.
pub struct ShownRulesVersion {
    version: i64,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "routing_rules.html")]
struct RulesPage {
    layout: Layout,
    csrf: String,
    rules: Vec<ShownRule>,
    document: String,
    error: Option<String>,
    saved: bool,
    versions: Vec<ShownRulesVersion>,
    defaults: bool,
}

/// Query of the rules page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesQuery {
    enregistre: Option<String>,
}

async fn rules_page(
    app: &App,
    who: &SignedIn,
    document: Option<String>,
    error: Option<String>,
    saved: bool,
) -> Result<Response, WebError> {
    let current = app.store.routing_rules().await?;
    let defaults = current.is_none();
    let body = current
        .map(|c| c.body)
        .unwrap_or_else(|| DEFAULT_RULES.to_owned());
    let rules = Rules::parse(&body)?
        .rules()
        .iter()
        .map(|r| ShownRule {
            id: r.id.clone(),
            to: r.to.label(),
            conditions: r.when.describe(),
            reason: r.reason.clone(),
        })
        .collect();
    let versions = app
        .store
        .routing_rules_history(10)
        .await?
        .into_iter()
        .map(|v| ShownRulesVersion {
            version: v.version,
            by: v.saved_by.unwrap_or_else(|| "—".into()),
            at: vigie_model::calendar::french_date_time(v.saved_at),
        })
        .collect();
    let failed = error.is_some();
    let mut response = super::render(&RulesPage {
        layout: Layout::signed_in("Règles d'acheminement", "rules", who),
        csrf: who.csrf.clone(),
        rules,
        document: document.unwrap_or(body),
        error,
        saved,
        versions,
        defaults,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /administration/acheminement`: the rules in force, readable and editable.
pub async fn rules(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<RulesQuery>,
) -> Result<Response, WebError> {
    super::require(&who, &[Role::Admin])?;
    rules_page(&app, &who, None, None, q.enregistre.is_some()).await
}

/// What the rules form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesForm {
    document: String,
}

/// `POST /administration/acheminement`: saves a new version of the rules, if valid.
pub async fn save_rules(
    State(app): State<App>,
    Protected { who, form }: Protected<RulesForm>,
) -> Result<Response, WebError> {
    super::require(&who, &[Role::Admin])?;
    let document = form.document.replace("\r\n", "\n");
    let error = match Rules::parse(&document) {
        Ok(rules) if rules.rules().is_empty() => Some(
            "Le document ne contient aucune règle : aucun incident ne serait plus acheminé."
                .to_owned(),
        ),
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    if let Some(error) = error {
        return rules_page(&app, &who, Some(document), Some(error), false).await;
    }
    handling::save_rules(&app.store, &who.user.viewer, &document, app.now()).await?;
    app.routing.clear();
    Ok(super::see_other(
        "/administration/acheminement?enregistre=1",
    ))
}

// ---------------------------------------------------------------------------------------
// NIS2 clocks.

/// A NIS2 deadline as shown.
pub struct ShownDeadline {
    pub(crate) report: &'static str,
    pub(crate) due: String,
    pub(crate) state: String,
    pub(crate) overdue: bool,
}

/// A NIS2 submission as shown.
pub struct ShownSubmission {
    pub(crate) report: &'static str,
    pub(crate) version: i32,
    pub(crate) at: String,
    pub(crate) by: String,
    pub(crate) body: String,
}

/// The NIS2 panel of a case: deadlines, submissions kept as versions, and the form.
pub struct Nis2View {
    pub(crate) deadlines: Vec<ShownDeadline>,
    pub(crate) submissions: Vec<ShownSubmission>,
    pub(crate) reports: Vec<Choice>,
    pub(crate) can_submit: bool,
    /// Whether the reports' texts are shown ([`reads_nis2_reports`]).
    pub(crate) shows_bodies: bool,
    pub(crate) error: Option<&'static str>,
    pub(crate) draft: String,
}

/// Who reads the texts of a case's NIS 2 reports: those the notification concerns, the
/// CERT's staff (who handle it) and the declaring structure's own accounts (who wrote it).
/// Others who read the case (its GHT, its ARS, the authorities it was routed to) see the
/// deadlines and which report was sent when, not what it says: the authorities receive
/// the notification through their own channel.
pub fn reads_nis2_reports(
    viewer: &vigie_access::Viewer,
    facts: &vigie_access::IncidentFacts,
) -> bool {
    vigie_access::allows(viewer, facts, IncidentAction::Handle)
        || (viewer.role() == vigie_access::Role::Declarant
            && vigie_access::allows(viewer, facts, IncidentAction::Message))
}

/// A refused NIS2 submission: what was typed and why.
pub struct Nis2Retry {
    /// The report chosen.
    pub report: String,
    /// What was typed.
    pub draft: String,
    /// Why it was refused.
    pub error: &'static str,
}

fn hours(d: SignedDuration) -> String {
    let h = d.as_secs() / 3600;
    if h >= 48 {
        format!("{} j {} h", h / 24, h % 24)
    } else {
        format!("{h} h {} min", (d.as_secs() % 3600) / 60)
    }
}

/// The deadlines of a case as the queue and the page show them.
pub fn shown_deadlines(deadlines: &[Deadline]) -> Vec<ShownDeadline> {
    deadlines
        .iter()
        .map(|d| ShownDeadline {
            report: d.report.label(),
            due: format!(
                "{}{}",
                vigie_model::calendar::french_date_time(d.due),
                if d.provisional {
                    " (provisoire : court à partir de la notification)"
                } else {
                    ""
                }
            ),
            state: match d.status {
                Status::Submitted { at, late: false } => {
                    format!(
                        "Transmis le {}, dans le délai",
                        vigie_model::calendar::french_date_time(at)
                    )
                }
                Status::Submitted { at, late: true } => {
                    format!(
                        "Transmis le {}, en retard",
                        vigie_model::calendar::french_date_time(at)
                    )
                }
                Status::Pending { left } => format!("À transmettre : reste {}", hours(left)),
                Status::Overdue { by } => format!("En retard de {}", hours(by)),
            },
            overdue: matches!(d.status, Status::Overdue { .. }),
        })
        .collect()
}

/// The NIS2 panel, when the case is significant or has submissions.
pub async fn nis2_view(
    app: &App,
    who: &SignedIn,
    record: &CaseRecord,
    retry: Option<Nis2Retry>,
) -> Result<Option<Nis2View>, WebError> {
    let significant = app
        .store
        .handling(record.case)
        .await?
        .is_some_and(|h| h.judgement.significant);
    let submissions = app.store.nis2_submissions(record.case).await?;
    if !significant && submissions.is_empty() && retry.is_none() {
        return Ok(None);
    }
    let aware_at = record
        .incident
        .detected_at
        .unwrap_or(record.incident.declared_at)
        .timestamp();
    let first = |r: Report| {
        submissions
            .iter()
            .filter(|s| s.report == r)
            .map(|s| s.at)
            .min()
    };
    let deadlines = nis2::deadlines(aware_at, first, app.now());
    let chosen = retry.as_ref().map(|r| r.report.as_str()).unwrap_or("");
    let shows_bodies = reads_nis2_reports(&who.user.viewer, &record.facts);
    Ok(Some(Nis2View {
        shows_bodies,
        deadlines: shown_deadlines(&deadlines),
        submissions: submissions
            .into_iter()
            .rev()
            .map(|s| ShownSubmission {
                report: s.report.label(),
                version: s.version,
                at: vigie_model::calendar::french_date_time(s.at),
                by: s.by.unwrap_or_else(|| "—".into()),
                body: if shows_bodies { s.body } else { String::new() },
            })
            .collect(),
        reports: choices::<Report>(&[chosen]),
        can_submit: vigie_access::allows(&who.user.viewer, &record.facts, IncidentAction::Message),
        error: retry.as_ref().map(|r| r.error),
        draft: retry.map(|r| r.draft).unwrap_or_default(),
    }))
}

/// What the NIS2 form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Nis2Form {
    report: String,
    body: String,
}

/// `POST /declarations/{case}/nis2`: keeps a submission of a NIS2 report as a new version.
pub async fn submit_nis2(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<Nis2Form>,
) -> Result<Response, WebError> {
    let number = CaseNumber::parse(&case).map_err(|_| WebError::NotFound)?;
    let record = app.store.case(number).await?.ok_or(WebError::NotFound)?;
    let facts = record.facts.clone();
    let record = reveal(&who.user.viewer, &facts, IncidentAction::Message, record)
        .map_err(|_| WebError::NotFound)?;
    let body = form.body.trim();
    let report = Report::parse(&form.report);
    let error = match (&report, body.chars().count()) {
        (Err(_), _) => Some("Choisissez le rapport transmis."),
        (_, 0) => Some("Écrivez le contenu du rapport."),
        (_, n) if n > 50_000 => Some("Le rapport dépasse 50 000 caractères."),
        _ => None,
    };
    let report = match (report, error) {
        (Ok(report), None) => report,
        (_, error) => {
            let retry = Nis2Retry {
                report: form.report.clone(),
                draft: form.body.clone(),
                error: error.unwrap_or("Choisissez le rapport transmis."),
            };
            let mut response = super::cases::show_nis2_retry(&app, &who, record, retry).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    app.store
        .submit_nis2(number, report, who.user.id, body, app.now())
        .await?;
    Ok(super::see_other(&format!("/declarations/{number}#nis2")))
}

// ---------------------------------------------------------------------------------------
// Support and reflex sheets.

/// What the support form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SupportForm {
    action: String,
    note: String,
}

/// `POST /declarations/{case}/accompagnement`: records a support action.
pub async fn record_support(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<SupportForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let action = SupportAction::parse(&form.action)
        .ok()
        .filter(|a| *a != SupportAction::ReflexSheetSent);
    let note = form.note.trim();
    let Some(action) = action.filter(|_| note.chars().count() <= 20_000) else {
        let mut response = super::cases::show_with(&app, &who, record, None, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    handling::record_support(
        &app.store,
        &who.user.viewer,
        record.get(),
        action,
        note,
        app.now(),
    )
    .await?;
    Ok(super::see_other(&format!(
        "/declarations/{number}#accompagnement"
    )))
}

/// What the reflex sheet form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendSheetForm {
    sheet: String,
}

/// `POST /declarations/{case}/fiche`: sends a reflex sheet to the structure.
pub async fn send_sheet(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<SendSheetForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let Ok(sheet) = ReflexSheet::parse(&form.sheet) else {
        let mut response = super::cases::show_with(&app, &who, record, None, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    handling::send_reflex_sheet(
        &app.store,
        &who.user.viewer,
        record.get(),
        sheet,
        app.portal(),
        app.now(),
    )
    .await?;
    Ok(super::see_other(&format!(
        "/declarations/{number}#accompagnement"
    )))
}

/// A sheet in the list.
pub struct SheetLine {
    code: &'static str,
    title: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "sheets.html")]
struct SheetsPage {
    layout: Layout,
    sheets: Vec<SheetLine>,
}

/// `GET /fiches-reflexes`: the reflex sheets.
pub async fn sheets(State(app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let mut lines = Vec::new();
    for sheet in ReflexSheet::ALL {
        let v = app.store.reflex_sheet(*sheet).await?;
        lines.push(SheetLine {
            code: sheet.code(),
            title: v.title,
            saved: match (v.saved_at, v.saved_by) {
                (Some(at), by) => format!(
                    "modifiée le {} par {}",
                    vigie_model::calendar::french_date_time(at),
                    by.unwrap_or_else(|| "—".into())
                ),
                (None, _) => "texte initial".into(),
            },
        });
    }
    super::render(&SheetsPage {
        layout: Layout::signed_in("Fiches réflexes", "sheets", &who),
        sheets: lines,
    })
}

#[derive(Template)]
#[template(path = "sheet.html")]
struct SheetPage {
    layout: Layout,
    csrf: String,
    code: &'static str,
    title: String,
    body: String,
    error: Option<&'static str>,
    saved: bool,
}

/// Query of a sheet's page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetQuery {
    enregistre: Option<String>,
}

/// `GET /fiches-reflexes/{sheet}`: a sheet, editable.
pub async fn sheet(
    State(app): State<App>,
    who: SignedIn,
    Path(code): Path<String>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let sheet = ReflexSheet::parse(&code).map_err(|_| WebError::NotFound)?;
    let v = app.store.reflex_sheet(sheet).await?;
    super::render(&SheetPage {
        layout: Layout::signed_in(&v.title, "sheets", &who),
        csrf: who.csrf.clone(),
        code: sheet.code(),
        title: v.title,
        body: v.body,
        error: None,
        saved: q.enregistre.is_some(),
    })
}

/// What the sheet form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetForm {
    title: String,
    body: String,
}

/// `POST /fiches-reflexes/{sheet}`: saves a new version of a sheet.
pub async fn save_sheet(
    State(app): State<App>,
    Path(code): Path<String>,
    Protected { who, form }: Protected<SheetForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let sheet = ReflexSheet::parse(&code).map_err(|_| WebError::NotFound)?;
    let title = form.title.trim();
    let body = form.body.replace("\r\n", "\n");
    let error = if title.is_empty() || title.chars().count() > 200 {
        Some("Donnez un titre (200 caractères au plus).")
    } else if body.trim().is_empty() || body.chars().count() > 50_000 {
        Some("Écrivez le texte de la fiche (50 000 caractères au plus).")
    } else {
        None
    };
    if let Some(error) = error {
        let mut response = super::render(&SheetPage {
            layout: Layout::signed_in("Fiche réflexe", "sheets", &who),
            csrf: who.csrf.clone(),
            code: sheet.code(),
            title: form.title,
            body,
            error: Some(error),
            saved: false,
        })?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    app.store
        .save_reflex_sheet(sheet, title, &body, who.user.id, app.now())
        .await?;
    Ok(super::see_other(&format!(
        "/fiches-reflexes/{}?enregistre=1",
        sheet.code()
    )))
}
