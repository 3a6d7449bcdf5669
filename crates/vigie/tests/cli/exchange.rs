//! Exports for other CERTs: one case or a year as MISP, STIX 2.1 or VERIS, and the
//! mapping of categories to ENISA and VERIS.

use serde_json::Value;

use crate::{Scratch, interchange::line};

/// A year of three incidents: a qualified ransomware, an infrastructure failure at a
/// provider, and one not yet qualified.
fn scratch_with_incidents() -> Scratch {
    let s = Scratch::new();
    let ransomware = line("r1", "2024-01-15T10:00:00+01:00", "010000024", "interrupted")
        .replacen(
            r#""patient_danger":"none""#,
            r#""patient_danger":"none","title":"Chiffrement","description":"Dossier de M. X","qualification":{"origin":"malicious","categories":["ransomware"],"ransomware_reach":"single_server"}"#,
            1,
        );
    let infra = line("r2", "2024-02-15T10:00:00+01:00", "010000032", "degraded").replacen(
        r#""patient_danger":"none""#,
        r#""patient_danger":"none","qualification":{"origin":"non_malicious","categories":["infra_failure"],"infra_side":"provider"}"#,
        1,
    );
    let plain = line("r3", "2024-03-15T10:00:00+01:00", "010000024", "none");
    let file = s.file("in.jsonl", &[ransomware, infra, plain].join("\n"));
    let out = s.vigie(&["import", "incidents", file.to_str().unwrap()]);
    assert!(out.ok, "{}", out.stderr);
    s
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_year_exports_in_every_format_and_v1_stays_the_default() {
    let s = scratch_with_incidents();
    let v1 = s.vigie(&["export", "incidents", "--year", "2024"]);
    assert!(v1.ok, "{}", v1.stderr);
    assert_eq!(v1.stdout.lines().count(), 3);
    assert!(
        v1.stdout.lines().all(|l| l.starts_with(r#"{"ref":"#)),
        "{}",
        v1.stdout
    );

    let veris = s.vigie(&["export", "incidents", "--year", "2024", "--format", "veris"]);
    assert!(veris.ok, "{}", veris.stderr);
    let records: Vec<Value> = veris.stdout.lines().map(json).collect();
    assert_eq!(records.len(), 3);
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["incident_id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("VIG-2024-")), "{ids:?}");
    assert_eq!(records[0]["action"]["malware"]["variety"][0], "Ransomware");
    assert_eq!(records[1]["actor"]["partner"]["motive"][0], "NA");
    assert_eq!(records[2]["security_incident"], "Suspected");

    let misp = s.vigie(&["export", "incidents", "--year", "2024", "--format", "misp"]);
    assert!(misp.ok, "{}", misp.stderr);
    let events = json(&misp.stdout);
    assert_eq!(events.as_array().unwrap().len(), 3);
    assert_eq!(events[0]["Event"]["threat_level_id"], "1");
    assert_eq!(events[0]["Event"]["Orgc"]["name"], "CERT Santé");

    let out = s.path("2024.stix.json");
    let stix = s.vigie(&[
        "export",
        "incidents",
        "--year",
        "2024",
        "--format",
        "stix",
        "--producer",
        "CERT Test",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(stix.ok, "{}", stix.stderr);
    assert!(
        stix.stderr.contains("3 incidents written"),
        "{}",
        stix.stderr
    );
    let bundle = json(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(bundle["type"], "bundle");
    let objects = bundle["objects"].as_array().unwrap();
    assert_eq!(
        objects.iter().filter(|o| o["type"] == "incident").count(),
        3
    );
    assert!(
        objects
            .iter()
            .any(|o| o["type"] == "identity" && o["name"] == "CERT Test")
    );

    let none = s.vigie(&["export", "incidents", "--year", "2023", "--format", "misp"]);
    assert!(none.ok, "{}", none.stderr);
    assert_eq!(json(&none.stdout), serde_json::json!([]));
}

#[test]
fn one_case_exports_alone_and_its_options_hold() {
    let s = scratch_with_incidents();
    let veris = s.vigie(&["export", "incidents", "--format", "veris"]);
    let first = json(veris.stdout.lines().next().unwrap());
    let case = first["incident_id"].as_str().unwrap().to_owned();

    let stix = s.vigie(&["export", "case", &case, "--format", "stix"]);
    assert!(stix.ok, "{}", stix.stderr);
    let bundle = json(&stix.stdout);
    let incident = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "incident")
        .unwrap()
        .clone();
    assert_eq!(
        incident["external_references"][0]["external_id"],
        case.as_str()
    );
    assert!(stix.stdout.contains("Structure 010000024"));
    assert!(
        !stix.stdout.contains("M. X"),
        "free text is left out by default"
    );

    let hidden = s.vigie(&[
        "export",
        "case",
        &case.to_lowercase(),
        "--format",
        "misp",
        "--without-structure",
        "--with-free-text",
    ]);
    assert!(hidden.ok, "{}", hidden.stderr);
    let event = json(&hidden.stdout);
    assert!(
        event["Event"]["info"]
            .as_str()
            .unwrap()
            .contains("Chiffrement")
    );
    assert!(
        !hidden.stdout.contains("Structure 010000024"),
        "{}",
        hidden.stdout
    );
    assert!(hidden.stdout.contains("M. X"));

    let veris_one = s.vigie(&["export", "case", &case, "--format", "veris"]);
    assert!(veris_one.ok, "{}", veris_one.stderr);
    assert_eq!(json(&veris_one.stdout)["incident_id"], case.as_str());

    let missing = s.vigie(&["export", "case", "VIG-2024-999999", "--format", "veris"]);
    assert!(!missing.ok);
    assert!(
        missing.stderr.contains("no case VIG-2024-999999"),
        "{}",
        missing.stderr
    );
    let bad = s.vigie(&["export", "case", "2024-1", "--format", "veris"]);
    assert!(!bad.ok);
    assert!(
        bad.stderr.contains("is not a case number"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_mapping_exports_as_csv_and_json() {
    let s = Scratch::new();
    let csv = s.vigie(&["export", "taxonomy"]);
    assert!(csv.ok, "{}", csv.stderr);
    assert!(
        csv.stdout
            .starts_with("vigie_kind,vigie_code,vigie_label,scheme,code,name\n")
    );
    assert!(csv.stdout.contains(
        "category,phishing,Hameçonnage / harponnage,enisa_rsit,fraud/phishing,Fraud / Phishing\n"
    ));
    let json_out = s.vigie(&["export", "taxonomy", "--format", "json"]);
    assert!(json_out.ok, "{}", json_out.stderr);
    let rows = json(&json_out.stdout);
    assert_eq!(
        rows.as_array().unwrap().len(),
        csv.stdout.lines().count() - 1
    );
    assert!(
        !s.path("vigie.db").exists(),
        "the mapping needs no database"
    );
}
