//! The observatory's only integration-test binary: figures computed from rows built by hand.
//!
//! Rows are written in a small language, one string per incident (see [`row`]), and
//! figures are compared as `key=count/previous` lists of their non-zero rows.

mod cube;
mod disclosure;

use std::{collections::HashMap, num::NonZeroUsize};

use vigie_model::{
    CareImpact, Category, Code, CodeSet, DataImpactCode, DataKind, DepositSlot, Handling,
    InfraSide, LegalStatus, Origin, PatientDanger, RansomwareReach, Region, StateAtDeclaration,
    StructureType,
};
use vigie_observatory::{
    COUNTED_FIGURES, Figure, FigureError, Filter, Observatory, Period, Reference, Row, Share,
    compute, compute_on,
};

/// The year computed by the checks; rows of 2023 fill the `previous` column.
const YEAR: i16 = 2024;

/// Parses a set of codes joined by `+`.
fn set<T: Code>(codes: &str) -> CodeSet<T> {
    CodeSet::parse_codes(codes.split('+')).unwrap()
}

/// Builds a row from words: `2023-05` (year-month, default 2024-01), `s=7` (structure),
/// `region=84`, `kind=ehpad`, `legal=public`, `ose`, `state=…`, `slot=…`, `support`,
/// `care=…`, `danger=…`, `impact=a+b`, `kinds=a+b`, an origin code, `cat=a+b`,
/// `reach=…`, `side=…`, `ts` (technical support), `fp` (false positive), `req`
/// (complements requested), `recv` (complements received).
fn row(spec: &str) -> Row {
    let mut row = Row {
        year: YEAR,
        month: 1,
        slot: DepositSlot::HoJo,
        structure: 1,
        region: Region::IleDeFrance,
        kind: StructureType::EsPublic,
        legal_status: LegalStatus::Public,
        ose: false,
        state: StateAtDeclaration::Resolved,
        support_requested: false,
        care_impact: CareImpact::None,
        data_impacts: set("none"),
        data_kinds: CodeSet::empty(),
        patient_danger: PatientDanger::None,
        origin: None,
        categories: CodeSet::empty(),
        ransomware_reach: None,
        infra_side: None,
        handling: Handling::default(),
    };
    for word in spec.split_whitespace() {
        let (name, value) = word.split_once('=').unwrap_or((word, ""));
        match name {
            _ if word.len() == 7 && word.as_bytes()[4] == b'-' => {
                row.year = word[..4].parse().unwrap();
                row.month = word[5..].parse().unwrap();
            }
            "s" => row.structure = value.parse().unwrap(),
            "region" => row.region = value.parse().unwrap(),
            "kind" => row.kind = value.parse().unwrap(),
            "legal" => row.legal_status = value.parse().unwrap(),
            "ose" => row.ose = true,
            "state" => row.state = value.parse().unwrap(),
            "slot" => row.slot = value.parse().unwrap(),
            "support" => row.support_requested = true,
            "care" => row.care_impact = value.parse().unwrap(),
            "danger" => row.patient_danger = value.parse().unwrap(),
            "impact" => row.data_impacts = set(value),
            "kinds" => row.data_kinds = set(value),
            "malicious" | "non_malicious" | "out_of_scope" => {
                row.origin = Some(name.parse().unwrap())
            }
            "cat" => row.categories = set(value),
            "reach" => row.ransomware_reach = Some(value.parse().unwrap()),
            "side" => row.infra_side = Some(value.parse().unwrap()),
            "ts" => row.handling.technical_support = true,
            "fp" => row.handling.false_positive = true,
            "req" => row.handling.complements_requested = true,
            "recv" => row.handling.complements_received = true,
            _ => panic!("unknown word `{word}` in `{spec}`"),
        }
    }
    row
}

fn rows(specs: &[&str]) -> Vec<Row> {
    specs.iter().map(|s| row(s)).collect()
}

/// The non-zero rows of a figure as `key=count/previous`, space-separated.
fn summary(figure: &Figure) -> String {
    figure
        .rows
        .iter()
        .filter(|r| r.count != 0 || r.previous != 0)
        .map(|r| format!("{}={}/{}", r.key, r.count, r.previous))
        .collect::<Vec<_>>()
        .join(" ")
}

fn observatory(specs: &[&str], reference: &Reference, filter: &Filter) -> Observatory {
    compute(&rows(specs), YEAR, reference, filter)
}

/// Checks the non-zero rows of one figure for [`YEAR`], without reference data or filter.
#[track_caller]
fn check(specs: &[&str], number: u8, want: &str) {
    let obs = observatory(specs, &Reference::none(), &Filter::default());
    assert_eq!(
        summary(obs.figure(number).unwrap()),
        want,
        "figure {number}"
    );
}

fn keys(figure: &Figure) -> Vec<&str> {
    figure.rows.iter().map(|r| r.key.as_str()).collect()
}

/// A reference where every metropolitan region has the same share, except those given.
fn reference(shares: &[(&str, &str)]) -> Reference {
    let shares = Region::METROPOLITAN.iter().map(|region| {
        let share = shares
            .iter()
            .find(|(r, _)| *r == region.code())
            .map_or("0.05", |(_, s)| s);
        (*region, Share::parse(share).unwrap())
    });
    Reference::from_shares(shares).unwrap()
}

#[test]
fn key_figures_count_each_declaration_once() {
    check(
        &[
            "support malicious cat=phishing ts care=degraded",
            "non_malicious cat=app_bug danger=actual care=interrupted",
            "out_of_scope ts fp danger=potential",
            "support",
            "2023-06 malicious cat=ddos support",
            "2022-06 malicious",
        ],
        1,
        "declarations=4/1 structures=1/1 support_requested=2/1 technical_support=2/0 \
         false_positive=1/0 malicious=1/1 non_malicious=1/0 out_of_scope=1/0 \
         care_impact=2/0 patient_danger=2/0 structures_gt2=1/0 structures_ge4=1/0",
    );
}

#[test]
fn structures_are_counted_distinct_with_declaration_thresholds() {
    // Structure 2 declares 2 times, 3 declares 3 times, 4 declares 4 times, 5 once in each
    // year; 6 declares 3 times but only 2 in 2024.
    let mut specs = vec!["s=2"; 2];
    specs.extend(["s=3"; 3]);
    specs.extend(["s=4"; 4]);
    specs.extend(["s=5", "2023-01 s=5", "s=6", "s=6", "2023-12 s=6"]);
    check(
        &specs,
        1,
        "declarations=12/2 structures=5/2 structures_gt2=2/0 structures_ge4=1/0",
    );
    // Structure identifiers beyond the dense table take the sparse path.
    check(
        &[
            "s=5000000",
            "s=5000000",
            "s=5000000",
            "s=4194304 ose req",
            "2023-01 s=4194304",
            "s=7",
        ],
        1,
        "declarations=5/1 structures=3/1 structures_gt2=1/0 ose_structures=1/0 \
         structures_unanswered=1/0",
    );
}

#[test]
fn unanswered_and_ose_structures_are_distinct() {
    check(
        &[
            // Structure 1: two unanswered requests, counted once.
            "s=1 req",
            "s=1 req",
            // Structure 2: answered.
            "s=2 req recv",
            // Structure 3: one answered, one not.
            "s=3 req recv",
            "s=3 req",
            // Structure 4: received without a request (imported data): not unanswered.
            "s=4 recv",
            // OSE: structure 5 three times, structure 6 once, structure 7 only in 2023.
            "s=5 ose",
            "s=5 ose",
            "s=5 ose",
            "s=6 ose",
            "2023-03 s=7 ose req",
        ],
        1,
        "declarations=10/1 structures=6/1 structures_gt2=1/0 ose_structures=2/1 \
         structures_unanswered=2/1",
    );
}

#[test]
fn each_figure_counts_what_the_contract_says() {
    let cases: &[(&[&str], u8, &str)] = &[
        (
            &["2024-01", "2024-01", "2024-12", "2023-12", "2025-01"],
            3,
            "01=2/0 12=1/1",
        ),
        (
            &[
                "slot=jno",
                "slot=jno",
                "slot=jo_1800_1829",
                "2023-02 slot=ho_jo",
            ],
            4,
            "ho_jo=0/1 jo_1800_1829=1/0 jno=2/0",
        ),
        (
            &["state=needs_cert", "state=unknown", "2023-01 state=unknown"],
            5,
            "needs_cert=1/0 unknown=1/1",
        ),
        (
            &["region=84", "region=84", "region=01", "2023-01 region=988"],
            6,
            "84=2/0 01=1/0 988=0/1",
        ),
        (
            &["kind=ehpad", "kind=lab", "kind=ehpad"],
            8,
            "ehpad=2/0 lab=1/0",
        ),
        (
            &[
                "legal=private_non_profit",
                "2023-01 legal=private_for_profit",
            ],
            9,
            "private_for_profit=0/1 private_non_profit=1/0",
        ),
        // An incident with several impacts counts under each.
        (
            &[
                "impact=unavailable+altered kinds=health_personal",
                "impact=disclosed kinds=personal_other",
                "",
            ],
            10,
            "unavailable=1/0 disclosed=1/0 altered=1/0 none=1/0",
        ),
        // `multiple`: incidents with 2 kinds of data or more.
        (
            &[
                "impact=disclosed kinds=health_personal+personal_other+confidential",
                "impact=disclosed kinds=health_personal+technical_sensitive",
                "impact=disclosed kinds=confidential",
                "impact=unavailable",
            ],
            11,
            "health_personal=2/0 personal_other=1/0 technical_sensitive=1/0 confidential=2/0 \
             multiple=2/0",
        ),
        (
            &[
                "",
                "danger=potential",
                "danger=actual",
                "2023-01 danger=actual",
            ],
            12,
            "none=1/0 potential=1/0 actual=1/1",
        ),
        (
            &[
                "malicious",
                "non_malicious",
                "",
                "",
                "2023-01",
                "2023-01 out_of_scope",
            ],
            13,
            "malicious=1/0 non_malicious=1/0 out_of_scope=0/1 unqualified=2/1",
        ),
        // Malicious incidents only, once under each category; then the reaches.
        (
            &[
                "malicious cat=ransomware+phishing reach=workstation",
                "malicious cat=ransomware reach=multi_server",
                "malicious cat=ransomware+data_leak+credential_theft reach=provider",
                "malicious cat=ddos",
                "2023-01 malicious cat=ransomware reach=single_server",
                "non_malicious cat=app_bug+telecom_loss",
                "",
            ],
            14,
            "ransomware=3/1 credential_theft=1/0 phishing=1/0 data_leak=1/0 ddos=1/0 \
             ransomware_reach.multi_server=1/0 ransomware_reach.single_server=0/1 \
             ransomware_reach.workstation=1/0 ransomware_reach.provider=1/0 multi_category=2/0",
        ),
        (
            &[
                "2024-03 malicious",
                "2024-04 malicious",
                "2024-12 malicious",
                "2024-12 non_malicious",
                "2023-09 malicious",
            ],
            16,
            "Q1=1/0 Q2=1/0 Q3=0/1 Q4=1/0",
        ),
        // Technical support only, both origins, then the false positives among them.
        (
            &[
                "ts malicious cat=phishing+malware",
                "ts non_malicious cat=faulty_update fp",
                "ts fp",
                "malicious cat=phishing",
                "fp",
            ],
            18,
            "phishing=1/0 malware=1/0 faulty_update=1/0 false_positive=2/0",
        ),
        (
            &[
                "non_malicious cat=infra_failure side=provider",
                "non_malicious cat=infra_failure+power_outage side=local",
                "non_malicious cat=infra_failure",
                "2023-01 non_malicious cat=infra_failure side=local",
                "malicious cat=ddos",
            ],
            19,
            "infra_failure=3/1 power_outage=1/0 infra_failure.provider=1/0 \
             infra_failure.local=1/1",
        ),
        (
            &[
                "2024-02 non_malicious",
                "2024-07 non_malicious",
                "2024-08 non_malicious",
                "2024-08 malicious",
                "2023-01 non_malicious",
            ],
            21,
            "Q1=1/1 Q3=2/0",
        ),
    ];
    for &(specs, number, want) in cases {
        check(specs, number, want);
    }
}

#[test]
fn every_figure_lists_its_keys_in_contract_order() {
    let obs = observatory(&[], &Reference::none(), &Filter::default());
    let numbers: Vec<u8> = obs.figures.iter().map(|f| f.number).collect();
    assert_eq!(numbers, COUNTED_FIGURES);
    assert!(obs.figures.iter().all(|f| f.year == YEAR));
    let fig = |n: u8| obs.figures.iter().find(|f| f.number == n).unwrap();
    assert_eq!(
        keys(fig(1)),
        [
            "declarations",
            "structures",
            "support_requested",
            "technical_support",
            "false_positive",
            "malicious",
            "non_malicious",
            "out_of_scope",
            "care_impact",
            "patient_danger",
            "structures_gt2",
            "structures_ge4",
            "ose_structures",
            "structures_unanswered"
        ]
    );
    assert_eq!(
        keys(fig(3)),
        [
            "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"
        ]
    );
    assert_eq!(fig(3).rows[7].label, "août");
    assert_eq!(
        keys(fig(4)),
        [
            "ho_jo",
            "jo_1800_1829",
            "jo_1830_1959",
            "jo_2000_0859",
            "jno"
        ]
    );
    assert_eq!(keys(fig(6)).len(), 25);
    assert_eq!(fig(6).rows[10].label, "Auvergne-Rhône-Alpes");
    assert_eq!(
        keys(fig(7)),
        [
            "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"
        ]
    );
    assert_eq!(keys(fig(8))[0], "es_public");
    assert_eq!(
        keys(fig(10)),
        ["unavailable", "disclosed", "altered", "destroyed", "none"]
    );
    assert_eq!(
        keys(fig(13)),
        ["malicious", "non_malicious", "out_of_scope", "unqualified"]
    );
    let f14 = keys(fig(14));
    assert_eq!(f14.len(), 12 + 4 + 1);
    assert_eq!(&f14[..2], ["ransomware", "si_compromise"]);
    assert_eq!(
        &f14[11..],
        [
            "other_malicious",
            "ransomware_reach.multi_server",
            "ransomware_reach.single_server",
            "ransomware_reach.workstation",
            "ransomware_reach.provider",
            "multi_category"
        ]
    );
    assert_eq!(keys(fig(16)), ["Q1", "Q2", "Q3", "Q4"]);
    let f18 = keys(fig(18));
    assert_eq!(f18.len(), 19 + 1);
    assert_eq!(&f18[18..], ["other_non_malicious", "false_positive"]);
    assert_eq!(
        keys(fig(19)),
        [
            "infra_failure",
            "telecom_loss",
            "app_bug",
            "power_outage",
            "equipment_failure",
            "faulty_update",
            "other_non_malicious",
            "infra_failure.provider",
            "infra_failure.local"
        ]
    );
    assert_eq!(
        fig(19).rows[7].label,
        "Dysfonctionnement d'infrastructure – Côté prestataire"
    );
    assert_eq!(fig(3).title, "Nombre de signalements par mois");
}

#[test]
fn yearly_figures_run_from_the_first_year_of_the_data() {
    let obs = observatory(
        &[
            "2021-05 malicious",
            "2021-06 non_malicious",
            "2023-01 malicious",
            "2024-02 malicious",
            "2024-03 malicious",
            "2024-03 non_malicious",
            // After the year: not listed.
            "2025-01 malicious",
        ],
        &Reference::none(),
        &Filter::default(),
    );
    let f15 = obs.figure(15).unwrap();
    assert_eq!(keys(f15), ["2021", "2022", "2023", "2024"]);
    assert_eq!(
        summary(f15),
        "2021=1/0 2023=1/0 2024=2/0",
        "previous is always 0"
    );
    assert_eq!(summary(obs.figure(20).unwrap()), "2021=1/0 2024=1/0");

    // The first year is that of all rows, filtered or not, so filtered views share one axis.
    let filtered = observatory(
        &["2020-01 region=84", "2024-01 malicious"],
        &Reference::none(),
        &Filter {
            region: Some(Region::IleDeFrance),
            ..Filter::default()
        },
    );
    assert_eq!(
        keys(filtered.figure(15).unwrap()),
        ["2020", "2021", "2022", "2023", "2024"]
    );

    // No data, or data only after the year: the year alone.
    for specs in [&[][..], &["2026-01 malicious"][..]] {
        let obs = observatory(specs, &Reference::none(), &Filter::default());
        assert_eq!(
            obs.figure(20).unwrap().to_csv(),
            "key,count,previous\n2024,0,0\n"
        );
    }
}

#[test]
fn activity_index_rounds_half_away_from_zero_with_the_highest_region_at_100() {
    // Equal shares except Auvergne-Rhône-Alpes (84), twice as active.
    let reference = reference(&[("84", "0.10")]);
    let mut specs = vec!["region=11"; 8];
    specs.extend(["region=24"]); // 1/8 = 12.5 → 13
    specs.extend(["region=27"; 3]); // 3/8 = 37.5 → 38
    specs.extend(["region=84"; 4]); // (4 / 2) / 8 = 25
    specs.extend(["region=01"; 50]); // overseas: left out, even as the highest
    specs.extend([
        "2023-01 region=94",
        "2023-01 region=84",
        "2023-01 region=84",
    ]);
    let obs = observatory(&specs, &reference, &Filter::default());
    assert!(obs.has_reference());
    let f7 = obs.figure(7).unwrap();
    assert_eq!(f7.note, None);
    // Previous year: Corse 1 / 0.05 = 20 is the highest; 84: 2 / 0.10 = 20 too.
    assert_eq!(summary(f7), "11=100/0 24=13/0 27=38/0 84=25/100 94=0/100");
    assert_eq!(f7.rows.len(), 13);
}

#[test]
fn activity_index_without_reference_data_is_zero_with_a_note() {
    let obs = observatory(&["region=11"], &Reference::none(), &Filter::default());
    assert!(!obs.has_reference());
    assert_eq!(obs.figure(7), Err(FigureError::MissingReference));
    let f7 = obs.figures.iter().find(|f| f.number == 7).unwrap();
    assert!(f7.note.unwrap().contains("référence"));
    assert_eq!(f7.rows.len(), 13);
    assert!(f7.rows.iter().all(|r| r.count == 0 && r.previous == 0));
    assert_eq!(
        FigureError::MissingReference.to_string(),
        "figure 7 needs each region's share of national hospital activity, loaded as \
         reference data (a `region,share` CSV)"
    );
}

#[test]
fn figure_numbers_outside_the_counted_ones_are_refused_clearly() {
    let obs = observatory(&[], &Reference::none(), &Filter::default());
    for (number, want) in [
        (2, FigureError::Curated(2)),
        (17, FigureError::Curated(17)),
        (0, FigureError::Unknown(0)),
        (22, FigureError::Unknown(22)),
    ] {
        assert_eq!(obs.figure(number), Err(want));
    }
    assert_eq!(
        FigureError::Curated(17).to_string(),
        "figure 17 is a curated list, not a count: it comes from the events and advisories \
         recorded in the system"
    );
    assert_eq!(
        FigureError::Unknown(22).to_string(),
        "there is no figure 22: the counted figures are 1, 3 to 16 and 18 to 21"
    );
}

#[test]
fn filters_restrict_every_count() {
    let specs = [
        "s=1 region=84 kind=ehpad legal=public malicious cat=phishing",
        "s=1 region=84 kind=ehpad legal=public non_malicious cat=app_bug",
        "s=2 region=84 kind=lab legal=private_for_profit malicious cat=ddos",
        "s=3 region=11 kind=ehpad legal=public malicious cat=ransomware",
        "s=4 region=84 kind=ehpad legal=public",
        "2023-01 s=5 region=84 kind=ehpad legal=public malicious",
    ];
    let cases: &[(Filter, &str)] = &[
        (
            Filter::default(),
            "declarations=5/1 structures=4/1 malicious=3/1 non_malicious=1/0",
        ),
        (
            Filter {
                region: Some(Region::AuvergneRhoneAlpes),
                ..Filter::default()
            },
            "declarations=4/1 structures=3/1 malicious=2/1 non_malicious=1/0",
        ),
        (
            Filter {
                region: Some(Region::AuvergneRhoneAlpes),
                kind: Some(StructureType::Ehpad),
                ..Filter::default()
            },
            "declarations=3/1 structures=2/1 malicious=1/1 non_malicious=1/0",
        ),
        (
            Filter {
                legal_status: Some(LegalStatus::PrivateForProfit),
                ..Filter::default()
            },
            "declarations=1/0 structures=1/0 malicious=1/0",
        ),
        // An origin filter leaves out the unqualified incidents (structure 4).
        (
            Filter {
                origin: Some(Origin::Malicious),
                kind: Some(StructureType::Ehpad),
                ..Filter::default()
            },
            "declarations=2/1 structures=2/1 malicious=2/1",
        ),
        (
            Filter {
                region: Some(Region::Corse),
                ..Filter::default()
            },
            "",
        ),
    ];
    for (filter, want) in cases {
        let obs = observatory(&specs, &Reference::none(), filter);
        assert_eq!(summary(obs.figure(1).unwrap()), *want, "{filter:?}");
        let admitted = rows(&specs).iter().filter(|r| filter.admits(r)).count();
        let counted =
            obs.figure(1).unwrap().rows[0].count + obs.figure(1).unwrap().rows[0].previous;
        assert_eq!(admitted as i64, counted, "{filter:?}");
    }
    // Categories follow the filter too.
    let obs = observatory(
        &specs,
        &Reference::none(),
        &Filter {
            region: Some(Region::AuvergneRhoneAlpes),
            ..Filter::default()
        },
    );
    assert_eq!(summary(obs.figure(14).unwrap()), "phishing=1/0 ddos=1/0");
}

#[test]
fn csv_and_json_have_the_contract_shape() {
    let obs = observatory(
        &[
            "malicious",
            "malicious",
            "2023-01 malicious",
            "",
            "non_malicious",
        ],
        &Reference::none(),
        &Filter::default(),
    );
    let f13 = obs.figure(13).unwrap();
    assert_eq!(
        f13.to_csv(),
        "key,count,previous\n\
         malicious,2,1\n\
         non_malicious,1,0\n\
         out_of_scope,0,0\n\
         unqualified,1,0\n"
    );
    let json = serde_json::to_value(f13).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "figure": 13,
            "year": 2024,
            "title": "Origine des incidents",
            "rows": [
                {"key": "malicious", "label": "Origine malveillante", "count": 2, "previous": 1},
                {"key": "non_malicious", "label": "Origine non malveillante", "count": 1, "previous": 0},
                {"key": "out_of_scope", "label": "Hors périmètre", "count": 0, "previous": 0},
                {"key": "unqualified", "label": "Non qualifié", "count": 1, "previous": 0},
            ]
        })
    );
    let all = serde_json::to_value(&obs).unwrap();
    assert_eq!(all["year"], 2024);
    assert_eq!(
        all["figures"].as_array().unwrap().len(),
        COUNTED_FIGURES.len()
    );
    assert_eq!(
        all["figures"][5]["note"],
        "Données de référence manquantes : parts régionales de l'activité hospitalière"
    );
    assert!(all["figures"][0].get("note").is_none());
}

/// A deterministic generator of varied rows (xorshift), some of them odd on purpose.
fn random_rows(n: usize, mut seed: u64) -> Vec<Row> {
    let mut next = move |bound: usize| -> usize {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound as u64) as usize
    };
    fn pick<T: Code>(i: usize) -> T {
        T::ALL[i % T::ALL.len()]
    }
    (0..n)
        .map(|_| {
            let origin = match next(5) {
                0 => None,
                1 | 2 => Some(Origin::Malicious),
                3 => Some(Origin::NonMalicious),
                _ => Some(Origin::OutOfScope),
            };
            let categories: CodeSet<Category> = match origin {
                Some(o) if o != Origin::OutOfScope => {
                    Category::of_origin(o).filter(|_| next(6) == 0).collect()
                }
                _ => CodeSet::empty(),
            };
            let structure = if next(50) == 0 {
                5_000_000 + next(20) as u32
            } else {
                next(3_000) as u32
            };
            Row {
                year: 2019 + next(7) as i16,
                month: 1 + next(12) as u8,
                slot: pick(next(5)),
                structure,
                region: pick(next(25)),
                kind: pick(next(11)),
                legal_status: pick(next(3)),
                ose: structure % 7 == 0,
                state: pick(next(4)),
                support_requested: next(2) == 0,
                care_impact: pick(next(3)),
                data_impacts: CodeSet::<DataImpactCode>::from_bits(1 + next(31) as u32).unwrap(),
                data_kinds: CodeSet::<DataKind>::from_bits(next(16) as u32).unwrap(),
                patient_danger: pick(next(3)),
                origin,
                categories,
                ransomware_reach: categories
                    .contains(Category::Ransomware)
                    .then(|| pick::<RansomwareReach>(next(4))),
                infra_side: categories
                    .contains(Category::InfraFailure)
                    .then(|| pick::<InfraSide>(next(2))),
                handling: Handling {
                    technical_support: next(3) == 0,
                    false_positive: next(5) == 0,
                    complements_requested: next(4) == 0,
                    complements_received: next(2) == 0,
                },
            }
        })
        .collect()
}

#[test]
fn parallel_chunks_give_the_single_chunk_result() {
    let rows = random_rows(20_000, 0x5eed_1234_abcd_0001);
    let reference = reference(&[("11", "0.2"), ("94", "0.005")]);
    let filters = [
        Filter::default(),
        Filter {
            region: Some(Region::IleDeFrance),
            ..Filter::default()
        },
        Filter {
            origin: Some(Origin::Malicious),
            legal_status: Some(LegalStatus::Public),
            ..Filter::default()
        },
    ];
    let threads = |n| NonZeroUsize::new(n).unwrap();
    for filter in &filters {
        let single = compute_on(&rows, YEAR, &reference, filter, threads(1));
        for n in [2, 3, 7, 64] {
            assert_eq!(
                compute_on(&rows, YEAR, &reference, filter, threads(n)),
                single
            );
        }
        assert_eq!(compute(&rows, YEAR, &reference, filter), single);
        assert!(single.figure(1).unwrap().rows[0].count > 0);
    }
    // More threads than rows.
    let few = &rows[..3];
    assert_eq!(
        compute_on(few, YEAR, &reference, &Filter::default(), threads(8)),
        compute_on(few, YEAR, &reference, &Filter::default(), threads(1)),
    );
}

#[test]
fn structure_counts_match_a_naive_count() {
    let rows = random_rows(30_000, 42);
    let obs = compute_on(
        &rows,
        YEAR,
        &Reference::none(),
        &Filter::default(),
        NonZeroUsize::new(3).unwrap(),
    );
    let f1 = obs.figure(1).unwrap();
    for (column, year) in [(0, YEAR), (1, YEAR - 1)] {
        let mut by_structure: HashMap<u32, (i64, bool, bool)> = HashMap::new();
        for r in rows.iter().filter(|r| r.year == year) {
            let e = by_structure.entry(r.structure).or_default();
            e.0 += 1;
            e.1 |= r.ose;
            e.2 |= r.handling.complements_requested && !r.handling.complements_received;
        }
        let count = |p: &dyn Fn(&(i64, bool, bool)) -> bool| {
            by_structure.values().filter(|v| p(v)).count() as i64
        };
        let want = [
            ("structures", count(&|_| true)),
            ("structures_gt2", count(&|v| v.0 > 2)),
            ("structures_ge4", count(&|v| v.0 >= 4)),
            ("ose_structures", count(&|v| v.1)),
            ("structures_unanswered", count(&|v| v.2)),
        ];
        for (key, n) in want {
            let row = f1.row(key).unwrap();
            let got = if column == 0 { row.count } else { row.previous };
            assert_eq!(got, n, "{key} in {year}");
        }
        assert!(want[2].1 > 0 && want[2].1 < want[1].1);
    }
}

/// Counts every figure's rows the obvious way, one increment per row and key.
fn naive_counts(rows: &[Row]) -> HashMap<(u8, String), [i64; 2]> {
    let mut counts: HashMap<(u8, String), [i64; 2]> = HashMap::new();
    for r in rows {
        let column = match r.year {
            YEAR => 0,
            y if y == YEAR - 1 => 1,
            _ => continue,
        };
        let mut add = |figure: u8, key: &str| {
            counts.entry((figure, key.to_owned())).or_default()[column] += 1;
        };
        let h = r.handling;
        add(1, "declarations");
        for (key, yes) in [
            ("support_requested", r.support_requested),
            ("technical_support", h.technical_support),
            ("false_positive", h.false_positive),
            ("care_impact", r.care_impact != CareImpact::None),
            ("patient_danger", r.patient_danger != PatientDanger::None),
        ] {
            if yes {
                add(1, key);
            }
        }
        if let Some(o) = r.origin {
            add(1, o.code());
        }
        add(3, &format!("{:02}", r.month));
        add(4, r.slot.code());
        add(5, r.state.code());
        add(6, r.region.code());
        add(8, r.kind.code());
        add(9, r.legal_status.code());
        r.data_impacts.iter().for_each(|i| add(10, i.code()));
        r.data_kinds.iter().for_each(|k| add(11, k.code()));
        if r.data_kinds.len() >= 2 {
            add(11, "multiple");
        }
        add(12, r.patient_danger.code());
        add(13, r.origin.map_or("unqualified", Origin::code));
        let quarter = format!("Q{}", (r.month - 1) / 3 + 1);
        match r.origin {
            Some(Origin::Malicious) => {
                r.categories.iter().for_each(|c| add(14, c.code()));
                if let Some(reach) = r.ransomware_reach {
                    add(14, &format!("ransomware_reach.{}", reach.code()));
                }
                if r.categories.len() >= 2 {
                    add(14, "multi_category");
                }
                add(16, &quarter);
            }
            Some(Origin::NonMalicious) => {
                r.categories.iter().for_each(|c| add(19, c.code()));
                if let Some(side) = r.infra_side {
                    add(19, &format!("infra_failure.{}", side.code()));
                }
                add(21, &quarter);
            }
            _ => {}
        }
        if h.technical_support {
            r.categories.iter().for_each(|c| add(18, c.code()));
            if h.false_positive {
                add(18, "false_positive");
            }
        }
    }
    counts
}

#[test]
fn figures_match_a_naive_count_on_varied_rows() {
    let rows = random_rows(40_000, 7);
    let obs = compute_on(
        &rows,
        YEAR,
        &Reference::none(),
        &Filter::default(),
        NonZeroUsize::new(2).unwrap(),
    );
    let want = naive_counts(&rows);
    let mut seen = 0;
    for figure in obs
        .figures
        .iter()
        .filter(|f| ![7, 15, 20].contains(&f.number))
    {
        for r in &figure.rows {
            let key = (figure.number, r.key.clone());
            if figure.number == 1 && r.key.starts_with("structures") || r.key == "ose_structures" {
                continue;
            }
            let [count, previous] = want.get(&key).copied().unwrap_or_default();
            assert_eq!((r.count, r.previous), (count, previous), "{key:?}");
            seen += usize::from(want.contains_key(&key));
        }
    }
    // Every key the naive count found is a row of its figure.
    assert_eq!(seen, want.len());
    assert!(want.values().all(|v| v[0] > 0 && v[1] > 0));
}

#[test]
fn a_period_counts_the_same_months_of_every_year() {
    let specs = [
        "2024-01 malicious s=2",
        "2024-03 malicious",
        "2024-05 non_malicious",
        "2024-06 malicious",
        "2024-12 malicious",
        "2023-03 malicious",
        "2023-07 malicious",
        "2022-04 malicious",
        "2022-11 non_malicious",
    ];
    let period = |from, to| Period::new(from, to).unwrap();
    // (period, origin, declarations and structures of figure 1, figure 3, 15, 16, 20)
    type Case = (
        Period,
        Option<Origin>,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            Period::YEAR,
            None,
            "declarations=5/2 structures=2/1",
            "01=1/0 03=1/1 05=1/0 06=1/0 07=0/1 12=1/0",
            "2022=1/0 2023=2/0 2024=4/0",
            "Q1=2/1 Q2=1/0 Q3=0/1 Q4=1/0",
            "2022=1/0 2024=1/0",
        ),
        (
            period(3, 6),
            None,
            "declarations=3/1 structures=1/1",
            "03=1/1 05=1/0 06=1/0",
            "2022=1/0 2023=1/0 2024=2/0",
            "Q1=1/1 Q2=1/0",
            "2024=1/0",
        ),
        (
            period(1, 1),
            None,
            "declarations=1/0 structures=1/0",
            "01=1/0",
            "2024=1/0",
            "Q1=1/0",
            "",
        ),
        (
            period(12, 12),
            None,
            "declarations=1/0 structures=1/0",
            "12=1/0",
            "2024=1/0",
            "Q4=1/0",
            "",
        ),
        (
            period(7, 7),
            None,
            "declarations=0/1 structures=0/1",
            "07=0/1",
            "2023=1/0",
            "Q3=0/1",
            "",
        ),
        (period(8, 11), None, "", "", "", "", "2022=1/0"),
        (
            period(1, 6),
            Some(Origin::NonMalicious),
            "declarations=1/0 structures=1/0",
            "05=1/0",
            "",
            "",
            "2024=1/0",
        ),
    ];
    for &(period, origin, key, months, f15, f16, f20) in cases {
        let filter = Filter {
            period,
            origin,
            ..Filter::default()
        };
        let obs = observatory(&specs, &Reference::none(), &filter);
        let f1 = obs.figure(1).unwrap();
        let f1: Vec<_> = summary(f1)
            .split(' ')
            .filter(|s| s.starts_with("declarations=") || s.starts_with("structures="))
            .map(str::to_owned)
            .collect();
        let at = format!("{period:?} {origin:?}");
        assert_eq!(f1.join(" "), key, "figure 1, {at}");
        assert_eq!(summary(obs.figure(3).unwrap()), months, "figure 3, {at}");
        assert_eq!(summary(obs.figure(15).unwrap()), f15, "figure 15, {at}");
        assert_eq!(summary(obs.figure(16).unwrap()), f16, "figure 16, {at}");
        assert_eq!(summary(obs.figure(20).unwrap()), f20, "figure 20, {at}");
        // Every year of the series is listed, whatever the period.
        assert_eq!(keys(obs.figure(15).unwrap()), ["2022", "2023", "2024"]);
    }
}
