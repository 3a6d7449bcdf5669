//! A pre-aggregated cube of the rows: the figures of any filter by summing cells, not rows.
//!
//! A cell holds the incidents of one year, month, region, structure type, legal status
//! and origin (unqualified included): every filter of [`Filter`] admits or refuses whole
//! cells. Each cell keeps only the counters that vary inside it (support, slots, states,
//! data, endangerment, categories…, [`cell::LEN`] of them); its key gives the others (month,
//! quarter, region, type, status, origin). Only cells holding incidents are kept, in key
//! order, year by year.
//!
//! Figure 1's distinct structures cannot be summed from cells (a structure declares in
//! many). A structure's region, type, legal status and OSE flag are the same on all its
//! rows (they come from the structures table; [`Cube::build`] checks it), so the cube
//! keeps, per structure and year, its incidents per origin cumulated over the months and
//! the months and origins with complements never received: a structure's admitted count
//! under any filter is a few subtractions.
//!
//! [`Cube::compute`] gives exactly what [`crate::compute`] gives over the same rows, for
//! every year and filter (a property test checks it).

use std::{collections::HashMap, num::NonZeroUsize, thread};

use vigie_model::{
    CareImpact, Code, DataImpactCode, DataKind, DepositSlot, InfraSide, LegalStatus, Origin,
    PatientDanger, RansomwareReach, Region, StateAtDeclaration, StructureType,
};

use crate::{
    Filter, MIN_ROWS_PER_THREAD, Observatory, Reference, Row,
    filter::{MONTH_SLOTS, Masks, ORIGINS, month_slot, origin_slot},
    report,
    tally::{Counts, StructureCounts, Totals, at},
};

/// The counters of one cell, in the order of [`crate::tally::at`] where they share it.
pub(crate) mod cell {
    use super::*;

    /// Declarations.
    pub const DECLARATIONS: usize = at::DECLARATIONS;
    /// Support requested.
    pub const SUPPORT_REQUESTED: usize = at::SUPPORT_REQUESTED;
    /// Technical support given.
    pub const TECHNICAL_SUPPORT: usize = at::TECHNICAL_SUPPORT;
    /// False positives cleared.
    pub const FALSE_POSITIVE: usize = at::FALSE_POSITIVE;
    /// Care degraded or interrupted.
    pub const CARE_IMPACT: usize = at::CARE_IMPACT;
    /// Patients potentially or actually endangered.
    pub const PATIENT_DANGER_ANY: usize = at::PATIENT_DANGER_ANY;
    /// Two kinds of data or more.
    pub const MULTIPLE_KINDS: usize = at::MULTIPLE_KINDS;
    /// False positives among incidents with technical support.
    pub const SUPPORTED_FALSE_POSITIVE: usize = at::SUPPORTED_FALSE_POSITIVE;
    /// Two categories or more.
    pub const MULTI_CATEGORY: usize = SUPPORTED_FALSE_POSITIVE + 1;
    /// Per deposit slot.
    pub const SLOT: usize = MULTI_CATEGORY + 1;
    /// Per state at declaration.
    pub const STATE: usize = SLOT + DepositSlot::ALL.len();
    /// Per data impact.
    pub const DATA_IMPACT: usize = STATE + StateAtDeclaration::ALL.len();
    /// Per kind of data.
    pub const DATA_KIND: usize = DATA_IMPACT + DataImpactCode::ALL.len();
    /// Per patient endangerment.
    pub const PATIENT_DANGER: usize = DATA_KIND + DataKind::ALL.len();
    /// Per category.
    pub const CATEGORY: usize = PATIENT_DANGER + PatientDanger::ALL.len();
    /// Per category, incidents with technical support only.
    pub const SUPPORTED_CATEGORY: usize = CATEGORY + at::N_CATEGORIES;
    /// Per ransomware reach (counted in malicious cells only).
    pub const REACH: usize = SUPPORTED_CATEGORY + at::N_CATEGORIES;
    /// Per infrastructure side (counted in non-malicious cells only).
    pub const SIDE: usize = REACH + RansomwareReach::ALL.len();
    /// Number of counters of a cell.
    pub const LEN: usize = SIDE + InfraSide::ALL.len();

    const _: () = assert!(
        DECLARATIONS == 0 && SUPPORTED_FALSE_POSITIVE == 7,
        "the first counters of a cell are those of a year"
    );
}

/// Counters of one cell.
type CellCounts = [u32; cell::LEN];

const N_REGIONS: usize = Region::ALL.len();
const N_KINDS: usize = StructureType::ALL.len();
const N_LEGAL: usize = LegalStatus::ALL.len();
/// Every possible cell key of one year.
const KEYS: usize = MONTH_SLOTS * N_REGIONS * N_KINDS * N_LEGAL * ORIGINS;
/// The category bits counted per category (the others cannot be set).
const CATEGORY_BITS: u32 = (1 << at::N_CATEGORIES) - 1;
/// Bits of the data kinds and impacts counted.
const DATA_KIND_BITS: u32 = (1 << DataKind::ALL.len()) - 1;
const DATA_IMPACT_BITS: u32 = (1 << DataImpactCode::ALL.len()) - 1;
/// Structures with an identifier below this are found through a dense table while building.
const DENSE_LIMIT: u32 = 1 << 22;

const _: () = assert!(MONTH_SLOTS * ORIGINS <= 64, "unanswered flags fit a u64");

/// Where a cell sits: month slot, region, type, legal status (indexes) and origin slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    month: u8,
    region: u8,
    kind: u8,
    legal_status: u8,
    origin: u8,
}

impl Key {
    fn of(row: &Row) -> Key {
        Key {
            month: month_slot(row.month) as u8,
            region: row.region.index(),
            kind: row.kind.index(),
            legal_status: row.legal_status.index(),
            origin: origin_slot(row.origin) as u8,
        }
    }

    /// The key's place among every key of a year, in key order.
    fn dense(self) -> usize {
        let k = usize::from(self.month);
        let k = k * N_REGIONS + usize::from(self.region);
        let k = k * N_KINDS + usize::from(self.kind);
        let k = k * N_LEGAL + usize::from(self.legal_status);
        k * ORIGINS + usize::from(self.origin)
    }

    #[inline(always)]
    fn admitted(self, masks: &Masks) -> bool {
        masks.everything()
            || (masks.admits_structure(self.region, self.kind, self.legal_status)
                && (masks.origin >> self.origin) & (masks.month >> self.month) & 1 != 0)
    }
}

/// What is fixed for a structure: region, type, legal status (indexes) and OSE flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attributes {
    region: u8,
    kind: u8,
    legal_status: u8,
    ose: bool,
}

impl Attributes {
    fn of(row: &Row) -> Attributes {
        Attributes {
            region: row.region.index(),
            kind: row.kind.index(),
            legal_status: row.legal_status.index(),
            ose: row.ose,
        }
    }
}

/// One structure in one year.
#[derive(Debug, Clone)]
struct StructureYear {
    id: u32,
    attributes: Attributes,
    /// Per origin slot, incidents of the month slots before each slot (`[o][m]` counts
    /// slots `0..m`; built as plain counts per slot, cumulated at the end).
    months: [[u32; MONTH_SLOTS + 1]; ORIGINS],
    /// Bit `origin * MONTH_SLOTS + month` set when an incident of that origin and month
    /// had complements requested and never received.
    unanswered: u64,
}

impl StructureYear {
    /// Admitted declarations between two month slots (included) and the unanswered flag.
    #[inline(always)]
    fn admitted(&self, origins: u32, (lo, hi): (usize, usize), unanswered: u64) -> (u64, bool) {
        let mut count = 0;
        for (o, months) in self.months.iter().enumerate() {
            let n = months[hi + 1] - months[lo];
            count += if origins >> o & 1 != 0 {
                u64::from(n)
            } else {
                0
            };
        }
        (count, self.unanswered & unanswered != 0)
    }
}

/// The cells and structures of one year.
#[derive(Debug, Clone, Default)]
struct Year {
    year: i16,
    keys: Vec<Key>,
    /// Declarations of each cell (also its first counter), apart for figures 15 and 20.
    declarations: Vec<u32>,
    counters: Vec<CellCounts>,
    structures: Vec<StructureYear>,
}

impl Year {
    /// Adds the admitted cells' counters to `out`.
    fn add_counts(&self, masks: &Masks, out: &mut Counts) {
        let mut sums = [[0u64; cell::LEN]; ORIGINS];
        let mut months = [[0u64; MONTH_SLOTS]; ORIGINS];
        let mut regions = [0u64; N_REGIONS];
        let mut kinds = [0u64; N_KINDS];
        let mut statuses = [0u64; N_LEGAL];
        for ((key, counters), &n) in self.keys.iter().zip(&self.counters).zip(&self.declarations) {
            if !key.admitted(masks) {
                continue;
            }
            let origin = usize::from(key.origin);
            for (sum, &c) in sums[origin].iter_mut().zip(counters) {
                *sum += u64::from(c);
            }
            let n = u64::from(n);
            months[origin][usize::from(key.month)] += n;
            regions[usize::from(key.region)] += n;
            kinds[usize::from(key.kind)] += n;
            statuses[usize::from(key.legal_status)] += n;
        }
        for (origin, sums) in sums.iter().enumerate() {
            for (i, &n) in sums[..=cell::SUPPORTED_FALSE_POSITIVE].iter().enumerate() {
                out[i] += n;
            }
            out[at::MULTI_CATEGORY + origin] += sums[cell::MULTI_CATEGORY];
            let blocks = [
                (cell::SLOT, at::SLOT, DepositSlot::ALL.len()),
                (cell::STATE, at::STATE, StateAtDeclaration::ALL.len()),
                (
                    cell::DATA_IMPACT,
                    at::DATA_IMPACT,
                    DataImpactCode::ALL.len(),
                ),
                (cell::DATA_KIND, at::DATA_KIND, DataKind::ALL.len()),
                (
                    cell::PATIENT_DANGER,
                    at::PATIENT_DANGER,
                    PatientDanger::ALL.len(),
                ),
                (
                    cell::CATEGORY,
                    at::CATEGORY + origin * at::N_CATEGORIES,
                    at::N_CATEGORIES,
                ),
                (
                    cell::SUPPORTED_CATEGORY,
                    at::SUPPORTED_CATEGORY,
                    at::N_CATEGORIES,
                ),
                (cell::REACH, at::REACH, RansomwareReach::ALL.len()),
                (cell::SIDE, at::INFRA_SIDE, InfraSide::ALL.len()),
            ];
            for (from, to, len) in blocks {
                for (o, &n) in out[to..to + len].iter_mut().zip(&sums[from..from + len]) {
                    *o += n;
                }
            }
            for (month, &n) in months[origin].iter().enumerate() {
                out[at::ORIGIN + origin] += n;
                if (1..=12).contains(&month) {
                    out[at::MONTH + month - 1] += n;
                    out[at::QUARTER + origin * 4 + (month - 1) / 3] += n;
                }
            }
        }
        for (block, counts) in [
            (at::REGION, &regions[..]),
            (at::KIND, &kinds[..]),
            (at::LEGAL_STATUS, &statuses[..]),
        ] {
            for (o, &n) in out[block..block + counts.len()].iter_mut().zip(counts) {
                *o += n;
            }
        }
    }

    /// The distinct structures with admitted declarations.
    fn structure_counts(&self, masks: &Masks, filter: &Filter) -> StructureCounts {
        let slots = filter.period.slots();
        let mut unanswered = 0u64;
        for origin in 0..ORIGINS {
            if masks.origin >> origin & 1 != 0 {
                for month in slots.0..=slots.1 {
                    unanswered |= 1 << (origin * MONTH_SLOTS + month);
                }
            }
        }
        let mut out = StructureCounts::default();
        for s in &self.structures {
            let a = s.attributes;
            if masks.admits_structure(a.region, a.kind, a.legal_status) {
                let (count, flag) = s.admitted(masks.origin, slots, unanswered);
                out.add_one(count, a.ose, flag);
            }
        }
        out
    }

    /// Admitted declarations per origin slot.
    fn by_origin(&self, masks: &Masks) -> [u64; ORIGINS] {
        let mut out = [0; ORIGINS];
        for (key, &n) in self.keys.iter().zip(&self.declarations) {
            if key.admitted(masks) {
                out[usize::from(key.origin)] += u64::from(n);
            }
        }
        out
    }
}

/// Why rows cannot make a cube.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CubeError {
    /// A structure has two regions, types, legal statuses or OSE flags in one year.
    #[error(
        "structure {structure} has rows of {year} with different regions, types, legal statuses or OSE flags"
    )]
    Structure {
        /// The structure's dense identifier.
        structure: u32,
        /// The year.
        year: i16,
    },
    /// More rows than a cell counter holds.
    #[error("{0} rows: a cube holds at most 4 294 967 295")]
    TooManyRows(usize),
}

/// The figures of any year and filter, pre-aggregated from rows (see the module's docs).
#[derive(Debug, Clone, Default)]
pub struct Cube {
    /// Years holding rows, in order.
    years: Vec<Year>,
    /// Earliest year of any row.
    first_year: Option<i16>,
    /// Rows counted.
    rows: u64,
}

impl Cube {
    /// Builds the cube of `rows`, in parallel on the available cores.
    pub fn build(rows: &[Row]) -> Result<Cube, CubeError> {
        let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
        let threads = cores.min(rows.len() / MIN_ROWS_PER_THREAD).max(1);
        Cube::build_on(
            rows,
            NonZeroUsize::new(threads).unwrap_or(NonZeroUsize::MIN),
        )
    }

    /// Builds the cube of `rows` on exactly `threads` chunks (fewer if there are fewer rows).
    pub fn build_on(rows: &[Row], threads: NonZeroUsize) -> Result<Cube, CubeError> {
        if u32::try_from(rows.len()).is_err() {
            return Err(CubeError::TooManyRows(rows.len()));
        }
        let chunk = rows.len().div_ceil(threads.get()).max(1);
        let mut chunks = rows.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        let builder = thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .map(|rows| scope.spawn(move || Builder::over(rows)))
                .collect();
            let mut total = Builder::over(first)?;
            for handle in handles {
                let part = handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                total.merge(part)?;
            }
            Ok(total)
        })?;
        Ok(builder.finish(rows.len() as u64))
    }

    /// Every counted figure for `year` (previous = `year - 1`) over the admitted rows:
    /// exactly what [`crate::compute`] gives over the rows the cube was built from.
    pub fn compute(&self, year: i16, reference: &Reference, filter: &Filter) -> Observatory {
        let masks = Masks::new(filter);
        let mut counts: [Counts; 2] = [[0; at::LEN]; 2];
        let mut structures = [StructureCounts::default(); 2];
        let years = [Some(year), year.checked_sub(1)];
        for (slot, y) in years.into_iter().enumerate() {
            if let Some(cells) = y.and_then(|y| self.year(y)) {
                cells.add_counts(&masks, &mut counts[slot]);
                structures[slot] = cells.structure_counts(&masks, filter);
            }
        }
        let first_year = self.first_year.unwrap_or(year).min(year);
        let per_year = (first_year..=year)
            .map(|y| self.year(y).map_or([0; ORIGINS], |c| c.by_origin(&masks)))
            .collect();
        let totals = Totals {
            counts,
            structures,
            first_year,
            per_year,
        };
        Observatory {
            year,
            figures: report::figures(&totals, year, reference),
        }
    }

    /// The first and last years holding rows.
    pub fn years(&self) -> Option<(i16, i16)> {
        Some((self.years.first()?.year, self.years.last()?.year))
    }

    /// Number of rows the cube was built from.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Number of cells holding rows, every year.
    pub fn cells(&self) -> usize {
        self.years.iter().map(|y| y.keys.len()).sum()
    }

    /// Bytes held by the cube (its cells and structures), roughly.
    pub fn bytes(&self) -> usize {
        let per_cell = size_of::<Key>() + size_of::<u32>() + size_of::<CellCounts>();
        self.years
            .iter()
            .map(|y| {
                size_of::<Year>()
                    + y.keys.capacity() * per_cell
                    + y.structures.capacity() * size_of::<StructureYear>()
            })
            .sum::<usize>()
            + size_of::<Cube>()
    }

    fn year(&self, year: i16) -> Option<&Year> {
        self.years
            .binary_search_by_key(&year, |y| y.year)
            .ok()
            .map(|i| &self.years[i])
    }
}

/// One year being built.
struct YearBuilder {
    year: i16,
    /// Dense key → index in `counters` + 1 (0: no cell yet).
    index: Vec<u32>,
    keys: Vec<Key>,
    counters: Vec<CellCounts>,
    /// Structure id → index in `structures` + 1, for ids below [`DENSE_LIMIT`].
    dense: Vec<u32>,
    /// The same for larger ids.
    sparse: HashMap<u32, u32>,
    structures: Vec<StructureYear>,
}

impl YearBuilder {
    fn new(year: i16) -> YearBuilder {
        YearBuilder {
            year,
            index: vec![0; KEYS],
            keys: Vec::new(),
            counters: Vec::new(),
            dense: Vec::new(),
            sparse: HashMap::new(),
            structures: Vec::new(),
        }
    }

    #[inline(always)]
    fn cell(&mut self, key: Key) -> &mut CellCounts {
        let slot = &mut self.index[key.dense()];
        if *slot == 0 {
            self.keys.push(key);
            self.counters.push([0; cell::LEN]);
            // At most KEYS cells, far below u32::MAX.
            *slot = self.counters.len() as u32;
        }
        let i = *slot as usize - 1;
        &mut self.counters[i]
    }

    #[inline(always)]
    fn structure(
        &mut self,
        id: u32,
        attributes: Attributes,
    ) -> Result<&mut StructureYear, CubeError> {
        let slot = if id < DENSE_LIMIT {
            let i = id as usize;
            if i >= self.dense.len() {
                let len = (i + 1).max(self.dense.len() * 2).min(DENSE_LIMIT as usize);
                self.dense.resize(len, 0);
            }
            &mut self.dense[i]
        } else {
            self.sparse.entry(id).or_insert(0)
        };
        if *slot == 0 {
            self.structures.push(StructureYear {
                id,
                attributes,
                months: [[0; MONTH_SLOTS + 1]; ORIGINS],
                unanswered: 0,
            });
            // Fewer structures than rows, and rows fit a u32.
            *slot = self.structures.len() as u32;
        }
        let s = &mut self.structures[*slot as usize - 1];
        if s.attributes != attributes {
            return Err(CubeError::Structure {
                structure: id,
                year: self.year,
            });
        }
        Ok(s)
    }

    /// Counts one row of this year.
    #[inline(always)]
    fn add(&mut self, row: &Row) -> Result<(), CubeError> {
        let key = Key::of(row);
        let h = row.handling;
        let c = self.cell(key);
        c[cell::DECLARATIONS] += 1;
        c[cell::SUPPORT_REQUESTED] += u32::from(row.support_requested);
        c[cell::TECHNICAL_SUPPORT] += u32::from(h.technical_support);
        c[cell::FALSE_POSITIVE] += u32::from(h.false_positive);
        c[cell::CARE_IMPACT] += u32::from(row.care_impact != CareImpact::None);
        c[cell::PATIENT_DANGER_ANY] += u32::from(row.patient_danger != PatientDanger::None);
        let kinds = row.data_kinds.bits() & DATA_KIND_BITS;
        c[cell::MULTIPLE_KINDS] += u32::from(kinds.count_ones() >= 2);
        c[cell::SUPPORTED_FALSE_POSITIVE] += u32::from(h.technical_support && h.false_positive);
        c[cell::MULTI_CATEGORY] += u32::from(row.categories.bits().count_ones() >= 2);
        c[cell::SLOT + usize::from(row.slot.index())] += 1;
        c[cell::STATE + usize::from(row.state.index())] += 1;
        c[cell::PATIENT_DANGER + usize::from(row.patient_danger.index())] += 1;
        add_bits(
            c,
            cell::DATA_IMPACT,
            row.data_impacts.bits() & DATA_IMPACT_BITS,
        );
        add_bits(c, cell::DATA_KIND, kinds);
        let categories = row.categories.bits() & CATEGORY_BITS;
        add_bits(c, cell::CATEGORY, categories);
        if h.technical_support {
            add_bits(c, cell::SUPPORTED_CATEGORY, categories);
        }
        match (row.origin, row.ransomware_reach, row.infra_side) {
            (Some(Origin::Malicious), Some(reach), _) => {
                c[cell::REACH + usize::from(reach.index())] += 1;
            }
            (Some(Origin::NonMalicious), _, Some(side)) => {
                c[cell::SIDE + usize::from(side.index())] += 1;
            }
            _ => {}
        }
        let s = self.structure(row.structure, Attributes::of(row))?;
        let origin = usize::from(key.origin);
        let month = usize::from(key.month);
        s.months[origin][month] += 1;
        if h.complements_requested && !h.complements_received {
            s.unanswered |= 1 << (origin * MONTH_SLOTS + month);
        }
        Ok(())
    }

    /// Adds another chunk's counts of the same year.
    fn merge(&mut self, other: YearBuilder) -> Result<(), CubeError> {
        for (key, counters) in other.keys.into_iter().zip(other.counters) {
            for (mine, theirs) in self.cell(key).iter_mut().zip(counters) {
                *mine += theirs;
            }
        }
        for theirs in other.structures {
            let mine = self.structure(theirs.id, theirs.attributes)?;
            for (a, b) in mine.months.iter_mut().zip(&theirs.months) {
                for (a, b) in a.iter_mut().zip(b) {
                    *a += b;
                }
            }
            mine.unanswered |= theirs.unanswered;
        }
        Ok(())
    }

    /// The year's cells in key order, and its structures by id with cumulated months.
    fn finish(self) -> Year {
        let mut cells: Vec<(Key, CellCounts)> = self.keys.into_iter().zip(self.counters).collect();
        cells.sort_unstable_by_key(|&(key, _)| key);
        let mut structures = self.structures;
        structures.sort_unstable_by_key(|s| s.id);
        for s in &mut structures {
            for months in &mut s.months {
                let mut before = 0;
                for m in months.iter_mut() {
                    let here = *m;
                    *m = before;
                    before += here;
                }
            }
        }
        Year {
            year: self.year,
            keys: cells.iter().map(|(k, _)| *k).collect(),
            declarations: cells.iter().map(|(_, c)| c[cell::DECLARATIONS]).collect(),
            counters: cells.into_iter().map(|(_, c)| c).collect(),
            structures,
        }
    }
}

/// The cube of one chunk of rows.
struct Builder {
    /// Year (as [`crate::tally::year_index`]) → index in `years` + 1.
    slots: Vec<u32>,
    years: Vec<YearBuilder>,
    first_year: Option<i16>,
}

impl Builder {
    fn over(rows: &[Row]) -> Result<Builder, CubeError> {
        let mut b = Builder {
            slots: vec![0; 1 << 16],
            years: Vec::new(),
            first_year: None,
        };
        let mut first_year = i16::MAX;
        for row in rows {
            first_year = first_year.min(row.year);
            b.year(row.year).add(row)?;
        }
        b.first_year = (!rows.is_empty()).then_some(first_year);
        Ok(b)
    }

    #[inline(always)]
    fn year(&mut self, year: i16) -> &mut YearBuilder {
        let slot = &mut self.slots[crate::tally::year_index(year)];
        if *slot == 0 {
            self.years.push(YearBuilder::new(year));
            // At most 2^16 years.
            *slot = self.years.len() as u32;
        }
        &mut self.years[*slot as usize - 1]
    }

    fn merge(&mut self, other: Builder) -> Result<(), CubeError> {
        for year in other.years {
            self.year(year.year).merge(year)?;
        }
        self.first_year = match (self.first_year, other.first_year) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    fn finish(self, rows: u64) -> Cube {
        let mut years: Vec<Year> = self.years.into_iter().map(YearBuilder::finish).collect();
        years.sort_unstable_by_key(|y| y.year);
        Cube {
            years,
            first_year: self.first_year,
            rows,
        }
    }
}

/// Adds 1 to the counter at `offset + i` for every bit `i` set in `bits`.
#[inline(always)]
fn add_bits(out: &mut CellCounts, offset: usize, mut bits: u32) {
    while bits != 0 {
        out[offset + bits.trailing_zeros() as usize] += 1;
        bits &= bits - 1;
    }
}
