//! Open data: every figure of a published year, public, as a chart with its table and as
//! CSV (the contract's `key,count,previous`) and JSON, with small counts that could point
//! to a structure suppressed; and the yearly report, in HTML and PDF. Every byte served
//! here was frozen when the year was published (`vigie publish`): nothing is recounted
//! or typeset for a visitor.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use vigie_publication::PublishedYear;
use vigie_service::publication::{FIGURES, OBSERVATORY, REPORT_HTML, REPORT_PDF, figure_file};

use crate::{App, WebError, layout::Layout, security::ClientIp, session::SignedIn};

/// Spends one of the address's requests for the open data; refused when spent.
fn within_budget(app: &App, ip: std::net::IpAddr) -> Result<(), WebError> {
    if app.public_limiter.allow(ip) {
        Ok(())
    } else {
        Err(WebError::TooMany)
    }
}

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
pub async fn years(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    who: Option<SignedIn>,
) -> Result<Response, WebError> {
    within_budget(&app, ip)?;
    let years = vigie_publication::years(&app.store)
        .await?
        .into_iter()
        .map(|y| YearLine {
            year: y.year,
            threshold: y.threshold,
            at: vigie_model::calendar::french_date_time(y.at),
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
    vigie_publication::year(&app.store, year)
        .await?
        .ok_or(WebError::NotFound)
}

/// A frozen file of a published year, as text; a missing one is not found.
async fn frozen_text(app: &App, year: i16, name: &str) -> Result<String, WebError> {
    let file = vigie_publication::file(&app.store, year, name)
        .await?
        .ok_or(WebError::NotFound)?;
    String::from_utf8(file.body).map_err(|_| WebError::NotFound)
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
    edition: u32,
    at: String,
    figures: Vec<PublishedFigure>,
}

/// One entry of the list of published figures.
#[derive(serde::Deserialize)]
struct Listed {
    figure: u8,
    title: String,
}

/// `GET /donnees/{year}`: a published year, figure by figure, from its frozen files.
pub async fn year(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    who: Option<SignedIn>,
    Path(year): Path<String>,
) -> Result<Response, WebError> {
    within_budget(&app, ip)?;
    let published = published_year(&app, &year).await?;
    let listed: Vec<Listed> =
        serde_json::from_str(&frozen_text(&app, published.year, FIGURES).await?)
            .map_err(|_| WebError::NotFound)?;
    let mut figures = Vec::with_capacity(listed.len());
    for Listed { figure, title } in listed {
        figures.push(PublishedFigure {
            number: figure,
            title,
            svg: frozen_text(&app, published.year, &figure_file(figure, "svg")).await?,
            table: frozen_text(&app, published.year, &figure_file(figure, "table.html")).await?,
        });
    }
    super::render(&YearPage {
        layout: layout(&who, &format!("Observatoire {}", published.year)),
        year: published.year,
        threshold: published.threshold,
        edition: published.edition,
        at: vigie_model::calendar::french_date_time(published.at),
        figures,
    })
}

/// `GET /donnees/{year}/{file}`: `figure-N.csv`, `figure-N.json`, `observatoire.json`,
/// `rapport.html` or `rapport.pdf`, byte for byte as published.
pub async fn file(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path((year, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    within_budget(&app, ip)?;
    let published = published_year(&app, &year).await?;
    let downloadable = file == OBSERVATORY
        || file == REPORT_HTML
        || file == REPORT_PDF
        || file.strip_prefix("figure-").is_some_and(|rest| {
            rest.strip_suffix(".csv")
                .or_else(|| rest.strip_suffix(".json"))
                .is_some_and(|n| n.parse::<u8>().is_ok())
        });
    if !downloadable {
        return Err(WebError::NotFound);
    }
    let stored = vigie_publication::file(&app.store, published.year, &file)
        .await?
        .ok_or(WebError::NotFound)?;
    if file == REPORT_HTML {
        let html = String::from_utf8(stored.body).map_err(|_| WebError::NotFound)?;
        return Ok(super::report::document(html));
    }
    let disposition = if file == REPORT_PDF {
        format!("inline; filename=\"observatoire-{}.pdf\"", published.year)
    } else {
        format!("attachment; filename=\"vigie-{}-{file}\"", published.year)
    };
    Ok((
        [
            (header::CONTENT_TYPE, stored.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::ETAG, format!("\"{}\"", stored.sha256)),
        ],
        stored.body,
    )
        .into_response())
}
