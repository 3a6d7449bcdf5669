//! How many of each value a year holds: the published figures for 2024; for 2023, figures
//! that follow every trend the report states from 2023 to 2024 (the tests list them with
//! the report's words); plausible ones for 2022.

use vigie_model::{
    Category, DataKind, DepositSlot, RansomwareReach, Region, StateAtDeclaration, StructureType,
};

use DataKind::{
    Confidential as C, HealthPersonal as H, PersonalOther as P, TechnicalSensitive as T,
};

/// The exact counts of one year; every list sums to the part it splits.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub year: i16,
    pub total: usize,
    /// Declarations per month, January first.
    pub months: [usize; 12],
    pub slots: Vec<(DepositSlot, usize)>,
    /// Declarations phoned in to the on-call analyst (outside working hours only).
    pub phone_oncall: usize,
    pub regions: Vec<(Region, usize)>,
    /// Declarations per structure type.
    pub kinds: Vec<(StructureType, usize)>,
    /// Structures with 3 declarations or more: (declarations, type).
    pub heavy: Vec<(usize, StructureType)>,
    /// Distinct declaring structures.
    pub structures: usize,
    /// Distinct OSE structures that declared.
    pub ose: usize,
    /// Structures asked for complements that never answered, and how many of their
    /// incidents were malicious.
    pub unanswered: usize,
    pub unanswered_malicious: usize,
    /// Incidents with complements asked and received.
    pub complements_answered: usize,
    pub malicious: usize,
    pub non_malicious: usize,
    pub exercises: usize,
    pub not_health_is: usize,
    /// First category of each malicious incident.
    pub primary: Vec<(Category, usize)>,
    pub reach: Vec<(RansomwareReach, usize)>,
    /// Malicious incidents with 2 categories or more, of which ransomware.
    pub multi_category: usize,
    pub multi_ransomware: usize,
    pub non_malicious_categories: Vec<(Category, usize)>,
    /// Infrastructure failures at a provider (the rest are local).
    pub infra_provider: usize,
    /// Incidents of the CrowdStrike Falcon update (July 2024), among faulty updates.
    pub crowdstrike: usize,
    pub support_requested: usize,
    pub technical_support: usize,
    pub false_positive: usize,
    pub degraded: usize,
    pub interrupted: usize,
    /// Malicious incidents among those with an impact on care.
    pub care_malicious: usize,
    pub danger_potential: usize,
    pub danger_actual: usize,
    pub data_none: usize,
    /// Sets of kinds of data hit and how many incidents have each.
    pub data_kinds: Vec<(&'static [DataKind], usize)>,
    pub states: Vec<(StateAtDeclaration, usize)>,
    /// Ransomware incidents also qualified as a data leak (an exfiltration first), where
    /// the year fixes their number; otherwise as the companions fall.
    pub ransomware_leaks: Option<usize>,
    /// Malicious incidents with data disclosed, where the year fixes their number.
    pub disclosed: Option<usize>,
    /// Incidents with data made unavailable, where the year fixes their number.
    pub unavailable: Option<usize>,
}

/// Splits `total` in proportion to `list` (largest remainder, ties to the first).
pub(crate) fn scale<T: Copy>(list: &[(T, usize)], total: usize) -> Vec<(T, usize)> {
    let sum: usize = list.iter().map(|(_, n)| n).sum();
    if sum == 0 {
        return list.iter().map(|(t, _)| (*t, 0)).collect();
    }
    let mut out: Vec<(T, usize)> = list.iter().map(|(t, n)| (*t, n * total / sum)).collect();
    let mut rest: Vec<(usize, usize)> = list
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (i, n * total % sum))
        .collect();
    rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let given: usize = out.iter().map(|(_, n)| n).sum();
    for (i, _) in rest.into_iter().take(total - given) {
        out[i].1 += 1;
    }
    out
}

fn slots(
    ho_jo: usize,
    jo_1800: usize,
    jo_1830: usize,
    jo_2000: usize,
    jno: usize,
) -> Vec<(DepositSlot, usize)> {
    vec![
        (DepositSlot::HoJo, ho_jo),
        (DepositSlot::Jo1800To1829, jo_1800),
        (DepositSlot::Jo1830To1959, jo_1830),
        (DepositSlot::Jo2000To0859, jo_2000),
        (DepositSlot::Jno, jno),
    ]
}

fn states(
    resolved: usize,
    resolving: usize,
    needs_cert: usize,
    unknown: usize,
) -> Vec<(StateAtDeclaration, usize)> {
    vec![
        (StateAtDeclaration::Resolved, resolved),
        (StateAtDeclaration::Resolving, resolving),
        (StateAtDeclaration::NeedsCert, needs_cert),
        (StateAtDeclaration::Unknown, unknown),
    ]
}

fn reach(
    multi: usize,
    single: usize,
    workstation: usize,
    provider: usize,
) -> Vec<(RansomwareReach, usize)> {
    vec![
        (RansomwareReach::MultiServer, multi),
        (RansomwareReach::SingleServer, single),
        (RansomwareReach::Workstation, workstation),
        (RansomwareReach::Provider, provider),
    ]
}

/// The year 2024, as published in the observatory report.
pub(crate) fn plan_2024() -> Plan {
    use Category as K;
    use Region as R;
    use StructureType as S;
    let mut heavy: Vec<(usize, StructureType)> = [9, 8, 7, 6, 6, 5, 5, 5, 4, 4, 4, 4, 4, 4]
        .into_iter()
        .map(|n| (n, S::EsPublic))
        .collect();
    heavy.push((4, S::Espic));
    heavy.extend(std::iter::repeat_n((3, S::EsPublic), 11));
    heavy.push((3, S::EsPrive));
    heavy.extend(std::iter::repeat_n((3, S::Esms), 2));
    Plan {
        year: 2024,
        total: 749,
        months: [55, 52, 60, 58, 57, 62, 84, 55, 63, 66, 70, 67],
        slots: slots(637, 30, 23, 19, 40),
        phone_oncall: 35,
        regions: vec![
            (R::IleDeFrance, 91),
            (R::CentreValDeLoire, 12),
            (R::BourgogneFrancheComte, 41),
            (R::Normandie, 51),
            (R::HautsDeFrance, 83),
            (R::GrandEst, 55),
            (R::PaysDeLaLoire, 62),
            (R::Bretagne, 30),
            (R::NouvelleAquitaine, 72),
            (R::Occitanie, 92),
            (R::AuvergneRhoneAlpes, 78),
            (R::ProvenceAlpesCoteDAzur, 62),
            (R::Corse, 4),
            (R::Guadeloupe, 2),
            (R::Martinique, 6),
            (R::Guyane, 3),
            (R::LaReunion, 4),
            (R::SaintPierreEtMiquelon, 1),
        ],
        kinds: vec![
            (S::EsPublic, 547),
            (S::EsPrive, 12),
            (S::Espic, 16),
            (S::Esms, 60),
            (S::Ehpad, 48),
            (S::Lab, 20),
            (S::Radiotherapy, 4),
            (S::ArmyHospital, 2),
            (S::Grades, 8),
            (S::Provider, 18),
            (S::Other, 14),
        ],
        heavy,
        structures: 558,
        ose: 77,
        unanswered: 32,
        unanswered_malicious: 11,
        complements_answered: 110,
        malicious: 328,
        non_malicious: 399,
        exercises: 12,
        not_health_is: 10,
        primary: vec![
            (K::Ransomware, 40),
            (K::SiCompromise, 20),
            (K::AccountCompromise, 80),
            (K::CredentialTheft, 35),
            (K::Phishing, 60),
            (K::VulnExploitation, 18),
            (K::BruteForce, 8),
            (K::DataLeak, 12),
            (K::Malware, 18),
            (K::Ddos, 7),
            (K::Defacement, 3),
            (K::OtherMalicious, 27),
        ],
        reach: reach(4, 18, 16, 2),
        multi_category: 138,
        multi_ransomware: 30,
        non_malicious_categories: vec![
            (K::InfraFailure, 152),
            (K::TelecomLoss, 136),
            (K::AppBug, 56),
            (K::PowerOutage, 11),
            (K::EquipmentFailure, 9),
            (K::FaultyUpdate, 24),
            (K::OtherNonMalicious, 11),
        ],
        infra_provider: 90,
        crowdstrike: 20,
        support_requested: 162,
        technical_support: 75,
        false_positive: 8,
        degraded: 212,
        interrupted: 18,
        care_malicious: 44,
        danger_potential: 56,
        danger_actual: 3,
        data_none: 180,
        data_kinds: vec![
            (&[H, P, C], 6),
            (&[H, P], 30),
            (&[H, T], 4),
            (&[P, C], 4),
            (&[H], 98),
            (&[P], 37),
            (&[T], 11),
            (&[C], 10),
        ],
        states: states(215, 270, 232, 32),
        ransomware_leaks: None,
        disclosed: None,
        unavailable: None,
    }
}

/// Counts of an earlier year, kept in the proportions of 2024 where the report gives
/// no figure nor trend.
struct Earlier {
    year: i16,
    months: [usize; 12],
    slots: Vec<(DepositSlot, usize)>,
    structures: usize,
    heavy: Vec<(usize, StructureType)>,
    malicious: usize,
    out_of_scope: usize,
    exercises: usize,
    ransomware: Vec<(RansomwareReach, usize)>,
    degraded: usize,
    interrupted: usize,
    states: Vec<(StateAtDeclaration, usize)>,
    support_requested: usize,
    /// Structures that never answered, and how many of their incidents were malicious.
    unanswered: (usize, usize),
    /// Categories of non-malicious incidents; by default, those of 2024 without CrowdStrike.
    non_malicious_categories: Option<Vec<(Category, usize)>>,
    ransomware_leaks: Option<usize>,
    disclosed: Option<usize>,
    unavailable: Option<usize>,
}

fn earlier(base: &Plan, e: Earlier) -> Plan {
    let total: usize = e.months.iter().sum();
    let ratio = |n: usize| (n * total + base.total / 2) / base.total;
    let ransomware: usize = e.ransomware.iter().map(|(_, n)| n).sum();
    let non_malicious = total - e.malicious - e.out_of_scope;
    let mut primary = vec![(Category::Ransomware, ransomware)];
    primary.extend(scale(&base.primary[1..], e.malicious - ransomware));
    let non = e.non_malicious_categories.unwrap_or_else(|| {
        let mut non = scale(&base.non_malicious_categories, non_malicious);
        // No CrowdStrike before 2024: faulty updates were rare.
        if let Some(fu) = non.iter().position(|(c, _)| *c == Category::FaultyUpdate) {
            let moved = non[fu].1 * 3 / 4;
            non[fu].1 -= moved;
            non[0].1 += moved;
        }
        non
    });
    debug_assert_eq!(non.iter().map(|(_, n)| n).sum::<usize>(), non_malicious);
    let infra = non
        .iter()
        .find(|(c, _)| *c == Category::InfraFailure)
        .map_or(0, |(_, n)| *n);
    let data_hit_kinds: usize = base.data_kinds.iter().map(|(_, n)| n).sum();
    Plan {
        year: e.year,
        total,
        months: e.months,
        slots: e.slots,
        phone_oncall: ratio(base.phone_oncall) / 2,
        regions: scale(&base.regions, total),
        kinds: scale(&base.kinds, total),
        heavy: e.heavy,
        structures: e.structures,
        ose: 0,
        unanswered: e.unanswered.0,
        unanswered_malicious: e.unanswered.1,
        complements_answered: ratio(base.complements_answered),
        malicious: e.malicious,
        non_malicious,
        exercises: e.exercises,
        not_health_is: e.out_of_scope - e.exercises,
        primary,
        reach: e.ransomware,
        multi_category: e.malicious * 2 / 5,
        multi_ransomware: ransomware * 3 / 4,
        non_malicious_categories: non,
        infra_provider: infra * 11 / 20,
        crowdstrike: 0,
        support_requested: e.support_requested,
        technical_support: ratio(base.technical_support) + 8,
        false_positive: 6,
        degraded: e.degraded,
        interrupted: e.interrupted,
        care_malicious: (e.degraded + e.interrupted) / 4,
        danger_potential: ratio(base.danger_potential),
        danger_actual: 2,
        data_none: ratio(base.data_none),
        data_kinds: scale(&base.data_kinds, ratio(data_hit_kinds)),
        states: e.states,
        ransomware_leaks: e.ransomware_leaks,
        disclosed: e.disclosed,
        unavailable: e.unavailable,
    }
}

/// The year 2023: 581 declarations, a higher malicious share, 31 ransomware, and every
/// trend the 2024 report states from 2023 to 2024 (checked by the tests, statement by
/// statement): slightly more support requests (165), fewer interruptions of care (20),
/// a smaller share of infrastructure failures and telecom losses, slightly fewer
/// application bugs, the same share of disclosed data, 52% fewer incidents with data
/// made unavailable than 2024, more ransomware preceded by an exfiltration.
pub(crate) fn plan_2023(base: &Plan) -> Plan {
    use Category as K;
    use StructureType as S;
    let mut heavy: Vec<(usize, StructureType)> = [8, 7, 6, 5, 5, 4, 4, 4, 4, 4, 4]
        .into_iter()
        .map(|n| (n, S::EsPublic))
        .collect();
    heavy.extend(std::iter::repeat_n((3, S::EsPublic), 10));
    heavy.push((3, S::Esms));
    earlier(
        base,
        Earlier {
            year: 2023,
            months: [45, 50, 52, 47, 49, 44, 46, 41, 50, 53, 52, 52],
            slots: slots(534, 14, 8, 9, 16),
            structures: 461,
            heavy,
            malicious: 300,
            out_of_scope: 24,
            exercises: 6,
            ransomware: reach(5, 12, 12, 2),
            degraded: 184,
            interrupted: 20,
            states: states(190, 215, 150, 26),
            support_requested: 165,
            unanswered: (20, 4),
            non_malicious_categories: Some(vec![
                (K::InfraFailure, 92),
                (K::TelecomLoss, 70),
                (K::AppBug, 52),
                (K::PowerOutage, 10),
                (K::EquipmentFailure, 9),
                (K::FaultyUpdate, 8),
                (K::OtherNonMalicious, 16),
            ]),
            ransomware_leaks: Some(12),
            disclosed: Some(175),
            unavailable: Some(234),
        },
    )
}

/// The year 2022: 591 declarations.
pub(crate) fn plan_2022(base: &Plan) -> Plan {
    use StructureType as S;
    let mut heavy: Vec<(usize, StructureType)> = [7, 6, 6, 5, 5, 4, 4, 4, 4, 4]
        .into_iter()
        .map(|n| (n, S::EsPublic))
        .collect();
    heavy.extend(std::iter::repeat_n((3, S::EsPublic), 12));
    heavy.push((3, S::Esms));
    earlier(
        base,
        Earlier {
            year: 2022,
            months: [50, 47, 49, 45, 52, 48, 44, 42, 50, 55, 54, 55],
            slots: slots(550, 12, 8, 8, 13),
            structures: 470,
            heavy,
            malicious: 320,
            out_of_scope: 20,
            exercises: 4,
            ransomware: reach(8, 14, 11, 2),
            degraded: 175,
            interrupted: 16,
            states: states(200, 215, 145, 31),
            support_requested: 138,
            unanswered: (18, 3),
            non_malicious_categories: None,
            ransomware_leaks: None,
            disclosed: None,
            unavailable: None,
        },
    )
}
