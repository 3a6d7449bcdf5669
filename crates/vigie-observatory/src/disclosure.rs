//! Small-cell suppression: what of an [`Observatory`] may be published.
//!
//! Nothing published may point to a structure. A [`Disclosure`] (threshold `t`, 5 by
//! default) turns an [`Observatory`] into a [`PublicObservatory`] whose cells are
//! [`Cell::Value`], [`Cell::Below`] or [`Cell::Withheld`]:
//!
//! 1. **Sensitive cells.** In a national view (no filter on region, structure type or
//!    legal status), the cells that could point to a structure are those by region
//!    (figure 6, overseas regions included), by structure type (figure 8) and by legal
//!    status (figure 9). In a view filtered on any of those, *every* cell is a cross of
//!    region, type or status, so every cell of every figure is sensitive. A period (some
//!    months of the year) narrows every count alike and makes no cell more or less
//!    sensitive: the same thresholds and sums apply to it.
//! 2. **Primary suppression.** A sensitive count `1 ≤ n < t` is published as
//!    [`Cell::Below`] (shown "< 5", `null` in JSON). Zero stays zero.
//! 3. **Complementary suppression.** Published counts are tied by sums: the months of
//!    figure 3, the slots of 4, the states of 5, the regions of 6, the types of 8, the
//!    statuses of 9, the levels of 12 and the origins of 13 each add up to the
//!    declarations of figure 1; the quarters of 16 and 21 to their origin in figure 13;
//!    the origins of figure 1 equal those of 13, and the last two years of figures 15
//!    and 20 equal the origins of 13 for the year and the year before. A sum is only
//!    used when it holds in the data. While some sum lets a suppressed cell be
//!    recomputed — it is the only unknown of the sum, or the bounds the reader knows of
//!    the other unknowns ("< 5" is 1 to 4, "n.d." is at least 1) pin it to one value —
//!    the smallest non-zero published part of that sum (else its total) is withheld
//!    too, as [`Cell::Withheld`] (shown "n.d."). When every member is suppressed
//!    already (say `1 + 1 = 2`, all "< 5"), the total (else the largest part) goes from
//!    "< 5" to "n.d.". This repeats until no sum reveals a suppressed cell. "n.d." says
//!    nothing of the value but that it is not 0; a threshold below 3 protects nothing
//!    ("< 2" is 1).
//! 4. **Figure 7** is an index computed from figure 6's counts: a region's index is
//!    withheld whenever its count in figure 6 is suppressed, in the same column.
//!
//! Every rule applies to the year and to the year before independently. What it does not
//! cover: differences between two views published separately (a national view and a
//! filtered one); the pages should offer filters only on the public observatory computed
//! for each view, and a filtered view has everything sensitive, which keeps such
//! differences coarse.

use serde::{Serialize, Serializer, ser::SerializeStruct};

use crate::{Figure, FigureRow, Filter, Observatory};

/// The publication rule: counts below `threshold` in sensitive cells are suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// The smallest count published in a sensitive cell (5 by default).
    pub threshold: u32,
}

impl Default for Disclosure {
    fn default() -> Disclosure {
        Disclosure { threshold: 5 }
    }
}

/// One published value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The value, published.
    Value(i64),
    /// A count between 1 and the threshold minus one, suppressed.
    Below(u32),
    /// A value withheld so that a suppressed one cannot be recomputed from a sum.
    Withheld,
}

impl Cell {
    /// The value, when published.
    pub fn value(self) -> Option<i64> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Below(_) | Cell::Withheld => None,
        }
    }

    /// Whether the value is suppressed (below the threshold or withheld).
    pub fn is_suppressed(self) -> bool {
        !matches!(self, Cell::Value(_))
    }

    /// The code of the suppression in data: `below_threshold` or `complementary`.
    pub fn suppression(self) -> Option<&'static str> {
        match self {
            Cell::Value(_) => None,
            Cell::Below(_) => Some("below_threshold"),
            Cell::Withheld => Some("complementary"),
        }
    }

    /// The French text of a suppressed cell: `< 5` or `n.d.` (non diffusé); `None` for a value.
    pub fn suppressed_text(self) -> Option<String> {
        match self {
            Cell::Value(_) => None,
            Cell::Below(t) => Some(format!("< {t}")),
            Cell::Withheld => Some("n.d.".to_owned()),
        }
    }
}

/// A change from one value to the next (year over year, or year to year in a series).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delta {
    /// The later value minus the earlier one.
    pub change: i64,
    /// The change in tenths of a percent of the earlier value (rounded half away from
    /// zero), when the earlier value is positive.
    pub per_mille: Option<i64>,
}

impl Delta {
    /// The change from `before` to `after`.
    pub fn between(before: i64, after: i64) -> Delta {
        let change = after - before;
        let per_mille = (before > 0).then(|| {
            let num = i128::from(change) * 1000;
            let den = i128::from(before);
            let rounded = (2 * num + num.signum() * den) / (2 * den);
            i64::try_from(rounded).unwrap_or(i64::MAX)
        });
        Delta { change, per_mille }
    }
}

/// One row of a published figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicRow {
    /// The stable key of the contract.
    pub key: String,
    /// The French label.
    pub label: String,
    /// The value for the year.
    pub count: Cell,
    /// The value for the year before.
    pub previous: Cell,
}

/// A figure as it may be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicFigure {
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
    /// The threshold applied, `None` for an unrestricted (internal) view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// The rows, in the contract's key order.
    pub rows: Vec<PublicRow>,
}

/// The observatory as it may be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicObservatory {
    /// The year counted.
    pub year: i16,
    /// Every counted figure, in order.
    pub figures: Vec<PublicFigure>,
}

impl Serialize for PublicRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let flags =
            usize::from(self.count.is_suppressed()) + usize::from(self.previous.is_suppressed());
        let mut s = serializer.serialize_struct("PublicRow", 4 + flags)?;
        s.serialize_field("key", &self.key)?;
        s.serialize_field("label", &self.label)?;
        s.serialize_field("count", &self.count.value())?;
        s.serialize_field("previous", &self.previous.value())?;
        if let Some(why) = self.count.suppression() {
            s.serialize_field("count_suppressed", why)?;
        }
        if let Some(why) = self.previous.suppression() {
            s.serialize_field("previous_suppressed", why)?;
        }
        s.end()
    }
}

impl PublicFigure {
    /// The figure unrestricted, every value published: for the CERT's and authorities'
    /// internal pages only.
    pub fn unrestricted(figure: &Figure) -> PublicFigure {
        PublicFigure {
            number: figure.number,
            year: figure.year,
            title: figure.title,
            note: figure.note,
            threshold: None,
            rows: figure
                .rows
                .iter()
                .map(|r| PublicRow {
                    key: r.key.clone(),
                    label: r.label.clone(),
                    count: Cell::Value(r.count),
                    previous: Cell::Value(r.previous),
                })
                .collect(),
        }
    }

    /// Whether the figure is a series over years (15 and 20): `previous` is meaningless
    /// and trends run from one row to the next.
    pub fn is_series(&self) -> bool {
        matches!(self.number, 15 | 20)
    }

    /// The trend of each row: year over year, or from the row before in a series;
    /// `None` where a value is suppressed or there is nothing to compare with.
    pub fn deltas(&self) -> Vec<Option<Delta>> {
        if self.is_series() {
            let mut deltas = vec![None];
            for pair in self.rows.windows(2) {
                deltas.push(match (pair[0].count.value(), pair[1].count.value()) {
                    (Some(before), Some(after)) => Some(Delta::between(before, after)),
                    _ => None,
                });
            }
            deltas.truncate(self.rows.len());
            return deltas;
        }
        self.rows
            .iter()
            .map(|r| match (r.previous.value(), r.count.value()) {
                (Some(before), Some(after)) => Some(Delta::between(before, after)),
                _ => None,
            })
            .collect()
    }

    /// The figure as CSV: `key,count,previous`; a suppressed value is an empty field.
    pub fn to_csv(&self) -> String {
        use std::fmt::Write as _;
        let field = |c: Cell| c.value().map(|v| v.to_string()).unwrap_or_default();
        let mut csv = String::from("key,count,previous\n");
        for row in &self.rows {
            // Writing to a String cannot fail.
            let _ = writeln!(
                csv,
                "{},{},{}",
                row.key,
                field(row.count),
                field(row.previous)
            );
        }
        csv
    }

    /// The row with this key, if any.
    pub fn row(&self, key: &str) -> Option<&PublicRow> {
        self.rows.iter().find(|r| r.key == key)
    }
}

impl PublicObservatory {
    /// Every figure unrestricted (internal pages only).
    pub fn unrestricted(observatory: &Observatory) -> PublicObservatory {
        PublicObservatory {
            year: observatory.year,
            figures: observatory
                .figures
                .iter()
                .map(PublicFigure::unrestricted)
                .collect(),
        }
    }

    /// The figure numbered `number`, if counted.
    pub fn figure(&self, number: u8) -> Option<&PublicFigure> {
        self.figures.iter().find(|f| f.number == number)
    }
}

/// A cell of the observatory: figure position, row position, column (0 = year, 1 = before).
type At = (usize, usize, usize);

/// What the reader knows of a suppressed cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Published,
    Below,
    Withheld,
}

/// A sum the reader can check: the parts add up to the total.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sum {
    parts: Vec<At>,
    total: At,
}

/// Bound standing for "no upper bound".
const UNBOUNDED: i128 = 1 << 80;

impl Disclosure {
    /// The observatory as it may be published, for the view computed with `filter`.
    pub fn apply(&self, observatory: &Observatory, filter: &Filter) -> PublicObservatory {
        let t = i64::from(self.threshold);
        let figures = &observatory.figures;
        let value = |(f, r, c): At| -> i64 {
            let row: &FigureRow = &figures[f].rows[r];
            if c == 0 { row.count } else { row.previous }
        };
        let crossed = filter.restricts_structures();
        let sensitive = |(f, _, c): At| -> bool {
            let n = figures[f].number;
            if n == 7 || (figures[f].rows.is_empty()) {
                return false;
            }
            if crossed {
                // Series have no meaningful `previous`.
                return !(matches!(n, 15 | 20) && c == 1);
            }
            matches!(n, 6 | 8 | 9)
        };
        let mut state: Vec<Vec<[State; 2]>> = figures
            .iter()
            .map(|f| vec![[State::Published; 2]; f.rows.len()])
            .collect();
        // Primary suppression.
        for (f, rows) in state.iter_mut().enumerate() {
            for (r, columns) in rows.iter_mut().enumerate() {
                for (c, cell) in columns.iter_mut().enumerate() {
                    let v = value((f, r, c));
                    if sensitive((f, r, c)) && v >= 1 && v < t {
                        *cell = State::Below;
                    }
                }
            }
        }
        // Complementary suppression, until no sum reveals a suppressed cell.
        let sums: Vec<Sum> = sums(observatory)
            .into_iter()
            .filter(|s| s.parts.iter().map(|&a| value(a)).sum::<i64>() == value(s.total))
            .collect();
        loop {
            let bounds = |a: At, st: &Vec<Vec<[State; 2]>>| -> (i128, i128) {
                match st[a.0][a.1][a.2] {
                    State::Published => (i128::from(value(a)), i128::from(value(a))),
                    State::Below => (1, i128::from(t - 1)),
                    State::Withheld => (1, UNBOUNDED),
                }
            };
            let published =
                |a: At, st: &Vec<Vec<[State; 2]>>| st[a.0][a.1][a.2] == State::Published;
            // The first sum that reveals a cell: withhold its smallest non-zero published
            // part, else its total, else turn its total (or largest part) from "< t" to
            // "n.d.", which says nothing of the value.
            let next = sums
                .iter()
                .filter(|s| reveals(s, |a| bounds(a, &state), |a| !published(a, &state)))
                .find_map(|sum| {
                    let total = sum.total;
                    let below = |a: At| state[a.0][a.1][a.2] == State::Below;
                    sum.parts
                        .iter()
                        .copied()
                        .filter(|&a| published(a, &state) && value(a) > 0)
                        .min_by_key(|&a| value(a))
                        .or_else(|| (published(total, &state) && value(total) > 0).then_some(total))
                        .or_else(|| below(total).then_some(total))
                        .or_else(|| {
                            sum.parts
                                .iter()
                                .copied()
                                .filter(|&a| below(a))
                                .max_by_key(|&a| value(a))
                        })
                });
            // Every revealing sum is withheld throughout (only when the threshold is
            // below 3, where "< t" is itself a value).
            let Some(a) = next else { break };
            state[a.0][a.1][a.2] = State::Withheld;
        }
        // Figure 7 follows figure 6.
        let position = |n: u8| figures.iter().position(|f| f.number == n);
        if let (Some(f6), Some(f7)) = (position(6), position(7)) {
            for r7 in 0..figures[f7].rows.len() {
                let key = &figures[f7].rows[r7].key;
                if let Some(r6) = figures[f6].rows.iter().position(|r| &r.key == key) {
                    let six = state[f6][r6];
                    for (seven, six) in state[f7][r7].iter_mut().zip(six) {
                        if six != State::Published {
                            *seven = State::Withheld;
                        }
                    }
                }
            }
        }
        let cell = |a: At| match state[a.0][a.1][a.2] {
            State::Published => Cell::Value(value(a)),
            State::Below => Cell::Below(self.threshold),
            State::Withheld => Cell::Withheld,
        };
        PublicObservatory {
            year: observatory.year,
            figures: figures
                .iter()
                .enumerate()
                .map(|(f, figure)| PublicFigure {
                    number: figure.number,
                    year: figure.year,
                    title: figure.title,
                    note: figure.note,
                    threshold: Some(self.threshold),
                    rows: figure
                        .rows
                        .iter()
                        .enumerate()
                        .map(|(r, row)| PublicRow {
                            key: row.key.clone(),
                            label: row.label.clone(),
                            count: cell((f, r, 0)),
                            previous: cell((f, r, 1)),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Whether a sum lets the reader pin a suppressed member to one value, given the
/// bounds the reader knows of every member (a published one is exact).
fn reveals(
    sum: &Sum,
    bounds: impl Fn(At) -> (i128, i128),
    suppressed: impl Fn(At) -> bool,
) -> bool {
    // parts − total = 0, each member with its sign.
    let members: Vec<(At, i128)> = sum
        .parts
        .iter()
        .map(|&a| (a, 1))
        .chain([(sum.total, -1)])
        .collect();
    let signed = |(a, sign): (At, i128)| {
        let (lo, hi) = bounds(a);
        if sign > 0 { (lo, hi) } else { (-hi, -lo) }
    };
    let (lo_all, hi_all) = members.iter().fold((0i128, 0i128), |(lo, hi), &m| {
        let (l, h) = signed(m);
        (lo + l, hi + h)
    });
    members.iter().any(|&(a, sign)| {
        if !suppressed(a) {
            return false;
        }
        let (l, h) = signed((a, sign));
        // sign·x = −Σ others, others within [lo_all − l, hi_all − h].
        let (others_lo, others_hi) = (lo_all - l, hi_all - h);
        // Unbounded members make the bounds huge, and the own bounds then win.
        let (x_lo, x_hi) = if sign > 0 {
            (-others_hi, -others_lo)
        } else {
            (others_lo, others_hi)
        };
        let (own_lo, own_hi) = bounds(a);
        x_lo.max(own_lo) >= x_hi.min(own_hi)
    })
}

/// Every sum between published cells, for both columns.
fn sums(observatory: &Observatory) -> Vec<Sum> {
    let figures = &observatory.figures;
    let position = |n: u8| figures.iter().position(|f| f.number == n);
    let row = |f: usize, key: &str| figures[f].rows.iter().position(|r| r.key == key);
    let mut sums = Vec::new();
    let Some(f1) = position(1) else { return sums };
    let f13 = position(13);
    for c in 0..2 {
        if let Some(declarations) = row(f1, "declarations") {
            for n in [3, 4, 5, 6, 8, 9, 12, 13] {
                if let Some(f) = position(n) {
                    sums.push(Sum {
                        parts: (0..figures[f].rows.len()).map(|r| (f, r, c)).collect(),
                        total: (f1, declarations, c),
                    });
                }
            }
        }
        let Some(f13) = f13 else { continue };
        for (origin, quarters) in [("malicious", 16), ("non_malicious", 21)] {
            let Some(total) = row(f13, origin) else {
                continue;
            };
            if let Some(f) = position(quarters) {
                sums.push(Sum {
                    parts: (0..figures[f].rows.len()).map(|r| (f, r, c)).collect(),
                    total: (f13, total, c),
                });
            }
        }
        for origin in ["malicious", "non_malicious", "out_of_scope"] {
            if let (Some(a), Some(b)) = (row(f1, origin), row(f13, origin)) {
                sums.push(Sum {
                    parts: vec![(f1, a, c)],
                    total: (f13, b, c),
                });
            }
        }
        for (origin, series) in [("malicious", 15), ("non_malicious", 20)] {
            let (Some(f), Some(total)) = (position(series), row(f13, origin)) else {
                continue;
            };
            let year = observatory.year - i16::try_from(c).unwrap_or(0);
            if let Some(r) = row(f, &year.to_string()) {
                sums.push(Sum {
                    parts: vec![(f, r, 0)],
                    total: (f13, total, c),
                });
            }
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_is_the_change_and_its_rounded_per_mille() {
        let cases: &[(i64, i64, i64, Option<i64>)] = &[
            (100, 125, 25, Some(250)),
            (8, 7, -1, Some(-125)),
            // 1/3 = 333.33‰ → 333; 2/3 = 666.67‰ → 667; −1/16 = −62.5‰ → −63.
            (3, 4, 1, Some(333)),
            (3, 5, 2, Some(667)),
            (16, 15, -1, Some(-63)),
            (0, 9, 9, None),
            (5, 5, 0, Some(0)),
        ];
        for &(before, after, change, per_mille) in cases {
            assert_eq!(
                Delta::between(before, after),
                Delta { change, per_mille },
                "{before} → {after}"
            );
        }
    }

    #[test]
    fn suppressed_values_are_null_with_their_reason_in_json() {
        let row = PublicRow {
            key: "06".to_owned(),
            label: "Mayotte".to_owned(),
            count: Cell::Below(5),
            previous: Cell::Withheld,
        };
        assert_eq!(
            serde_json::to_string(&row).unwrap(),
            r#"{"key":"06","label":"Mayotte","count":null,"previous":null,"count_suppressed":"below_threshold","previous_suppressed":"complementary"}"#
        );
        let row = PublicRow {
            count: Cell::Value(12),
            previous: Cell::Value(0),
            ..row
        };
        assert_eq!(
            serde_json::to_string(&row).unwrap(),
            r#"{"key":"06","label":"Mayotte","count":12,"previous":0}"#
        );
    }

    #[test]
    fn a_series_compares_each_year_with_the_one_before() {
        let row = |key: &str, count| PublicRow {
            key: key.to_owned(),
            label: key.to_owned(),
            count,
            previous: Cell::Value(0),
        };
        let figure = PublicFigure {
            number: 15,
            year: 2024,
            title: "",
            note: None,
            threshold: Some(5),
            rows: vec![
                row("2022", Cell::Value(10)),
                row("2023", Cell::Below(5)),
                row("2024", Cell::Value(20)),
            ],
        };
        assert_eq!(figure.deltas(), [None, None, None]);
        let figure = PublicFigure {
            rows: vec![row("2023", Cell::Value(10)), row("2024", Cell::Value(20))],
            ..figure
        };
        assert_eq!(figure.deltas(), [None, Some(Delta::between(10, 20))]);
        assert_eq!(
            figure.to_csv(),
            "key,count,previous\n2023,10,0\n2024,20,0\n"
        );
    }
}
