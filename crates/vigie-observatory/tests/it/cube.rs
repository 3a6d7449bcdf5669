//! The cube gives exactly what the scan of the rows gives, for any rows, year and filter.

use std::num::NonZeroUsize;

use proptest::prelude::*;
use vigie_model::{
    CareImpact, Code, CodeSet, DataImpactCode, DataKind, DepositSlot, Handling, InfraSide,
    LegalStatus, Origin, PatientDanger, RansomwareReach, Region, StateAtDeclaration, StructureType,
};
use vigie_observatory::{Cube, CubeError, Filter, Period, Reference, Row, Share, compute_on};

use crate::{YEAR, row};

/// The value at `i` (modulo) of a vocabulary.
fn pick<T: Code>(i: usize) -> T {
    T::ALL[i % T::ALL.len()]
}

/// An index into a vocabulary, mostly among its first values so that filters meet rows.
fn index(len: usize) -> impl Strategy<Value = usize> {
    prop_oneof![3 => 0..3usize.min(len), 1 => 0..len]
}

/// A structure: region, kind, legal status and OSE flag.
type Structure = (Region, StructureType, LegalStatus, bool);

fn structure() -> impl Strategy<Value = Structure> {
    (
        index(Region::ALL.len()),
        index(StructureType::ALL.len()),
        index(LegalStatus::ALL.len()),
        any::<bool>(),
    )
        .prop_map(|(r, k, l, ose)| (pick(r), pick(k), pick(l), ose))
}

/// A row of one of `structures` (by index, modulo), every other field drawn freely,
/// odd combinations and months out of range included.
fn row_of(structures: Vec<Structure>) -> impl Strategy<Value = Row> {
    let when = (
        0..structures.len(),
        2019i16..=2025,
        prop_oneof![9 => 1u8..=12, 1 => 0u8..=15],
        0..DepositSlot::ALL.len(),
    );
    let what = (
        0..StateAtDeclaration::ALL.len(),
        any::<bool>(),
        0..CareImpact::ALL.len(),
        1u32..1 << DataImpactCode::ALL.len(),
        0u32..1 << DataKind::ALL.len(),
        0..PatientDanger::ALL.len(),
    );
    let qualification = (
        0..=Origin::ALL.len(),
        prop_oneof![1 => Just(0u32), 2 => 0u32..1 << 19],
        proptest::option::of(0..RansomwareReach::ALL.len()),
        proptest::option::of(0..InfraSide::ALL.len()),
        any::<[bool; 4]>(),
    );
    (when, what, qualification).prop_map(
        move |(
            (s, year, month, slot),
            (state, support, care, impacts, kinds, danger),
            (origin, categories, reach, side, [ts, fp, req, recv]),
        )| {
            let (region, kind, legal_status, ose) = structures[s];
            Row {
                year,
                month,
                slot: pick(slot),
                // Some identifiers beyond the dense tables.
                structure: if s % 3 == 2 {
                    5_000_000 + s as u32
                } else {
                    s as u32 * 7
                },
                region,
                kind,
                legal_status,
                ose,
                state: pick(state),
                support_requested: support,
                care_impact: pick(care),
                data_impacts: CodeSet::from_bits(impacts).unwrap(),
                data_kinds: CodeSet::from_bits(kinds).unwrap(),
                patient_danger: pick(danger),
                origin: Origin::ALL.get(origin).copied(),
                categories: CodeSet::from_bits(categories).unwrap(),
                ransomware_reach: reach.map(pick),
                infra_side: side.map(pick),
                handling: Handling {
                    technical_support: ts,
                    false_positive: fp,
                    complements_requested: req,
                    complements_received: recv,
                },
            }
        },
    )
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(structure(), 1..10)
        .prop_flat_map(|structures| prop::collection::vec(row_of(structures), 0..400))
}

fn filter() -> impl Strategy<Value = Filter> {
    let period = prop_oneof![
        2 => Just(Period::YEAR),
        3 => (1u8..=12, 1u8..=12).prop_map(|(a, b)| Period::new(a.min(b), a.max(b)).unwrap()),
    ];
    (
        proptest::option::of(index(Region::ALL.len())),
        proptest::option::of(index(StructureType::ALL.len())),
        proptest::option::of(index(LegalStatus::ALL.len())),
        proptest::option::of(0..Origin::ALL.len()),
        period,
    )
        .prop_map(|(region, kind, legal_status, origin, period)| Filter {
            region: region.map(pick),
            kind: kind.map(pick),
            legal_status: legal_status.map(pick),
            origin: origin.map(pick),
            period,
        })
}

/// Activity shares for every metropolitan region, unequal so that figure 7 varies.
fn shares() -> Reference {
    Reference::from_shares(
        Region::METROPOLITAN
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, Share::from_units(10 + i as u64 * 3))),
    )
    .unwrap()
}

fn threads(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_cube_gives_what_the_scan_gives(
        rows in rows(),
        filters in prop::collection::vec(filter(), 1..6),
        year in 2018i16..=2026,
        chunks in 1usize..4,
    ) {
        let reference = shares();
        let cube = Cube::build_on(&rows, threads(chunks)).unwrap();
        prop_assert_eq!(cube.rows(), rows.len() as u64);
        for filter in filters.iter().chain([&Filter::default()]) {
            let scanned = compute_on(&rows, year, &reference, filter, threads(chunks));
            prop_assert_eq!(cube.compute(year, &reference, filter), scanned, "{:?}", filter);
        }
    }
}

#[test]
fn a_structure_changing_region_within_a_year_is_refused() {
    let rows = [
        row("s=3 region=84"),
        row("s=3 region=11"),
        row("2023-01 s=4 region=84"),
    ];
    for n in 1..=2 {
        assert_eq!(
            Cube::build_on(&rows, threads(n)).unwrap_err(),
            CubeError::Structure {
                structure: 3,
                year: YEAR,
            },
            "{n} chunks"
        );
    }
    // Another year, another region: the years are counted apart.
    let moved = [row("2023-01 s=3 region=84"), row("s=3 region=11")];
    let cube = Cube::build(&moved).unwrap();
    assert_eq!(cube.years(), Some((2023, YEAR)));
    assert_eq!(cube.cells(), 2);
}

#[test]
fn an_empty_cube_gives_the_empty_figures() {
    let cube = Cube::build(&[]).unwrap();
    assert_eq!(cube.years(), None);
    let reference = shares();
    for filter in [
        Filter::default(),
        Filter {
            period: Period::new(2, 3).unwrap(),
            ..Filter::default()
        },
    ] {
        assert_eq!(
            cube.compute(YEAR, &reference, &filter),
            compute_on(&[], YEAR, &reference, &filter, threads(1))
        );
    }
}
