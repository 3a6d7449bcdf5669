//! The mapping of Vigie's categories to ENISA's taxonomy and to VERIS, public at `/taxonomie`.

use askama::Template;
use axum::{http::header, response::IntoResponse as _, response::Response};
use vigie_model::{Code, taxonomy};

use crate::{WebError, layout::Layout, session::SignedIn};

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
