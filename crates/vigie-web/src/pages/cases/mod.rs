//! The cases a user may see: the list, one case with its messages, the receipt.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use vigie_access::{IncidentAction, Visible, reveal};
use vigie_model::{CaseNumber, Code, Incident};
use vigie_store::{Actor, CaseRecord, CaseSummary, MessageRecord};

use crate::{
    App, WebError,
    layout::Layout,
    session::{Protected, SignedIn},
};

/// Cases shown on one page of the list.
mod nis2;
mod panel;

pub use nis2::*;
pub use panel::*;

const PAGE: i64 = 50;

/// A line of the list, as shown.
pub struct Line {
    case: String,
    title: String,
    structure: String,
    declared: String,
    state: &'static str,
    care: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    layout: Layout,
    heading: &'static str,
    lines: Vec<Line>,
    page: i64,
    more: bool,
}

/// A date in Paris time, as people read it.
pub fn french(at: vigie_model::DateTime) -> String {
    vigie_model::calendar::french_date_time(at.timestamp())
}

/// The last page a list may ask for, as the API allows: far beyond any real list, and
/// small enough that its offset never overflows.
pub const MAX_PAGE: i64 = 1_000_000;

/// A requested page number, between 1 and [`MAX_PAGE`].
pub fn clamp_page(page: i64) -> i64 {
    page.clamp(1, MAX_PAGE)
}

/// Query of the list.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<i64>,
}

/// `GET /declarations`: the cases of the user's scope, newest first.
pub async fn list(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let page = clamp_page(q.page.unwrap_or(1));
    let listing = who.user.viewer.incident_listing();
    let rows = app
        .store
        .list_cases(&listing, PAGE + 1, (page - 1) * PAGE)
        .await?;
    let more = rows.len() as i64 > PAGE;
    let mut lines = Vec::new();
    for summary in rows.into_iter().take(PAGE as usize) {
        // Each line is checked again, whatever the query said.
        let Ok(visible) = reveal(
            &who.user.viewer,
            &summary.facts.clone(),
            IncidentAction::Read,
            summary,
        ) else {
            continue;
        };
        let s: &CaseSummary = visible.get();
        lines.push(Line {
            case: s.case.to_string(),
            title: s.title.clone().unwrap_or_else(|| "(sans titre)".into()),
            structure: s.structure_name.clone(),
            declared: french(s.declared_at),
            state: s.state.label(),
            care: s.care_impact.label().to_owned(),
        });
    }
    let heading = if who.role() == vigie_access::Role::Declarant {
        "Mes déclarations"
    } else {
        "Déclarations"
    };
    super::render(&ListPage {
        layout: Layout::signed_in(heading, "cases", &who),
        heading,
        lines,
        page,
        more,
    })
}

/// A case the user was checked to be allowed to read.
async fn visible_case(
    app: &App,
    who: &SignedIn,
    case: &str,
    action: IncidentAction,
) -> Result<Visible<CaseRecord>, WebError> {
    let number = CaseNumber::parse(case).map_err(|_| WebError::NotFound)?;
    let record = app.store.case(number).await?.ok_or(WebError::NotFound)?;
    let facts = record.facts.clone();
    // A case outside the scope is answered like a case that does not exist.
    reveal(&who.user.viewer, &facts, action, record).map_err(|_| WebError::NotFound)
}

/// A message as shown.
pub struct ShownMessage {
    author: String,
    at: String,
    body: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    case: String,
    state: &'static str,
    facts: Vec<(&'static str, String)>,
    messages: Vec<ShownMessage>,
    can_write: bool,
    error: Option<&'static str>,
    draft: String,
    handling: Option<HandlingView>,
    waiting_for_you: bool,
    nis2: Option<Nis2View>,
}

/// The facts of a case, as label and value.
fn facts_of(incident: &Incident, record: &CaseRecord) -> Vec<(&'static str, String)> {
    let dash = |s: Option<&str>| s.filter(|s| !s.is_empty()).unwrap_or("—").to_owned();
    let d = &incident.data_impact;
    let kinds = d
        .kinds()
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(" ; ");
    let mut facts = vec![
        (
            "Structure",
            format!(
                "{} (FINESS {})",
                incident.structure.name, incident.structure.finess
            ),
        ),
        ("Déclaré le", french(incident.declared_at)),
        (
            "Détecté le",
            incident
                .detected_at
                .map(french)
                .unwrap_or_else(|| "—".into()),
        ),
        ("Titre", dash(incident.title.as_ref().map(|t| t.as_str()))),
        (
            "Description",
            dash(incident.description.as_ref().map(|t| t.as_str())),
        ),
        (
            "Mesures déjà prises",
            dash(record.texts.measures_taken.as_deref()),
        ),
        (
            "Systèmes et prestataires touchés",
            dash(record.texts.affected_systems.as_deref()),
        ),
        (
            "État au moment de la déclaration",
            incident.state_at_declaration.label().to_owned(),
        ),
        (
            "Accompagnement demandé",
            if incident.support_requested {
                "Oui"
            } else {
                "Non"
            }
            .to_owned(),
        ),
        (
            "Impact sur la prise en charge",
            incident.care_impact.label().to_owned(),
        ),
    ];
    if let Some(h) = incident.degraded_hours {
        facts.push(("Durée du mode dégradé", format!("{} h", h.get())));
    }
    facts.push((
        "Impact sur les données",
        d.impacts()
            .iter()
            .map(|i| i.label())
            .collect::<Vec<_>>()
            .join(" ; "),
    ));
    if !kinds.is_empty() {
        facts.push(("Types de données touchées", kinds));
    }
    facts.push((
        "Mise en danger des patients",
        incident.patient_danger.label().to_owned(),
    ));
    facts
}

fn shown(messages: Vec<MessageRecord>) -> Vec<ShownMessage> {
    messages
        .into_iter()
        .map(|m| ShownMessage {
            author: match (m.author, m.author_role) {
                (Some(name), Some(role)) => format!("{name} ({})", role.label()),
                (Some(name), None) => name,
                _ => "CERT".into(),
            },
            at: vigie_model::calendar::french_date_time(m.at),
            body: m.body,
        })
        .collect()
}

/// The case page, with the handling panel for CERT staff (`form` keeps what was typed in
/// a refused qualification).
pub async fn show_with(
    app: &App,
    who: &SignedIn,
    case: Visible<CaseRecord>,
    form: Option<QualifyState>,
    complement: Option<ComplementRetry>,
) -> Result<Response, WebError> {
    case_page(app, who, case, None, String::new(), form, complement).await
}

/// The case page with a refused NIS2 submission kept in its form.
pub async fn show_nis2_retry(
    app: &App,
    who: &SignedIn,
    case: Visible<CaseRecord>,
    retry: Nis2Retry,
) -> Result<Response, WebError> {
    let nis2 = nis2_view(app, who, case.get(), Some(retry)).await?;
    render_case(app, who, case, None, String::new(), None, None, nis2).await
}

async fn case_page(
    app: &App,
    who: &SignedIn,
    case: Visible<CaseRecord>,
    error: Option<&'static str>,
    draft: String,
    form: Option<QualifyState>,
    complement: Option<ComplementRetry>,
) -> Result<Response, WebError> {
    let nis2 = nis2_view(app, who, case.get(), None).await?;
    render_case(app, who, case, error, draft, form, complement, nis2).await
}

#[allow(clippy::too_many_arguments)]
async fn render_case(
    app: &App,
    who: &SignedIn,
    case: Visible<CaseRecord>,
    error: Option<&'static str>,
    draft: String,
    form: Option<QualifyState>,
    complement: Option<ComplementRetry>,
    nis2: Option<Nis2View>,
) -> Result<Response, WebError> {
    let record = case.get();
    let handling = if vigie_access::allows(&who.user.viewer, &record.facts, IncidentAction::Handle)
    {
        Some(view(app, record, form, complement).await?)
    } else {
        None
    };
    let number = record.case.to_string();
    let messages = shown(app.store.messages(record.case).await?);
    let can_write = vigie_access::allows(&who.user.viewer, &record.facts, IncidentAction::Message);
    let page = CasePage {
        layout: Layout::signed_in(&format!("Dossier {number}"), "cases", who),
        csrf: who.csrf.clone(),
        state: record.state.label(),
        facts: facts_of(&record.incident, record),
        case: number,
        messages,
        can_write,
        error,
        draft,
        waiting_for_you: handling.is_none()
            && can_write
            && record.incident.handling.complements_requested
            && !record.incident.handling.complements_received,
        handling,
        nis2,
    };
    super::render(&page)
}

/// `GET /declarations/{case}`.
pub async fn show(
    State(app): State<App>,
    who: SignedIn,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let record = visible_case(&app, &who, &case, IncidentAction::Read).await?;
    case_page(&app, &who, record, None, String::new(), None, None).await
}

/// What the message form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
}

/// `POST /declarations/{case}/messages`.
pub async fn add_message(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<MessageForm>,
) -> Result<Response, WebError> {
    let record = visible_case(&app, &who, &case, IncidentAction::Message).await?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > 20_000 {
        let mut response = case_page(
            &app,
            &who,
            record,
            Some("Écrivez un message (20 000 caractères au plus)."),
            form.body,
            None,
            None,
        )
        .await?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let number = record.get().case;
    // A message from the structure's side answers a pending request for complements:
    // recorded first, so that the message's journal entry vouches for the case answered.
    if matches!(
        who.role(),
        vigie_access::Role::Declarant | vigie_access::Role::Ght
    ) {
        app.store.complements_answered(number).await?;
    }
    app.store
        .add_message(
            number,
            who.user.id,
            body,
            &Actor::User(who.user.id.0),
            app.now(),
        )
        .await?;
    Ok(super::see_other(&format!(
        "/declarations/{number}#messages"
    )))
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    layout: Layout,
    case: String,
    declared: String,
    email: String,
}

/// `GET /declarations/{case}/recu`: the receipt shown right after sending.
pub async fn receipt(
    State(app): State<App>,
    who: SignedIn,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let record = visible_case(&app, &who, &case, IncidentAction::Read).await?;
    let page = ReceiptPage {
        layout: Layout::signed_in("Déclaration enregistrée", "declare", &who),
        case: record.get().case.to_string(),
        declared: french(record.get().incident.declared_at),
        email: who.user.email.clone(),
    };
    super::render(&page)
}
