//! The observatory's dashboards for the CERT and the authorities: every counted figure of
//! a year as a chart with its data table, this year beside the previous one, with filters
//! that recompute the figures.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;
use vigie_access::Role;
use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};
use vigie_observatory::{COUNTED_FIGURES, Filter, PublicObservatory};

use crate::{App, WebError, layout::Layout, pages::handling::Choice, session::SignedIn};

/// Who may read the dashboards: the CERT and the national authorities.
fn observers_only(who: &SignedIn) -> Result<(), WebError> {
    if matches!(who.role(), Role::Analyst | Role::Oncall | Role::Authority) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

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

fn choices<T: Code>(chosen: &str, none: &str) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: none.to_owned(),
        selected: chosen.is_empty(),
    })
    .chain(T::ALL.iter().map(|v| Choice {
        value: v.code().to_owned(),
        label: v.label().to_owned(),
        selected: v.code() == chosen,
    }))
    .collect()
}

/// `GET /observatoire`: every counted figure of a year, filtered.
pub async fn dashboard(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    observers_only(&who)?;
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
    };
    let observatory = vigie_service::observatory::compute_year(&app.store, year, &filter)
        .await
        .map_err(|e| match e {
            vigie_service::observatory::ObservatoryError::Store(e) => WebError::Store(e),
            other => WebError::Observatory(other.to_string()),
        })?;
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
        regions: choices::<Region>(&q.region, "Toutes"),
        kinds: choices::<StructureType>(&q.structure, "Tous"),
        statuses: choices::<LegalStatus>(&q.statut, "Tous"),
        origins: choices::<Origin>(&q.origine, "Toutes"),
        filtered: filter != Filter::default(),
        figures,
    })
}
