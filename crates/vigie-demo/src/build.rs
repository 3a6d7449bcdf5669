//! One year of incidents: exact counts dealt out, then the few correlations made by hand.

use fastrand::Rng;
use jiff::civil::date;
use vigie_model::calendar::{deposit_slot, paris};
use vigie_model::{
    CareImpact, Category, Channel, CodeSet, DataImpact, DataImpactCode, DataKind, DateTime,
    DegradedHours, DepositSlot, Handling, Incident, InfraSide, Origin, OutOfScopeReason,
    PatientDanger, Qualification, RansomwareReach, StateAtDeclaration, Structure, StructureType,
    incident::{Description, Title},
    qualification::EventName,
};

use crate::{plan::Plan, structures::Pool, text};

/// The shared event of July 2024.
pub const CROWDSTRIKE: &str =
    "Mise à jour défectueuse de l'agent CrowdStrike Falcon (19 juillet 2024)";

/// An incident being built.
#[derive(Debug, Clone)]
struct Draft {
    structure: usize,
    origin: Origin,
    primary: Option<Category>,
    categories: CodeSet<Category>,
    reach: Option<RansomwareReach>,
    side: Option<InfraSide>,
    reason: Option<OutOfScopeReason>,
    crowdstrike: bool,
    month: i8,
    slot: DepositSlot,
    channel: Channel,
    state: StateAtDeclaration,
    support: bool,
    handling: Handling,
    care: CareImpact,
    danger: PatientDanger,
    impacts: CodeSet<DataImpactCode>,
    kinds: CodeSet<DataKind>,
}

/// The values of `counts`, each repeated its number of times, shuffled.
fn deal<T: Copy>(rng: &mut Rng, counts: &[(T, usize)]) -> Vec<T> {
    let mut out: Vec<T> = counts
        .iter()
        .flat_map(|&(v, n)| std::iter::repeat_n(v, n))
        .collect();
    rng.shuffle(&mut out);
    out
}

/// `n` distinct indexes, taken from the first tier first (shuffled within a tier).
fn choose(rng: &mut Rng, tiers: Vec<Vec<usize>>, n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    for mut tier in tiers {
        rng.shuffle(&mut tier);
        for i in tier {
            if out.len() == n {
                return out;
            }
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    assert_eq!(out.len(), n, "not enough candidates");
    out
}

/// `set` without `value`.
fn without<T: vigie_model::Code>(set: CodeSet<T>, value: T) -> CodeSet<T> {
    let kept: Vec<T> = set.iter().filter(|v| *v != value).collect();
    CodeSet::of(&kept)
}

/// Companion categories a malicious incident may carry beside its first one.
fn companions(primary: Category) -> &'static [Category] {
    use Category as K;
    match primary {
        K::Ransomware => &[
            K::SiCompromise,
            K::DataLeak,
            K::Malware,
            K::VulnExploitation,
            K::CredentialTheft,
        ],
        K::AccountCompromise => &[K::Phishing, K::CredentialTheft, K::DataLeak],
        K::Phishing => &[K::AccountCompromise, K::CredentialTheft, K::Malware],
        K::CredentialTheft => &[K::AccountCompromise, K::DataLeak],
        K::SiCompromise => &[K::VulnExploitation, K::Malware, K::DataLeak],
        K::VulnExploitation => &[K::SiCompromise, K::DataLeak],
        K::BruteForce => &[K::AccountCompromise],
        K::Malware => &[K::CredentialTheft, K::SiCompromise],
        K::DataLeak => &[K::CredentialTheft, K::SiCompromise],
        _ => &[],
    }
}

/// The data impacts an incident of this kind typically has.
fn impacts_of(d: &Draft, rng: &mut Rng) -> CodeSet<DataImpactCode> {
    use Category as K;
    use DataImpactCode as I;
    let c = d.categories;
    let mut set = CodeSet::empty();
    match d.origin {
        Origin::Malicious => {
            if c.contains(K::Ransomware) {
                set.insert(I::Unavailable);
                set.insert(I::Altered);
            }
            if c.contains(K::Ddos) {
                set.insert(I::Unavailable);
            }
            if c.contains(K::Malware) || c.contains(K::Defacement) {
                set.insert(I::Altered);
            }
            if c.contains(K::SiCompromise) && rng.bool() {
                set.insert(I::Altered);
            }
            if [
                K::DataLeak,
                K::AccountCompromise,
                K::CredentialTheft,
                K::Phishing,
                K::SiCompromise,
                K::VulnExploitation,
                K::BruteForce,
                K::OtherMalicious,
            ]
            .iter()
            .any(|k| c.contains(*k))
            {
                set.insert(I::Disclosed);
            }
        }
        _ => {
            set.insert(I::Unavailable);
            if c.contains(K::InfraFailure) && rng.u8(..10) == 0 {
                set.insert(I::Destroyed);
            }
            if c.contains(K::AppBug) && rng.u8(..4) == 0 {
                set.insert(I::Altered);
            }
        }
    }
    if set.is_empty() {
        set.insert(I::Unavailable);
    }
    set
}

/// A declaration instant in the given month and slot (and day range), in Paris time.
fn instant(
    rng: &mut Rng,
    year: i16,
    month: i8,
    slot: DepositSlot,
    days: Option<(i8, i8)>,
) -> DateTime {
    let last = date(year, month, 1).days_in_month();
    let (lo, hi) = days.unwrap_or((1, last));
    for attempt in 0..10_000 {
        let (lo, hi) = if attempt < 2_000 { (lo, hi) } else { (1, last) };
        let day = rng.i8(lo..=hi);
        let minute = match slot {
            DepositSlot::HoJo => rng.i32(540..1080),
            DepositSlot::Jo1800To1829 => rng.i32(1080..1110),
            DepositSlot::Jo1830To1959 => rng.i32(1110..1200),
            DepositSlot::Jo2000To0859 if rng.bool() => rng.i32(1200..1440),
            DepositSlot::Jo2000To0859 => rng.i32(0..540),
            DepositSlot::Jno => rng.i32(420..1380),
        };
        let civil =
            date(year, month, day).at((minute / 60) as i8, (minute % 60) as i8, rng.i8(0..60), 0);
        let Ok(at) = paris().to_timestamp(civil) else {
            continue;
        };
        if deposit_slot(at) == slot {
            return DateTime::new(at, paris().to_offset(at)).expect("a date of the 2020s");
        }
    }
    unreachable!("every month has working and non-working days")
}

/// The incidents of one year.
pub(crate) fn year(rng: &mut Rng, pool: &mut Pool<'_>, plan: &Plan) -> Vec<Incident> {
    let mut structures: Vec<(Structure, usize)> = pool.year(rng, plan);
    let mut drafts: Vec<Draft> = structures
        .iter()
        .enumerate()
        .flat_map(|(s, (_, n))| std::iter::repeat_n(s, *n))
        .map(|structure| Draft {
            structure,
            origin: Origin::OutOfScope,
            primary: None,
            categories: CodeSet::empty(),
            reach: None,
            side: None,
            reason: None,
            crowdstrike: false,
            month: 1,
            slot: DepositSlot::HoJo,
            channel: Channel::Portal,
            state: StateAtDeclaration::Unknown,
            support: false,
            handling: Handling::default(),
            care: CareImpact::None,
            danger: PatientDanger::None,
            impacts: CodeSet::empty(),
            kinds: CodeSet::empty(),
        })
        .collect();
    rng.shuffle(&mut drafts);
    let all: Vec<usize> = (0..drafts.len()).collect();
    let filter = |drafts: &[Draft], f: &dyn Fn(&Draft) -> bool| -> Vec<usize> {
        drafts
            .iter()
            .enumerate()
            .filter(|(_, d)| f(d))
            .map(|(i, _)| i)
            .collect()
    };

    // Origin and categories.
    let origins = deal(
        rng,
        &[
            (Origin::Malicious, plan.malicious),
            (Origin::NonMalicious, plan.non_malicious),
            (Origin::OutOfScope, plan.exercises + plan.not_health_is),
        ],
    );
    for (d, o) in drafts.iter_mut().zip(origins) {
        d.origin = o;
    }
    let malicious = filter(&drafts, &|d| d.origin == Origin::Malicious);
    for (&i, c) in malicious.iter().zip(deal(rng, &plan.primary)) {
        drafts[i].primary = Some(c);
        drafts[i].categories = CodeSet::of(&[c]);
    }
    let ransomware = filter(&drafts, &|d| d.primary == Some(Category::Ransomware));
    for (&i, r) in ransomware.iter().zip(deal(rng, &plan.reach)) {
        drafts[i].reach = Some(r);
    }
    let others = filter(&drafts, &|d| {
        d.primary
            .is_some_and(|p| p != Category::Ransomware && !companions(p).is_empty())
    });
    let mut multi = choose(rng, vec![ransomware.clone()], plan.multi_ransomware);
    multi.extend(choose(
        rng,
        vec![others],
        plan.multi_category - plan.multi_ransomware,
    ));
    for i in multi {
        let options = companions(drafts[i].primary.expect("malicious"));
        let extra = if rng.u8(..4) == 0 && options.len() > 1 {
            2
        } else {
            1
        };
        while drafts[i].categories.len() < 1 + extra {
            drafts[i]
                .categories
                .insert(*crate::structures::pick(rng, options));
        }
    }
    // Ransomware preceded by an exfiltration, where the year fixes their number: among
    // ransomware with companions, exactly that many carry a data leak.
    if let Some(n) = plan.ransomware_leaks {
        let multi_ransomware = filter(&drafts, &|d| {
            d.primary == Some(Category::Ransomware) && d.categories.len() > 1
        });
        for &i in &multi_ransomware {
            let c = &mut drafts[i].categories;
            *c = without(*c, Category::DataLeak);
            if c.len() == 1 {
                c.insert(Category::SiCompromise);
            }
        }
        for i in choose(rng, vec![multi_ransomware], n) {
            drafts[i].categories.insert(Category::DataLeak);
        }
    }
    let non = filter(&drafts, &|d| d.origin == Origin::NonMalicious);
    for (&i, c) in non.iter().zip(deal(rng, &plan.non_malicious_categories)) {
        drafts[i].primary = Some(c);
        drafts[i].categories = CodeSet::of(&[c]);
    }
    let infra = filter(&drafts, &|d| d.primary == Some(Category::InfraFailure));
    let sides = [
        (InfraSide::Provider, plan.infra_provider),
        (InfraSide::Local, infra.len() - plan.infra_provider),
    ];
    for (&i, s) in infra.iter().zip(deal(rng, &sides)) {
        drafts[i].side = Some(s);
    }
    let oos = filter(&drafts, &|d| d.origin == Origin::OutOfScope);
    let reasons = [
        (OutOfScopeReason::Exercise, plan.exercises),
        (OutOfScopeReason::NotHealthIs, plan.not_health_is),
    ];
    for (&i, r) in oos.iter().zip(deal(rng, &reasons)) {
        drafts[i].reason = Some(r);
    }
    // CrowdStrike: faulty updates of distinct structures, in July.
    let mut hit = Vec::new();
    for i in filter(&drafts, &|d| d.primary == Some(Category::FaultyUpdate)) {
        if hit.len() < plan.crowdstrike
            && !hit
                .iter()
                .any(|&j: &usize| drafts[j].structure == drafts[i].structure)
        {
            hit.push(i);
        }
    }
    assert_eq!(
        hit.len(),
        plan.crowdstrike,
        "enough faulty updates for CrowdStrike"
    );
    let mut months: Vec<(i8, usize)> = (1..=12).zip(plan.months).collect();
    if plan.crowdstrike > 0 {
        months[6].1 -= plan.crowdstrike;
        for &i in &hit {
            drafts[i].crowdstrike = true;
            drafts[i].month = 7;
        }
    }
    let rest = filter(&drafts, &|d| !d.crowdstrike);
    for (&i, m) in rest.iter().zip(deal(rng, &months)) {
        drafts[i].month = m;
    }
    for (d, s) in drafts.iter_mut().zip(deal(rng, &plan.slots)) {
        d.slot = s;
    }
    let off_hours = filter(&drafts, &|d| d.slot != DepositSlot::HoJo);
    for i in choose(rng, vec![off_hours], plan.phone_oncall) {
        drafts[i].channel = Channel::PhoneOncall;
    }
    for d in drafts.iter_mut().filter(|d| d.channel == Channel::Portal) {
        if rng.u8(..12) == 0 {
            d.channel = Channel::Email;
        }
    }

    // Support, technical support and false positives.
    let fp = choose(
        rng,
        vec![filter(&drafts, &|d| {
            d.primary == Some(Category::OtherNonMalicious)
        })],
        plan.false_positive,
    );
    let mut technical = choose(
        rng,
        vec![ransomware.clone(), malicious.clone()],
        plan.technical_support - plan.false_positive,
    );
    for &i in &fp {
        drafts[i].handling.false_positive = true;
    }
    technical.extend(fp);
    for &i in &technical {
        drafts[i].handling.technical_support = true;
        drafts[i].support = true;
    }
    let in_scope_free = filter(&drafts, &|d| d.origin != Origin::OutOfScope && !d.support);
    let malicious_free = filter(&drafts, &|d| d.origin == Origin::Malicious && !d.support);
    for i in choose(
        rng,
        vec![malicious_free, in_scope_free],
        plan.support_requested - technical.len(),
    ) {
        drafts[i].support = true;
    }
    // State at declaration: the CERT is solicited by every support request.
    let needs = plan
        .states
        .iter()
        .find(|(s, _)| *s == StateAtDeclaration::NeedsCert)
        .map_or(0, |s| s.1);
    let supported = filter(&drafts, &|d| d.support);
    let unsupported = filter(&drafts, &|d| !d.support);
    let needs_cert = choose(rng, vec![supported, unsupported], needs);
    for &i in &needs_cert {
        drafts[i].state = StateAtDeclaration::NeedsCert;
    }
    let other_states: Vec<(StateAtDeclaration, usize)> = plan
        .states
        .iter()
        .copied()
        .filter(|(s, _)| *s != StateAtDeclaration::NeedsCert)
        .collect();
    let rest = filter(&drafts, &|d| d.state != StateAtDeclaration::NeedsCert);
    for (&i, s) in rest.iter().zip(deal(rng, &other_states)) {
        drafts[i].state = s;
    }

    // Impact on care and danger for patients.
    let heavy_ransomware = filter(&drafts, &|d| {
        d.reach.is_some_and(|r| r != RansomwareReach::Workstation)
    });
    let mut care = choose(
        rng,
        vec![
            heavy_ransomware.clone(),
            ransomware.clone(),
            malicious.clone(),
        ],
        plan.care_malicious,
    );
    let outages = filter(&drafts, &|d| {
        d.crowdstrike
            || d.primary.is_some_and(|c| {
                matches!(
                    c,
                    Category::InfraFailure
                        | Category::TelecomLoss
                        | Category::AppBug
                        | Category::PowerOutage
                        | Category::EquipmentFailure
                )
            })
    });
    let crowd = filter(&drafts, &|d| d.crowdstrike);
    care.extend(choose(
        rng,
        vec![crowd, outages, non.clone()],
        plan.degraded + plan.interrupted - plan.care_malicious,
    ));
    let severe: Vec<usize> = care
        .iter()
        .copied()
        .filter(|&i| {
            drafts[i].reach == Some(RansomwareReach::MultiServer)
                || matches!(
                    drafts[i].primary,
                    Some(Category::TelecomLoss | Category::PowerOutage)
                )
        })
        .collect();
    let interrupted = choose(rng, vec![severe, care.clone()], plan.interrupted);
    for &i in &care {
        drafts[i].care = CareImpact::Degraded;
    }
    for &i in &interrupted {
        drafts[i].care = CareImpact::Interrupted;
    }
    let actual = choose(rng, vec![interrupted.clone()], plan.danger_actual);
    for &i in &actual {
        drafts[i].danger = PatientDanger::Actual;
    }
    let care_left: Vec<usize> = care
        .iter()
        .copied()
        .filter(|i| !actual.contains(i))
        .collect();
    for i in choose(rng, vec![care_left], plan.danger_potential) {
        drafts[i].danger = PatientDanger::Potential;
    }

    // Impact on data and kinds of data hit.
    let attempts = filter(&drafts, &|d| {
        d.origin == Origin::Malicious
            && d.categories.len() == 1
            && matches!(
                d.primary,
                Some(
                    Category::Phishing
                        | Category::BruteForce
                        | Category::OtherMalicious
                        | Category::Ddos
                )
            )
    });
    let quiet = filter(&drafts, &|d| {
        matches!(
            d.primary,
            Some(Category::TelecomLoss | Category::AppBug | Category::EquipmentFailure)
        )
    });
    let none = choose(rng, vec![oos.clone(), attempts, quiet], plan.data_none);
    for i in all.iter().copied().filter(|i| !none.contains(i)) {
        let impacts = impacts_of(&drafts[i], rng);
        drafts[i].impacts = impacts;
    }
    // Where the year fixes how many incidents disclosed data or made it unavailable,
    // the impacts drawn beyond are taken back (an incident left with none hit no data).
    if let Some(n) = plan.disclosed {
        let disclosing = filter(&drafts, &|d| {
            d.origin == Origin::Malicious && d.impacts.contains(DataImpactCode::Disclosed)
        });
        let excess = disclosing.len().checked_sub(n).expect("enough disclosures");
        for i in choose(rng, vec![disclosing], excess) {
            drafts[i].impacts = without(drafts[i].impacts, DataImpactCode::Disclosed);
        }
    }
    if let Some(n) = plan.unavailable {
        let unavailable = filter(&drafts, &|d| {
            d.impacts.contains(DataImpactCode::Unavailable)
        });
        let excess = unavailable
            .len()
            .checked_sub(n)
            .expect("enough unavailability");
        let outages = filter(&drafts, &|d| {
            d.origin == Origin::NonMalicious && d.impacts.contains(DataImpactCode::Unavailable)
        });
        for i in choose(rng, vec![outages], excess) {
            drafts[i].impacts = without(drafts[i].impacts, DataImpactCode::Unavailable);
        }
    }
    let disclosed = filter(&drafts, &|d| {
        d.origin == Origin::Malicious && d.impacts.contains(DataImpactCode::Disclosed)
    });
    let malicious_hit = filter(&drafts, &|d| {
        d.origin == Origin::Malicious && !d.impacts.is_empty()
    });
    let hit_any = filter(&drafts, &|d| !d.impacts.is_empty());
    let sets: Vec<(&[DataKind], usize)> = plan.data_kinds.clone();
    let with_kinds: usize = sets.iter().map(|(_, n)| n).sum();
    let chosen = choose(rng, vec![disclosed, malicious_hit, hit_any], with_kinds);
    for (&i, set) in chosen.iter().zip(deal(rng, &sets)) {
        drafts[i].kinds = CodeSet::of(set);
    }

    // Complements: some structures never answer (only structures with one incident).
    let single = |d: &Draft| structures[d.structure].1 == 1;
    let lone_malicious = filter(&drafts, &|d| single(d) && d.origin == Origin::Malicious);
    let lone_other = filter(&drafts, &|d| single(d) && d.origin != Origin::Malicious);
    let mut unanswered = choose(rng, vec![lone_malicious], plan.unanswered_malicious);
    unanswered.extend(choose(
        rng,
        vec![lone_other],
        plan.unanswered - plan.unanswered_malicious,
    ));
    for &i in &unanswered {
        drafts[i].handling.complements_requested = true;
    }
    let asked = filter(&drafts, &|d| !d.handling.complements_requested);
    for i in choose(rng, vec![asked], plan.complements_answered) {
        drafts[i].handling.complements_requested = true;
        drafts[i].handling.complements_received = true;
    }

    // OSE: the heaviest public hospitals first, then others.
    if plan.ose > 0 {
        let public = |min: usize, max: usize| -> Vec<usize> {
            structures
                .iter()
                .enumerate()
                .filter(|(_, (s, n))| s.kind == StructureType::EsPublic && (min..=max).contains(n))
                .map(|(i, _)| i)
                .collect()
        };
        let ose = choose(rng, vec![public(4, usize::MAX), public(1, 3)], plan.ose);
        for i in ose {
            structures[i].0.ose = true;
            pool.set_ose(structures[i].0.finess);
        }
    }

    drafts
        .into_iter()
        .map(|d| finish(rng, plan.year, &structures[d.structure].0, d))
        .collect()
}

/// Turns a draft into an incident with its dates and French texts.
fn finish(rng: &mut Rng, year: i16, structure: &Structure, d: Draft) -> Incident {
    let days = d.crowdstrike.then_some((19, 23));
    let declared_at = instant(rng, year, d.month, d.slot, days);
    let detected_at = (rng.u8(..10) < 7).then(|| {
        let before = jiff::SignedDuration::from_mins(rng.i64(10..2_880));
        let at = declared_at.timestamp() - before;
        DateTime::new(at, paris().to_offset(at)).expect("a date of the 2020s")
    });
    let degraded_hours = match d.care {
        CareImpact::None => None,
        CareImpact::Degraded => DegradedHours::new(f64::from(rng.u32(1..=48))),
        CareImpact::Interrupted => DegradedHours::new(f64::from(rng.u32(12..=240))),
    };
    let event = d
        .crowdstrike
        .then(|| EventName::parse(CROWDSTRIKE).expect("a short name"));
    let qualification =
        Qualification::new(d.origin, d.categories, d.reach, d.side, d.reason, event)
            .expect("consistent by construction");
    let data_impact = if d.impacts.is_empty() {
        DataImpact::NONE
    } else {
        DataImpact::new(d.impacts, d.kinds).expect("consistent by construction")
    };
    let (title, description) = text::texts(rng, &qualification, d.primary, d.care, structure);
    Incident {
        reference: None,
        declared_at,
        detected_at,
        channel: d.channel,
        structure: structure.clone(),
        state_at_declaration: d.state,
        support_requested: d.support,
        care_impact: d.care,
        degraded_hours,
        data_impact,
        patient_danger: d.danger,
        title: Title::parse(title).ok(),
        description: Description::parse(description).ok(),
        qualification: Some(qualification),
        handling: d.handling,
    }
}
