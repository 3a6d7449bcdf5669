//! STIX 2.1 bundles: for each incident an `incident` (core properties only, no extension),
//! the `identity` of its structure, a `related-to` relationship between them, a `note`
//! with its ENISA and VERIS entries, and a `report` that groups them; the producer's
//! `identity` once per bundle.
//!
//! Identifiers are `type--UUIDv5` from the producer and the case number; timestamps are
//! UTC with milliseconds. Labels carry the MISP machine tags of the taxonomies
//! (`rsit:malicious-code="infected-system"`).

use serde_json::{Value, json};
use vigie_model::Code;

use crate::{Case, Options, summary, veris};

const SPEC: &str = "2.1";

/// One bundle holding every incident of `cases`.
pub fn bundle(cases: &[Case<'_>], options: &Options) -> Value {
    let now = summary::stix_time(options.now);
    let producer = format!("identity--{}", options.uuid_of("organisation"));
    let mut objects = vec![json!({
        "type": "identity",
        "spec_version": SPEC,
        "id": producer,
        "created": now,
        "modified": now,
        "name": options.producer,
        "identity_class": "organization",
        "sectors": ["healthcare"],
    })];
    let mut seen_structures = std::collections::HashSet::new();
    for case in cases {
        for object in incident_objects(case, &producer, options) {
            let is_structure = object["type"] == "identity";
            if !is_structure || seen_structures.insert(object["id"].to_string()) {
                objects.push(object);
            }
        }
    }
    let key: Vec<String> = cases.iter().map(|c| c.case.to_string()).collect();
    json!({
        "type": "bundle",
        "id": format!("bundle--{}", options.uuid_of(&format!("bundle/{}", key.join(",")))),
        "objects": objects,
    })
}

/// The objects of one incident: structure identity, incident, relationship, note, report.
fn incident_objects(case: &Case<'_>, producer: &str, options: &Options) -> Vec<Value> {
    let i = case.incident;
    let created = summary::stix_time(i.declared_at.timestamp());
    let modified = summary::stix_time(options.now.max(i.declared_at.timestamp()));
    let id = |kind: &str| format!("{kind}--{}", options.uuid(kind, case.case));
    let incident = id("incident");
    let structure = if options.structure_name {
        format!(
            "identity--{}",
            options.uuid_of(&format!("structure/{}", i.structure.finess.as_str()))
        )
    } else {
        id("identity")
    };
    let common = |kind: &str, id: &str| {
        json!({
            "type": kind,
            "spec_version": SPEC,
            "id": id,
            "created": created,
            "modified": modified,
            "created_by_ref": producer,
        })
    };
    let entries = summary::entries(i);
    let record = veris::record(case, options);
    let mut labels: Vec<String> = i
        .qualification
        .iter()
        .flat_map(|q| q.categories().codes())
        .map(|c| format!("vigie:category=\"{c}\""))
        .collect();
    labels.extend(entries.rsit.iter().map(|t| t.machine_tag()));
    labels.extend(veris::tags(&record));

    let mut identity = common("identity", &structure);
    identity["name"] = json!(summary::structure_label(i, options));
    identity["identity_class"] = json!("organization");
    identity["sectors"] = json!(["healthcare"]);
    identity["description"] = json!(format!(
        "{}, {}",
        i.structure.kind.label(),
        i.structure.region.label()
    ));

    let mut inc = common("incident", &incident);
    inc["name"] = json!(summary::title(case, options));
    inc["description"] = json!(summary::text(case, options));
    inc["labels"] = json!(labels);
    inc["external_references"] =
        json!([{"source_name": "vigie", "external_id": case.case.to_string()}]);

    let relationship = id("relationship");
    let mut rel = common("relationship", &relationship);
    rel["relationship_type"] = json!("related-to");
    rel["source_ref"] = json!(incident);
    rel["target_ref"] = json!(structure);
    rel["description"] = json!("Structure déclarante");

    let note_id = id("note");
    let mut note = common("note", &note_id);
    note["abstract"] = json!("Classification ENISA et VERIS");
    note["content"] = json!(mapping_text(&entries, &record));
    note["object_refs"] = json!([incident]);

    let mut report = common("report", &id("report"));
    report["name"] = json!(summary::title(case, options));
    report["published"] = json!(modified);
    report["report_types"] = json!(["threat-report"]);
    report["object_refs"] = json!([incident, structure, relationship, note_id]);

    vec![identity, inc, rel, note, report]
}

/// The incident's ENISA and VERIS entries, one a line.
fn mapping_text(entries: &summary::Entries, record: &Value) -> String {
    let mut lines: Vec<String> = entries
        .rsit
        .iter()
        .map(|t| format!("ENISA RSIT : {} / {}", t.class().name(), t.name()))
        .collect();
    lines.extend(
        entries
            .root_causes
            .iter()
            .map(|c| format!("ENISA cause : {}", c.name())),
    );
    lines.extend(
        veris::tags(record)
            .iter()
            .map(|t| format!("VERIS : {}", t.trim_start_matches("veris:"))),
    );
    lines.join("\n")
}
