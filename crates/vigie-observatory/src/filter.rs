//! Which rows a computation counts: by months of the year, region, structure type, legal
//! status or origin.

use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};

use crate::Row;

/// Restricts the rows counted; every field left `None` admits every value.
///
/// `origin: Some(_)` leaves out incidents not qualified yet. The period applies to the
/// year, to the year before and to every year of figures 15 and 20 alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filter {
    /// Only structures of this region.
    pub region: Option<Region>,
    /// Only structures of this kind.
    pub kind: Option<StructureType>,
    /// Only structures of this legal status.
    pub legal_status: Option<LegalStatus>,
    /// Only incidents qualified with this origin.
    pub origin: Option<Origin>,
    /// Only incidents declared in these months of their year (the whole year by default).
    pub period: Period,
}

impl Filter {
    /// Whether the filter admits a row.
    pub fn admits(&self, row: &Row) -> bool {
        Masks::new(self).admits(row, origin_slot(row.origin))
    }

    /// Whether the filter restricts the structures counted (region, type or legal status).
    pub fn restricts_structures(&self) -> bool {
        self.region.is_some() || self.kind.is_some() || self.legal_status.is_some()
    }
}

/// A range of months of a year, both ends included: January to December by default.
///
/// Only [`Period::new`] makes one, so `1 ≤ from ≤ to ≤ 12` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    from: u8,
    to: u8,
}

/// Why two months do not make a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// A month outside 1–12.
    #[error("{0} is not a month: months run from 1 (January) to 12 (December)")]
    Month(u8),
    /// The last month comes before the first.
    #[error("the period ends (month {to}) before it starts (month {from})")]
    Reversed {
        /// The first month given.
        from: u8,
        /// The last month given.
        to: u8,
    },
}

impl Period {
    /// The whole year, January to December.
    pub const YEAR: Period = Period { from: 1, to: 12 };

    /// The months `from` to `to` (1–12, both included, `from ≤ to`).
    pub fn new(from: u8, to: u8) -> Result<Period, PeriodError> {
        for month in [from, to] {
            if !(1..=12).contains(&month) {
                return Err(PeriodError::Month(month));
            }
        }
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        Ok(Period { from, to })
    }

    /// The first month (1–12).
    pub fn from(self) -> u8 {
        self.from
    }

    /// The last month (1–12).
    pub fn to(self) -> u8 {
        self.to
    }

    /// Whether the period is the whole year.
    pub fn is_whole_year(self) -> bool {
        self == Period::YEAR
    }

    /// Whether a row of this month is counted; the whole year admits any month, even one
    /// out of range.
    pub fn contains(self, month: u8) -> bool {
        self.is_whole_year() || (self.from..=self.to).contains(&month)
    }

    /// The month slots admitted (see [`month_slot`]), as a bit mask.
    pub(crate) fn mask(self) -> u32 {
        if self.is_whole_year() {
            u32::MAX
        } else {
            (u32::MAX >> (31 - self.to)) & !((1 << self.from) - 1)
        }
    }

    /// The first and last month slots admitted.
    pub(crate) fn slots(self) -> (usize, usize) {
        if self.is_whole_year() {
            (0, MONTH_SLOTS - 1)
        } else {
            (usize::from(self.from), usize::from(self.to))
        }
    }
}

impl Default for Period {
    fn default() -> Period {
        Period::YEAR
    }
}

/// Number of month slots: 0, then the months 1–12, then 13 for any later value.
pub(crate) const MONTH_SLOTS: usize = 14;

/// The slot of a row's month: the month itself, 13 for anything above.
pub(crate) fn month_slot(month: u8) -> usize {
    usize::from(month.min(13))
}

/// Index of an origin in per-origin counters, the unqualified ones last.
pub(crate) const fn origin_slot(origin: Option<Origin>) -> usize {
    match origin {
        Some(o) => o as usize,
        None => UNQUALIFIED,
    }
}

/// Number of per-origin counters: the three origins, then the unqualified incidents.
pub(crate) const ORIGINS: usize = Origin::ALL.len() + 1;
/// Index of the unqualified incidents in per-origin counters.
pub(crate) const UNQUALIFIED: usize = Origin::ALL.len();

/// A filter compiled to bit masks, so that admitting a row is a few shifts, no branch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Masks {
    everything: bool,
    region: u32,
    kind: u32,
    legal_status: u32,
    pub(crate) origin: u32,
    pub(crate) month: u32,
}

impl Masks {
    pub(crate) fn new(filter: &Filter) -> Masks {
        fn mask<T: Code>(value: Option<T>) -> u32 {
            value.map_or(u32::MAX, |v| 1 << v.index())
        }
        Masks {
            everything: *filter == Filter::default(),
            region: mask(filter.region),
            kind: mask(filter.kind),
            legal_status: mask(filter.legal_status),
            origin: mask(filter.origin),
            month: filter.period.mask(),
        }
    }

    /// Whether every row is admitted.
    pub(crate) fn everything(&self) -> bool {
        self.everything
    }

    /// Whether a row of the given origin slot is admitted.
    #[inline(always)]
    pub(crate) fn admits(&self, row: &Row, origin_slot: usize) -> bool {
        self.everything
            || (self.admits_structure(
                row.region.index(),
                row.kind.index(),
                row.legal_status.index(),
            ) && (self.origin >> origin_slot) & (self.month >> month_slot(row.month)) & 1 != 0)
    }

    /// Whether a structure of this region, kind and legal status (as indexes) is admitted.
    #[inline(always)]
    pub(crate) fn admits_structure(&self, region: u8, kind: u8, legal_status: u8) -> bool {
        (self.region >> region) & (self.kind >> kind) & (self.legal_status >> legal_status) & 1 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_checked_and_admit_their_months() {
        // (from, to, error, months admitted among 0–14)
        let cases: &[(u8, u8, Option<PeriodError>, &[u8])] = &[
            (
                1,
                12,
                None,
                &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
            ),
            (1, 1, None, &[1]),
            (3, 5, None, &[3, 4, 5]),
            (12, 12, None, &[12]),
            (2, 12, None, &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
            (1, 11, None, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
            (0, 5, Some(PeriodError::Month(0)), &[]),
            (1, 13, Some(PeriodError::Month(13)), &[]),
            (13, 14, Some(PeriodError::Month(13)), &[]),
            (5, 3, Some(PeriodError::Reversed { from: 5, to: 3 }), &[]),
        ];
        for &(from, to, error, admitted) in cases {
            let period = Period::new(from, to);
            assert_eq!(period.err(), error, "{from}–{to}");
            let Ok(period) = period else { continue };
            assert_eq!((period.from(), period.to()), (from, to));
            let contained: Vec<u8> = (0..=14).filter(|&m| period.contains(m)).collect();
            assert_eq!(contained, admitted, "{from}–{to}");
            let masked: Vec<u8> = (0..=14)
                .filter(|&m| period.mask() >> month_slot(m) & 1 != 0)
                .collect();
            assert_eq!(masked, admitted, "mask of {from}–{to}");
            let (lo, hi) = period.slots();
            let slots: Vec<u8> = (0..=14)
                .filter(|&m| (lo..=hi).contains(&month_slot(m)))
                .collect();
            assert_eq!(slots, admitted, "slots of {from}–{to}");
        }
        assert_eq!(Period::default(), Period::YEAR);
        assert!(Period::YEAR.is_whole_year());
        assert!(!Period::new(1, 11).unwrap().is_whole_year());
    }
}
