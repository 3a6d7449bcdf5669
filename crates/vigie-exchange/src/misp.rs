//! MISP events: one `{"Event": …}` per incident, tagged with the `tlp`, `rsit` (ENISA)
//! and `veris` taxonomies of MISP, with the case number, dates, structure and summary as
//! attributes.
//!
//! The event is shared with the producer's organisation only (`distribution` 0) and not
//! published: the CERT decides to share it in its own MISP.

use serde_json::{Value, json};
use vigie_model::Code;
use vigie_model::calendar::paris_time;

use crate::{Case, Options, summary, veris};

/// The MISP event of one incident, as `{"Event": …}`.
pub fn event(case: &Case<'_>, options: &Options) -> Value {
    let i = case.incident;
    let entries = summary::entries(i);
    let now = options.now.as_second().to_string();
    let mut tags = vec!["tlp:amber".to_owned()];
    tags.extend(entries.rsit.iter().map(|t| t.machine_tag()));
    tags.extend(veris::tags(&veris::record(case, options)));
    let mut attributes = vec![
        (
            "Internal reference",
            "text",
            case.case.to_string(),
            "Numéro de dossier",
        ),
        ("Other", "datetime", i.declared_at.to_string(), "Déclaré le"),
    ];
    if let Some(at) = i.detected_at {
        attributes.push(("Other", "datetime", at.to_string(), "Détecté le"));
    }
    if options.structure_name {
        attributes.push((
            "Targeting data",
            "target-org",
            i.structure.name.to_string(),
            i.structure.kind.label(),
        ));
    }
    attributes.push((
        "Targeting data",
        "target-location",
        i.structure.region.label().to_owned(),
        "Région",
    ));
    attributes.push(("Other", "text", summary::text(case, options), "Résumé"));
    let attributes: Vec<Value> = attributes
        .into_iter()
        .enumerate()
        .map(|(n, (category, kind, value, comment))| {
            json!({
                "uuid": options.uuid(&format!("misp-attribute-{n}"), case.case).to_string(),
                "category": category,
                "type": kind,
                "value": value,
                "comment": comment,
                "to_ids": false,
                "distribution": "5",
                "timestamp": now,
            })
        })
        .collect();
    let date = paris_time(summary::happened_at(i)).date();
    json!({"Event": {
        "uuid": options.uuid("misp-event", case.case).to_string(),
        "info": summary::title(case, options),
        "date": date.to_string(),
        "threat_level_id": summary::severity(i).to_string(),
        "analysis": if i.qualification.is_some() { "1" } else { "0" },
        "distribution": "0",
        "published": false,
        "timestamp": now,
        "Orgc": {"name": options.producer, "uuid": options.uuid_of("organisation").to_string()},
        "Tag": tags.into_iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
        "Attribute": attributes,
    }})
}

/// The MISP events of several incidents, as a JSON array of `{"Event": …}`.
pub fn events(cases: &[Case<'_>], options: &Options) -> Value {
    Value::Array(cases.iter().map(|c| event(c, options)).collect())
}
