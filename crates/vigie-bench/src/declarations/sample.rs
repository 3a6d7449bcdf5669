//! The declarations the clients send, each rebuilt from its key (run, client, number), so
//! that what the store holds can be checked against what was sent without keeping it.

use std::hash::{BuildHasher as _, BuildHasherDefault, DefaultHasher};

use jiff::{Timestamp, tz::Offset};
use serde_json::{Map, Value};
use vigie_access::UserId;
use vigie_model::{
    BoundedText, CareImpact, Channel, Code, CodeSet, DataImpact, DataImpactCode, DataKind,
    DateTime, DegradedHours, Handling, Incident, PatientDanger, StateAtDeclaration, Structure,
    interchange::v1,
};
use vigie_store::{CaseRecord, DeclarationTexts};

use crate::generate::TOWNS;

/// Identifies one request: the load run, the client and the client's request number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Load run (each warm-up, measured run, kill round and probe has its own).
    pub run: u32,
    /// Client within the run.
    pub client: u32,
    /// Request number of that client.
    pub seq: u32,
}

/// What opens the title of every declaration the bench sends.
const TAG: &str = "Banc ";

impl Key {
    /// The key named at the start of a title, if the title is one of the bench's.
    pub fn from_title(title: &str) -> Option<Key> {
        let word = title.strip_prefix(TAG)?.split(' ').next()?;
        let mut parts = word.split('.').map(str::parse::<u32>);
        let key = Key {
            run: parts.next()?.ok()?,
            client: parts.next()?.ok()?,
            seq: parts.next()?.ok()?,
        };
        parts.next().is_none().then_some(key)
    }

    /// The account (structure, user, token) this request's client acts for.
    pub fn account(self, accounts: usize) -> usize {
        self.client as usize % accounts.max(1)
    }
}

/// What one request declares: the incident as the store must hold it (but for the
/// declaration time, which the server sets), and the texts beyond it.
pub struct Declaration {
    /// The incident; `declared_at` is a placeholder.
    pub incident: Incident,
    /// Measures taken and affected systems.
    pub texts: DeclarationTexts,
}

/// Offsets the detection times are written in, in seconds.
const OFFSETS: [i32; 4] = [0, 3_600, 7_200, -4 * 3_600];

/// 2024-01-01T00:00:00Z, in Unix seconds.
const YEAR_2024: i64 = 1_704_067_200;

fn text<const MIN: usize, const MAX: usize>(s: String) -> BoundedText<MIN, MAX> {
    // The texts are short and never empty.
    BoundedText::parse(s).expect("sample text within bounds")
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, values: &[T]) -> T {
    values[rng.usize(0..values.len())]
}

fn some_of<T: Code>(rng: &mut fastrand::Rng, values: &[T], min: u32, max: u32) -> CodeSet<T> {
    let want = rng.u32(min..=max).min(values.len() as u32);
    let mut set = CodeSet::empty();
    while set.len() < want {
        set.insert(pick(rng, values));
    }
    set
}

/// The declaration of request `key`, made by `structure`.
pub fn declaration(seed: u64, key: Key, structure: &Structure) -> Declaration {
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    let mut rng = fastrand::Rng::with_seed(hasher.hash_one((seed, key)));
    let town = pick(&mut rng, &TOWNS);
    let at = |rng: &mut fastrand::Rng| {
        let offset = Offset::from_seconds(pick(rng, &OFFSETS)).unwrap_or(Offset::UTC);
        Timestamp::from_second(YEAR_2024 + rng.i64(0..366 * 86_400))
            .ok()
            .and_then(|t| DateTime::new(t, offset))
            .expect("sample dates are in range")
    };
    let detected_at = (rng.u8(0..10) < 7).then(|| at(&mut rng));
    let care_impact = pick(&mut rng, CareImpact::ALL);
    let degraded_hours = (care_impact != CareImpact::None && rng.u8(0..10) < 7)
        .then(|| DegradedHours::new(f64::from(rng.u32(1..400)) / 4.0))
        .flatten();
    let data_impact = if rng.bool() {
        DataImpact::NONE
    } else {
        use DataImpactCode as I;
        let hit = [I::Unavailable, I::Disclosed, I::Altered, I::Destroyed];
        DataImpact::new(
            some_of(&mut rng, &hit, 1, 3),
            some_of(&mut rng, DataKind::ALL, 0, 3),
        )
        .expect("sample data impact is consistent")
    };
    let title = text(format!(
        "{TAG}{}.{}.{} — messagerie indisponible à {town}",
        key.run, key.client, key.seq
    ));
    // The API requires a title and a description, as the portal's form does.
    let description = Some(text(format!(
        "Détails : « {town} », alerte \"EDR\" n°{}.\nDeuxième ligne\tavec tabulation.",
        key.seq
    )));
    let texts = DeclarationTexts {
        measures_taken: rng
            .bool()
            .then(|| format!("Isolement du poste n°{}, comptes réinitialisés.", key.seq)),
        affected_systems: rng.bool().then(|| format!("Messagerie, DPI « {town} »")),
    };
    let incident = Incident {
        reference: None,
        declared_at: DateTime::new(Timestamp::UNIX_EPOCH, Offset::UTC)
            .expect("the epoch is in range"),
        detected_at,
        channel: Channel::Portal,
        structure: structure.clone(),
        state_at_declaration: pick(&mut rng, StateAtDeclaration::ALL),
        support_requested: rng.bool(),
        care_impact,
        degraded_hours,
        data_impact,
        patient_danger: pick(&mut rng, PatientDanger::ALL),
        title: Some(title),
        description,
        qualification: None,
        handling: Handling::default(),
    };
    Declaration { incident, texts }
}

/// The fields of the interchange format a declarant sends through the API.
const SENT_FIELDS: [&str; 10] = [
    "title",
    "description",
    "detected_at",
    "state_at_declaration",
    "support_requested",
    "care_impact",
    "degraded_hours",
    "data_impact",
    "data_kind",
    "patient_danger",
];

/// The JSON body of `POST /api/v1/declarations` for a declaration.
pub fn body(declaration: &Declaration) -> Vec<u8> {
    let line = v1::to_line(&declaration.incident);
    let mut fields: Map<String, Value> =
        serde_json::from_str(&line).expect("a v1 line is a JSON object");
    fields.retain(|k, _| SENT_FIELDS.contains(&k.as_str()));
    let texts = &declaration.texts;
    for (key, value) in [
        ("measures_taken", &texts.measures_taken),
        ("affected_systems", &texts.affected_systems),
    ] {
        if let Some(value) = value {
            fields.insert(key.into(), Value::String(value.clone()));
        }
    }
    serde_json::to_vec(&Value::Object(fields)).expect("JSON serialises")
}

/// The fields of a stored case that differ from what was declared (empty when complete).
pub fn differences(sent: &Declaration, record: &CaseRecord, declared_by: UserId) -> Vec<String> {
    let (a, b) = (&sent.incident, &record.incident);
    let mut out = Vec::new();
    let mut field = |name: &str, same: bool| {
        if !same {
            out.push(name.to_owned());
        }
    };
    field("reference", a.reference == b.reference);
    field("detected_at", a.detected_at == b.detected_at);
    field("channel", a.channel == b.channel);
    field("structure", a.structure == b.structure);
    field(
        "state_at_declaration",
        a.state_at_declaration == b.state_at_declaration,
    );
    field(
        "support_requested",
        a.support_requested == b.support_requested,
    );
    field("care_impact", a.care_impact == b.care_impact);
    field("degraded_hours", a.degraded_hours == b.degraded_hours);
    field("data_impact", a.data_impact == b.data_impact);
    field("patient_danger", a.patient_danger == b.patient_danger);
    field("title", a.title == b.title);
    field("description", a.description == b.description);
    field("qualification", a.qualification == b.qualification);
    field("handling", a.handling == b.handling);
    field("texts", sent.texts == record.texts);
    field("declared_by", record.declared_by == Some(declared_by));
    field("state", record.state == CaseRecord::INITIAL_STATE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_titles_and_bodies_parse() {
        let structure = crate::generate::structures(1).remove(0);
        for seq in 0..200 {
            let key = Key {
                run: 3,
                client: 17,
                seq,
            };
            let d = declaration(9, key, &structure);
            let title = d.incident.title.as_ref().unwrap().as_str().to_owned();
            assert_eq!(Key::from_title(&title), Some(key));
            let body: Map<String, Value> = serde_json::from_slice(&body(&d)).unwrap();
            assert!(body.keys().all(|k| SENT_FIELDS.contains(&k.as_str())
                || k == "measures_taken"
                || k == "affected_systems"));
            assert_eq!(
                declaration(9, key, &structure).incident,
                d.incident,
                "deterministic"
            );
        }
        assert_eq!(Key::from_title("Banc 1.2"), None);
        assert_eq!(Key::from_title("Incident 1.2.3"), None);
    }
}
