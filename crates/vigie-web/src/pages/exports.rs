//! Exports for other CERTs and the authorities (MISP, STIX 2.1, VERIS) of one case or of
//! the queue's selection, journaled; and the mapping of Vigie's categories to ENISA's
//! taxonomy and to VERIS.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use vigie_access::{IncidentAction, reveal};
use vigie_exchange::{Case, Format, Options};
use vigie_journal::{Action, Actor, NewEntry, Payload};
use vigie_model::{Code, taxonomy};

use crate::{App, WebError, layout::Layout, pages::handling::QueueQuery, session::SignedIn};

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
    let record = super::handling::handled_case(&app, &who, &case).await?;
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

/// One line of the mapping table.
pub struct MappingLine {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) origin: &'static str,
    pub(crate) rsit: Vec<String>,
    pub(crate) root_cause: String,
    pub(crate) veris: String,
}

#[derive(Template)]
#[template(path = "taxonomy.html")]
struct TaxonomyPage {
    layout: Layout,
    lines: Vec<MappingLine>,
}

/// The mapping of every category, as the page shows it.
pub fn mapping_lines() -> Vec<MappingLine> {
    taxonomy::mappings()
        .map(|m| MappingLine {
            code: m.category.code(),
            label: m.category.label(),
            origin: m.category.origin().label(),
            rsit: m
                .rsit
                .iter()
                .map(|t| format!("{} / {} ({})", t.class().name(), t.name(), t.machine_tag()))
                .collect(),
            root_cause: m
                .root_cause
                .map(|r| r.name().to_owned())
                .unwrap_or_else(|| "—".into()),
            veris: format!(
                "{}.{}{}",
                m.veris_action.kind.code(),
                m.veris_action.variety,
                m.veris_attributes
                    .iter()
                    .map(|a| format!(" ; {} = {}", a.path(), a.value()))
                    .collect::<String>()
            ),
        })
        .collect()
}

/// `GET /taxonomie`: how Vigie's categories read in ENISA's taxonomy and in VERIS.
pub async fn taxonomy_page(who: Option<SignedIn>) -> Result<Response, WebError> {
    let layout = match &who {
        Some(who) => Layout::signed_in("Correspondance des catégories", "", who),
        None => Layout::anonymous("Correspondance des catégories"),
    };
    super::render(&TaxonomyPage {
        layout,
        lines: mapping_lines(),
    })
}

/// `GET /taxonomie.csv`: the same mapping, one row per Vigie code and entry.
pub async fn taxonomy_csv() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vigie-taxonomie.csv\"",
            ),
        ],
        vigie_exchange::taxonomy::csv(),
    )
        .into_response()
}
