//! The observatory's dashboards for the CERT and the authorities: every counted figure of
//! a year as a chart with its data table, this year beside the previous one, with filters
//! that recompute the figures.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;
use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};
use vigie_observatory::{COUNTED_FIGURES, Filter, PublicObservatory};

use crate::{
    App, WebError,
    layout::Layout,
    pages::handling::{Choice, choices, pick},
    session::SignedIn,
};

/// What the filter form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashboardQuery {
    annee: String,
    region: String,
    structure: String,
    statut: String,
    origine: String,
}

/// One figure as shown: its chart and its table, both already escaped.
pub struct ShownFigure {
    number: u8,
    title: String,
    note: Option<&'static str>,
    svg: String,
    table: String,
}

#[derive(Template)]
#[template(path = "observatory.html")]
struct DashboardPage {
    layout: Layout,
    year: i16,
    years: Vec<Choice>,
    regions: Vec<Choice>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    origins: Vec<Choice>,
    filtered: bool,
    figures: Vec<ShownFigure>,
}

/// `GET /observatoire`: every counted figure of a year, filtered.
pub async fn dashboard(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    super::require(&who, super::OBSERVERS)?;
    let this_year = vigie_workflow::calendar::paris_time(app.now()).year();
    let year = q
        .annee
        .parse::<i16>()
        .ok()
        .filter(|y| (2000..=this_year).contains(y))
        .unwrap_or(this_year);
    let filter = Filter {
        region: Region::parse(&q.region).ok(),
        kind: StructureType::parse(&q.structure).ok(),
        legal_status: LegalStatus::parse(&q.statut).ok(),
        origin: Origin::parse(&q.origine).ok(),
        period: vigie_observatory::Period::YEAR,
    };
    let observatory = vigie_service::observatory::compute_year(&app.store, year, &filter).await?;
    // Internal dashboards show every count; public outputs go through `Disclosure`.
    let public = PublicObservatory::unrestricted(&observatory);
    let figures = COUNTED_FIGURES
        .iter()
        .filter_map(|n| public.figure(*n))
        .map(|f| ShownFigure {
            number: f.number,
            title: f.title.to_owned(),
            note: f.note,
            svg: vigie_chart::svg(f),
            table: vigie_chart::table(f),
        })
        .collect();
    let years = (2020..=this_year)
        .rev()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: y == year,
        })
        .collect();
    super::render(&DashboardPage {
        layout: Layout::signed_in("Observatoire", "observatory", &who),
        year,
        years,
        regions: pick(choices::<Region>(&[q.region.as_str()]), "Toutes"),
        kinds: pick(choices::<StructureType>(&[q.structure.as_str()]), "Tous"),
        statuses: pick(choices::<LegalStatus>(&[q.statut.as_str()]), "Tous"),
        origins: pick(choices::<Origin>(&[q.origine.as_str()]), "Toutes"),
        filtered: filter != Filter::default(),
        figures,
    })
}
