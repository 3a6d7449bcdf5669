//! Exports for other CERTs and the authorities (MISP, STIX 2.1, VERIS) of one case or of
//! the queue's selection, journaled; and the mapping of Vigie's categories to ENISA's
//! taxonomy and to VERIS.

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use vigie_access::{IncidentAction, reveal};
use vigie_exchange::{Case, Format, Options};
use vigie_journal::{Action, Actor, NewEntry, Payload};

use crate::{App, WebError, pages::handling::QueueQuery, session::SignedIn};

/// Cases at most in one exported selection.
const SELECTION_LIMIT: i64 = 10_000;

async fn journal_export(
    app: &App,
    who: &SignedIn,
    subject: String,
    format: Format,
    count: usize,
) -> Result<(), WebError> {
    app.store
        .journal(vec![NewEntry {
            at_ns: i64::try_from(app.now().as_nanosecond()).unwrap_or(i64::MAX),
            actor: Actor::User(who.user.id.0),
            action: Action::DataExported,
            subject,
            payload: Payload::new()
                .with("format", format.code())
                .with("cases", i64::try_from(count).unwrap_or(i64::MAX))
                .with("to", "download"),
        }])
        .await?;
    Ok(())
}

fn download(rendered: vigie_exchange::Rendered) -> Response {
    (
        [
            (header::CONTENT_TYPE, rendered.media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", rendered.file_name),
            ),
        ],
        rendered.body,
    )
        .into_response()
}

/// `GET /declarations/{case}/export/{format}`: one case as a MISP event, a STIX bundle or
/// a VERIS record (CERT staff).
pub async fn case(
    State(app): State<App>,
    who: SignedIn,
    Path((case, format)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let record = super::cases::handled_case(&app, &who, &case).await?;
    let number = record.get().case;
    let format = Format::parse(&format).ok_or(WebError::NotFound)?;
    journal_export(&app, &who, number.to_string(), format, 1).await?;
    let options = Options::new(app.settings.cert_name.clone(), app.now());
    let cases = [Case {
        case: number,
        incident: &record.get().incident,
    }];
    Ok(download(vigie_exchange::render(
        format,
        &cases,
        &number.to_string(),
        &options,
    )))
}

/// Query of a selection's export: the queue's filters and the format.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SelectionQuery {
    format: String,
    #[serde(flatten)]
    queue: QueueQuery,
}

/// `GET /traitement/export?format=…&<queue filters>`: the queue's selection, closed cases
/// included when asked, as one document (CERT staff).
pub async fn selection(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<SelectionQuery>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    // STIX when no format is named; an unknown one is refused.
    let format = match q.format.as_str() {
        "" => Format::Stix,
        code => Format::parse(code).ok_or(WebError::BadRequest("format"))?,
    };
    let filter = q.queue.filter(&who, app.now());
    let lines = app.store.queue(&filter, SELECTION_LIMIT, 0).await?;
    let mut records = Vec::with_capacity(lines.len());
    for line in &lines {
        if let Some(record) = app.store.case(line.case).await? {
            let facts = record.facts.clone();
            if let Ok(visible) = reveal(&who.user.viewer, &facts, IncidentAction::Handle, record) {
                records.push(visible);
            }
        }
    }
    journal_export(&app, &who, "selection".into(), format, records.len()).await?;
    let options = Options::new(app.settings.cert_name.clone(), app.now());
    let cases: Vec<Case<'_>> = records
        .iter()
        .map(|r| Case {
            case: r.get().case,
            incident: &r.get().incident,
        })
        .collect();
    Ok(download(vigie_exchange::render(
        format,
        &cases,
        "vigie-selection",
        &options,
    )))
}
