//! A generated data set that uses every code and every flag, for tests that compare engines.
//!
//! Each incident's values are drawn from its number by different moduli, so that a few
//! hundred incidents already hold every value of every vocabulary, every flag true and
//! false, and every optional field absent and present; [`Coverage`] says which are missing.

use std::collections::BTreeSet;

use jiff::{Timestamp, tz::Offset};
use vigie_model::{
    BoundedText, CareImpact, Category, Channel, Code, CodeSet, DataImpact, DataImpactCode,
    DataKind, DateTime, DegradedHours, Finess, Handling, Incident, InfraSide, LegalStatus, Origin,
    OutOfScopeReason, PatientDanger, Qualification, RansomwareReach, Region, StateAtDeclaration,
    Structure, StructureType,
};

/// Number of declaring structures (a prime, so that their attributes cycle independently).
const STRUCTURES: usize = 97;

/// Unix seconds of 2023-01-01T00:00:00Z: the incidents spread over 2023 and 2024.
const START: i64 = 1_672_531_200;
/// Seconds between two declarations (about 8 h 46 min: 2,000 incidents span two years).
const STEP: i64 = 31_577;

/// Offsets the declarations are written in, in seconds.
const OFFSETS: [i32; 5] = [3_600, 7_200, 0, -4 * 3_600, 36_000];

/// The `n`-th value of a vocabulary, cycling.
fn nth<T: Code>(n: usize) -> T {
    T::ALL[n % T::ALL.len()]
}

/// A text within its bounds (generated texts are short and never empty).
fn text<const MIN: usize, const MAX: usize>(s: String) -> BoundedText<MIN, MAX> {
    BoundedText::parse(s).expect("generated text within bounds")
}

/// The `j`-th declaring structure.
fn structure(j: usize) -> Structure {
    let finess =
        Finess::with_check_digit(&format!("75{:06}", 100 + j)).expect("generated FINESS is valid");
    Structure {
        finess,
        name: text(format!("Centre hospitalier de Besançon n°{j}")),
        kind: nth(j),
        legal_status: nth(j / 2),
        region: nth(j),
        ose: j.is_multiple_of(3),
        ght: (j % 4 == 1).then(|| text(format!("GHT « Doubs » {}", j % 5))),
    }
}

/// A set of the values of `values` chosen by the bits of `bits`.
fn subset<T: Code>(values: &[T], bits: usize) -> CodeSet<T> {
    values
        .iter()
        .enumerate()
        .filter(|(i, _)| bits >> i & 1 == 1)
        .map(|(_, v)| *v)
        .collect()
}

/// The qualification of incident `n`, when it has one.
fn qualification(n: usize) -> Option<Qualification> {
    if n % 7 == 6 {
        return None;
    }
    let origin: Origin = nth(n / 7);
    let own: Vec<Category> = Category::of_origin(origin).collect();
    // Walks every subset of the origin's categories over the incidents of that origin.
    let categories = subset(
        &own,
        (n / 21).wrapping_mul(0x9E37) % (1 << own.len().min(16)),
    );
    let reach = (categories.contains(Category::Ransomware) && !n.is_multiple_of(5))
        .then(|| nth::<RansomwareReach>(n / 3));
    let side =
        (categories.contains(Category::InfraFailure) && n % 5 != 1).then(|| nth::<InfraSide>(n));
    let reason =
        (origin == Origin::OutOfScope && !n.is_multiple_of(4)).then(|| nth::<OutOfScopeReason>(n));
    let event = (n % 11 == 3).then(|| text(format!("Campagne {}", n % 4)));
    Some(
        Qualification::new(origin, categories, reach, side, reason, event)
            .expect("generated qualification is consistent"),
    )
}

/// Incident number `n` of the data set.
fn incident(n: usize) -> Incident {
    let offset = Offset::from_seconds(OFFSETS[n % OFFSETS.len()]).unwrap_or(Offset::UTC);
    let at = |s: i64| {
        Timestamp::from_second(s)
            .ok()
            .and_then(|t| DateTime::new(t, offset))
            .expect("generated dates are in range")
    };
    let declared = START + STEP * n as i64;
    let care_impact: CareImpact = nth(n / 2);
    let data_impact = if n.is_multiple_of(3) {
        DataImpact::NONE
    } else {
        use DataImpactCode as I;
        let hit = [I::Unavailable, I::Disclosed, I::Altered, I::Destroyed];
        let hits = subset(&hit, 1 + (n / 3) % 15);
        DataImpact::new(hits, subset(DataKind::ALL, (n / 5) % 16))
            .expect("generated data impact is consistent")
    };
    let requested = n % 6 < 2;
    Incident {
        reference: (!n.is_multiple_of(13)).then(|| text(format!("COV-{n:05}"))),
        declared_at: at(declared),
        detected_at: (!n.is_multiple_of(4)).then(|| at(declared - 600 - (n as i64 % 9) * 3_600)),
        channel: nth(n / 5),
        structure: structure(n % STRUCTURES),
        state_at_declaration: nth(n / 3),
        support_requested: n % 5 < 2,
        care_impact,
        degraded_hours: (care_impact != CareImpact::None && n % 4 != 1)
            .then(|| DegradedHours::new((n % 50) as f64 * 1.25))
            .flatten(),
        data_impact,
        patient_danger: nth(n / 4),
        title: (n % 3 != 1).then(|| text(format!("Incident n°{n} — « messagerie »"))),
        description: (n % 5 == 2).then(|| text(format!("Détails\tdu n°{n}\nDeuxième ligne."))),
        qualification: qualification(n),
        handling: Handling {
            technical_support: n % 4 == 2,
            false_positive: n % 9 == 4,
            complements_requested: requested,
            complements_received: requested && n.is_multiple_of(2),
        },
    }
}

/// `n` incidents that, from a few hundred on, use every code and every flag.
pub fn covering(n: usize) -> Vec<Incident> {
    (0..n).map(incident).collect()
}

/// The values of each vocabulary, flag and optional field a data set leaves out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Each missing value, as `what=code` (`ose=false`, `title=absent`, …).
    pub missing: BTreeSet<String>,
}

impl Coverage {
    /// What `incidents` leaves out.
    pub fn of(incidents: &[Incident]) -> Coverage {
        let mut seen = BTreeSet::new();
        let mut see = |what: &str, value: &str| {
            seen.insert(format!("{what}={value}"));
        };
        for i in incidents {
            let s = &i.structure;
            see("region", s.region.code());
            see("structure_type", s.kind.code());
            see("legal_status", s.legal_status.code());
            see("channel", i.channel.code());
            see("state_at_declaration", i.state_at_declaration.code());
            see("care_impact", i.care_impact.code());
            see("patient_danger", i.patient_danger.code());
            for c in i.data_impact.impacts().iter() {
                see("data_impact", c.code());
            }
            for c in i.data_impact.kinds().iter() {
                see("data_kind", c.code());
            }
            let flags = [
                ("ose", s.ose),
                ("support_requested", i.support_requested),
                ("technical_support", i.handling.technical_support),
                ("false_positive", i.handling.false_positive),
                ("complements_requested", i.handling.complements_requested),
                ("complements_received", i.handling.complements_received),
            ];
            for (what, on) in flags {
                see(what, if on { "true" } else { "false" });
            }
            let present = |p: bool| if p { "present" } else { "absent" };
            see("ref", present(i.reference.is_some()));
            see("detected_at", present(i.detected_at.is_some()));
            see("degraded_hours", present(i.degraded_hours.is_some()));
            see("title", present(i.title.is_some()));
            see("description", present(i.description.is_some()));
            see("ght", present(s.ght.is_some()));
            see("qualification", present(i.qualification.is_some()));
            if let Some(q) = &i.qualification {
                see("origin", q.origin().code());
                for c in q.categories().iter() {
                    see("category", c.code());
                }
                see("ransomware_reach", present(q.ransomware_reach().is_some()));
                see("infra_side", present(q.infra_side().is_some()));
                see(
                    "out_of_scope_reason",
                    present(q.out_of_scope_reason().is_some()),
                );
                see("event", present(q.event().is_some()));
                if let Some(r) = q.ransomware_reach() {
                    see("ransomware_reach", r.code());
                }
                if let Some(r) = q.infra_side() {
                    see("infra_side", r.code());
                }
                if let Some(r) = q.out_of_scope_reason() {
                    see("out_of_scope_reason", r.code());
                }
            }
        }
        let mut expected = BTreeSet::new();
        let mut all = |what: &str, codes: Vec<&str>| {
            for c in codes {
                expected.insert(format!("{what}={c}"));
            }
        };
        fn codes<T: Code>() -> Vec<&'static str> {
            T::ALL.iter().map(|v| v.code()).collect()
        }
        all("region", codes::<Region>());
        all("structure_type", codes::<StructureType>());
        all("legal_status", codes::<LegalStatus>());
        all("channel", codes::<Channel>());
        all("state_at_declaration", codes::<StateAtDeclaration>());
        all("care_impact", codes::<CareImpact>());
        all("patient_danger", codes::<PatientDanger>());
        all("data_impact", codes::<DataImpactCode>());
        all("data_kind", codes::<DataKind>());
        all("origin", codes::<Origin>());
        all("category", codes::<Category>());
        all("ransomware_reach", codes::<RansomwareReach>());
        all("infra_side", codes::<InfraSide>());
        all("out_of_scope_reason", codes::<OutOfScopeReason>());
        for what in [
            "ose",
            "support_requested",
            "technical_support",
            "false_positive",
            "complements_requested",
            "complements_received",
        ] {
            all(what, vec!["true", "false"]);
        }
        for what in [
            "ref",
            "detected_at",
            "degraded_hours",
            "title",
            "description",
            "ght",
            "qualification",
            "ransomware_reach",
            "infra_side",
            "out_of_scope_reason",
            "event",
        ] {
            all(what, vec!["present", "absent"]);
        }
        Coverage {
            missing: expected.difference(&seen).cloned().collect(),
        }
    }
}
