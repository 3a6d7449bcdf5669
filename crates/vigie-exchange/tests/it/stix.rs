//! STIX 2.1 bundles: the properties every object must have, identifiers and timestamps,
//! references that resolve, and the known incident.

use std::collections::HashSet;

use serde_json::Value;
use vigie_exchange::{Case, Options, stix};

use crate::cases;

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
}

fn is_stix_time(s: &str) -> bool {
    // 2024-03-05T13:30:00.000Z
    s.len() == 24
        && s.ends_with('Z')
        && s.as_bytes()[10] == b'T'
        && s.as_bytes()[19] == b'.'
        && s.parse::<jiff::Timestamp>().is_ok()
}

/// Checks what STIX 2.1 requires of a bundle and its objects; returns the objects.
fn check_bundle(bundle: &Value) -> Vec<Value> {
    assert_eq!(bundle["type"], "bundle");
    let id = bundle["id"].as_str().unwrap();
    assert!(id.strip_prefix("bundle--").is_some_and(is_uuid), "{id}");
    assert!(
        bundle.get("spec_version").is_none(),
        "a 2.1 bundle has no spec_version"
    );
    let objects = bundle["objects"].as_array().unwrap().clone();
    let ids: HashSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), objects.len(), "identifiers are unique");
    for o in &objects {
        let kind = o["type"].as_str().unwrap();
        let id = o["id"].as_str().unwrap();
        let (prefix, uuid) = id.split_once("--").unwrap();
        assert_eq!(prefix, kind, "{id}");
        assert!(is_uuid(uuid), "{id}");
        assert_eq!(o["spec_version"], "2.1", "{id}");
        let created = o["created"].as_str().unwrap();
        let modified = o["modified"].as_str().unwrap();
        assert!(
            is_stix_time(created) && is_stix_time(modified),
            "{id}: {created} {modified}"
        );
        assert!(modified >= created, "{id}");
        let required: &[&str] = match kind {
            "identity" => &["name"],
            "incident" => &["name"],
            "relationship" => &["relationship_type", "source_ref", "target_ref"],
            "note" => &["content", "object_refs"],
            "report" => &["name", "published", "object_refs"],
            other => panic!("unexpected object type {other}"),
        };
        for p in required {
            assert!(o.get(*p).is_some_and(|v| !v.is_null()), "{id} lacks {p}");
        }
        let mut refs: Vec<&str> = Vec::new();
        for key in ["created_by_ref", "source_ref", "target_ref"] {
            if let Some(r) = o.get(key).and_then(Value::as_str) {
                refs.push(r);
            }
        }
        for r in o
            .get("object_refs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            refs.push(r.as_str().unwrap());
        }
        for r in refs {
            assert!(
                ids.contains(r),
                "{id} refers to {r}, absent from the bundle"
            );
        }
    }
    objects
}

#[test]
fn the_broad_set_makes_one_valid_bundle() {
    let incidents = cases::broad();
    let cases_ = cases::numbered(&incidents);
    for structure_name in [true, false] {
        let options = Options {
            structure_name,
            ..cases::options()
        };
        let bundle = stix::bundle(&cases_, &options);
        let objects = check_bundle(&bundle);
        let count = |t: &str| objects.iter().filter(|o| o["type"] == t).count();
        assert_eq!(count("incident"), incidents.len());
        assert_eq!(count("report"), incidents.len());
        assert_eq!(count("note"), incidents.len());
        // Named structures are one identity each (every test incident has the same
        // FINESS); anonymous ones one per incident; plus the producer.
        let structures = if structure_name { 1 } else { incidents.len() };
        assert_eq!(count("identity"), structures + 1);
    }
}

#[test]
fn the_known_incident_bundle() {
    let incident = cases::known();
    let case = Case {
        case: cases::known_case(),
        incident: &incident,
    };
    let options = cases::options();
    let bundle = stix::bundle(&[case], &options);
    let objects = check_bundle(&bundle);
    let incident_sdo = objects.iter().find(|o| o["type"] == "incident").unwrap();
    assert_eq!(
        incident_sdo["id"],
        format!(
            "incident--{}",
            options.uuid("incident", cases::known_case())
        )
    );
    assert_eq!(incident_sdo["created"], "2024-03-05T13:30:00.000Z");
    assert_eq!(incident_sdo["modified"], "2024-04-02T08:00:00.000Z");
    assert_eq!(
        incident_sdo["name"],
        "VIG-2024-000123 : Rançongiciel (plusieurs serveurs), Hameçonnage / harponnage"
    );
    assert_eq!(
        incident_sdo["external_references"][0]["external_id"],
        "VIG-2024-000123"
    );
    let labels: Vec<&str> = incident_sdo["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for expected in [
        r#"vigie:category="ransomware""#,
        r#"rsit:malicious-code="infected-system""#,
        r#"rsit:fraud="phishing""#,
        r#"veris:action:malware:variety="Ransomware""#,
        r#"veris:attribute:availability:variety="Obscuration""#,
    ] {
        assert!(labels.contains(&expected), "{expected} not in {labels:?}");
    }
    let identity = objects
        .iter()
        .find(|o| o["type"] == "identity" && o["name"] == "Centre hospitalier de Test")
        .expect("the structure is named");
    assert_eq!(identity["sectors"][0], "healthcare");
    let note = objects.iter().find(|o| o["type"] == "note").unwrap();
    let content = note["content"].as_str().unwrap();
    assert!(
        content.contains("ENISA RSIT : Malicious Code / Infected System"),
        "{content}"
    );
    assert!(
        content.contains("ENISA cause : Malicious action"),
        "{content}"
    );
    assert_eq!(stix::bundle(&[case], &options), bundle, "deterministic");

    let other_producer = Options {
        producer: "CERT Autre".into(),
        ..cases::options()
    };
    assert_ne!(
        other_producer.uuid("incident", cases::known_case()),
        options.uuid("incident", cases::known_case()),
        "identifiers depend on the producer"
    );
    let anonymous = Options {
        structure_name: false,
        ..cases::options()
    };
    let text = stix::bundle(&[case], &anonymous).to_string();
    assert!(!text.contains("Centre hospitalier de Test"));
    assert!(
        !text.contains("M. X"),
        "the description is left out by default"
    );
}
