//! From the merged counters to the figures: keys, labels and order of the contract.

use vigie_model::calendar::MONTHS_FR as MONTHS;
use vigie_model::{
    Category, Code, DataImpactCode, DataKind, DepositSlot, InfraSide, LegalStatus, Origin,
    PatientDanger, RansomwareReach, Region, StateAtDeclaration, StructureType,
};

use crate::{
    Figure, FigureRow, Reference,
    figure::MISSING_REFERENCE,
    filter::{ORIGINS, UNQUALIFIED},
    tally::{Counts, StructureCounts, Totals, at},
};

/// French quarter names.
const QUARTERS: [&str; 4] = [
    "1er trimestre",
    "2e trimestre",
    "3e trimestre",
    "4e trimestre",
];

/// A figure's rows as they are built: counts for the year and the year before.
struct Rows {
    rows: Vec<FigureRow>,
}

impl Rows {
    fn new() -> Rows {
        Rows { rows: Vec::new() }
    }

    fn push(&mut self, key: impl Into<String>, label: impl Into<String>, values: [u64; 2]) {
        self.rows.push(FigureRow {
            key: key.into(),
            label: label.into(),
            count: to_i64(values[0]),
            previous: to_i64(values[1]),
        });
    }

    /// One row per value of a vocabulary, counters at `offset + index`.
    fn codes<T: Code>(
        &mut self,
        values: impl IntoIterator<Item = T>,
        c: &[Counts; 2],
        offset: usize,
    ) {
        for v in values {
            let i = offset + usize::from(v.index());
            self.push(v.code(), v.label(), [c[0][i], c[1][i]]);
        }
    }

    /// One row from the counter at `i`.
    fn at(&mut self, key: &str, label: &str, c: &[Counts; 2], i: usize) {
        self.push(key, label, [c[0][i], c[1][i]]);
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Builds every counted figure from the totals of `year`.
pub(crate) fn figures(totals: &Totals, year: i16, reference: &Reference) -> Vec<Figure> {
    let structures = &totals.structures;
    let c = &totals.counts;
    let figure = |number: u8, title: &'static str, rows: Rows| Figure {
        number,
        year,
        title,
        note: None,
        rows: rows.rows,
    };
    let mal = Origin::Malicious as usize;
    let non_mal = Origin::NonMalicious as usize;
    let mut figures = Vec::with_capacity(19);

    figures.push(figure(1, "Chiffres clés", key_figures(c, structures)));

    let mut rows = Rows::new();
    for (m, label) in MONTHS.iter().enumerate() {
        rows.at(&format!("{:02}", m + 1), label, c, at::MONTH + m);
    }
    figures.push(figure(3, "Nombre de signalements par mois", rows));

    let mut rows = Rows::new();
    rows.codes(DepositSlot::ALL.iter().copied(), c, at::SLOT);
    figures.push(figure(
        4,
        "Signalements selon le jour et l'heure de dépôt",
        rows,
    ));

    let mut rows = Rows::new();
    rows.codes(StateAtDeclaration::ALL.iter().copied(), c, at::STATE);
    figures.push(figure(
        5,
        "État de l'incident au moment du signalement",
        rows,
    ));

    let mut rows = Rows::new();
    rows.codes(Region::ALL.iter().copied(), c, at::REGION);
    figures.push(figure(6, "Nombre de signalements par région", rows));

    figures.push(activity_index(c, year, reference));

    let mut rows = Rows::new();
    rows.codes(StructureType::ALL.iter().copied(), c, at::KIND);
    figures.push(figure(8, "Signalements par type de structure", rows));

    let mut rows = Rows::new();
    rows.codes(LegalStatus::ALL.iter().copied(), c, at::LEGAL_STATUS);
    figures.push(figure(9, "Signalements par statut juridique", rows));

    let mut rows = Rows::new();
    rows.codes(DataImpactCode::ALL.iter().copied(), c, at::DATA_IMPACT);
    figures.push(figure(10, "Impact sur les données", rows));

    let mut rows = Rows::new();
    rows.codes(DataKind::ALL.iter().copied(), c, at::DATA_KIND);
    rows.at(
        "multiple",
        "Plusieurs types de données",
        c,
        at::MULTIPLE_KINDS,
    );
    figures.push(figure(11, "Types de données touchées", rows));

    let mut rows = Rows::new();
    rows.codes(PatientDanger::ALL.iter().copied(), c, at::PATIENT_DANGER);
    figures.push(figure(12, "Mise en danger des patients", rows));

    let mut rows = Rows::new();
    rows.codes(Origin::ALL.iter().copied(), c, at::ORIGIN);
    rows.at("unqualified", "Non qualifié", c, at::ORIGIN + UNQUALIFIED);
    figures.push(figure(13, "Origine des incidents", rows));

    let mut rows = Rows::new();
    let malicious_categories = at::CATEGORY + mal * at::N_CATEGORIES;
    rows.codes(
        Category::of_origin(Origin::Malicious),
        c,
        malicious_categories,
    );
    for reach in RansomwareReach::ALL.iter().copied() {
        let i = at::REACH + usize::from(reach.index());
        let key = format!("ransomware_reach.{}", reach.code());
        let label = format!("{} – {}", Category::Ransomware.label(), reach.label());
        rows.push(key, label, [c[0][i], c[1][i]]);
    }
    rows.at(
        "multi_category",
        "Plusieurs catégories",
        c,
        at::MULTI_CATEGORY + mal,
    );
    figures.push(figure(
        14,
        "Catégories des incidents d'origine malveillante",
        rows,
    ));

    figures.push(figure(
        15,
        "Incidents d'origine malveillante par année",
        per_year(totals, mal),
    ));
    figures.push(figure(
        16,
        "Incidents d'origine malveillante par trimestre",
        quarters(c, mal),
    ));

    let mut rows = Rows::new();
    rows.codes(Category::ALL.iter().copied(), c, at::SUPPORTED_CATEGORY);
    rows.at(
        "false_positive",
        "Levée de doute (faux positif)",
        c,
        at::SUPPORTED_FALSE_POSITIVE,
    );
    figures.push(figure(
        18,
        "Catégories des incidents ayant bénéficié d'un accompagnement technique",
        rows,
    ));

    let mut rows = Rows::new();
    let non_malicious_categories = at::CATEGORY + non_mal * at::N_CATEGORIES;
    rows.codes(
        Category::of_origin(Origin::NonMalicious),
        c,
        non_malicious_categories,
    );
    for side in InfraSide::ALL.iter().copied() {
        let i = at::INFRA_SIDE + usize::from(side.index());
        let key = format!("infra_failure.{}", side.code());
        let label = format!("{} – {}", Category::InfraFailure.label(), side.label());
        rows.push(key, label, [c[0][i], c[1][i]]);
    }
    figures.push(figure(
        19,
        "Catégories des incidents d'origine non malveillante",
        rows,
    ));

    figures.push(figure(
        20,
        "Incidents d'origine non malveillante par année",
        per_year(totals, non_mal),
    ));
    figures.push(figure(
        21,
        "Incidents d'origine non malveillante par trimestre",
        quarters(c, non_mal),
    ));
    figures
}

/// Figure 1: the key figures.
fn key_figures(c: &[Counts; 2], s: &[StructureCounts; 2]) -> Rows {
    let mut rows = Rows::new();
    rows.at("declarations", "Signalements", c, at::DECLARATIONS);
    rows.push(
        "structures",
        "Structures déclarantes",
        [s[0].distinct, s[1].distinct],
    );
    rows.at(
        "support_requested",
        "Demandes d'accompagnement",
        c,
        at::SUPPORT_REQUESTED,
    );
    rows.at(
        "technical_support",
        "Accompagnements techniques",
        c,
        at::TECHNICAL_SUPPORT,
    );
    rows.at(
        "false_positive",
        "Levées de doute (faux positifs)",
        c,
        at::FALSE_POSITIVE,
    );
    rows.codes(
        [Origin::Malicious, Origin::NonMalicious, Origin::OutOfScope],
        c,
        at::ORIGIN,
    );
    rows.at(
        "care_impact",
        "Impact sur la prise en charge des patients",
        c,
        at::CARE_IMPACT,
    );
    rows.at(
        "patient_danger",
        "Mise en danger des patients",
        c,
        at::PATIENT_DANGER_ANY,
    );
    rows.push(
        "structures_gt2",
        "Structures ayant déclaré plus de 2 incidents",
        [s[0].gt2, s[1].gt2],
    );
    rows.push(
        "structures_ge4",
        "Structures ayant déclaré 4 incidents ou plus",
        [s[0].ge4, s[1].ge4],
    );
    rows.push(
        "ose_structures",
        "Opérateurs de services essentiels déclarants",
        [s[0].ose, s[1].ose],
    );
    rows.push(
        "structures_unanswered",
        "Structures sans réponse aux demandes de compléments",
        [s[0].unanswered, s[1].unanswered],
    );
    rows
}

/// Figures 16 and 21: one origin per quarter.
fn quarters(c: &[Counts; 2], origin: usize) -> Rows {
    let mut rows = Rows::new();
    for (q, label) in QUARTERS.iter().enumerate() {
        rows.at(
            &format!("Q{}", q + 1),
            label,
            c,
            at::QUARTER + origin * 4 + q,
        );
    }
    rows
}

/// Figures 15 and 20: one origin per year, from the first year of the data to the year.
fn per_year(totals: &Totals, origin: usize) -> Rows {
    debug_assert!(origin < ORIGINS);
    let mut rows = Rows::new();
    for (year, counts) in (i32::from(totals.first_year)..).zip(&totals.per_year) {
        let y = year.to_string();
        rows.push(y.clone(), y, [counts[origin], 0]);
    }
    rows
}

/// Figure 7: declarations over activity share per metropolitan region, highest = 100.
fn activity_index(c: &[Counts; 2], year: i16, reference: &Reference) -> Figure {
    let shares: Option<Vec<u64>> = Region::METROPOLITAN
        .iter()
        .map(|&r| reference.share(r).map(|s| s.units()))
        .collect();
    let declarations = |slot: usize| -> Vec<u64> {
        Region::METROPOLITAN
            .iter()
            .map(|r| c[slot][at::REGION + usize::from(r.index())])
            .collect()
    };
    let (values, note) = match shares {
        Some(shares) => (
            [
                index(&declarations(0), &shares),
                index(&declarations(1), &shares),
            ],
            None,
        ),
        None => {
            let zeros = vec![0; Region::METROPOLITAN.len()];
            ([zeros.clone(), zeros], Some(MISSING_REFERENCE))
        }
    };
    let mut rows = Rows::new();
    for (i, region) in Region::METROPOLITAN.iter().enumerate() {
        rows.push(region.code(), region.label(), [values[0][i], values[1][i]]);
    }
    Figure {
        number: 7,
        year,
        title: "Indice de signalement par région rapporté à l'activité hospitalière",
        note,
        rows: rows.rows,
    }
}

/// The index 0–100 of each region: `(d / s) / max(d / s) × 100`, rounded half away from
/// zero, in exact integer arithmetic. Shares must be positive; all zero when no declaration.
pub(crate) fn index(declarations: &[u64], shares: &[u64]) -> Vec<u64> {
    let pairs = || {
        declarations
            .iter()
            .zip(shares)
            .map(|(&d, &s)| (u128::from(d), u128::from(s.max(1))))
    };
    // The highest ratio d/s, compared by cross-multiplication.
    let (d_max, s_max) = pairs()
        .reduce(|best, next| {
            if next.0 * best.1 > best.0 * next.1 {
                next
            } else {
                best
            }
        })
        .unwrap_or((0, 1));
    if d_max == 0 {
        return vec![0; declarations.len()];
    }
    pairs()
        .map(|(d, s)| {
            // Shares are below 2^64 and counts below 2^40 (they count rows held in
            // memory), so 2·num + den stays below 2^112.
            let num = 100 * d * s_max;
            let den = s * d_max;
            u64::try_from((2 * num + den) / (2 * den)).unwrap_or(u64::MAX)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::index;

    #[test]
    fn index_rounds_half_away_from_zero_with_the_highest_at_100() {
        let cases: &[(&[u64], &[u64], &[u64])] = &[
            // Equal shares: 1/8 = 12.5 → 13, 3/8 = 37.5 → 38.
            (&[8, 1, 3, 0], &[5, 5, 5, 5], &[100, 13, 38, 0]),
            // The highest ratio is not the most declarations: 4/2 = 2 beats 6/4 = 1.5.
            (&[6, 4], &[4, 2], &[75, 100]),
            // 1/3 of the highest: 33.33 → 33; 2/3: 66.67 → 67.
            (&[3, 1, 2], &[1, 1, 1], &[100, 33, 67]),
            // No declaration at all.
            (&[0, 0], &[1, 2], &[0, 0]),
            // Shares with 12 decimals: (1 / 0.3) / (2 / 0.2) = 1/3 → 33.
            (&[1, 2], &[300_000_000_000, 200_000_000_000], &[33, 100]),
        ];
        for &(declarations, shares, want) in cases {
            assert_eq!(
                index(declarations, shares),
                want,
                "{declarations:?} / {shares:?}"
            );
        }
    }
}
