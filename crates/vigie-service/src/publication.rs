//! Publishing a year of the observatory: every public file rendered once, then frozen.
//!
//! The files are rendered from the rows at the moment of publication (figures suppressed
//! at the threshold, the yearly report in HTML and PDF) and stored by
//! `vigie_publication::publish`; the public pages then serve those bytes only.

use jiff::{Timestamp, civil::Date};
use vigie_observatory::COUNTED_FIGURES;
use vigie_publication::{File, PublicationError, PublishedYear, Request};
use vigie_store::{Actor, Store};

use crate::observatory::{ObservatoryError, report_parts};

/// The list of published figures (number and title), for the year's page.
pub const FIGURES: &str = "figures.json";
/// The public observatory of the year, every figure.
pub const OBSERVATORY: &str = "observatoire.json";
/// The yearly report as one HTML document.
pub const REPORT_HTML: &str = "rapport.html";
/// The yearly report as an A4 PDF.
pub const REPORT_PDF: &str = "rapport.pdf";

/// The name of a figure's file in `extension` (`csv`, `json`, `svg`, or `table.html`).
pub fn figure_file(number: u8, extension: &str) -> String {
    format!("figure-{number}.{extension}")
}

/// Why a year could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Refused, or the database failed.
    #[error(transparent)]
    Publication(#[from] PublicationError),
    /// The figures could not be counted.
    #[error(transparent)]
    Observatory(#[from] ObservatoryError),
    /// The PDF report could not be typeset.
    #[error("the PDF report could not be typeset: {0}")]
    Typeset(String),
}

/// Every public file of `year` at `threshold`, rendered from the rows now.
pub async fn render(
    store: &Store,
    year: i16,
    threshold: u32,
    publisher: &str,
) -> Result<Vec<File>, PublishError> {
    let parts = report_parts(store, year, threshold).await?;
    let mut files = vec![File {
        name: OBSERVATORY.into(),
        content_type: "application/json",
        body: json(&parts.observatory),
    }];
    let mut listed = Vec::new();
    for figure in COUNTED_FIGURES
        .iter()
        .filter_map(|n| parts.observatory.figure(*n))
    {
        let n = figure.number;
        listed.push(serde_json::json!({ "figure": n, "title": figure.title }));
        files.extend([
            File {
                name: figure_file(n, "csv"),
                content_type: "text/csv; charset=utf-8",
                body: figure.to_csv().into_bytes(),
            },
            File {
                name: figure_file(n, "json"),
                content_type: "application/json",
                body: json(figure),
            },
            File {
                name: figure_file(n, "svg"),
                content_type: "image/svg+xml",
                body: vigie_chart::svg(figure).into_bytes(),
            },
            File {
                name: figure_file(n, "table.html"),
                content_type: "text/html; charset=utf-8",
                body: vigie_chart::table(figure).into_bytes(),
            },
        ]);
    }
    files.push(File {
        name: FIGURES.into(),
        content_type: "application/json",
        body: json(&listed),
    });
    files.push(File {
        name: REPORT_HTML.into(),
        content_type: "text/html; charset=utf-8",
        body: vigie_chart::report::html(&parts.report(publisher)).into_bytes(),
    });
    let publisher = publisher.to_owned();
    let pdf = tokio::task::spawn_blocking(move || {
        vigie_pdf::typeset(&vigie_pdf::document(&parts.report(&publisher)))
    })
    .await
    .map_err(|e| PublishError::Typeset(e.to_string()))?
    .map_err(|e| PublishError::Typeset(e.to_string()))?;
    files.push(File {
        name: REPORT_PDF.into(),
        content_type: "application/pdf",
        body: pdf.pdf,
    });
    Ok(files)
}

/// Publishes `request`'s year: checks it first (nothing is rendered for a refusal), renders
/// every public file, and stores them frozen with the journal entry. `today` is the date
/// in Paris.
pub async fn publish(
    store: &Store,
    request: Request,
    publisher: &str,
    by: &Actor,
    now: Timestamp,
    today: Date,
) -> Result<PublishedYear, PublishError> {
    let edition = vigie_publication::year(store, request.year)
        .await
        .map_err(PublicationError::from)?
        .map(|y| y.edition);
    request
        .check(today, edition)
        .map_err(PublicationError::from)?;
    let files = render(store, request.year, request.threshold, publisher).await?;
    Ok(vigie_publication::publish(store, request, files, by, now, today).await?)
}

/// A value as indented JSON (the types published always serialize).
fn json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}
