//! MISP events: the fields MISP requires of an event and its attributes, and the known
//! incident's tags.

use serde_json::Value;
use vigie_exchange::{Case, Options, misp};

use crate::cases;

fn check_event(wrapper: &Value) -> &Value {
    let e = &wrapper["Event"];
    for key in [
        "uuid",
        "info",
        "date",
        "threat_level_id",
        "analysis",
        "distribution",
        "timestamp",
    ] {
        assert!(e[key].is_string(), "Event.{key} is {:?}", e[key]);
    }
    assert!(!e["info"].as_str().unwrap().is_empty());
    assert!(
        e["date"]
            .as_str()
            .unwrap()
            .parse::<jiff::civil::Date>()
            .is_ok()
    );
    assert!(["1", "2", "3", "4"].contains(&e["threat_level_id"].as_str().unwrap()));
    assert!(["0", "1", "2"].contains(&e["analysis"].as_str().unwrap()));
    assert!(["0", "1", "2", "3", "4"].contains(&e["distribution"].as_str().unwrap()));
    assert!(e["uuid"].as_str().unwrap().parse::<uuid::Uuid>().is_ok());
    assert_eq!(e["published"], false);
    let tags = e["Tag"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["name"].as_str().unwrap().starts_with("tlp:"))
    );
    assert!(
        tags.iter()
            .any(|t| t["name"].as_str().unwrap().starts_with("rsit:"))
    );
    for a in e["Attribute"].as_array().unwrap() {
        for key in ["uuid", "type", "category", "value"] {
            assert!(a[key].is_string() && a[key] != "", "Attribute.{key} in {a}");
        }
        assert_eq!(a["to_ids"], false);
    }
    e
}

#[test]
fn every_event_of_the_broad_set_has_what_misp_requires() {
    let incidents = cases::broad();
    let cases_ = cases::numbered(&incidents);
    let events = misp::events(&cases_, &cases::options());
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), incidents.len());
    let mut uuids = std::collections::HashSet::new();
    for (wrapper, case) in events.iter().zip(&cases_) {
        let e = check_event(wrapper);
        assert!(uuids.insert(e["uuid"].clone()), "unique event uuids");
        let unqualified = case.incident.qualification.is_none();
        assert_eq!(e["threat_level_id"] == "4", unqualified, "{}", case.case);
        let tags: Vec<&str> = e["Tag"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        if unqualified {
            assert!(tags.contains(&r#"rsit:other="undetermined""#), "{tags:?}");
        }
    }
}

#[test]
fn the_known_incident_event() {
    let incident = cases::known();
    let case = Case {
        case: cases::known_case(),
        incident: &incident,
    };
    let options = cases::options();
    let wrapper = misp::event(&case, &options);
    let e = check_event(&wrapper);
    assert_eq!(e["date"], "2024-03-04");
    assert_eq!(e["threat_level_id"], "1", "care was interrupted");
    assert_eq!(e["analysis"], "1");
    assert_eq!(e["timestamp"], "1712044800");
    assert_eq!(e["Orgc"]["name"], "CERT Santé");
    let tags: Vec<&str> = e["Tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags[..4],
        [
            "tlp:amber",
            r#"rsit:malicious-code="infected-system""#,
            r#"rsit:information-content-security="unauthorised-information-modification""#,
            r#"rsit:fraud="phishing""#,
        ]
    );
    for t in [
        r#"veris:action:malware:variety="Ransomware""#,
        r#"veris:action:social:variety="Phishing""#,
        r#"veris:attribute:confidentiality:data:variety="Medical""#,
        r#"veris:attribute:confidentiality:data_disclosure="Yes""#,
        r#"veris:actor:external:motive="Financial""#,
    ] {
        assert!(tags.contains(&t), "{t} not in {tags:?}");
    }
    let values: Vec<(&str, &str)> = e["Attribute"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["type"].as_str().unwrap(), a["value"].as_str().unwrap()))
        .collect();
    assert!(values.contains(&("text", "VIG-2024-000123")));
    assert!(values.contains(&("datetime", "2024-03-04T23:10:00+01:00")));
    assert!(values.contains(&("target-org", "Centre hospitalier de Test")));
    assert!(values.contains(&("target-location", "Corse")));

    let anonymous = Options {
        structure_name: false,
        ..cases::options()
    };
    let text = misp::event(&case, &anonymous).to_string();
    assert!(!text.contains("Centre hospitalier de Test"), "{text}");
    assert!(!text.contains("target-org"));
}
