//! Open data: every figure of a published year, public, as a chart with its table and as
//! CSV (the contract's `key,count,previous`) and JSON, with small counts that could point
//! to a structure suppressed; and the yearly report, as one HTML document.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use vigie_observatory::{COUNTED_FIGURES, PublicObservatory};
use vigie_store::PublishedYear;

use crate::{App, WebError, layout::Layout, session::SignedIn};

fn layout(who: &Option<SignedIn>, title: &str) -> Layout {
    match who {
        Some(who) => Layout::signed_in(title, "", who),
        None => Layout::anonymous(title),
    }
}

/// A published year as listed.
pub struct YearLine {
    year: i16,
    threshold: u32,
    at: String,
}

#[derive(Template)]
#[template(path = "open_data.html")]
struct YearsPage {
    layout: Layout,
    years: Vec<YearLine>,
}

/// `GET /donnees`: the published years.
pub async fn years(State(app): State<App>, who: Option<SignedIn>) -> Result<Response, WebError> {
    let years = app
        .store
        .published_years()
        .await?
        .into_iter()
        .map(|y| YearLine {
            year: y.year,
            threshold: y.threshold,
            at: vigie_mail::french_date_time(y.at),
        })
        .collect();
    super::render(&YearsPage {
        layout: layout(&who, "Données ouvertes de l'observatoire"),
        years,
    })
}

/// A published year of the path; any other is not found.
async fn published_year(app: &App, year: &str) -> Result<PublishedYear, WebError> {
    let year: i16 = year.parse().map_err(|_| WebError::NotFound)?;
    app.store
        .published_year(year)
        .await?
        .ok_or(WebError::NotFound)
}

async fn published(app: &App, year: &str) -> Result<(PublishedYear, PublicObservatory), WebError> {
    let published = published_year(app, year).await?;
    let snapshot = app.observatory.current(&app.store).await?;
    let public = snapshot.public(published.year, published.threshold);
    Ok((published, public))
}

/// A published figure as shown.
pub struct PublishedFigure {
    number: u8,
    title: String,
    svg: String,
    table: String,
}

#[derive(Template)]
#[template(path = "open_data_year.html")]
struct YearPage {
    layout: Layout,
    year: i16,
    threshold: u32,
    figures: Vec<PublishedFigure>,
}

/// `GET /donnees/{year}`: a published year, figure by figure.
pub async fn year(
    State(app): State<App>,
    who: Option<SignedIn>,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    let (published, public) = published(&app, &year).await?;
    let figures = COUNTED_FIGURES
        .iter()
        .filter_map(|n| public.figure(*n))
        .map(|f| PublishedFigure {
            number: f.number,
            title: f.title.to_owned(),
            svg: vigie_chart::svg(f),
            table: vigie_chart::table(f),
        })
        .collect();
    super::render(&YearPage {
        layout: layout(&who, &format!("Observatoire {}", published.year)),
        year: published.year,
        threshold: published.threshold,
        figures,
    })
}

/// `GET /donnees/{year}/{file}`: `figure-N.csv`, `figure-N.json` or `observatoire.json`.
pub async fn file(
    State(app): State<App>,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if file == "rapport.html" || file == "rapport.pdf" {
        let (published, public) = published(&app, &year).await?;
        let parts =
            vigie_service::observatory::report_parts_of(&app.store, public, published.threshold)
                .await?;
        return if file == "rapport.pdf" {
            super::report::pdf(&app, parts).await
        } else {
            Ok(super::report::document(vigie_chart::report::html(
                &parts.report(&app.settings.cert_name),
            )))
        };
    }
    let (published, public) = published(&app, &year).await?;
    let name = format!("vigie-{}-{file}", published.year);
    let disposition = format!("attachment; filename=\"{name}\"");
    if file == "observatoire.json" {
        let body = serde_json::to_string_pretty(&public).unwrap_or_default();
        return Ok((
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response());
    }
    let (stem, extension) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let number: u8 = stem
        .strip_prefix("figure-")
        .and_then(|n| n.parse().ok())
        .ok_or(WebError::NotFound)?;
    let figure = public.figure(number).ok_or(WebError::NotFound)?;
    match extension {
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            figure.to_csv(),
        )
            .into_response()),
        "json" => Ok((
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            serde_json::to_string_pretty(figure).unwrap_or_default(),
        )
            .into_response()),
        _ => Err(WebError::NotFound),
    }
}
