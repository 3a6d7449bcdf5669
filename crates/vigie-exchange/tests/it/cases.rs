//! Incidents to export: one known incident, and a broad set covering every category,
//! origin, ransomware reach, infrastructure side, out-of-scope reason, impact on data,
//! kind of data, impact on care, kind of structure and region.

use jiff::Timestamp;
use vigie_exchange::{Case, Options};
use vigie_model::{
    CareImpact, CaseNumber, Category, Code, CodeSet, DataImpact, DataImpactCode, DataKind,
    DateTime, DegradedHours, Incident, InfraSide, Origin, OutOfScopeReason, PatientDanger,
    Qualification, RansomwareReach, Region, StructureType, interchange::v1,
    qualification::EventName, text::BoundedText,
};

/// The export time of every test.
pub fn options() -> Options {
    Options::new(
        "CERT Santé",
        "2024-04-02T08:00:00Z".parse::<Timestamp>().unwrap(),
    )
}

fn base() -> Incident {
    v1::parse_line(
        r#"{"ref":"t-1","declared_at":"2024-03-05T14:30:00+01:00","channel":"portal","structure":{"finess":"2A0000030","name":"Centre hospitalier de Test","type":"es_public","legal_status":"public","region":"94","ose":true},"state_at_declaration":"needs_cert","support_requested":true,"care_impact":"none","data_impact":["none"],"patient_danger":"none"}"#,
    )
    .expect("the base incident parses")
}

fn qualification(
    origin: Origin,
    categories: &[Category],
    reach: Option<RansomwareReach>,
    side: Option<InfraSide>,
    reason: Option<OutOfScopeReason>,
) -> Qualification {
    Qualification::new(origin, CodeSet::of(categories), reach, side, reason, None)
        .expect("a consistent qualification")
}

/// A ransomware on several servers, detected the night before, with phishing as the way
/// in: care interrupted for 36 hours, health data unavailable and disclosed.
pub fn known() -> Incident {
    let mut i = base();
    i.detected_at = Some(DateTime::parse("2024-03-04T23:10:00+01:00").unwrap());
    i.care_impact = CareImpact::Interrupted;
    i.degraded_hours = DegradedHours::new(36.0);
    i.patient_danger = PatientDanger::Potential;
    i.data_impact = DataImpact::new(
        CodeSet::of(&[DataImpactCode::Unavailable, DataImpactCode::Disclosed]),
        CodeSet::of(&[DataKind::HealthPersonal]),
    )
    .unwrap();
    i.title = Some(BoundedText::parse("Chiffrement des serveurs du DPI").unwrap());
    i.description = Some(BoundedText::parse("Le patient M. X a vu son dossier publié.").unwrap());
    i.qualification = Some(
        Qualification::new(
            Origin::Malicious,
            CodeSet::of(&[Category::Ransomware, Category::Phishing]),
            Some(RansomwareReach::MultiServer),
            None,
            None,
            Some(EventName::parse("Campagne LockBit mars 2024").unwrap()),
        )
        .unwrap(),
    );
    i
}

/// The known incident's case number.
pub fn known_case() -> CaseNumber {
    CaseNumber::new(2024, 123).unwrap()
}

/// Every category alone and with details, every out-of-scope reason, the unqualified
/// incident, several categories at once; impacts, kinds, structures and regions cycled.
pub fn broad() -> Vec<Incident> {
    use Category as C;
    let mut quals: Vec<Option<Qualification>> = vec![None];
    for c in Category::ALL {
        quals.push(Some(qualification(c.origin(), &[*c], None, None, None)));
    }
    for r in RansomwareReach::ALL {
        quals.push(Some(qualification(
            Origin::Malicious,
            &[C::Ransomware, C::DataLeak],
            Some(*r),
            None,
            None,
        )));
    }
    for s in InfraSide::ALL {
        quals.push(Some(qualification(
            Origin::NonMalicious,
            &[C::InfraFailure, C::TelecomLoss, C::PowerOutage],
            None,
            Some(*s),
            None,
        )));
    }
    for r in OutOfScopeReason::ALL {
        quals.push(Some(qualification(
            Origin::OutOfScope,
            &[],
            None,
            None,
            Some(*r),
        )));
    }
    quals.push(Some(qualification(
        Origin::Malicious,
        &[],
        None,
        None,
        None,
    )));
    quals.push(Some(qualification(
        Origin::Malicious,
        &Category::of_origin(Origin::Malicious).collect::<Vec<_>>(),
        Some(RansomwareReach::Workstation),
        None,
        None,
    )));
    quals.push(Some(qualification(
        Origin::NonMalicious,
        &Category::of_origin(Origin::NonMalicious).collect::<Vec<_>>(),
        None,
        Some(InfraSide::Local),
        None,
    )));

    let impacts: Vec<DataImpact> = {
        let mut v = vec![DataImpact::NONE];
        for bits in 1u32..16 {
            let codes: Vec<DataImpactCode> = DataImpactCode::ALL[..4]
                .iter()
                .copied()
                .filter(|c| bits & (1 << c.index()) != 0)
                .collect();
            let kinds: Vec<DataKind> = DataKind::ALL
                .iter()
                .copied()
                .filter(|k| (bits >> k.index()) & 1 == 1)
                .collect();
            v.push(DataImpact::new(CodeSet::of(&codes), CodeSet::of(&kinds)).unwrap());
        }
        v
    };
    let mut out = Vec::new();
    let mut n = 0usize;
    for q in quals {
        let slot = n % 4;
        for (k, impact) in impacts.iter().enumerate().filter(|(k, _)| k % 4 == slot) {
            let mut i = base();
            i.qualification = q.clone();
            i.data_impact = *impact;
            i.care_impact = CareImpact::ALL[n % CareImpact::ALL.len()];
            i.patient_danger = PatientDanger::ALL[(n + k) % PatientDanger::ALL.len()];
            i.degraded_hours = n
                .is_multiple_of(2)
                .then(|| DegradedHours::new(n as f64 / 2.0).unwrap());
            i.structure.kind = StructureType::ALL[n % StructureType::ALL.len()];
            i.structure.region = Region::ALL[n % Region::ALL.len()];
            i.handling.false_positive = n % 7 == 3;
            out.push(i);
            n += 1;
        }
    }
    out
}

/// Case numbers for a list of incidents.
pub fn numbered(incidents: &[Incident]) -> Vec<Case<'_>> {
    incidents
        .iter()
        .enumerate()
        .map(|(n, incident)| Case {
            case: CaseNumber::new(2024, n as i64 + 1).unwrap(),
            incident,
        })
        .collect()
}
