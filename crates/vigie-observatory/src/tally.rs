//! The single pass over the rows: fixed-size counters, merged across threads.
//!
//! Each thread counts one chunk of the rows into a [`Tally`]: joint counts of the small
//! fields for the counted years (Y and Y-1, see [`crate::joint`]), turned at the end of
//! the chunk into one flat array of per-value counters per year, indexed by constant
//! offsets plus [`Code::index`]; one counter per calendar year and origin (figures 15
//! and 20); and one packed word per structure and year (declaration count and flags).
//! No allocation, hashing or string comparison happens per row. The partial tallies are
//! then summed.

use std::{num::NonZeroUsize, thread};

use vigie_model::{
    Category, Code, DataImpactCode, DataKind, DepositSlot, InfraSide, LegalStatus, PatientDanger,
    RansomwareReach, Region, StateAtDeclaration, StructureType,
};

use crate::{
    Row,
    filter::{Masks, ORIGINS, origin_slot},
    joint::Joint,
};

/// Offsets of the counters of one year, one block per counted dimension.
pub(crate) mod at {
    use super::*;

    /// Number of categories, both origins.
    pub const N_CATEGORIES: usize = Category::ALL.len();

    /// Declarations.
    pub const DECLARATIONS: usize = 0;
    /// Support requested.
    pub const SUPPORT_REQUESTED: usize = 1;
    /// Technical support given.
    pub const TECHNICAL_SUPPORT: usize = 2;
    /// False positives cleared, all incidents.
    pub const FALSE_POSITIVE: usize = 3;
    /// Care degraded or interrupted.
    pub const CARE_IMPACT: usize = 4;
    /// Patients potentially or actually endangered.
    pub const PATIENT_DANGER_ANY: usize = 5;
    /// Two kinds of data or more.
    pub const MULTIPLE_KINDS: usize = 6;
    /// False positives cleared among incidents with technical support.
    pub const SUPPORTED_FALSE_POSITIVE: usize = 7;
    /// Per month, January first.
    pub const MONTH: usize = 8;
    /// Per deposit slot.
    pub const SLOT: usize = MONTH + 12;
    /// Per state at declaration.
    pub const STATE: usize = SLOT + DepositSlot::ALL.len();
    /// Per region.
    pub const REGION: usize = STATE + StateAtDeclaration::ALL.len();
    /// Per structure type.
    pub const KIND: usize = REGION + Region::ALL.len();
    /// Per legal status.
    pub const LEGAL_STATUS: usize = KIND + StructureType::ALL.len();
    /// Per data impact.
    pub const DATA_IMPACT: usize = LEGAL_STATUS + LegalStatus::ALL.len();
    /// Per kind of data.
    pub const DATA_KIND: usize = DATA_IMPACT + DataImpactCode::ALL.len();
    /// Per patient endangerment.
    pub const PATIENT_DANGER: usize = DATA_KIND + DataKind::ALL.len();
    /// Per origin slot (unqualified last).
    pub const ORIGIN: usize = PATIENT_DANGER + PatientDanger::ALL.len();
    /// Per origin slot, then per category.
    pub const CATEGORY: usize = ORIGIN + ORIGINS;
    /// Per origin slot: two categories or more.
    pub const MULTI_CATEGORY: usize = CATEGORY + ORIGINS * N_CATEGORIES;
    /// Per origin slot, then per quarter.
    pub const QUARTER: usize = MULTI_CATEGORY + ORIGINS;
    /// Per ransomware reach, malicious incidents only.
    pub const REACH: usize = QUARTER + ORIGINS * 4;
    /// Per infrastructure side, non-malicious incidents only.
    pub const INFRA_SIDE: usize = REACH + RansomwareReach::ALL.len();
    /// Per category, incidents with technical support only.
    pub const SUPPORTED_CATEGORY: usize = INFRA_SIDE + InfraSide::ALL.len();
    /// Number of counters per year.
    pub const LEN: usize = SUPPORTED_CATEGORY + N_CATEGORIES;
}

/// Counters of one year.
pub(crate) type Counts = [u64; at::LEN];

/// Structures with an identifier below this are counted in a dense table; the others
/// (not expected with dense identifiers) in a sorted list, so memory stays bounded.
const DENSE_LIMIT: usize = 1 << 22;
/// Bits of a structure word holding its declaration count: up to 2^30 - 1 declarations
/// per structure and year.
const COUNT_MASK: u32 = (1 << 30) - 1;
/// Flag of a structure word: the structure is an OSE.
const OSE: u32 = 1 << 30;
/// Flag of a structure word: complements were requested and never received.
const UNANSWERED: u32 = 1 << 31;
/// Number of distinct `i16` years.
const YEARS: usize = 1 << 16;

/// Where a row falls: the year computed (0), the year before (1), or neither.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Years {
    year: i32,
}

impl Years {
    pub(crate) fn new(year: i16) -> Years {
        Years {
            year: i32::from(year),
        }
    }
}

/// Index of a year in the per-year table.
pub(crate) fn year_index(year: i16) -> usize {
    usize::from(year.cast_unsigned() ^ 0x8000)
}

/// Everything the figures are made from, however it was counted (rows or cube).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Counters of the year (0) and of the year before (1).
    pub counts: [Counts; 2],
    /// Distinct structures of the year (0) and of the year before (1).
    pub structures: [StructureCounts; 2],
    /// The first year of figures 15 and 20: that of all the rows, at most the year.
    pub first_year: i16,
    /// Declarations per origin slot of each year from `first_year` to the year, in order.
    pub per_year: Vec<[u64; ORIGINS]>,
}

/// Counts of distinct structures for one year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StructureCounts {
    pub distinct: u64,
    pub gt2: u64,
    pub ge4: u64,
    pub ose: u64,
    pub unanswered: u64,
}

impl StructureCounts {
    /// Counts one structure with `count` declarations (none: not counted) and its flags.
    #[inline(always)]
    pub(crate) fn add_one(&mut self, count: u64, ose: bool, unanswered: bool) {
        let declared = count > 0;
        self.distinct += u64::from(declared);
        self.gt2 += u64::from(count > 2);
        self.ge4 += u64::from(count >= 4);
        self.ose += u64::from(declared && ose);
        self.unanswered += u64::from(declared && unanswered);
    }

    fn add(&mut self, word: u32) {
        let count = word & COUNT_MASK;
        if count > 0 {
            self.distinct += 1;
            self.gt2 += u64::from(count > 2);
            self.ge4 += u64::from(count >= 4);
            self.ose += u64::from(word & OSE != 0);
            self.unanswered += u64::from(word & UNANSWERED != 0);
        }
    }
}

/// The partial counts of one chunk of rows.
pub(crate) struct Tally {
    /// Counters of the year (0) and of the year before (1).
    pub counts: [Counts; 2],
    /// Declarations per year (every year) and origin slot.
    pub per_year: Vec<[u64; ORIGINS]>,
    /// Earliest year of any row, admitted by the filter or not.
    pub first_year: Option<i16>,
    /// Per structure `id * 2 + year slot`: count in the low 30 bits, then the flags.
    structures: Vec<u32>,
    /// Structures beyond [`DENSE_LIMIT`]: `(id, year slot, flags)`, one per row.
    sparse: Vec<(u32, u8, u32)>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            counts: [[0; at::LEN]; 2],
            per_year: vec![[0; ORIGINS]; YEARS],
            first_year: None,
            structures: Vec::new(),
            sparse: Vec::new(),
        }
    }

    /// Counts every row of a chunk.
    fn over(rows: &[Row], years: Years, masks: Masks) -> Tally {
        let mut tally = Tally::new();
        let mut joint = Joint::new();
        let mut first_year = i16::MAX;
        for row in rows {
            first_year = first_year.min(row.year);
            tally.add(&mut joint, row, years, masks);
        }
        tally.first_year = (!rows.is_empty()).then_some(first_year);
        for (slot, counts) in tally.counts.iter_mut().enumerate() {
            joint.add_marginals(slot, counts);
        }
        tally
    }

    #[inline(always)]
    fn add(&mut self, joint: &mut Joint, row: &Row, years: Years, masks: Masks) {
        let origin = origin_slot(row.origin);
        if !masks.admits(row, origin) {
            return;
        }
        self.per_year[year_index(row.year)][origin] += 1;
        let slot = match i32::from(row.year) - years.year {
            0 => 0,
            -1 => 1,
            _ => return,
        };
        joint.add(slot, row, origin);

        let h = row.handling;
        let flags = if row.ose { OSE } else { 0 }
            | if h.complements_requested && !h.complements_received {
                UNANSWERED
            } else {
                0
            };
        let id = row.structure as usize;
        if id < DENSE_LIMIT {
            let i = id * 2 + slot;
            if i >= self.structures.len() {
                let len = (2 * id + 2).max(self.structures.len() * 2);
                self.structures.resize(len.min(2 * DENSE_LIMIT), 0);
            }
            let word = &mut self.structures[i];
            *word = (*word + 1) | flags;
        } else {
            // `slot` is 0 or 1.
            self.sparse.push((row.structure, slot as u8, flags));
        }
    }

    /// Adds another chunk's tally to this one.
    fn merge(&mut self, other: Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        for (mine, theirs) in self.per_year.iter_mut().zip(&other.per_year) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self.first_year = match (self.first_year, other.first_year) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if other.structures.len() > self.structures.len() {
            self.structures.resize(other.structures.len(), 0);
        }
        for (a, b) in self.structures.iter_mut().zip(&other.structures) {
            *a = ((*a & COUNT_MASK) + (b & COUNT_MASK)) | ((*a | b) & !COUNT_MASK);
        }
        self.sparse.extend(other.sparse);
    }

    /// The totals for `year`, the year these counts were made for.
    pub(crate) fn totals(mut self, year: i16) -> Totals {
        let structures = self.structure_counts();
        let first_year = self.first_year.unwrap_or(year).min(year);
        let per_year = self.per_year[year_index(first_year)..=year_index(year)].to_vec();
        Totals {
            counts: self.counts,
            structures,
            first_year,
            per_year,
        }
    }

    /// Distinct structures of the year (0) and of the year before (1).
    fn structure_counts(&mut self) -> [StructureCounts; 2] {
        let mut out = [StructureCounts::default(); 2];
        for pair in self.structures.chunks_exact(2) {
            out[0].add(pair[0]);
            out[1].add(pair[1]);
        }
        self.sparse
            .sort_unstable_by_key(|&(id, slot, _)| (id, slot));
        for group in self
            .sparse
            .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
            .filter(|g| !g.is_empty())
        {
            // Sparse groups hold one row each, so the count is the group's length.
            let count = u32::try_from(group.len())
                .unwrap_or(COUNT_MASK)
                .min(COUNT_MASK);
            let flags = group.iter().fold(0, |f, &(_, _, g)| f | g);
            out[usize::from(group[0].1)].add(count | flags);
        }
        out
    }
}

/// Counts every row on `threads` chunks in parallel (the calling thread takes the first).
///
/// Chunks hold at most `u32::MAX` rows, the range of the joint counters.
pub(crate) fn tally(rows: &[Row], year: i16, masks: Masks, threads: NonZeroUsize) -> Tally {
    let years = Years::new(year);
    let threads = threads
        .get()
        .max(rows.len().div_ceil(u32::MAX as usize))
        .min(rows.len())
        .max(1);
    let chunk = rows.len().div_ceil(threads).max(1);
    let mut chunks = rows.chunks(chunk);
    let first = chunks.next().unwrap_or_default();
    thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .map(|rows| scope.spawn(move || Tally::over(rows, years, masks)))
            .collect();
        let mut total = Tally::over(first, years, masks);
        for handle in handles {
            let part = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            total.merge(part);
        }
        total
    })
}
