//! The observatory's dashboards for the CERT and the authorities: every counted figure of
//! a year as a chart with its data table, this year beside the previous one, with filters
//! that recompute the figures (months of the year included). The figures come from the
//! server's snapshot of the observatory: a request sums cells, it never reads the rows.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use vigie_model::calendar::MONTHS_FR;
use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};
use vigie_observatory::{COUNTED_FIGURES, Disclosure, Filter, Period, PublicObservatory};

use crate::{
    App, WebError,
    layout::Layout,
    pages::choice::{Choice, choices, pick},
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
    /// First month of the period (1–12).
    du: String,
    /// Last month of the period (1–12).
    au: String,
}

/// One figure as shown: its chart and its table, both already escaped.
pub struct ShownFigure {
    number: u8,
    title: String,
    note: Option<&'static str>,
    svg: String,
    table: String,
}

/// What is wrong with the period chosen, beside the select it concerns.
struct PeriodErrors {
    from: Option<String>,
    to: Option<String>,
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
    from_months: Vec<Choice>,
    to_months: Vec<Choice>,
    errors: PeriodErrors,
    filtered: bool,
    period: Option<String>,
    figures: Vec<ShownFigure>,
    /// The disclosure threshold applied (authorities), `None` for every count (CERT staff).
    threshold: Option<u32>,
}

/// A month sent by the form: `default` when none was chosen.
fn month(text: &str, default: u8) -> Result<u8, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default);
    }
    text.parse::<u8>()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| "Choisissez un mois de janvier à décembre.".to_owned())
}

/// The French name of a month (1–12).
fn month_name(month: u8) -> &'static str {
    MONTHS_FR[usize::from(month.clamp(1, 12)) - 1]
}

/// The period the form asks for, or what is wrong with it, field by field.
fn period(q: &DashboardQuery) -> Result<Period, PeriodErrors> {
    match (month(&q.du, 1), month(&q.au, 12)) {
        (Ok(from), Ok(to)) => Period::new(from, to).map_err(|_| PeriodErrors {
            from: None,
            to: Some(format!(
                "Le mois de fin ({}) précède le mois de début ({}) : choisissez un mois de fin égal ou postérieur.",
                month_name(to),
                month_name(from)
            )),
        }),
        (from, to) => Err(PeriodErrors {
            from: from.err(),
            to: to.err(),
        }),
    }
}

/// The twelve months as choices, `chosen` selected (the form's value, if a month).
fn months(chosen: &str, default: u8) -> Vec<Choice> {
    let chosen = month(chosen, default).unwrap_or(default);
    (1..=12u8)
        .map(|m| Choice {
            value: m.to_string(),
            label: month_name(m).to_owned(),
            selected: m == chosen,
        })
        .collect()
}

/// `GET /observatoire`: every counted figure of a year, filtered.
pub async fn dashboard(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    super::require(&who, super::OBSERVERS)?;
    let this_year = vigie_model::calendar::paris_time(app.now()).year();
    let snapshot = app.observatory.current(&app.store).await?;
    // Without a year asked for, the last year that holds declarations (not an empty
    // current year in January, nor a demo's last year).
    let latest = snapshot
        .cube()
        .years()
        .map_or(this_year, |(_, last)| last.min(this_year));
    let year = q
        .annee
        .parse::<i16>()
        .ok()
        .filter(|y| (2000..=this_year).contains(y))
        .unwrap_or(latest);
    // Authorities read the national picture, not the cases of other authorities: their
    // dashboards go through the same disclosure as open data, so a cell of one structure
    // (one ransomware in a region and a kind) never shows. CERT staff see every count.
    let disclosure = (who.role() == vigie_access::Role::Authority).then(Disclosure::default);
    let period = period(&q);
    let filter = Filter {
        region: Region::parse(&q.region).ok(),
        kind: StructureType::parse(&q.structure).ok(),
        legal_status: LegalStatus::parse(&q.statut).ok(),
        origin: Origin::parse(&q.origine).ok(),
        period: *period.as_ref().unwrap_or(&Period::YEAR),
    };
    let figures = match &period {
        Ok(_) => {
            let observatory = snapshot.compute(year, &filter);
            let public = match &disclosure {
                Some(disclosure) => disclosure.apply(&observatory, &filter),
                None => PublicObservatory::unrestricted(&observatory),
            };
            COUNTED_FIGURES
                .iter()
                .filter_map(|n| public.figure(*n))
                .map(|f| ShownFigure {
                    number: f.number,
                    title: f.title.to_owned(),
                    note: f.note,
                    svg: vigie_chart::svg(f),
                    table: vigie_chart::table(f),
                })
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let years = (2020..=this_year)
        .rev()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: y == year,
        })
        .collect();
    let invalid = period.is_err();
    let mut response = super::render(&DashboardPage {
        layout: Layout::signed_in("Observatoire", "observatory", &who),
        year,
        years,
        regions: pick(choices::<Region>(&[q.region.as_str()]), "Toutes"),
        kinds: pick(choices::<StructureType>(&[q.structure.as_str()]), "Tous"),
        statuses: pick(choices::<LegalStatus>(&[q.statut.as_str()]), "Tous"),
        origins: pick(choices::<Origin>(&[q.origine.as_str()]), "Toutes"),
        from_months: months(&q.du, 1),
        to_months: months(&q.au, 12),
        filtered: filter != Filter::default(),
        period: match &period {
            Ok(p) if !p.is_whole_year() => Some(if p.from() == p.to() {
                format!("en {}", month_name(p.from()))
            } else {
                format!("de {} à {}", month_name(p.from()), month_name(p.to()))
            }),
            _ => None,
        },
        errors: period.err().unwrap_or(PeriodErrors {
            from: None,
            to: None,
        }),
        figures,
        threshold: disclosure.map(|d| d.threshold),
    })?;
    if invalid {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}
