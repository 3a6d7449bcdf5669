//! Which rows a computation counts: by region, structure type, legal status or origin.

use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};

use crate::Row;

/// Restricts the rows counted; every field left `None` admits every value.
///
/// `origin: Some(_)` leaves out incidents not qualified yet.
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
}

impl Filter {
    /// Whether the filter admits a row.
    pub fn admits(&self, row: &Row) -> bool {
        Masks::new(self).admits(row, origin_slot(row.origin))
    }
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
    origin: u32,
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
        }
    }

    /// Whether a row of the given origin slot is admitted.
    #[inline(always)]
    pub(crate) fn admits(&self, row: &Row, origin_slot: usize) -> bool {
        self.everything
            || (self.region >> row.region.index())
                & (self.kind >> row.kind.index())
                & (self.legal_status >> row.legal_status.index())
                & (self.origin >> origin_slot)
                & 1
                != 0
    }
}
