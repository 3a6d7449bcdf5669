//! The observatory as the pages and the command line read it: the stored rows and
//! reference data turned into figures.

use vigie_observatory::{Filter, Observatory, Reference, Share, compute};
use vigie_store::{Store, StoreError};

/// Why the observatory could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ObservatoryError {
    /// A stored activity share is not a usable share.
    #[error("the stored activity share of region {region} is not usable: {share}")]
    BadShare {
        /// The region.
        region: vigie_model::Region,
        /// The value stored.
        share: f64,
    },
    /// The stored activity shares do not make a reference.
    #[error("the stored activity shares are incomplete: {0}")]
    Reference(#[from] vigie_observatory::ReferenceError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The activity shares stored, as the observatory's reference data (none stored: none).
pub async fn reference(store: &Store) -> Result<Reference, ObservatoryError> {
    let stored = store.activity_shares().await?;
    if stored.is_empty() {
        return Ok(Reference::none());
    }
    let mut shares = Vec::with_capacity(stored.len());
    for (region, share) in stored {
        let value = Share::from_f64(share).ok_or(ObservatoryError::BadShare { region, share })?;
        shares.push((region, value));
    }
    Ok(Reference::from_shares(shares)?)
}

/// Every counted figure of `year` over the stored incidents the filter admits.
pub async fn compute_year(
    store: &Store,
    year: i16,
    filter: &Filter,
) -> Result<Observatory, ObservatoryError> {
    let rows = store.observatory_rows().await?;
    let reference = reference(store).await?;
    Ok(compute(&rows, year, &reference, filter))
}

/// A published year as the public reads it: every figure, national, with the small counts
/// that could point to a structure suppressed at `threshold`.
pub async fn public_year(
    store: &Store,
    year: i16,
    threshold: u32,
) -> Result<vigie_observatory::PublicObservatory, ObservatoryError> {
    let filter = Filter::default();
    let observatory = compute_year(store, year, &filter).await?;
    Ok(vigie_observatory::Disclosure { threshold }.apply(&observatory, &filter))
}

/// Everything a year's public report is made of: its figures with small counts
/// suppressed, its notable events, and what analysts wrote.
#[derive(Debug, Clone)]
pub struct ReportParts {
    /// The figures, national, suppressed at the threshold.
    pub observatory: vigie_observatory::PublicObservatory,
    /// The shared events with declarations that year.
    pub events: Vec<vigie_chart::report::NotableEvent>,
    /// The analysts' texts and the threat timeline.
    pub editorial: vigie_observatory::Editorial,
    /// The small-cell threshold applied.
    pub threshold: u32,
}

impl ReportParts {
    /// The report, as the renderers take it.
    pub fn report<'a>(&'a self, publisher: &'a str) -> vigie_chart::report::Report<'a> {
        vigie_chart::report::Report {
            observatory: &self.observatory,
            events: &self.events,
            editorial: &self.editorial,
            publisher,
            threshold: self.threshold,
        }
    }
}

/// Gathers a year's report at a small-cell `threshold`.
pub async fn report_parts(
    store: &Store,
    year: i16,
    threshold: u32,
) -> Result<ReportParts, ObservatoryError> {
    let observatory = public_year(store, year, threshold).await?;
    let events = store
        .notable_events(i32::from(year))
        .await?
        .into_iter()
        .map(|e| vigie_chart::report::NotableEvent {
            name: e.name,
            description: e.description,
            declarations: e.cases,
            first_declared: e.first_declared.map(|at| {
                vigie_workflow::calendar::french_date(
                    vigie_workflow::calendar::paris_time(at).date(),
                )
            }),
        })
        .collect();
    let editorial = store.editorial(year).await?;
    Ok(ReportParts {
        observatory,
        events,
        editorial,
        threshold,
    })
}
