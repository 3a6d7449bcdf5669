//! `render`: one document per case, or a selection, with its media type and file name.

use serde_json::Value;
use vigie_exchange::{Format, render};

use crate::cases;

#[test]
fn one_case_and_a_selection_render_as_documented() {
    let incidents = cases::broad();
    let all = cases::numbered(&incidents);
    let options = cases::options();

    let one = render(Format::Veris, &all[..1], "VIG-2024-000001", &options);
    assert_eq!(one.file_name, "VIG-2024-000001.veris.json");
    assert_eq!(one.media_type, "application/json");
    let record: Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(record["incident_id"], "VIG-2024-000001");

    let lines = render(Format::Veris, &all, "vigie-2024", &options);
    assert_eq!(lines.file_name, "vigie-2024.veris.jsonl");
    assert_eq!(lines.body.lines().count(), all.len());
    for (line, case) in lines.body.lines().zip(&all) {
        let r: Value = serde_json::from_str(line).unwrap();
        assert_eq!(r["incident_id"], case.case.to_string());
    }

    let event: Value =
        serde_json::from_str(&render(Format::Misp, &all[..1], "x", &options).body).unwrap();
    assert!(event["Event"].is_object());
    let events: Value =
        serde_json::from_str(&render(Format::Misp, &all, "x", &options).body).unwrap();
    assert_eq!(events.as_array().unwrap().len(), all.len());

    let stix = render(Format::Stix, &all[..2], "x", &options);
    assert_eq!(stix.media_type, "application/stix+json;version=2.1");
    assert_eq!(stix.file_name, "x.stix.json");
    let bundle: Value = serde_json::from_str(&stix.body).unwrap();
    let incidents_in_bundle = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "incident")
        .count();
    assert_eq!(incidents_in_bundle, 2);

    for f in Format::ALL {
        assert_eq!(Format::parse(f.code()), Some(f));
    }
    assert_eq!(Format::parse("csv"), None);
}
