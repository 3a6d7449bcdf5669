//! The figures of the report: numbered tables of keyed counts, as CSV or JSON.

use std::fmt::Write as _;

use serde::Serialize;

/// The counted figures of the yearly report, for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observatory {
    /// The year counted; `previous` columns are for the year before.
    pub year: i16,
    /// Every counted figure (1, 3–16, 18–21), in order.
    pub figures: Vec<Figure>,
}

/// One figure: rows of keyed counts for the year and the year before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// The figure's number in the report.
    #[serde(rename = "figure")]
    pub number: u8,
    /// The year counted.
    pub year: i16,
    /// The French title.
    pub title: &'static str,
    /// Why the figure holds no real values (figure 7 without reference data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
    /// The rows, in the contract's key order.
    pub rows: Vec<FigureRow>,
}

/// One row of a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureRow {
    /// The stable key of the contract (a code, a month `01`, a year `2024`…).
    pub key: String,
    /// The French label shown to people.
    pub label: String,
    /// The value for the year.
    pub count: i64,
    /// The value for the year before (0 where none).
    pub previous: i64,
}

/// Why a figure cannot be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FigureError {
    /// Figures 2 and 17 are curated lists, not counts.
    #[error(
        "figure {0} is a curated list, not a count: it comes from the events and advisories recorded in the system"
    )]
    Curated(u8),
    /// No such figure in the report.
    #[error("there is no figure {0}: the counted figures are 1, 3 to 16 and 18 to 21")]
    Unknown(u8),
    /// Figure 7 needs the activity shares as reference data.
    #[error(
        "figure 7 needs each region's share of national hospital activity, loaded as reference data (a `region,share` CSV)"
    )]
    MissingReference,
}

/// The note of figure 7 when no activity shares are loaded.
pub(crate) const MISSING_REFERENCE: &str =
    "Données de référence manquantes : parts régionales de l'activité hospitalière";

impl Observatory {
    /// The figure numbered `number`; figure 7 is refused when its reference data is missing.
    pub fn figure(&self, number: u8) -> Result<&Figure, FigureError> {
        match number {
            2 | 17 => return Err(FigureError::Curated(number)),
            7 if !self.has_reference() => return Err(FigureError::MissingReference),
            _ => {}
        }
        self.figures
            .iter()
            .find(|f| f.number == number)
            .ok_or(FigureError::Unknown(number))
    }

    /// Whether figure 7 could be computed (activity shares were loaded).
    pub fn has_reference(&self) -> bool {
        self.figures
            .iter()
            .any(|f| f.number == 7 && f.note.is_none())
    }
}

impl Figure {
    /// The figure as CSV: `key,count,previous`, then one line per row.
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("key,count,previous\n");
        for row in &self.rows {
            // Writing to a String cannot fail.
            let _ = writeln!(csv, "{},{},{}", row.key, row.count, row.previous);
        }
        csv
    }

    /// The row with this key, if any.
    pub fn row(&self, key: &str) -> Option<&FigureRow> {
        self.rows.iter().find(|r| r.key == key)
    }
}
