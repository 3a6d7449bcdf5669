//! VERIS records validated against the VERIS 1.4.1 schema with its enumerations, read in
//! place from `../shared/data/veris-schema`.

use std::sync::OnceLock;

use serde_json::{Value, json};
use vigie_exchange::{Case, Options, veris};
use vigie_model::{Category, Code, taxonomy};

use crate::cases;

const SCHEMA_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/veris-schema"
);

fn read(name: &str) -> Value {
    let path = format!("{SCHEMA_DIR}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The schema with its enumerations merged in, as VERIS's own tools validate.
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::draft4::new(&read("verisc-merged.json")).expect("the VERIS schema compiles")
    })
}

fn errors(record: &Value) -> Vec<String> {
    validator()
        .iter_errors(record)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The VERIS project's test cases were written for VERIS 1.3 (`discovery_method` as a
/// string, no `summary`), so only those that must fail still say something of 1.4.1: every
/// one of them must fail. Mutations of a valid record show that enumerations, required
/// fields and closed objects are enforced.
#[test]
fn the_validator_refuses_what_veris_refuses() {
    let mut checked = 0;
    for entry in std::fs::read_dir(format!("{SCHEMA_DIR}/tests")).unwrap() {
        let path = entry.unwrap().path();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if case["should"] == "fail" {
            assert!(
                !validator().is_valid(&case["incident"]),
                "{} passed",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} failing cases found");

    let incident = cases::known();
    let case = Case {
        case: cases::known_case(),
        incident: &incident,
    };
    let valid = veris::record(&case, &cases::options());
    assert!(validator().is_valid(&valid));
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 6] = [
        ("unknown malware variety", |r| {
            r["action"]["malware"]["variety"][0] = json!("Rançongiciel")
        }),
        ("unknown country", |r| {
            r["victim"]["country"][0] = json!("France")
        }),
        ("missing summary", |r| {
            r.as_object_mut().unwrap().remove("summary");
        }),
        ("unknown top-level field", |r| r["vigie"] = json!(true)),
        ("year out of range", |r| {
            r["timeline"]["incident"]["year"] = json!(1900)
        }),
        ("social action without target", |r| {
            r["action"]["social"]
                .as_object_mut()
                .unwrap()
                .remove("target");
        }),
    ];
    for (what, mutate) in mutations {
        let mut r = valid.clone();
        mutate(&mut r);
        assert!(!validator().is_valid(&r), "{what} was accepted");
    }
}

#[test]
fn every_record_of_the_broad_set_validates() {
    let incidents = cases::broad();
    assert!(incidents.len() > 100, "{}", incidents.len());
    let mut failures = Vec::new();
    for (structure_name, free_text) in [(true, true), (false, false)] {
        let options = Options {
            structure_name,
            free_text,
            ..cases::options()
        };
        for case in cases::numbered(&incidents) {
            let record = veris::record(&case, &options);
            let errs = errors(&record);
            if !errs.is_empty() {
                failures.push(format!("{}: {errs:?}\n{record}", case.case));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} invalid:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n")
    );
}

#[test]
fn the_mapping_uses_only_veris_enumerations() {
    let enums = read("verisc-enum.json");
    let allowed = |path: &str, value: &str| {
        let mut node = &enums;
        for key in path.split('.') {
            node = &node[key];
        }
        node.as_array()
            .unwrap_or_else(|| panic!("no enumeration at {path}"))
            .iter()
            .any(|v| v == value)
    };
    for m in taxonomy::mappings() {
        let a = m.veris_action;
        let kind = a.kind.code();
        assert!(
            allowed(&format!("action.{kind}.variety"), a.variety),
            "{}: {a:?}",
            m.category
        );
        if let Some(v) = a.vector {
            assert!(
                allowed(&format!("action.{kind}.vector"), v),
                "{}: {a:?}",
                m.category
            );
        }
        if let Some(t) = a.target {
            assert!(allowed("action.social.target", t), "{}: {a:?}", m.category);
        }
        for attr in m.veris_attributes {
            assert!(
                allowed(attr.path(), attr.value()),
                "{}: {attr:?}",
                m.category
            );
        }
    }
    for r in vigie_model::RansomwareReach::ALL {
        assert!(
            allowed("asset.assets.variety", taxonomy::reach_asset(*r).0),
            "{r}"
        );
    }
}

#[test]
fn the_known_incident_reads_as_expected() {
    let incident = cases::known();
    let case = Case {
        case: cases::known_case(),
        incident: &incident,
    };
    let options = cases::options();
    let r = veris::record(&case, &options);
    assert_eq!(errors(&r), Vec::<String>::new());
    assert_eq!(r["incident_id"], "VIG-2024-000123");
    assert_eq!(r["security_incident"], "Confirmed");
    // Detected the evening before, in Paris time.
    assert_eq!(
        r["timeline"],
        json!({"incident": {"year": 2024, "month": 3, "day": 4}})
    );
    assert_eq!(
        r["action"],
        json!({
            "malware": {"variety": ["Ransomware"], "vector": ["Unknown"]},
            "social": {"variety": ["Phishing"], "vector": ["Email"], "target": ["End-user or employee"]},
        })
    );
    assert_eq!(
        r["actor"],
        json!({"external": {"variety": ["Unknown"], "motive": ["Financial"]}})
    );
    assert_eq!(
        r["attribute"],
        json!({
            "confidentiality": {"data_disclosure": "Yes", "data": [{"variety": "Medical"}], "data_victim": ["Patient"]},
            "integrity": {"variety": ["Software installation", "Alter behavior"]},
            "availability": {"variety": ["Obscuration", "Interruption"], "duration": {"unit": "Hours", "value": 36.0}},
        })
    );
    assert_eq!(
        r["victim"],
        json!({"industry": "622", "government": ["NA"], "country": ["FR"], "state": "FR-20R",
               "region": ["150155"], "employee_count": "Unknown", "victim_id": "Centre hospitalier de Test"})
    );
    assert_eq!(
        r["asset"],
        json!({"assets": [{"variety": "S - Unknown"}], "cloud": ["Unknown"]})
    );
    let plus = &r["plus"]["vigie"];
    assert_eq!(plus["categories"], json!(["ransomware", "phishing"]));
    assert_eq!(
        plus["enisa_rsit"],
        json!([
            "malicious-code/infected-system",
            "information-content-security/unauthorised-information-modification",
            "fraud/phishing"
        ])
    );
    assert_eq!(plus["enisa_root_cause"], json!(["malicious-action"]));
    assert_eq!(plus["finess"], "2A0000030");
    // The description (health data) is left out by default; the summary says the codes.
    let summary = r["summary"].as_str().unwrap();
    assert!(!summary.contains("M. X"), "{summary}");
    assert!(
        summary.contains("Rançongiciel (plusieurs serveurs), Hameçonnage"),
        "{summary}"
    );
    assert_eq!(
        veris::record(&case, &options),
        r,
        "the same case exports the same record"
    );
}

#[test]
fn the_structure_and_the_free_text_follow_the_options() {
    let incident = cases::known();
    let case = Case {
        case: cases::known_case(),
        incident: &incident,
    };
    let hidden = Options {
        structure_name: false,
        ..cases::options()
    };
    let text = veris::record(&case, &hidden).to_string();
    assert!(!text.contains("Centre hospitalier de Test"), "{text}");
    assert!(!text.contains("2A0000030"), "{text}");
    let shown = Options {
        free_text: true,
        ..cases::options()
    };
    let r = veris::record(&case, &shown);
    assert!(r["summary"].as_str().unwrap().contains("M. X"));
}

#[test]
fn security_incident_tells_exercises_false_positives_and_unqualified_ones() {
    let incidents = cases::broad();
    let options = cases::options();
    let mut seen = std::collections::BTreeSet::new();
    for case in cases::numbered(&incidents) {
        let r = veris::record(&case, &options);
        let got = r["security_incident"].as_str().unwrap().to_owned();
        let i = case.incident;
        let expected = match &i.qualification {
            None => "Suspected",
            Some(_) if i.handling.false_positive => "False positive",
            Some(q) if q.out_of_scope_reason() == Some(vigie_model::OutOfScopeReason::Exercise) => {
                "False positive"
            }
            Some(q) if q.categories().iter().eq([Category::OtherNonMalicious]) => "Near miss",
            Some(_) => "Confirmed",
        };
        assert_eq!(got, expected, "{}", case.case);
        seen.insert(got);
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
}
