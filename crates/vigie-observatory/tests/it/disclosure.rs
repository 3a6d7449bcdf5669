//! Small-cell suppression: no published sensitive count below the threshold, zero stays
//! zero, and no suppressed cell can be recomputed from the sums the reader can check.

use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};
use vigie_observatory::{
    Cell, Disclosure, Filter, Observatory, PublicFigure, PublicObservatory, Reference, compute,
};

use super::{YEAR, reference, rows};

/// The non-zero rows of a published figure as `key=count/previous`, a suppressed value
/// as `<` (below the threshold) or `nd` (withheld).
fn summary(figure: &PublicFigure) -> String {
    let text = |c: Cell| match c {
        Cell::Value(v) => v.to_string(),
        Cell::Below(_) => "<".to_owned(),
        Cell::Withheld => "nd".to_owned(),
    };
    figure
        .rows
        .iter()
        .filter(|r| r.count != Cell::Value(0) || r.previous != Cell::Value(0))
        .map(|r| format!("{}={}/{}", r.key, text(r.count), text(r.previous)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `n` copies of a row spec.
fn times(n: usize, spec: &str) -> Vec<String> {
    vec![spec.to_owned(); n]
}

struct Case {
    what: &'static str,
    rows: Vec<String>,
    filter: Filter,
    threshold: u32,
    reference: bool,
    /// Figure number and its expected summary.
    want: &'static [(u8, &'static str)],
}

#[test]
fn small_counts_are_suppressed_and_protected_from_subtraction() {
    let national = Filter::default();
    let cases = [
        Case {
            what: "two small overseas regions protect each other",
            rows: [
                times(10, "region=11"),
                times(2, "region=06"),
                times(3, "region=03"),
            ]
            .concat(),
            filter: national,
            threshold: 5,
            reference: false,
            want: &[
                (6, "11=10/0 03=</0 06=</0"),
                (1, "declarations=15/0 structures=1/0"),
            ],
        },
        Case {
            what: "one small region: the smallest other region is withheld",
            rows: [
                times(10, "region=11"),
                times(2, "region=06"),
                times(7, "region=53"),
            ]
            .concat(),
            filter: national,
            threshold: 5,
            reference: false,
            want: &[(6, "11=10/0 53=nd/0 06=</0")],
        },
        Case {
            what: "the year before is protected on its own",
            rows: [
                times(9, "2023-03 region=11"),
                times(1, "2023-03 region=06"),
                times(6, "region=11"),
            ]
            .concat(),
            filter: national,
            threshold: 5,
            reference: false,
            want: &[(6, "11=6/nd 06=0/<")],
        },
        Case {
            what: "a configurable threshold",
            rows: [
                times(10, "region=11"),
                times(3, "region=06"),
                times(4, "region=03"),
            ]
            .concat(),
            filter: national,
            threshold: 3,
            reference: false,
            want: &[(6, "11=10/0 03=4/0 06=3/0")],
        },
        Case {
            what: "structure types and legal statuses are sensitive too",
            rows: [
                times(8, "kind=es_public legal=public"),
                times(2, "kind=ehpad legal=private_non_profit"),
                times(2, "kind=lab legal=public"),
            ]
            .concat(),
            filter: national,
            threshold: 5,
            reference: false,
            // 2 + 2 = 4 pins neither (1–4 each); 2 alone would be pinned by 12 − 10.
            want: &[
                (8, "es_public=8/0 ehpad=</0 lab=</0"),
                (9, "public=nd/0 private_non_profit=</0"),
            ],
        },
        Case {
            what: "bounds pin a value: the total is withheld, and a part of every sum giving it back",
            // 1 + 1 = 2 with both parts "< 5" pins both to 1: the total must go.
            rows: [
                times(1, "legal=public"),
                times(1, "legal=private_for_profit"),
            ]
            .concat(),
            filter: national,
            threshold: 5,
            reference: false,
            want: &[
                (9, "public=</0 private_for_profit=</0"),
                (1, "declarations=nd/0"),
                (3, "01=nd/0"),
                (13, "unqualified=nd/0"),
            ],
        },
        Case {
            what: "all suppressed and still pinned: the total goes from < t to n.d.",
            // Threshold 3: Q1 + Q2 = malicious, all "< 3", pins 1 + 1 = 2.
            rows: [
                times(1, "2024-01 region=06 malicious cat=ransomware"),
                times(1, "2024-04 region=06 malicious cat=ransomware"),
            ]
            .concat(),
            filter: Filter {
                region: Some(Region::Mayotte),
                ..Filter::default()
            },
            threshold: 3,
            reference: false,
            want: &[
                (16, "Q1=</0 Q2=</0"),
                (13, "malicious=nd/0"),
                (3, "01=</0 04=</0"),
                (1, "declarations=nd/0"),
            ],
        },
        Case {
            what: "a filtered view has every cell sensitive",
            rows: [
                times(3, "region=06 malicious cat=ransomware"),
                times(20, "region=11"),
            ]
            .concat(),
            filter: Filter {
                region: Some(Region::Mayotte),
                ..Filter::default()
            },
            threshold: 5,
            reference: false,
            want: &[
                (3, "01=</0"),
                (13, "malicious=</0"),
                (16, "Q1=</0"),
                (6, "06=</0"),
            ],
        },
        Case {
            what: "figure 7 follows figure 6",
            rows: [
                times(10, "region=11"),
                times(2, "region=94"),
                times(8, "region=53"),
            ]
            .concat(),
            filter: national,
            threshold: 5,
            reference: true,
            want: &[
                (6, "11=10/0 53=nd/0 94=</0"),
                (7, "11=100/0 53=nd/0 94=nd/0"),
            ],
        },
    ];
    for case in cases {
        let specs: Vec<&str> = case.rows.iter().map(String::as_str).collect();
        let reference = if case.reference {
            reference(&[])
        } else {
            Reference::none()
        };
        let obs = compute(&rows(&specs), YEAR, &reference, &case.filter);
        let public = Disclosure {
            threshold: case.threshold,
        }
        .apply(&obs, &case.filter);
        for &(number, want) in case.want {
            let figure = public.figure(number).unwrap();
            let got = summary(figure);
            if number == 1 {
                assert!(got.starts_with(want), "{}: figure 1 is {got}", case.what);
            } else {
                assert_eq!(got, want, "{}: figure {number}", case.what);
            }
        }
        check_safe(&obs, &public, &case.filter, case.threshold, case.what);
    }
}

#[test]
fn no_view_of_generated_data_publishes_a_small_count_or_lets_one_be_recomputed() {
    let views = [
        Filter::default(),
        Filter {
            region: Some(Region::Guyane),
            ..Filter::default()
        },
        Filter {
            kind: Some(StructureType::ALL[4]),
            ..Filter::default()
        },
        Filter {
            legal_status: Some(LegalStatus::PrivateForProfit),
            region: Some(Region::Bretagne),
            ..Filter::default()
        },
        Filter {
            origin: Some(Origin::Malicious),
            ..Filter::default()
        },
    ];
    let mut suppressed = 0;
    for seed in 1..=6u64 {
        let specs = generated(seed, 150 * usize::try_from(seed).unwrap());
        let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
        let data = rows(&specs);
        for filter in views {
            for threshold in [3, 5, 10] {
                let obs = compute(&data, YEAR, &reference(&[]), &filter);
                let public = Disclosure { threshold }.apply(&obs, &filter);
                suppressed +=
                    check_safe(&obs, &public, &filter, threshold, &format!("seed {seed}"));
            }
        }
    }
    assert!(
        suppressed > 100,
        "the data should exercise suppression, got {suppressed}"
    );
}

/// Row specs over 2023–2024 with regions, types and statuses skewed so that small
/// cells are common.
fn generated(seed: u64, n: usize) -> Vec<String> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut below = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).unwrap()
    };
    (0..n)
        .map(|i| {
            // Squaring skews towards the first values.
            let skew = |k: usize, r: usize| (r * r) / k;
            let region = Region::ALL[skew(Region::ALL.len(), below(Region::ALL.len()))];
            let kind =
                StructureType::ALL[skew(StructureType::ALL.len(), below(StructureType::ALL.len()))];
            let legal = LegalStatus::ALL[below(3)];
            let origin = [
                "",
                "malicious cat=ransomware",
                "malicious cat=phishing",
                "non_malicious cat=app_bug",
                "out_of_scope",
            ][below(5)];
            format!(
                "{}-{:02} s={} region={} kind={} legal={} slot={} {origin}",
                [2023, 2024][below(2)],
                1 + below(12),
                i % 97,
                region.code(),
                kind.code(),
                legal.code(),
                ["ho_jo", "jno", "jo_2000_0859"][below(3)],
            )
        })
        .collect()
}

/// A cell: figure number, key, column (0 = year, 1 = year before).
type At = (u8, String, usize);

/// The sums a reader can check, written from the contract independently of the crate.
fn sums(obs: &Observatory) -> Vec<(Vec<At>, At)> {
    let all = |n: u8, c: usize| -> Vec<At> {
        obs.figures
            .iter()
            .find(|f| f.number == n)
            .map(|f| f.rows.iter().map(|r| (n, r.key.clone(), c)).collect())
            .unwrap_or_default()
    };
    let at = |n: u8, key: &str, c: usize| (n, key.to_owned(), c);
    let mut sums = Vec::new();
    for c in 0..2 {
        for n in [3, 4, 5, 6, 8, 9, 12, 13] {
            sums.push((all(n, c), at(1, "declarations", c)));
        }
        sums.push((all(16, c), at(13, "malicious", c)));
        sums.push((all(21, c), at(13, "non_malicious", c)));
        for origin in ["malicious", "non_malicious", "out_of_scope"] {
            sums.push((vec![at(1, origin, c)], at(13, origin, c)));
        }
        let year = (YEAR - i16::try_from(c).unwrap()).to_string();
        sums.push((vec![at(15, &year, 0)], at(13, "malicious", c)));
        sums.push((vec![at(20, &year, 0)], at(13, "non_malicious", c)));
    }
    let exists = |(n, key, _): &At| {
        obs.figures
            .iter()
            .any(|f| f.number == *n && f.row(key).is_some())
    };
    sums.retain(|(parts, total)| parts.iter().chain([total]).all(exists));
    sums
}

/// Checks a published observatory against the raw one; returns how many cells it hides.
#[track_caller]
fn check_safe(
    obs: &Observatory,
    public: &PublicObservatory,
    filter: &Filter,
    t: u32,
    what: &str,
) -> usize {
    let t = i64::from(t);
    let raw = |(n, key, c): &At| -> i64 {
        let row = obs
            .figures
            .iter()
            .find(|f| f.number == *n)
            .unwrap()
            .row(key)
            .unwrap();
        if *c == 0 { row.count } else { row.previous }
    };
    let published = |(n, key, c): &At| -> Cell {
        let row = public.figure(*n).unwrap().row(key).unwrap();
        if *c == 0 { row.count } else { row.previous }
    };
    let crossed = filter.region.is_some() || filter.kind.is_some() || filter.legal_status.is_some();
    let mut hidden = 0;
    for figure in &obs.figures {
        for row in &figure.rows {
            for c in 0..2 {
                let at = (figure.number, row.key.clone(), c);
                let (value, cell) = (raw(&at), published(&at));
                let sensitive = if crossed {
                    figure.number != 7 && !(matches!(figure.number, 15 | 20) && c == 1)
                } else {
                    matches!(figure.number, 6 | 8 | 9)
                };
                match cell {
                    Cell::Value(v) => {
                        assert_eq!(v, value, "{what}: {at:?} published wrong");
                        assert!(
                            !(sensitive && (1..t).contains(&v)),
                            "{what}: {at:?} = {v} published below {t}"
                        );
                    }
                    Cell::Below(_) => {
                        assert!(
                            sensitive && (1..t).contains(&value),
                            "{what}: {at:?} = {value} marked below"
                        );
                        hidden += 1;
                    }
                    Cell::Withheld => {
                        assert!(
                            value > 0 || figure.number == 7,
                            "{what}: {at:?} a zero withheld"
                        );
                        hidden += 1;
                    }
                }
                if value == 0 && figure.number != 7 {
                    assert_eq!(cell, Cell::Value(0), "{what}: {at:?} zero stays zero");
                }
            }
        }
    }
    // Figure 7 is hidden wherever figure 6 is, and nowhere else.
    if let Some(f7) = public.figure(7) {
        for row in &f7.rows {
            for c in 0..2 {
                let six = published(&(6, row.key.clone(), c)).is_suppressed();
                let seven = published(&(7, row.key.clone(), c)).is_suppressed();
                assert_eq!(six, seven, "{what}: figure 7 {} column {c}", row.key);
            }
        }
    }
    let sums = sums(obs);
    for (parts, total) in &sums {
        let sum: i64 = parts.iter().map(&raw).sum();
        assert_eq!(
            sum,
            raw(total),
            "{what}: the sum into {total:?} must hold in the data"
        );
    }
    // What the reader knows of each suppressed cell.
    let bounds = |a: &At| -> (f64, f64) {
        match published(a) {
            Cell::Value(v) => (v as f64, v as f64),
            Cell::Below(t) => (1.0, f64::from(t) - 1.0),
            // "n.d." says nothing but "not 0".
            Cell::Withheld => (1.0, f64::INFINITY),
        }
    };
    // 1. By bounds, one sum at a time: no suppressed member is pinned to one value.
    for (parts, total) in &sums {
        let members: Vec<(&At, f64)> = parts
            .iter()
            .map(|a| (a, 1.0))
            .chain([(total, -1.0)])
            .collect();
        for &(a, sign) in &members {
            if !published(a).is_suppressed() {
                continue;
            }
            // sign·a = −Σ others; the range of Σ others from their bounds.
            let (mut lo, mut hi) = (0.0, 0.0);
            for &(b, s) in &members {
                if b != a {
                    let (l, h) = bounds(b);
                    if s > 0.0 {
                        lo += l;
                        hi += h;
                    } else {
                        lo -= h;
                        hi -= l;
                    }
                }
            }
            let (x_lo, x_hi) = if sign > 0.0 { (-hi, -lo) } else { (lo, hi) };
            let (own_lo, own_hi) = bounds(a);
            assert!(
                x_lo.max(own_lo) < x_hi.min(own_hi),
                "{what}: {a:?} is pinned by the sum into {total:?}: {:?}",
                members
                    .iter()
                    .map(|(b, _)| (b, raw(b), published(b)))
                    .collect::<Vec<_>>()
            );
        }
    }
    // 2. By linear algebra over all sums at once: no suppressed cell is a combination of
    // published ones (its unit vector is not in the row space of the unknowns' matrix).
    let unknowns: Vec<At> = {
        let mut u: Vec<At> = sums
            .iter()
            .flat_map(|(p, t)| p.iter().chain([t]))
            .filter(|a| published(a).is_suppressed())
            .cloned()
            .collect();
        u.sort();
        u.dedup();
        u
    };
    let matrix: Vec<Vec<f64>> = sums
        .iter()
        .map(|(parts, total)| {
            let mut row = vec![0.0; unknowns.len()];
            for (a, s) in parts.iter().map(|a| (a, 1.0)).chain([(total, -1.0)]) {
                if let Ok(i) = unknowns.binary_search(a) {
                    row[i] += s;
                }
            }
            row
        })
        .collect();
    let base = rank(matrix.clone());
    for (i, a) in unknowns.iter().enumerate() {
        let mut with_unit = matrix.clone();
        let mut unit = vec![0.0; unknowns.len()];
        unit[i] = 1.0;
        with_unit.push(unit);
        assert_eq!(
            rank(with_unit),
            base + 1,
            "{what}: {a:?} can be recomputed from the sums"
        );
    }
    hidden
}

/// The rank of a matrix, by Gaussian elimination with partial pivoting.
fn rank(mut m: Vec<Vec<f64>>) -> usize {
    let columns = m.first().map_or(0, Vec::len);
    let mut rank = 0;
    for col in 0..columns {
        let Some(pivot) =
            (rank..m.len()).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
        else {
            break;
        };
        if m[pivot][col].abs() < 1e-9 {
            continue;
        }
        m.swap(rank, pivot);
        let pivot_row = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank {
                let factor = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= factor * p;
                }
            }
        }
        rank += 1;
    }
    rank
}
