//! Every trend the 2024 report states from 2023 to 2024 holds in the demo: one row per
//! statement, with the report's words, what is measured and the direction expected,
//! checked against what the observatory computes from the demo (`count` is 2024,
//! `previous` 2023).
//!
//! Two statements of the report compare what the demo cannot hold, and have no row:
//! « 51 % … aucun impact sur son fonctionnement … en légère baisse » counts an impact on
//! the structure's functioning that a declaration does not record (its impact on care
//! rises by 13 %, which a row checks), and « 134 alertes … (105 en 2023) » counts
//! advisories of the watch portal, not declarations.

use std::collections::HashMap;

use vigie_model::{CareImpact, Category, Finess, Origin};
use vigie_observatory::{Filter, Observatory, Reference, Row, Share, compute};
use vigie_reference::embedded;

use crate::{DEMO, REGISTER};

/// What a statement measures, for 2024 and 2023.
enum Measure {
    /// The sum of these keys of a figure.
    Count(u8, &'static [&'static str]),
    /// Incidents meeting a condition, counted on the observatory's rows.
    Rows(fn(&Row) -> bool),
    /// One measure in percent of another.
    Percent(Box<Measure>, Box<Measure>),
    /// A measure divided by a number (a monthly mean).
    Per(Box<Measure>, f64),
    /// The share in percent of every key of a figure in the figure's total.
    Shares(u8, &'static [&'static str]),
}

use Measure::{Count, Rows};

fn percent(part: Measure, whole: Measure) -> Measure {
    Measure::Percent(Box::new(part), Box::new(whole))
}

/// Share of declarations, in percent.
fn of_declarations(part: Measure) -> Measure {
    percent(part, Count(1, &["declarations"]))
}

/// The direction a statement gives.
enum Trend {
    /// Higher in 2024.
    Rise,
    /// Lower in 2024.
    Fall,
    /// Higher in 2024, from a 2023 value the report gives (rounded as it does).
    RiseFrom(f64),
    /// Lower in 2024, from a 2023 value the report gives.
    FallFrom(f64),
    /// Higher by this many percent, rounded, within one point: the report rounds from
    /// figures it does not print.
    RiseBy(f64),
    /// Lower by this many points of percentage, rounded.
    FallByPoints(f64),
    /// Higher by at least this many points of percentage ("nettement").
    RiseByPointsAtLeast(f64),
    /// Higher, by less than 15 %.
    SlightRise,
    /// Lower, by less than 5 %.
    SlightFall,
    /// Within 30 % of 2023.
    Comparable,
    /// Every share moves by at most one point.
    Stable,
    /// Above another measure, in both years.
    Above(Measure),
    /// Rises by more than another measure.
    RisesMoreThan(Measure),
    /// The largest key of its figure, in both years.
    LargestOf(u8),
}

/// One statement of the report: its words, what it measures, what it says.
struct Statement {
    quote: &'static str,
    measure: Measure,
    trend: Trend,
}

fn statement(quote: &'static str, measure: Measure, trend: Trend) -> Statement {
    Statement {
        quote,
        measure,
        trend,
    }
}

/// Every statement of the report comparing 2024 with 2023, in the report's order.
fn statements() -> Vec<Statement> {
    use Trend::*;
    let malicious = || Count(1, &["malicious"]);
    let non_malicious = || Count(1, &["non_malicious"]);
    let ransomware = || Count(14, &["ransomware"]);
    let after_18h = &["jo_1800_1829", "jo_1830_1959", "jo_2000_0859"];
    vec![
        // 1 Introduction.
        statement(
            "l'année 2024 a été marquée par une augmentation significative du nombre de signalements",
            Count(1, &["declarations"]),
            Rise,
        ),
        statement(
            "la poursuite de la baisse du nombre d'incidents ayant eu un impact majeur sur la continuité des soins",
            Rows(|r| r.care_impact == CareImpact::Interrupted),
            Fall,
        ),
        statement(
            "la chaîne d'alerte est connue par de plus en plus d'établissements, et notamment ceux du secteur médico-social",
            Count(1, &["structures"]),
            Rise,
        ),
        statement(
            "…et notamment ceux du secteur médico-social",
            Count(8, &["esms", "ehpad"]),
            Rise,
        ),
        statement(
            "Les attaques par rançongiciel […] avec un nombre d'incidents de ce type comparable à l'année passée",
            ransomware(),
            Comparable,
        ),
        statement(
            "De nombreux mécanismes incitant les utilisateurs à installer ce type de programme [infostealer] ont été découverts en 2024, menant à une forte augmentation du risque lié à ce vecteur de compromission",
            Count(14, &["credential_theft"]),
            Rise,
        ),
        // 3 Synthèse de l'activité en 2024.
        statement(
            "Le nombre total d'incidents déclarés (749 signalements) a fortement augmenté par rapport à 2023 (581)",
            Count(1, &["declarations"]),
            RiseFrom(581.0),
        ),
        statement(
            "Cette augmentation est principalement dû à des incidents d'origine non malveillante",
            non_malicious(),
            RisesMoreThan(malicious()),
        ),
        statement(
            "558 établissements ayant déclaré au moins un incident, soit une augmentation de 21% du nombre de déclarants",
            Count(1, &["structures"]),
            RiseBy(21.0),
        ),
        statement(
            "Le ratio plus faible des incidents d'origine malveillante (44%)",
            of_declarations(malicious()),
            Fall,
        ),
        statement(
            "Le nombre d'incidents lié à cette menace [rançongiciel] est en hausse de 28% par rapport à 2023",
            ransomware(),
            RiseBy(28.0),
        ),
        statement(
            "Le nombre d'incidents ayant un impact sur la prise en charge des patients est en augmentation par rapport à 2023 (de 13%)",
            Count(1, &["care_impact"]),
            RiseBy(13.0),
        ),
        statement(
            "L'année 2024 a également été marquée par une diminution du nombre d'incidents majeurs",
            Count(14, &["ransomware_reach.multi_server"]),
            Fall,
        ),
        // 4.4 Informations générales sur les signalements.
        statement(
            "749 incidents ont été déclarés en 2024. Ce nombre est en forte augmentation par rapport à 2023 (581)",
            Count(
                13,
                &["malicious", "non_malicious", "out_of_scope", "unqualified"],
            ),
            RiseFrom(581.0),
        ),
        statement(
            "On compte en 2024 une moyenne de 62 déclarations par mois (48 en 2023)",
            Measure::Per(Box::new(Count(1, &["declarations"])), 12.0),
            RiseFrom(48.0),
        ),
        statement(
            "85% des signalements ont été effectués en heures et jours ouvrés (HO/JO) en 2024 […] en légère baisse (7%) par rapport à 2023",
            of_declarations(Count(4, &["ho_jo"])),
            FallByPoints(7.0),
        ),
        statement(
            "On constate une augmentation significative de la part des incidents déclarés après 18h en jours ouvrés",
            of_declarations(Count(4, after_18h)),
            Rise,
        ),
        statement(
            "La part des incidents déclarés entre 18h et 18h30, comme en 2023, est toujours supérieure à celle des incidents déclarés après 20h",
            Count(4, &["jo_1800_1829"]),
            Above(Count(4, &["jo_2000_0859"])),
        ),
        statement(
            "La part des incidents pour lesquels le CERT Santé a été sollicité […] a également augmenté cette année, pour atteindre 31%",
            of_declarations(Count(5, &["needs_cert"])),
            Rise,
        ),
        statement(
            "32 structures n'ont pas transmis d'information complémentaire […] Ce chiffre est en augmentation rapport à 2023",
            Count(1, &["structures_unanswered"]),
            Rise,
        ),
        statement(
            "35% de ces incidents étaient potentiellement d'origine malveillante […] contre 20% en 2023",
            percent(
                Rows(|r| unanswered(r) && r.origin == Some(Origin::Malicious)),
                Rows(unanswered),
            ),
            RiseFrom(20.0),
        ),
        statement(
            "22% C'est le pourcentage de signalements pour lesquels a été demandé un accompagnement en 2024. Il est inférieur à celui de 2023",
            of_declarations(Count(1, &["support_requested"])),
            Fall,
        ),
        statement(
            "Les parts des types d'établissements dans la déclaration des incidents en 2024 sont stables par rapport à 2023",
            Measure::Shares(
                8,
                &[
                    "es_public",
                    "es_prive",
                    "espic",
                    "esms",
                    "ehpad",
                    "lab",
                    "radiotherapy",
                    "army_hospital",
                    "grades",
                    "provider",
                    "other",
                ],
            ),
            Stable,
        ),
        statement(
            "…selon la nature de la personne morale […] sont stables par rapport à 2023",
            Measure::Shares(9, &["public", "private_for_profit", "private_non_profit"]),
            Stable,
        ),
        statement(
            "Les ES publics déclarent toujours le plus d'incidents (73%)",
            Count(8, &["es_public"]),
            LargestOf(8),
        ),
        statement(
            "les incidents signalés où tout ou une partie des données […] étaient devenues inaccessibles ont augmenté de 52% par rapport à 2023",
            Count(10, &["unavailable"]),
            RiseBy(52.0),
        ),
        statement(
            "le taux de divulgation ou d'accès non autorisé à des informations […] est resté stable par rapport à l'année précédente",
            Measure::Shares(10, &["disclosed"]),
            Stable,
        ),
        statement(
            "On observe une augmentation des cas de fuite d'informations",
            Count(14, &["data_leak"]),
            Rise,
        ),
        // The report does not say of what the 42 % are a share (not of declarations:
        // 212 are 28 % of them), so only the direction of its "10 % de plus" is checked.
        statement(
            "42% […] fonctionnement en mode dégradé du système de prise en charge des patients (10% de plus qu'en 2023)",
            Rows(|r| r.care_impact == CareImpact::Degraded),
            Rise,
        ),
        // 4.4, incidents of malicious or non-malicious origin.
        statement(
            "sont exclus les 22 signalements dits « Hors périmètre » […] (contre 24 en 2023)",
            Count(13, &["out_of_scope"]),
            FallFrom(24.0),
        ),
        statement(
            "L'année 2024 a été marquée, comme 2023, par une forte activité malveillante relative au vol d'identifiants […] Le vol d'identifiants par infostealer s'est développé",
            Count(14, &["credential_theft", "account_compromise"]),
            Rise,
        ),
        statement(
            "précédées par une exfiltration d'informations confidentielles ou sensibles (en baisse par rapport à 2023)",
            Rows(|r| {
                r.categories.contains(Category::Ransomware)
                    && r.categories.contains(Category::DataLeak)
            }),
            Fall,
        ),
        statement(
            "44% C'est le pourcentage des incidents qui ont une origine malveillante en 2024. Ce chiffre est en baisse comparé à l'année précédente",
            of_declarations(malicious()),
            Fall,
        ),
        statement(
            "Le nombre de déclarations d'incident pour lesquels une demande d'accompagnement est formulée a très légèrement baissé en 2024",
            Count(1, &["support_requested"]),
            SlightFall,
        ),
        statement(
            "La part d'origine non malveillante et liée à un dysfonctionnement de l'infrastructure est de 38% […] La perte du lien télécom […] (34%). On observe qu'en 2024, ces deux types d'incidents représentent une part nettement plus significative qu'en 2023",
            percent(
                Count(19, &["infra_failure", "telecom_loss"]),
                non_malicious(),
            ),
            RiseByPointsAtLeast(5.0),
        ),
        statement(
            "Le nombre de déclarations lié à un bug applicatif (14%) est en légère augmentation par rapport à 2023",
            Count(19, &["app_bug"]),
            SlightRise,
        ),
        statement(
            "56% C'est la part d'incidents d'origine non malveillante en 2024 des incidents, ce chiffre est en hausse par rapport à 2023",
            of_declarations(non_malicious()),
            Rise,
        ),
    ]
}

/// An incident whose structure never answered a request for complements.
fn unanswered(r: &Row) -> bool {
    r.handling.complements_requested && !r.handling.complements_received
}

/// The demo's figures for 2024 (previous: 2023), and its rows.
struct Computed {
    observatory: Observatory,
    rows: Vec<Row>,
}

impl Computed {
    fn new() -> Computed {
        let mut ids: HashMap<Finess, u32> = HashMap::new();
        let rows: Vec<Row> = DEMO
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
        let observatory = compute(&rows, 2024, &reference, &Filter::default());
        Computed { observatory, rows }
    }

    /// The key's (2024, 2023) values in a figure.
    fn key(&self, figure: u8, key: &str) -> [f64; 2] {
        let row = self
            .observatory
            .figure(figure)
            .unwrap()
            .row(key)
            .unwrap_or_else(|| panic!("figure {figure} has no key {key}"));
        [row.count as f64, row.previous as f64]
    }

    /// Every value of a measure, for 2024 then 2023.
    fn values(&self, measure: &Measure) -> [Vec<f64>; 2] {
        match measure {
            Measure::Count(figure, keys) => {
                let [now, before] = keys.iter().fold([0.0, 0.0], |acc, k| {
                    let v = self.key(*figure, k);
                    [acc[0] + v[0], acc[1] + v[1]]
                });
                [vec![now], vec![before]]
            }
            Measure::Rows(f) => [2024, 2023].map(|year| {
                vec![self.rows.iter().filter(|r| r.year == year && f(r)).count() as f64]
            }),
            Measure::Percent(part, whole) => {
                let (part, whole) = (self.values(part), self.values(whole));
                [0, 1].map(|y| vec![100.0 * part[y][0] / whole[y][0]])
            }
            Measure::Per(measure, by) => self.values(measure).map(|v| vec![v[0] / by]),
            Measure::Shares(figure, keys) => {
                let fig = self.observatory.figure(*figure).unwrap();
                let total = |y: usize| -> f64 {
                    fig.rows
                        .iter()
                        .map(|r| [r.count, r.previous][y] as f64)
                        .sum()
                };
                let totals = [total(0), total(1)];
                [0, 1].map(|y| {
                    keys.iter()
                        .map(|k| 100.0 * self.key(*figure, k)[y] / totals[y])
                        .collect()
                })
            }
        }
    }

    /// Whether the trend holds for the measured values; `Err` says what was measured.
    fn check(&self, measure: &Measure, trend: &Trend) -> Result<(), String> {
        let [now, before] = self.values(measure);
        let (n, b) = (now[0], before[0]);
        let change = (n / b - 1.0) * 100.0;
        let shown = format!("2024: {now:.2?}, 2023: {before:.2?}, change {change:+.1} %");
        let holds = match trend {
            Trend::Rise => n > b,
            Trend::Fall => n < b,
            Trend::RiseFrom(v) => n > b && b.round() == *v,
            Trend::FallFrom(v) => n < b && b.round() == *v,
            Trend::RiseBy(p) => n > b && (change.round() - p).abs() <= 1.0,
            Trend::FallByPoints(p) => n < b && (b - n).round() == *p,
            Trend::RiseByPointsAtLeast(p) => n - b >= *p,
            Trend::SlightRise => n > b && change < 15.0,
            Trend::SlightFall => n < b && change > -5.0,
            Trend::Comparable => change.abs() <= 30.0,
            Trend::Stable => now.iter().zip(&before).all(|(n, b)| (n - b).abs() <= 1.0),
            Trend::Above(other) => {
                let [o_now, o_before] = self.values(other);
                n > o_now[0] && b > o_before[0]
            }
            Trend::RisesMoreThan(other) => {
                let [o_now, o_before] = self.values(other);
                n - b > o_now[0] - o_before[0]
            }
            Trend::LargestOf(figure) => {
                let fig = self.observatory.figure(*figure).unwrap();
                let max = |y: usize| {
                    fig.rows
                        .iter()
                        .map(|r| [r.count, r.previous][y] as f64)
                        .fold(0.0, f64::max)
                };
                n == max(0) && b == max(1)
            }
        };
        if holds { Ok(()) } else { Err(shown) }
    }
}

#[test]
fn every_trend_the_report_states_from_2023_holds_in_the_demo() {
    let computed = Computed::new();
    let statements = statements();
    assert_eq!(statements.len(), 37);
    let broken: Vec<String> = statements
        .iter()
        .filter_map(|s| {
            computed
                .check(&s.measure, &s.trend)
                .err()
                .map(|why| format!("« {} »: {why}", s.quote))
        })
        .collect();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The check is not vacuous: each kind of trend refuses values that contradict it.
#[test]
fn a_trend_the_demo_contradicts_is_refused() {
    let computed = Computed::new();
    let refused = [
        // Declarations rose: neither a fall nor stable, and not from 600.
        (Count(1, &["declarations"]), Trend::Fall),
        (Count(1, &["declarations"]), Trend::RiseFrom(600.0)),
        (Count(1, &["declarations"]), Trend::SlightRise),
        (Count(1, &["declarations"]), Trend::RiseBy(13.0)),
        // Support requests fell by 2 %: not a rise, nor a fall of 7 points in share.
        (Count(1, &["support_requested"]), Trend::Rise),
        (
            of_declarations(Count(1, &["support_requested"])),
            Trend::FallByPoints(1.0),
        ),
        // Non-malicious incidents rose far more than 30 %, and their share moved.
        (Count(1, &["non_malicious"]), Trend::Comparable),
        (Measure::Shares(13, &["non_malicious"]), Trend::Stable),
        // Malicious incidents rose less than non-malicious ones.
        (
            Count(1, &["malicious"]),
            Trend::RisesMoreThan(Count(1, &["non_malicious"])),
        ),
        (
            Count(4, &["jo_2000_0859"]),
            Trend::Above(Count(4, &["jo_1800_1829"])),
        ),
        (Count(8, &["esms"]), Trend::LargestOf(8)),
    ];
    for (measure, trend) in &refused {
        assert!(computed.check(measure, trend).is_err());
    }
}
