//! The demo reproduces the published 2024 figures, from the real register, and never
//! shows a real establishment.

mod trends;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::LazyLock,
};

use vigie_demo::{CROWDSTRIKE, Demo, generate};
use vigie_model::{
    CareImpact, Category, Code, DataImpactCode, DataKind, DepositSlot, Finess, InfraSide, Origin,
    OutOfScopeReason, PatientDanger, RansomwareReach, Region, StateAtDeclaration, StructureType,
};
use vigie_observatory::Row;
use vigie_reference::{Establishment, embedded};

const SEED: u64 = 2024;

/// The register shipped with Vigie (DREES SAE 2023, `data/reference/`).
static REGISTER: LazyLock<Vec<Establishment>> = LazyLock::new(|| embedded::register().unwrap());
static DEMO: LazyLock<Demo> = LazyLock::new(|| generate(&REGISTER, SEED));

/// Rows of one year, with structures numbered by FINESS.
fn rows(year: i16) -> Vec<Row> {
    let mut ids: HashMap<Finess, u32> = HashMap::new();
    DEMO.incidents
        .iter()
        .map(|i| {
            let next = ids.len() as u32;
            let id = *ids.entry(i.structure.finess).or_insert(next);
            Row::from_incident(i, id)
        })
        .filter(|r| r.year == year)
        .collect()
}

fn count(rows: &[Row], f: impl Fn(&Row) -> bool) -> usize {
    rows.iter().filter(|r| f(r)).count()
}

fn per_structure(rows: &[Row]) -> BTreeMap<u32, usize> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r.structure).or_default() += 1;
    }
    m
}

fn distinct(rows: &[Row], f: impl Fn(&Row) -> bool) -> usize {
    rows.iter()
        .filter(|r| f(r))
        .map(|r| r.structure)
        .collect::<HashSet<_>>()
        .len()
}

#[test]
fn key_figures_of_2024() {
    let r = rows(2024);
    let per = per_structure(&r);
    let origin = |o| count(&r, |x| x.origin == Some(o));
    let got = [
        ("declarations", r.len()),
        ("declarations 2023", rows(2023).len()),
        ("declarations 2022", rows(2022).len()),
        ("structures", per.len()),
        ("support_requested", count(&r, |x| x.support_requested)),
        (
            "technical_support",
            count(&r, |x| x.handling.technical_support),
        ),
        ("false_positive", count(&r, |x| x.handling.false_positive)),
        (
            "false_positive without support",
            count(&r, |x| {
                x.handling.false_positive && !x.handling.technical_support
            }),
        ),
        ("malicious", origin(Origin::Malicious)),
        ("non_malicious", origin(Origin::NonMalicious)),
        ("out_of_scope", origin(Origin::OutOfScope)),
        ("unqualified", count(&r, |x| x.origin.is_none())),
        (
            "degraded",
            count(&r, |x| x.care_impact == CareImpact::Degraded),
        ),
        (
            "interrupted",
            count(&r, |x| x.care_impact == CareImpact::Interrupted),
        ),
        (
            "potential",
            count(&r, |x| x.patient_danger == PatientDanger::Potential),
        ),
        (
            "actual",
            count(&r, |x| x.patient_danger == PatientDanger::Actual),
        ),
        ("structures_gt2", per.values().filter(|&&n| n > 2).count()),
        ("structures_ge4", per.values().filter(|&&n| n >= 4).count()),
        ("ose_structures", distinct(&r, |x| x.ose)),
        (
            "structures_unanswered",
            distinct(&r, |x| {
                x.handling.complements_requested && !x.handling.complements_received
            }),
        ),
        (
            "needs_cert",
            count(&r, |x| x.state == StateAtDeclaration::NeedsCert),
        ),
    ];
    let want = [
        ("declarations", 749),
        ("declarations 2023", 581),
        ("declarations 2022", 591),
        ("structures", 558),
        ("support_requested", 162),
        ("technical_support", 75),
        ("false_positive", 8),
        ("false_positive without support", 0),
        ("malicious", 328),
        ("non_malicious", 399),
        ("out_of_scope", 22),
        ("unqualified", 0),
        ("degraded", 212),
        ("interrupted", 18),
        ("potential", 56),
        ("actual", 3),
        ("structures_gt2", 29),
        ("structures_ge4", 15),
        ("ose_structures", 77),
        ("structures_unanswered", 32),
        ("needs_cert", 232),
    ];
    assert_eq!(got, want);
    // 31% of declarations solicit the CERT.
    assert_eq!((232.0_f64 / 749.0 * 100.0).round(), 31.0);
}

#[test]
fn exercises_and_out_of_scope_reasons() {
    let incidents: Vec<_> = DEMO
        .incidents
        .iter()
        .filter(|i| i.declared_at.to_string().starts_with("2024"))
        .filter_map(|i| i.qualification.as_ref())
        .filter(|q| q.origin() == Origin::OutOfScope)
        .collect();
    assert_eq!(incidents.len(), 22);
    let exercises = incidents
        .iter()
        .filter(|q| q.out_of_scope_reason() == Some(OutOfScopeReason::Exercise))
        .count();
    assert_eq!(exercises, 12);
    assert!(incidents.iter().all(|q| q.out_of_scope_reason().is_some()));
}

#[test]
fn time_figures_of_2024() {
    let r = rows(2024);
    let slot = |s| count(&r, |x| x.slot == s);
    assert_eq!(slot(DepositSlot::HoJo), 637);
    assert_eq!((637.0_f64 / 749.0 * 100.0).round(), 85.0);
    assert!(slot(DepositSlot::Jo1800To1829) > slot(DepositSlot::Jo2000To0859));
    let months: Vec<usize> = (1..=12).map(|m| count(&r, |x| x.month == m)).collect();
    assert_eq!(months, [55, 52, 60, 58, 57, 62, 84, 55, 63, 66, 70, 67]);
    assert_eq!((749.0_f64 / 12.0).round(), 62.0);
    assert!(months.iter().all(|&n| (45..=90).contains(&n)));
    // 2023 mean: 48 a month, and a higher share in working hours.
    let r23 = rows(2023);
    assert_eq!((r23.len() as f64 / 12.0).round(), 48.0);
    assert!(count(&r23, |x| x.slot == DepositSlot::HoJo) * 749 > 637 * r23.len());
}

#[test]
fn every_declaration_is_dated_in_paris_and_referenced() {
    let mut references = HashSet::new();
    for i in &DEMO.incidents {
        let text = i.declared_at.to_string();
        let offset = i.declared_at.offset_seconds();
        assert!(offset == 3600 || offset == 7200, "{text}");
        let reference = i.reference.as_ref().unwrap().as_str().to_owned();
        assert_eq!(
            &reference[..9],
            &format!("demo-{}", &text[..4]),
            "{reference} {text}"
        );
        assert!(references.insert(reference));
        assert!(i.title.is_some() && i.description.is_some());
        if let Some(detected) = i.detected_at {
            assert!(detected.timestamp() < i.declared_at.timestamp());
        }
    }
    assert!(references.contains("demo-2024-0749"));
    assert!(!references.contains("demo-2024-0750"));
    assert!(references.contains("demo-2023-0581"));
    assert!(references.contains("demo-2022-0591"));
}

#[test]
fn regions_of_2024_and_figure_7() {
    let r = rows(2024);
    let by_region = |g| count(&r, |x| x.region == g);
    let overseas: Vec<(Region, usize)> = Region::ALL
        .iter()
        .filter(|g| !g.is_metropolitan())
        .map(|&g| (g, by_region(g)))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(
        overseas,
        [
            (Region::Guadeloupe, 2),
            (Region::Martinique, 6),
            (Region::Guyane, 3),
            (Region::LaReunion, 4),
            (Region::SaintPierreEtMiquelon, 1)
        ]
    );
    let mut metro: Vec<(usize, Region)> = Region::METROPOLITAN
        .iter()
        .map(|&g| (by_region(g), g))
        .collect();
    metro.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        metro[..3],
        [
            (92, Region::Occitanie),
            (91, Region::IleDeFrance),
            (83, Region::HautsDeFrance)
        ]
    );
    assert!(metro[3..].iter().all(|(n, _)| *n < 83));

    let shares = embedded::activity(&REGISTER).unwrap();
    let share = |g| {
        shares
            .iter()
            .find(|(x, _)| *x == g)
            .map(|(_, s)| *s)
            .unwrap()
    };
    let mut index: Vec<(f64, Region)> = Region::METROPOLITAN
        .iter()
        .map(|&g| (by_region(g) as f64 / share(g), g))
        .collect();
    index.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<Region> = index.iter().take(3).map(|(_, g)| *g).collect();
    assert_eq!(
        top,
        [
            Region::PaysDeLaLoire,
            Region::Normandie,
            Region::BourgogneFrancheComte
        ]
    );
    let pdl = share(Region::PaysDeLaLoire);
    assert!((0.05..0.06).contains(&pdl));
}

#[test]
fn structure_types_of_2024() {
    let r = rows(2024);
    use StructureType as S;
    let es = |k| matches!(k, S::EsPublic | S::EsPrive | S::Espic | S::ArmyHospital);
    let n_es = count(&r, |x| es(x.kind));
    let n_public = count(&r, |x| x.kind == S::EsPublic);
    assert_eq!((n_es as f64 / 749.0 * 100.0).round(), 77.0);
    assert_eq!((n_public as f64 / 749.0 * 100.0).round(), 73.0);
    let per = per_structure(&r);
    let kind_of: HashMap<u32, StructureType> = r.iter().map(|x| (x.structure, x.kind)).collect();
    let gt2: Vec<StructureType> = per
        .iter()
        .filter(|(_, n)| **n > 2)
        .map(|(s, _)| kind_of[s])
        .collect();
    assert_eq!(gt2.iter().filter(|k| es(**k)).count(), 27);
    assert_eq!(gt2.iter().filter(|k| **k == S::Esms).count(), 2);
    assert!(
        per.iter()
            .filter(|(_, n)| **n >= 4)
            .all(|(s, _)| es(kind_of[s]))
    );
}

#[test]
fn qualification_of_2024() {
    let r = rows(2024);
    use Category as K;
    let mal: Vec<&Row> = r
        .iter()
        .filter(|x| x.origin == Some(Origin::Malicious))
        .collect();
    let non: Vec<&Row> = r
        .iter()
        .filter(|x| x.origin == Some(Origin::NonMalicious))
        .collect();
    let ransomware: Vec<&&Row> = mal
        .iter()
        .filter(|x| x.categories.contains(K::Ransomware))
        .collect();
    assert_eq!(ransomware.len(), 40);
    assert_eq!(count(&r, |x| x.categories.contains(K::Ransomware)), 40);
    let reach = |g| {
        ransomware
            .iter()
            .filter(|x| x.ransomware_reach == Some(g))
            .count()
    };
    assert_eq!(
        [
            reach(RansomwareReach::MultiServer),
            reach(RansomwareReach::SingleServer),
            reach(RansomwareReach::Workstation),
            reach(RansomwareReach::Provider)
        ],
        [4, 18, 16, 2]
    );
    assert_eq!(count(&r, |x| x.ransomware_reach.is_some()), 40);
    let multi = mal.iter().filter(|x| x.categories.len() > 1).count();
    assert_eq!(multi, 138);
    assert_eq!((138.0_f64 / 328.0 * 100.0).round(), 42.0);
    assert!(
        mal.iter()
            .all(|x| x.categories.iter().all(|c| c.origin() == Origin::Malicious))
    );
    let cat = |c| non.iter().filter(|x| x.categories.contains(c)).count();
    assert_eq!(
        [cat(K::InfraFailure), cat(K::TelecomLoss), cat(K::AppBug)],
        [152, 136, 56]
    );
    let pct = |n: usize, of: usize| (n as f64 / of as f64 * 100.0).round();
    assert_eq!(
        [pct(152, 399), pct(136, 399), pct(56, 399)],
        [38.0, 34.0, 14.0]
    );
    let side = |s| count(&r, |x| x.infra_side == Some(s));
    assert_eq!(
        [side(InfraSide::Provider), side(InfraSide::Local)],
        [90, 62]
    );
    assert_eq!([pct(90, 152), pct(62, 152)], [59.0, 41.0]);
    // False positives are cleared doubts, not attacks.
    assert!(
        r.iter()
            .filter(|x| x.handling.false_positive)
            .all(|x| x.origin == Some(Origin::NonMalicious))
    );
}

#[test]
fn data_impact_of_2024() {
    let r = rows(2024);
    use DataKind as D;
    let none = count(&r, |x| x.data_impacts.contains(DataImpactCode::None));
    assert_eq!(none, 180);
    assert_eq!((180.0_f64 / 749.0 * 100.0).round(), 24.0);
    assert!(
        r.iter()
            .filter(|x| x.data_impacts.contains(DataImpactCode::None))
            .all(|x| x.data_impacts.len() == 1 && x.data_kinds.is_empty())
    );
    let with_kinds: Vec<&Row> = r.iter().filter(|x| !x.data_kinds.is_empty()).collect();
    let mentions: usize = with_kinds.iter().map(|x| x.data_kinds.len() as usize).sum();
    let kind = |k| {
        with_kinds
            .iter()
            .filter(|x| x.data_kinds.contains(k))
            .count()
    };
    let shares: Vec<f64> = [
        D::HealthPersonal,
        D::PersonalOther,
        D::TechnicalSensitive,
        D::Confidential,
    ]
    .into_iter()
    .map(|k| (kind(k) as f64 / mentions as f64 * 100.0).round())
    .collect();
    assert_eq!(shares, [55.0, 31.0, 6.0, 8.0]);
    let multiple = with_kinds.iter().filter(|x| x.data_kinds.len() > 1).count();
    assert_eq!(
        (multiple as f64 / with_kinds.len() as f64 * 100.0).round(),
        22.0
    );
}

#[test]
fn earlier_years_follow_the_trends() {
    let r23 = rows(2023);
    let r24 = rows(2024);
    let origin = |r: &[Row], o| count(r, |x| x.origin == Some(o));
    assert_eq!(origin(&r23, Origin::OutOfScope), 24);
    assert!(origin(&r23, Origin::Malicious) as f64 / 581.0 > 328.0 / 749.0);
    assert_eq!(
        count(&r23, |x| x.categories.contains(Category::Ransomware)),
        31
    );
    assert_eq!(per_structure(&r23).len(), 461);
    assert_eq!(count(&r23, |x| x.care_impact != CareImpact::None), 204);
    // 558 structures in 2024 is 21% more than 2023; ransomware up 28%.
    assert_eq!(((558.0_f64 / 461.0 - 1.0) * 100.0).round(), 21.0);
    assert_eq!(((40.0_f64 / 31.0 - 1.0) * 100.0).round(), 29.0);
    assert_eq!(count(&r24, |x| x.care_impact != CareImpact::None), 230);
}

#[test]
fn crowdstrike_hits_many_structures_in_july_2024() {
    let hit: Vec<_> = DEMO
        .incidents
        .iter()
        .filter(|i| {
            i.qualification
                .as_ref()
                .and_then(|q| q.event())
                .map(|e| e.as_str())
                == Some(CROWDSTRIKE)
        })
        .collect();
    assert_eq!(hit.len(), 20);
    let structures: HashSet<_> = hit.iter().map(|i| i.structure.finess).collect();
    assert_eq!(structures.len(), 20);
    for i in hit {
        let at = i.declared_at.to_string();
        assert!(
            at.as_str() >= "2024-07-19" && at.as_str() < "2024-07-24",
            "{at}"
        );
        let q = i.qualification.as_ref().unwrap();
        assert_eq!(q.categories().codes(), ["faulty_update"]);
    }
}

#[test]
fn no_real_establishment_appears() {
    let finess: HashSet<Finess> = REGISTER.iter().map(|e| e.finess).collect();
    let names: HashSet<&str> = REGISTER.iter().map(|e| e.name.as_str()).collect();
    let departments: HashSet<&str> = REGISTER.iter().map(|e| &e.finess.as_str()[..2]).collect();
    let mut seen: HashMap<Finess, &str> = HashMap::new();
    for i in &DEMO.incidents {
        let s = &i.structure;
        assert!(!finess.contains(&s.finess), "{} is a real FINESS", s.finess);
        assert!(
            !names.contains(s.name.as_str()),
            "{} is a real name",
            s.name
        );
        assert!(s.name.as_str().contains(" Démo "), "{}", s.name);
        assert_eq!(Finess::parse(s.finess.as_str()), Ok(s.finess));
        assert!(departments.contains(s.finess.department()), "{}", s.finess);
        // One FINESS, one name.
        assert_eq!(
            *seen.entry(s.finess).or_insert(s.name.as_str()),
            s.name.as_str()
        );
        // The description never names anything but the demo structure.
        let description = i.description.as_ref().unwrap().as_str();
        assert!(description.contains(s.name.as_str()));
    }
    // Types not in the register are synthesized, types in it come from it.
    let kinds: HashSet<StructureType> = DEMO.incidents.iter().map(|i| i.structure.kind).collect();
    assert!(kinds.contains(&StructureType::Ehpad) && kinds.contains(&StructureType::Lab));
}

#[test]
fn generation_is_deterministic_and_depends_on_the_seed() {
    let again = generate(&REGISTER, SEED);
    assert_eq!(again, *DEMO);
    let other = generate(&REGISTER, SEED + 1);
    assert_ne!(other, *DEMO);
    assert_eq!(other.incidents.len(), DEMO.incidents.len());
    let summary = DEMO.summary();
    assert!(summary.starts_with("Jeu de démonstration : 1921 incidents fictifs (2022 : 591, 2023 : 581, 2024 : 749) déclarés par "), "{summary}");
    assert!(
        summary.ends_with(
            "dont 20 liés à la mise à jour défectueuse CrowdStrike Falcon de juillet 2024."
        ),
        "{summary}"
    );
}

#[test]
fn other_seeds_meet_the_same_counts() {
    for seed in [1, 7, 42, 1_000_003] {
        let demo = generate(&REGISTER, seed);
        let mut ids: HashMap<Finess, u32> = HashMap::new();
        let r: Vec<Row> = demo
            .incidents
            .iter()
            .map(|i| {
                let next = ids.len() as u32;
                Row::from_incident(i, *ids.entry(i.structure.finess).or_insert(next))
            })
            .filter(|r| r.year == 2024)
            .collect();
        let per = per_structure(&r);
        assert_eq!(
            (
                r.len(),
                per.len(),
                per.values().filter(|&&n| n > 2).count(),
                distinct(&r, |x| x.ose)
            ),
            (749, 558, 29, 77),
            "seed {seed}"
        );
        assert_eq!(
            count(&r, |x| x.region == Region::Occitanie),
            92,
            "seed {seed}"
        );
        assert_eq!(
            count(&r, |x| x.slot == DepositSlot::HoJo),
            637,
            "seed {seed}"
        );
    }
}

/// The same figures through the observatory's own computation.
#[test]
fn the_observatory_computes_the_published_figures() {
    use vigie_observatory::{Filter, Reference, Share, compute};
    let mut ids: HashMap<Finess, u32> = HashMap::new();
    let all: Vec<Row> = DEMO
        .incidents
        .iter()
        .map(|i| {
            let next = ids.len() as u32;
            Row::from_incident(i, *ids.entry(i.structure.finess).or_insert(next))
        })
        .collect();
    let shares = embedded::activity(&REGISTER).unwrap();
    let reference = Reference::from_shares(
        shares
            .iter()
            .map(|&(r, s)| (r, Share::from_units((s * 1e12).round() as u64))),
    )
    .unwrap();
    let obs = compute(&all, 2024, &reference, &Filter::default());
    let value = |figure: u8, key: &str| {
        let row = obs.figure(figure).unwrap().row(key);
        row.map(|r| (r.count, r.previous)).unwrap_or((0, 0))
    };
    let figure_1 = [
        ("declarations", (749, 581)),
        ("structures", (558, 461)),
        ("support_requested", (162, 165)),
        ("technical_support", (75, 66)),
        ("false_positive", (8, 6)),
        ("malicious", (328, 300)),
        ("non_malicious", (399, 257)),
        ("out_of_scope", (22, 24)),
        ("care_impact", (230, 204)),
        ("patient_danger", (59, 45)),
        ("structures_gt2", (29, 22)),
        ("structures_ge4", (15, 11)),
        (
            "ose_structures",
            (77, distinct(&rows(2023), |x| x.ose) as i64),
        ),
        ("structures_unanswered", (32, 20)),
    ];
    for (key, want) in figure_1 {
        assert_eq!(value(1, key), want, "figure 1, {key}");
    }
    let counts = |figure: u8, keys: &[&str]| -> Vec<i64> {
        keys.iter().map(|k| value(figure, k).0).collect()
    };
    assert_eq!(counts(4, &["ho_jo"]), [637]);
    assert!(value(4, "jo_1800_1829").0 > value(4, "jo_2000_0859").0);
    assert_eq!(
        counts(6, &["76", "11", "32", "02", "03", "04", "01", "975", "06"]),
        [92, 91, 83, 6, 3, 4, 2, 1, 0]
    );
    let mut index: Vec<(i64, String)> = obs
        .figure(7)
        .unwrap()
        .rows
        .iter()
        .map(|r| (r.count, r.key.clone()))
        .collect();
    index.sort_by(|a, b| b.cmp(a));
    assert_eq!(index[0], (100, "52".to_owned()));
    assert_eq!([index[1].1.as_str(), index[2].1.as_str()], ["28", "27"]);
    assert_eq!(counts(10, &["none"]), [180]);
    assert_eq!(counts(12, &["potential", "actual"]), [56, 3]);
    assert_eq!(
        counts(
            13,
            &["malicious", "non_malicious", "out_of_scope", "unqualified"]
        ),
        [328, 399, 22, 0]
    );
    assert_eq!(
        counts(
            14,
            &[
                "ransomware",
                "ransomware_reach.multi_server",
                "ransomware_reach.single_server",
                "ransomware_reach.workstation",
                "ransomware_reach.provider",
                "multi_category"
            ]
        ),
        [40, 4, 18, 16, 2, 138]
    );
    assert_eq!(counts(18, &["false_positive"]), [8]);
    assert_eq!(
        counts(
            19,
            &[
                "infra_failure",
                "telecom_loss",
                "app_bug",
                "infra_failure.provider",
                "infra_failure.local"
            ]
        ),
        [152, 136, 56, 90, 62]
    );
    assert_eq!(counts(5, &["needs_cert"]), [232]);
    assert_eq!(counts(15, &["2022", "2023", "2024"]), [320, 300, 328]);
}

/// The observatory's cube gives the figures of the scan of the rows, for every year of
/// the demo and every filter on one dimension (each region, type, legal status, origin,
/// single month and a few periods).
#[test]
fn the_cube_gives_the_figures_of_the_rows_for_every_single_filter() {
    use vigie_model::{LegalStatus, StructureType};
    use vigie_observatory::{Cube, Filter, Period, Reference, compute};
    let mut ids: HashMap<Finess, u32> = HashMap::new();
    let all: Vec<Row> = DEMO
        .incidents
        .iter()
        .map(|i| {
            let next = ids.len() as u32;
            Row::from_incident(i, *ids.entry(i.structure.finess).or_insert(next))
        })
        .collect();
    let cube = Cube::build(&all).unwrap();
    let mut filters = vec![Filter::default()];
    filters.extend(Region::ALL.iter().map(|&r| Filter {
        region: Some(r),
        ..Filter::default()
    }));
    filters.extend(StructureType::ALL.iter().map(|&k| Filter {
        kind: Some(k),
        ..Filter::default()
    }));
    filters.extend(LegalStatus::ALL.iter().map(|&l| Filter {
        legal_status: Some(l),
        ..Filter::default()
    }));
    filters.extend(Origin::ALL.iter().map(|&o| Filter {
        origin: Some(o),
        ..Filter::default()
    }));
    let periods = (1..=12).map(|m| (m, m)).chain([
        (1, 3),
        (4, 6),
        (7, 9),
        (10, 12),
        (1, 6),
        (7, 12),
        (3, 11),
    ]);
    filters.extend(periods.map(|(from, to)| Filter {
        period: Period::new(from, to).unwrap(),
        ..Filter::default()
    }));
    let reference = Reference::none();
    for year in [2022, 2023, 2024, 2025] {
        for filter in &filters {
            assert_eq!(
                cube.compute(year, &reference, filter),
                compute(&all, year, &reference, filter),
                "{year}, {filter:?}"
            );
        }
    }
}
