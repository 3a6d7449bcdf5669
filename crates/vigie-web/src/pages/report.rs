//! The yearly report as the CERT writes it: a text per section and the threat timeline
//! (figure 17), a draft to read before publication; and, once a year is published, the
//! report itself for everyone, as one HTML document.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use vigie_model::Code;
use vigie_observatory::{ReportSection, Threat, ThreatKind};
use vigie_store::SavedText;

use crate::{
    App, WebError,
    layout::Layout,
    pages::choice::{Choice, choices},
    session::{Protected, SignedIn},
};

/// The small-cell threshold of a draft whose year is not published yet.
const DRAFT_THRESHOLD: u32 = 5;

/// A section of the editor.
pub struct SectionEditor {
    code: &'static str,
    title: &'static str,
    figures: String,
    version: i64,
    meta: String,
    body: String,
    error: Option<String>,
    current: Option<String>,
}

/// A threat as listed.
pub struct ThreatLine {
    id: i64,
    date: String,
    kind: &'static str,
    name: String,
    reference: String,
    summary: String,
}

/// The threat form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ThreatForm {
    identified_on: String,
    kind: String,
    name: String,
    reference: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "report_editor.html")]
struct EditorPage {
    layout: Layout,
    csrf: String,
    year: i16,
    published: bool,
    sections: Vec<SectionEditor>,
    threats: Vec<ThreatLine>,
    threat: ThreatForm,
    kinds: Vec<Choice>,
    threat_errors: Vec<(&'static str, &'static str)>,
    saved: Option<&'static str>,
}

impl EditorPage {
    fn threat_error(&self, field: &str) -> Option<&'static str> {
        self.threat_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| *e)
    }
}

/// What the page shows besides the stored state.
#[derive(Default)]
struct Outcome {
    /// A section's text kept as typed, with its error and the version now stored.
    section: Option<(ReportSection, String, String, i64, Option<String>)>,
    threat: ThreatForm,
    threat_errors: Vec<(&'static str, &'static str)>,
    saved: Option<&'static str>,
    status: Option<StatusCode>,
}

/// Parses a year of the path; anything else is not a page.
fn year_of(path: &str) -> Result<i16, WebError> {
    path.parse::<i16>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or(WebError::NotFound)
}

async fn editor_page(
    app: &App,
    who: &SignedIn,
    year: i16,
    outcome: Outcome,
) -> Result<Response, WebError> {
    let texts = app.store.report_texts(year).await?;
    let threats = app.store.threats(year).await?;
    let published = vigie_publication::year(&app.store, year).await?.is_some();
    let sections = ReportSection::ALL
        .iter()
        .map(|&section| {
            let stored = texts.iter().find(|t| t.section == section);
            let meta = stored.map_or_else(
                || "Pas encore de texte.".to_owned(),
                |t| {
                    format!(
                        "Version {}, enregistrée le {} par {}.",
                        t.version,
                        vigie_model::calendar::french_date_time(t.written_at),
                        t.written_by.as_deref().unwrap_or("le système")
                    )
                },
            );
            let stored_body = stored.map(|t| t.body.clone()).unwrap_or_else(|| {
                if section == ReportSection::Recommendations {
                    vigie_chart::report::default_recommendations()
                } else {
                    String::new()
                }
            });
            let figures = match section.figures() {
                [] => String::new(),
                [one] => format!("figure {one}"),
                [first, .., last] => format!("figures {first} à {last}"),
            };
            let mut editor = SectionEditor {
                code: section.code(),
                title: section.label(),
                figures,
                version: stored.map_or(0, |t| t.version),
                meta,
                body: stored_body,
                error: None,
                current: None,
            };
            if let Some((s, typed, error, version, current)) = &outcome.section
                && *s == section
            {
                editor.body = typed.clone();
                editor.error = Some(error.clone());
                editor.version = *version;
                editor.current = current.clone();
            }
            editor
        })
        .collect();
    let threats = threats
        .into_iter()
        .map(|t| ThreatLine {
            id: t.id,
            date: vigie_model::calendar::french_date(t.threat.identified_on),
            kind: t.threat.kind.label(),
            name: t.threat.name,
            reference: t.threat.reference.unwrap_or_default(),
            summary: t.threat.summary,
        })
        .collect();
    let kinds = choices::<ThreatKind>(&[outcome.threat.kind.as_str()]);
    let mut response = super::render(&EditorPage {
        layout: Layout::signed_in(&format!("Rapport annuel {year}"), "observatory", who),
        csrf: who.csrf.clone(),
        year,
        published,
        sections,
        threats,
        threat: outcome.threat,
        kinds,
        threat_errors: outcome.threat_errors,
        saved: outcome.saved,
    })?;
    if let Some(status) = outcome.status {
        *response.status_mut() = status;
    }
    Ok(response)
}

/// What the editor's address says of the last change.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditorQuery {
    enregistre: Option<String>,
}

/// `GET /observatoire/rapport/{year}`: the editor of a year's report.
pub async fn editor(
    State(app): State<App>,
    who: SignedIn,
    Path(year): Path<String>,
    Query(query): Query<EditorQuery>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let year = year_of(&year)?;
    let saved = match query.enregistre.as_deref() {
        Some("menace") => Some("La menace est ajoutée à la chronologie."),
        Some("suppression") => Some("La menace est retirée de la chronologie."),
        Some(code) if ReportSection::parse(code).is_ok() => Some("Le texte est enregistré."),
        _ => None,
    };
    editor_page(
        &app,
        &who,
        year,
        Outcome {
            saved,
            ..Outcome::default()
        },
    )
    .await
}

/// What a section's form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TextForm {
    section: String,
    version: Option<String>,
    body: String,
}

/// Longest text of a section.
const MAX_TEXT: usize = 20_000;

/// `POST /observatoire/rapport/{year}/textes`: saves a section's text over the version
/// its writer read; if someone saved since, nothing is saved and both texts are shown.
pub async fn save_text(
    State(app): State<App>,
    Path(year): Path<String>,
    Protected { who, form }: Protected<TextForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let year = year_of(&year)?;
    let section = ReportSection::parse(&form.section).ok();
    let version = form.version.as_deref().and_then(|v| v.parse::<i64>().ok());
    let (Some(section), Some(version)) = (section, version.filter(|v| *v >= 0)) else {
        return editor_page(
            &app,
            &who,
            year,
            Outcome {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            },
        )
        .await;
    };
    let body = form.body.replace("\r\n", "\n");
    if body.chars().count() > MAX_TEXT {
        return editor_page(
            &app,
            &who,
            year,
            Outcome {
                section: Some((
                    section,
                    body,
                    format!("Le texte dépasse {MAX_TEXT} caractères : raccourcissez-le."),
                    version,
                    None,
                )),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            },
        )
        .await;
    }
    match app
        .store
        .save_report_text(year, section, &body, version, Some(who.user.id), app.now())
        .await?
    {
        SavedText::Saved(_) => Ok(super::see_other(&format!(
            "/observatoire/rapport/{year}?enregistre={}#section-{}",
            section.code(),
            section.code()
        ))),
        SavedText::Conflict { current } => {
            let stored = app
                .store
                .report_texts(year)
                .await?
                .into_iter()
                .find(|t| t.section == section)
                .map(|t| t.body);
            editor_page(
                &app,
                &who,
                year,
                Outcome {
                    section: Some((
                        section,
                        body,
                        format!(
                            "Quelqu'un a enregistré ce texte entre-temps (version {current}) : rien n'a été écrasé. \
                             Votre texte est conservé ci-dessous ; reportez-y ce qui manque de la version actuelle, \
                             puis enregistrez à nouveau."
                        ),
                        current,
                        stored,
                    )),
                    status: Some(StatusCode::CONFLICT),
                    ..Outcome::default()
                },
            )
            .await
        }
    }
}

/// Checks the threat form of `year`, naming each field in error.
fn parse_threat(year: i16, form: &ThreatForm) -> Result<Threat, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let date = form.identified_on.trim().parse::<jiff::civil::Date>().ok();
    match date {
        None => errors.push(("identified_on", "Indiquez la date au format AAAA-MM-JJ.")),
        Some(d) if d.year() != year => {
            errors.push((
                "identified_on",
                "La date doit tomber dans l'année du rapport.",
            ));
        }
        Some(_) => {}
    }
    let kind = ThreatKind::parse(&form.kind).ok();
    if kind.is_none() {
        errors.push(("kind", "Choisissez le type de menace."));
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(("name", "Nommez la menace (200 caractères au plus)."));
    }
    let reference = form.reference.trim();
    if reference.chars().count() > 100 {
        errors.push(("reference", "La référence fait 100 caractères au plus."));
    }
    let summary = form.summary.trim();
    if summary.is_empty() || summary.chars().count() > 2_000 {
        errors.push(("summary", "Résumez la menace (2 000 caractères au plus)."));
    }
    match (date, kind) {
        (Some(identified_on), Some(kind)) if errors.is_empty() => Ok(Threat {
            identified_on,
            kind,
            name: name.to_owned(),
            reference: (!reference.is_empty()).then(|| reference.to_owned()),
            summary: summary.to_owned(),
        }),
        _ => Err(errors),
    }
}

/// `POST /observatoire/rapport/{year}/menaces`: adds a threat to the timeline.
pub async fn add_threat(
    State(app): State<App>,
    Path(year): Path<String>,
    Protected { who, form }: Protected<ThreatForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let year = year_of(&year)?;
    match parse_threat(year, &form) {
        Ok(threat) => {
            app.store
                .record_threat(&threat, Some(who.user.id), app.now())
                .await?;
            Ok(super::see_other(&format!(
                "/observatoire/rapport/{year}?enregistre=menace#chronologie"
            )))
        }
        Err(errors) => {
            editor_page(
                &app,
                &who,
                year,
                Outcome {
                    threat: form,
                    threat_errors: errors,
                    status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                    ..Outcome::default()
                },
            )
            .await
        }
    }
}

/// What the removal button sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    threat: String,
}

/// `POST /observatoire/rapport/{year}/menaces/suppression`: removes a threat of that year.
pub async fn remove_threat(
    State(app): State<App>,
    Path(year): Path<String>,
    Protected { who, form }: Protected<RemoveForm>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let year = year_of(&year)?;
    if let Ok(id) = form.threat.parse::<i64>()
        && app
            .store
            .remove_threat(year, id, Some(who.user.id), app.now())
            .await?
    {
        return Ok(super::see_other(&format!(
            "/observatoire/rapport/{year}?enregistre=suppression#chronologie"
        )));
    }
    editor_page(
        &app,
        &who,
        year,
        Outcome {
            threat_errors: vec![(
                "remove",
                "Cette menace n'est pas (ou plus) dans la chronologie.",
            )],
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Outcome::default()
        },
    )
    .await
}

/// The report as a standalone HTML answer: its own style allowed by its hash, nothing else.
pub fn document(html: String) -> Response {
    // The hash of the document's own style: a report frozen by an earlier version keeps
    // the style it was published with.
    let style = html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map_or(vigie_chart::report::STYLE, |(style, _)| style);
    let digest = Sha256::digest(style.as_bytes());
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{}'; img-src data:; form-action 'none'; \
         frame-ancestors 'none'; base-uri 'none'",
        data_encoding::BASE64.encode(&digest)
    );
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// A year's report as it would be published now: at its published threshold, or at the
/// default one if it is not published yet.
async fn draft(app: &App, year: &str) -> Result<vigie_service::observatory::ReportParts, WebError> {
    let year = year_of(year)?;
    let threshold = vigie_publication::year(&app.store, year)
        .await?
        .map_or(DRAFT_THRESHOLD, |p| p.threshold);
    let public = app
        .observatory
        .current(&app.store)
        .await?
        .public(year, threshold);
    Ok(vigie_service::observatory::report_parts_of(&app.store, public, threshold).await?)
}

/// `GET /observatoire/rapport/{year}/apercu`: the report as it would be published now.
pub async fn preview(
    State(app): State<App>,
    who: SignedIn,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let parts = draft(&app, &year).await?;
    Ok(document(vigie_chart::report::html(
        &parts.report(&app.settings.cert_name),
    )))
}

/// The report as a PDF answer, typeset off the async threads.
pub async fn pdf(
    app: &App,
    parts: vigie_service::observatory::ReportParts,
) -> Result<Response, WebError> {
    let year = parts.observatory.year;
    let publisher = app.settings.cert_name.clone();
    // One core at most typesets (by default): declarations keep the other.
    let _slot = app.typesetting.enter().await.ok_or(WebError::Busy)?;
    let typeset = tokio::task::spawn_blocking(move || {
        vigie_pdf::typeset(&vigie_pdf::document(&parts.report(&publisher)))
    })
    .await
    .map_err(|e| WebError::Typeset(e.to_string()))?
    .map_err(|e| WebError::Typeset(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"observatoire-{year}.pdf\""),
            ),
        ],
        typeset.pdf,
    )
        .into_response())
}

/// `GET /observatoire/rapport/{year}/apercu.pdf`: the draft as a PDF.
pub async fn preview_pdf(
    State(app): State<App>,
    who: SignedIn,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let parts = draft(&app, &year).await?;
    pdf(&app, parts).await
}
