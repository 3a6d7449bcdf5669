//! The yearly observatory: every counted figure of the report, computed from plain rows.
//!
//! **Invariant:** this crate never reads the database: `&[Row]` in, figures out. One
//! computation feeds CSV, JSON and charts alike.
//!
//! [`compute`] makes one pass over the rows, split into chunks counted in parallel on
//! scoped threads. Each chunk fills fixed-size joint tables of the small fields for the
//! year and the year before (indexed by [`vigie_model::Code::index`], one increment per
//! group of fields and no data-dependent branch), per-year counters for figures 15 and
//! 20, and one packed word per structure (dense `Vec` indexed by [`Row::structure`]) for
//! the distinct-structure counts of figure 1. The partial counts are summed, then turned
//! into [`Figure`]s with the keys, labels and order of `schemas/observatory.md`. Ten
//! million rows take about 0.1 s on two cores.
//!
//! [`Cube`] is the same computation pre-aggregated: built once from the rows (about as
//! long as one pass), it answers any year and filter by summing a few tens of thousands
//! of cells instead of scanning the rows, with exactly the same figures. [`compute`]
//! stays the reference the cube is checked against.
//!
//! Public outputs go through [`Disclosure::apply`], which suppresses the small counts
//! that could point to a structure (see the `disclosure` module for the rule) and gives a
//! [`PublicObservatory`]; [`PublicObservatory::unrestricted`] is for internal pages.
//!
//! Choices the contract leaves open:
//! - every key of a figure is listed, even when its count and previous are both 0;
//! - figures 15 and 20 run from the first year of all the rows (before filtering, so
//!   that filtered views share one axis) to the year, always listing the year itself;
//! - a [`Period`] (months `from` to `to` of the year) counts those months of the year
//!   and of the year before, and those months of every year of figures 15 and 20: each
//!   point of the series then compares with the others, and the last two still equal
//!   the origins of figure 13 for the year and the year before. Months outside the
//!   period are listed in figure 3 with zeros, and quarters count only the period's
//!   months;
//! - figure 7 without reference data is listed with zeros and a [`Figure::note`], and
//!   [`Observatory::figure`] refuses it with [`FigureError::MissingReference`];
//! - `false_positive` of figure 18 counts false positives among incidents that got
//!   technical support; figure 1 counts them all.

mod cube;
mod disclosure;
mod editorial;
mod figure;
mod filter;
mod joint;
mod reference;
mod report;
mod row;
mod tally;

use std::{num::NonZeroUsize, thread};

pub use cube::{Cube, CubeError};
pub use disclosure::{Cell, Delta, Disclosure, PublicFigure, PublicObservatory, PublicRow};
pub use editorial::{Editorial, ReportSection, Threat, ThreatKind};
pub use figure::{Figure, FigureError, FigureRow, Observatory};
pub use filter::{Filter, Period, PeriodError};
pub use reference::{InvalidShare, Reference, ReferenceError, Share};
pub use row::Row;

/// Below this many rows per thread, extra threads cost more than they save.
const MIN_ROWS_PER_THREAD: usize = 1 << 15;

/// The figure numbers [`compute`] produces, in order.
pub const COUNTED_FIGURES: [u8; 19] = [
    1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21,
];

/// Computes every counted figure for `year` (previous = `year - 1`) over the admitted rows.
pub fn compute(rows: &[Row], year: i16, reference: &Reference, filter: &Filter) -> Observatory {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = cores.min(rows.len() / MIN_ROWS_PER_THREAD).max(1);
    let threads = NonZeroUsize::new(threads).unwrap_or(NonZeroUsize::MIN);
    compute_on(rows, year, reference, filter, threads)
}

/// Like [`compute`], on exactly `threads` chunks (fewer if there are fewer rows).
pub fn compute_on(
    rows: &[Row],
    year: i16,
    reference: &Reference,
    filter: &Filter,
    threads: NonZeroUsize,
) -> Observatory {
    let masks = filter::Masks::new(filter);
    let totals = tally::tally(rows, year, masks, threads).totals(year);
    Observatory {
        year,
        figures: report::figures(&totals, year, reference),
    }
}
