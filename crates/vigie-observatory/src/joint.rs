//! Joint counts of small fields: one increment per group of fields, marginals at the end.
//!
//! Counting every value of every field would cost one increment per value and a loop per
//! multi-valued field (with branch mispredictions). Instead each row adds 1 to the cell
//! of a few joint tables: `(origin, month)`, `(slot, state, legal status)`, `(region,
//! kind)`, `(care, danger, support, technical support, false positive)`, `(data impacts,
//! data kinds)` and the categories split in three bit groups per origin. The per-value
//! counts of the figures are sums over these tables, computed once per chunk. All of it
//! fits in the L1 cache and no branch depends on the data.

use vigie_model::{
    CareImpact, Category, Code, DataImpactCode, DataKind, DepositSlot, InfraSide, LegalStatus,
    Origin, PatientDanger, RansomwareReach, Region, StateAtDeclaration, StructureType,
};

use crate::{
    Row,
    filter::{MONTH_SLOTS, ORIGINS, month_slot},
    tally::{Counts, at},
};

const N_MONTHS: usize = MONTH_SLOTS; // 1–12, then 0 and 13 for any month out of range.
const N_SLOTS: usize = DepositSlot::ALL.len();
const N_STATES: usize = StateAtDeclaration::ALL.len();
const N_LEGAL: usize = LegalStatus::ALL.len();
const N_REGIONS: usize = Region::ALL.len();
const N_KINDS: usize = StructureType::ALL.len();
const N_CARE: usize = CareImpact::ALL.len();
const N_DANGER: usize = PatientDanger::ALL.len();
const IMPACT_SETS: usize = 1 << DataImpactCode::ALL.len();
const KIND_SETS: usize = 1 << DataKind::ALL.len();
const N_REACH: usize = RansomwareReach::ALL.len() + 1; // 0 = none.
const N_SIDES: usize = InfraSide::ALL.len() + 1; // 0 = none.

/// The category bits, split in groups small enough to count every combination:
/// `(first bit, number of bits, offset in a group table)`.
const CATEGORY_GROUPS: [(u32, u32, usize); 3] = [(0, 6, 0), (6, 6, 64), (12, 7, 128)];
/// Cells of a group table: every combination of every group.
const GROUP_CELLS: usize = 256;
const _: () = assert!(
    Category::ALL.len() <= 19,
    "categories must fit CATEGORY_GROUPS"
);

const ORIGIN_MONTH: usize = 0;
const SLOT_STATE_LEGAL: usize = ORIGIN_MONTH + ORIGINS * N_MONTHS;
const REGION_KIND: usize = SLOT_STATE_LEGAL + N_SLOTS * N_STATES * N_LEGAL;
const FLAGS: usize = REGION_KIND + N_REGIONS * N_KINDS;
const DATA: usize = FLAGS + N_CARE * N_DANGER * 8;
const CATEGORIES: usize = DATA + IMPACT_SETS * KIND_SETS;
const MULTI_CATEGORY: usize = CATEGORIES + ORIGINS * GROUP_CELLS;
const SUPPORTED_CATEGORIES: usize = MULTI_CATEGORY + ORIGINS;
const REACH: usize = SUPPORTED_CATEGORIES + GROUP_CELLS;
const SIDE: usize = REACH + ORIGINS * N_REACH;
const LEN: usize = SIDE + ORIGINS * N_SIDES;

/// Joint counts of one chunk, for the year (0) and the year before (1).
pub(crate) struct Joint {
    cells: [[u32; LEN]; 2],
}

fn idx<T: Code>(value: T) -> usize {
    usize::from(value.index())
}

impl Joint {
    pub(crate) fn new() -> Joint {
        Joint {
            cells: [[0; LEN]; 2],
        }
    }

    /// Counts one row of the year `slot` (0 or 1) and origin slot `origin`.
    #[inline(always)]
    pub(crate) fn add(&mut self, slot: usize, row: &Row, origin: usize) {
        let t = &mut self.cells[slot];
        let h = row.handling;
        let month = month_slot(row.month);
        t[ORIGIN_MONTH + origin * N_MONTHS + month] += 1;
        t[SLOT_STATE_LEGAL
            + (idx(row.slot) * N_STATES + idx(row.state)) * N_LEGAL
            + idx(row.legal_status)] += 1;
        t[REGION_KIND + idx(row.region) * N_KINDS + idx(row.kind)] += 1;
        let flags = usize::from(row.support_requested) << 2
            | usize::from(h.technical_support) << 1
            | usize::from(h.false_positive);
        t[FLAGS + (idx(row.care_impact) * N_DANGER + idx(row.patient_danger)) * 8 + flags] += 1;
        let impacts = row.data_impacts.bits() as usize & (IMPACT_SETS - 1);
        let kinds = row.data_kinds.bits() as usize & (KIND_SETS - 1);
        t[DATA + impacts * KIND_SETS + kinds] += 1;
        let categories = row.categories.bits();
        let supported = u32::from(h.technical_support);
        for (shift, width, offset) in CATEGORY_GROUPS {
            let group = ((categories >> shift) & ((1 << width) - 1)) as usize;
            t[CATEGORIES + origin * GROUP_CELLS + offset + group] += 1;
            t[SUPPORTED_CATEGORIES + offset + group] += supported;
        }
        t[MULTI_CATEGORY + origin] += u32::from(categories.count_ones() >= 2);
        let reach = row.ransomware_reach.map_or(0, |r| idx(r) + 1);
        t[REACH + origin * N_REACH + reach] += 1;
        let side = row.infra_side.map_or(0, |s| idx(s) + 1);
        t[SIDE + origin * N_SIDES + side] += 1;
    }

    /// Adds the per-value counts of the year `slot` to `out`.
    pub(crate) fn add_marginals(&self, slot: usize, out: &mut Counts) {
        let t = &self.cells[slot];
        let n = |i: usize| u64::from(t[i]);

        for origin in 0..ORIGINS {
            for month in 0..N_MONTHS {
                let count = n(ORIGIN_MONTH + origin * N_MONTHS + month);
                out[at::DECLARATIONS] += count;
                out[at::ORIGIN + origin] += count;
                if (1..=12).contains(&month) {
                    out[at::MONTH + month - 1] += count;
                    out[at::QUARTER + origin * 4 + (month - 1) / 3] += count;
                }
            }
        }
        for slot in 0..N_SLOTS {
            for state in 0..N_STATES {
                for legal in 0..N_LEGAL {
                    let count = n(SLOT_STATE_LEGAL + (slot * N_STATES + state) * N_LEGAL + legal);
                    out[at::SLOT + slot] += count;
                    out[at::STATE + state] += count;
                    out[at::LEGAL_STATUS + legal] += count;
                }
            }
        }
        for region in 0..N_REGIONS {
            for kind in 0..N_KINDS {
                let count = n(REGION_KIND + region * N_KINDS + kind);
                out[at::REGION + region] += count;
                out[at::KIND + kind] += count;
            }
        }
        for care in 0..N_CARE {
            for danger in 0..N_DANGER {
                for flags in 0..8 {
                    let count = n(FLAGS + (care * N_DANGER + danger) * 8 + flags);
                    let (requested, supported, false_positive) =
                        (flags & 4 != 0, flags & 2 != 0, flags & 1 != 0);
                    out[at::PATIENT_DANGER + danger] += count;
                    let counted = [
                        (at::CARE_IMPACT, care != idx(CareImpact::None)),
                        (at::PATIENT_DANGER_ANY, danger != idx(PatientDanger::None)),
                        (at::SUPPORT_REQUESTED, requested),
                        (at::TECHNICAL_SUPPORT, supported),
                        (at::FALSE_POSITIVE, false_positive),
                        (at::SUPPORTED_FALSE_POSITIVE, supported && false_positive),
                    ];
                    for (i, yes) in counted {
                        out[i] += if yes { count } else { 0 };
                    }
                }
            }
        }
        for impacts in 0..IMPACT_SETS {
            for kinds in 0..KIND_SETS {
                let count = n(DATA + impacts * KIND_SETS + kinds);
                add_bits(out, at::DATA_IMPACT, impacts as u32, count);
                add_bits(out, at::DATA_KIND, kinds as u32, count);
                if kinds.count_ones() >= 2 {
                    out[at::MULTIPLE_KINDS] += count;
                }
            }
        }
        for (shift, width, offset) in CATEGORY_GROUPS {
            for group in 0..1usize << width {
                let bits = (group as u32) << shift;
                for origin in 0..ORIGINS {
                    let count = n(CATEGORIES + origin * GROUP_CELLS + offset + group);
                    add_bits(out, at::CATEGORY + origin * at::N_CATEGORIES, bits, count);
                }
                let count = n(SUPPORTED_CATEGORIES + offset + group);
                add_bits(out, at::SUPPORTED_CATEGORY, bits, count);
            }
        }
        for origin in 0..ORIGINS {
            out[at::MULTI_CATEGORY + origin] += n(MULTI_CATEGORY + origin);
        }
        let malicious = Origin::Malicious as usize;
        for reach in 1..N_REACH {
            out[at::REACH + reach - 1] += n(REACH + malicious * N_REACH + reach);
        }
        let non_malicious = Origin::NonMalicious as usize;
        for side in 1..N_SIDES {
            out[at::INFRA_SIDE + side - 1] += n(SIDE + non_malicious * N_SIDES + side);
        }
    }
}

/// Adds `count` to the counter at `offset + i` for every bit `i` set in `bits`.
fn add_bits(out: &mut Counts, offset: usize, mut bits: u32, count: u64) {
    while bits != 0 {
        out[offset + bits.trailing_zeros() as usize] += count;
        bits &= bits - 1;
    }
}
