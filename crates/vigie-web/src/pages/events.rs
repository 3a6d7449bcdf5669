//! Shared events: one cause behind many declarations. CERT staff create them, link
//! declarations, and write once to every structure concerned.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use vigie_service::handling;

use crate::{
    App, WebError,
    layout::Layout,
    session::{Protected, SignedIn},
};

/// An event in the list.
pub struct EventLine {
    id: i64,
    name: String,
    description: String,
    cases: i64,
    structures: i64,
    first: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    layout: Layout,
    csrf: String,
    events: Vec<EventLine>,
    name: String,
    description: String,
    error: Option<&'static str>,
}

async fn list_page(
    app: &App,
    who: &SignedIn,
    name: String,
    description: String,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let events = app
        .store
        .events(None)
        .await?
        .into_iter()
        .map(|e| EventLine {
            id: e.id,
            name: e.name,
            description: e.description,
            cases: e.cases,
            structures: e.structures,
            first: e
                .first_declared
                .map(vigie_model::calendar::french_date_time)
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let failed = error.is_some();
    let mut response = super::render(&EventsPage {
        layout: Layout::signed_in("Événements partagés", "events", who),
        csrf: who.csrf.clone(),
        events,
        name,
        description,
        error,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /evenements`.
pub async fn list(State(app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    list_page(&app, &who, String::new(), String::new(), None).await
}

/// What the event form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventForm {
    name: String,
    description: String,
}

/// `POST /evenements`: creates an event.
pub async fn create(
    State(app): State<App>,
    Protected { who, form }: Protected<EventForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let name = form.name.trim();
    let description = form.description.trim();
    let error = if name.is_empty() || name.chars().count() > 200 {
        Some("Nommez l'événement (200 caractères au plus).")
    } else if description.is_empty() || description.chars().count() > 5_000 {
        Some("Décrivez l'événement (5 000 caractères au plus).")
    } else {
        None
    };
    if error.is_none() {
        match app
            .store
            .create_event(name, description, Some(who.user.id), app.now())
            .await?
        {
            Some(id) => return Ok(super::see_other(&format!("/evenements/{id}"))),
            None => {
                return list_page(
                    &app,
                    &who,
                    form.name,
                    form.description,
                    Some("Un événement porte déjà ce nom."),
                )
                .await;
            }
        }
    }
    list_page(&app, &who, form.name, form.description, error).await
}

/// A linked case as shown.
pub struct LinkedCase {
    case: String,
    structure: String,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    layout: Layout,
    csrf: String,
    id: i64,
    name: String,
    description: String,
    cases: Vec<LinkedCase>,
    error: Option<&'static str>,
    draft: String,
    sent: Option<u64>,
    /// Shown in the public report (with these texts).
    is_public: bool,
    public_title: String,
    public_summary: String,
    public_error: Option<&'static str>,
    public_notice: Option<&'static str>,
}

/// What the event page's forms bring back: the message being written, or the public
/// texts being written, and what to say of them.
#[derive(Default)]
struct Draft {
    error: Option<&'static str>,
    message: String,
    sent: Option<u64>,
    public: Option<(String, String)>,
    public_error: Option<&'static str>,
    public_notice: Option<&'static str>,
}

async fn event_page(
    app: &App,
    who: &SignedIn,
    id: &str,
    draft: Draft,
) -> Result<Response, WebError> {
    let Draft {
        error,
        message: draft,
        sent,
        public,
        public_error,
        public_notice,
    } = draft;
    let event = event_by_id(app, id).await?;
    let id = event.id;
    let cases = app
        .store
        .event_cases(&event.name)
        .await?
        .into_iter()
        .map(|c| LinkedCase {
            case: c.case.to_string(),
            structure: c.structure_name,
        })
        .collect();
    let failed = error.is_some() || public_error.is_some();
    let (public_title, public_summary) = public.unwrap_or_else(|| match &event.public {
        Some(p) => (p.title.clone(), p.summary.clone()),
        None => (String::new(), String::new()),
    });
    let mut response = super::render(&EventPage {
        layout: Layout::signed_in(&event.name, "events", who),
        csrf: who.csrf.clone(),
        id,
        is_public: event.public.is_some(),
        name: event.name,
        description: event.description,
        cases,
        error,
        draft,
        sent,
        public_title,
        public_summary,
        public_error,
        public_notice,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The event with this identifier (from the path).
async fn event_by_id(app: &App, id: &str) -> Result<vigie_store::EventSummary, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    app.store
        .events(None)
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(WebError::NotFound)
}

/// `GET /evenements/{event}`.
pub async fn show(
    State(app): State<App>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    event_page(&app, &who, &id, Draft::default()).await
}

/// What the event message form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
}

/// `POST /evenements/{event}/message`: one message to every linked case.
pub async fn message(
    State(app): State<App>,
    Path(id): Path<String>,
    Protected { who, form }: Protected<MessageForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let event = event_by_id(&app, &id).await?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > 20_000 {
        let draft = Draft {
            error: Some("Écrivez le message (20 000 caractères au plus)."),
            message: form.body,
            ..Draft::default()
        };
        return event_page(&app, &who, &id, draft).await;
    }
    let n = handling::message_event(
        &app.store,
        &who.user.viewer,
        &event.name,
        body,
        app.portal(),
        app.now(),
    )
    .await?;
    let draft = Draft {
        sent: Some(n),
        ..Draft::default()
    };
    event_page(&app, &who, &id, draft).await
}

/// What the public-report form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublicForm {
    title: String,
    summary: String,
    /// `withdraw` to take the event out of the report.
    action: String,
}

/// `POST /evenements/{event}/public`: makes the event public in the yearly report with a
/// title and summary written for the public, or withdraws it. The staff's own name and
/// description never reach the report.
pub async fn make_public(
    State(app): State<App>,
    Path(id): Path<String>,
    Protected { who, form }: Protected<PublicForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let event = event_by_id(&app, &id).await?;
    let now = app.now();
    if form.action == "withdraw" {
        app.store
            .set_event_public(event.id, None, Some(who.user.id), now)
            .await?;
        let draft = Draft {
            public_notice: Some("L'événement est retiré du rapport public."),
            ..Draft::default()
        };
        return event_page(&app, &who, &id, draft).await;
    }
    let title = form.title.trim();
    let summary = form.summary.trim();
    if title.is_empty()
        || summary.is_empty()
        || title.chars().count() > 200
        || summary.chars().count() > 2_000
    {
        let draft = Draft {
            public: Some((form.title, form.summary)),
            public_error: Some(
                "Écrivez un titre (200 caractères au plus) et un résumé (2 000 caractères au plus) destinés au public.",
            ),
            ..Draft::default()
        };
        return event_page(&app, &who, &id, draft).await;
    }
    let text = vigie_store::PublicText {
        title: title.to_owned(),
        summary: summary.to_owned(),
    };
    app.store
        .set_event_public(event.id, Some(&text), Some(who.user.id), now)
        .await?;
    let draft = Draft {
        public_notice: Some(
            "L'événement figurera au rapport public de l'année, s'il réunit assez de déclarations, à la prochaine publication.",
        ),
        ..Draft::default()
    };
    event_page(&app, &who, &id, draft).await
}

/// What the link form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    event: String,
}

/// `POST /declarations/{case}/evenement`: links the case to an event (empty: unlinks).
pub async fn link(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<LinkForm>,
) -> Result<Response, WebError> {
    let number = super::cases::handled_case(&app, &who, &case)
        .await?
        .get()
        .case;
    let event = Some(form.event.trim()).filter(|e| !e.is_empty());
    if !app
        .store
        .link_event(number, event, who.user.id, app.now())
        .await?
    {
        return Err(WebError::BadRequest("unknown event"));
    }
    Ok(super::see_other(&format!(
        "/declarations/{number}#traitement"
    )))
}
