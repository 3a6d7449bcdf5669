//! The observatory's charts and data tables, drawn on the server as SVG and HTML.
//!
//! **Invariant:** pure and deterministic: a [`PublicFigure`] in, text out, the same bytes
//! for the same figure (snapshot-testable), no script, no external font or image. One
//! chart serves the web page, the HTML report and the PDF.
//!
//! Every chart is an `<svg role="img">` labelled by its `<title>` and `<desc>` (French),
//! with every number written as text, and this year beside the year before: a solid dark
//! blue bar for the year, a hatched grey one for the year before, named in a legend, so
//! colour is never the only cue. Its ids start with `figure-N-`, one chart per figure on
//! a page. Every label is escaped. A suppressed value (see
//! [`vigie_observatory::Disclosure`]) draws no bar and is written `< 5` or `n.d.`.
//!
//! The [`Kind`] of chart follows the figure: columns by month with the monthly mean
//! (figure 3), columns by slot or quarter (4, 16, 21), a series over years (15, 20), a
//! tile map of the regions with the overseas ones apart (6), horizontal bars otherwise.
//! [`table`] gives the same figure as an accessible HTML table with the year-over-year
//! change of each row.

mod bars;
mod columns;
mod format;
mod frame;
mod map;
pub mod prose;
pub mod report;
mod table;

pub use format::{escape, number, percent, signed};
pub use table::table;
use vigie_observatory::{Cell, PublicFigure};

/// The shape of a figure's chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Horizontal bars, two per row (year and year before).
    Bars,
    /// Vertical columns by month, two per month, with the monthly mean of the year.
    Months,
    /// Vertical columns, two per row (slots, quarters).
    Columns,
    /// One column per year (figures 15 and 20).
    Series,
    /// A tile map of the regions, overseas apart (figure 6).
    Map,
}

/// The chart a figure is drawn as.
pub fn kind(number: u8) -> Kind {
    match number {
        3 => Kind::Months,
        4 | 16 | 21 => Kind::Columns,
        15 | 20 => Kind::Series,
        6 => Kind::Map,
        _ => Kind::Bars,
    }
}

/// The figure as an SVG chart of its [`kind`].
pub fn svg(figure: &PublicFigure) -> String {
    match kind(figure.number) {
        Kind::Bars => bars::bars(figure),
        Kind::Months => columns::columns(figure, true),
        Kind::Columns => columns::columns(figure, false),
        Kind::Series => columns::series(figure),
        Kind::Map => map::map(figure),
    }
}

/// A cell as charts and tables write it: the number the French way, or `< 5` / `n.d.`
/// when suppressed.
pub fn cell_text(cell: Cell) -> String {
    frame::text(cell)
}

/// A figure's caption without its number: its title and years, as its chart and table
/// title it after `Figure N – `.
pub fn caption(figure: &PublicFigure) -> String {
    frame::caption(figure)
}

/// The figure's note and what its suppressed values mean, in French sentences; empty
/// when there is neither.
pub fn notes(figure: &PublicFigure) -> String {
    let mut notes = String::new();
    frame::suppressions(&mut notes, figure);
    notes.trim().to_owned()
}
