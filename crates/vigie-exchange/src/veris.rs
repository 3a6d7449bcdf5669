//! VERIS 1.4 records: one JSON document per incident, valid against the VERIS community
//! schema with its enumerations (`verisc-merged.json`).
//!
//! What VERIS cannot say (Vigie's own codes, the ENISA entries, FINESS) goes under
//! `plus.vigie`, the place VERIS keeps for an organisation's own fields.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use vigie_model::calendar::paris_time;
use vigie_model::{
    Category, CodeSet, DataImpactCode, DataKind, Incident, InfraSide, RansomwareReach, Region,
    StructureType,
    taxonomy::{self, VerisActionKind, VerisAttribute},
};

use crate::{
    Case, Options,
    summary::{self, Entries},
};

/// The VERIS schema version the records follow.
pub const SCHEMA_VERSION: &str = "1.4.1";

/// The VERIS record of one incident.
pub fn record(case: &Case<'_>, options: &Options) -> Value {
    let i = case.incident;
    let entries = summary::entries(i);
    let at = paris_time(summary::happened_at(i));
    let mut r = Map::new();
    r.insert("schema_version".into(), json!(SCHEMA_VERSION));
    r.insert("schema_name".into(), json!("verisc"));
    r.insert("incident_id".into(), json!(case.case.to_string()));
    r.insert("source_id".into(), json!("vigie"));
    r.insert("reference".into(), json!(case.case.to_string()));
    r.insert("security_incident".into(), json!(security_incident(i)));
    r.insert("summary".into(), json!(summary::text(case, options)));
    r.insert(
        "timeline".into(),
        json!({"incident": {"year": at.year(), "month": at.month(), "day": at.day()}}),
    );
    r.insert("victim".into(), victim(i, options));
    r.insert("action".into(), action(&entries));
    r.insert("actor".into(), actor(i, &entries));
    r.insert("asset".into(), asset(i));
    let attribute = attribute(i, &entries);
    if !attribute.is_empty() {
        r.insert("attribute".into(), Value::Object(attribute));
    }
    r.insert("discovery_method".into(), json!({"unknown": true}));
    r.insert(
        "targeted".into(),
        json!(if summary::is_malicious(i) {
            "Unknown"
        } else {
            "NA"
        }),
    );
    r.insert(
        "plus".into(),
        json!({
            "master_id": options.uuid("veris", case.case).to_string(),
            "vigie": vigie_plus(case, &entries, options),
        }),
    );
    Value::Object(r)
}

/// `Confirmed` once qualified, `Suspected` before; `False positive` when the support
/// cleared one or for a crisis exercise; `Near miss` for a vulnerability alone.
fn security_incident(i: &Incident) -> &'static str {
    let Some(q) = &i.qualification else {
        return "Suspected";
    };
    if i.handling.false_positive || summary::is_exercise(i) {
        "False positive"
    } else if q.categories() == CodeSet::of(&[Category::OtherNonMalicious]) {
        "Near miss"
    } else {
        "Confirmed"
    }
}

fn victim(i: &Incident, options: &Options) -> Value {
    let s = &i.structure;
    let (industry, government) = industry(s.kind);
    let mut v = json!({
        "industry": industry,
        "government": [government],
        "country": ["FR"],
        "state": iso_subdivision(s.region),
        "employee_count": "Unknown",
    });
    if let Some(m49) = un_m49(s.region) {
        v["region"] = json!([m49]);
    }
    if options.structure_name {
        v["victim_id"] = json!(s.name.as_str());
    }
    v
}

/// The NAICS code of a kind of structure, and VERIS's level of government (only for
/// public administration, NAICS 92).
fn industry(kind: StructureType) -> (&'static str, &'static str) {
    use StructureType as K;
    match kind {
        K::EsPublic | K::EsPrive | K::Espic | K::ArmyHospital => ("622", "NA"),
        K::Esms => ("623", "NA"),
        K::Ehpad => ("623110", "NA"),
        K::Lab => ("621511", "NA"),
        K::Radiotherapy => ("621", "NA"),
        K::Grades => ("923120", "Regional"),
        K::Provider => ("5415", "NA"),
        K::Other => ("62", "NA"),
    }
}

/// The ISO 3166-2 code of a region.
fn iso_subdivision(region: Region) -> &'static str {
    use Region as R;
    match region {
        R::IleDeFrance => "FR-IDF",
        R::CentreValDeLoire => "FR-CVL",
        R::BourgogneFrancheComte => "FR-BFC",
        R::Normandie => "FR-NOR",
        R::HautsDeFrance => "FR-HDF",
        R::GrandEst => "FR-GES",
        R::PaysDeLaLoire => "FR-PDL",
        R::Bretagne => "FR-BRE",
        R::NouvelleAquitaine => "FR-NAQ",
        R::Occitanie => "FR-OCC",
        R::AuvergneRhoneAlpes => "FR-ARA",
        R::ProvenceAlpesCoteDAzur => "FR-PAC",
        R::Corse => "FR-20R",
        R::Guadeloupe => "FR-971",
        R::Martinique => "FR-972",
        R::Guyane => "FR-973",
        R::LaReunion => "FR-974",
        R::Mayotte => "FR-976",
        R::SaintPierreEtMiquelon => "FR-PM",
        R::SaintBarthelemy => "FR-BL",
        R::SaintMartin => "FR-MF",
        R::Taaf => "FR-TF",
        R::WallisEtFutuna => "FR-WF",
        R::PolynesieFrancaise => "FR-PF",
        R::NouvelleCaledonie => "FR-NC",
    }
}

/// The UN M.49 super-region and sub-region, as VERIS writes them (`150155`).
fn un_m49(region: Region) -> Option<&'static str> {
    use Region as R;
    Some(match region {
        R::Guadeloupe | R::Martinique | R::SaintBarthelemy | R::SaintMartin => "019029",
        R::Guyane => "019005",
        R::LaReunion | R::Mayotte => "002014",
        R::SaintPierreEtMiquelon => "019021",
        R::WallisEtFutuna | R::PolynesieFrancaise => "009061",
        R::NouvelleCaledonie => "009054",
        R::Taaf => return None,
        _ => "150155",
    })
}

/// The actions, grouped by kind; `unknown` with a note when the incident has none.
fn action(e: &Entries) -> Value {
    if e.veris_actions.is_empty() {
        return json!({"unknown": {"notes": "Incident non qualifié ou hors périmètre."}});
    }
    let mut by_kind: BTreeMap<&str, [Vec<&str>; 3]> = BTreeMap::new();
    for a in &e.veris_actions {
        let lists = by_kind.entry(a.kind.code()).or_default();
        for (list, value) in lists.iter_mut().zip([Some(a.variety), a.vector, a.target]) {
            if let Some(v) = value
                && !list.contains(&v)
            {
                list.push(v);
            }
        }
    }
    let mut out = Map::new();
    for (kind, [variety, vector, target]) in by_kind {
        let mut a = json!({"variety": variety});
        if !vector.is_empty() {
            a["vector"] = json!(vector);
        }
        if !target.is_empty() {
            a["target"] = json!(target);
        }
        out.insert(kind.to_owned(), a);
    }
    Value::Object(out)
}

fn actor(i: &Incident, e: &Entries) -> Value {
    let kinds: Vec<VerisActionKind> = e.veris_actions.iter().map(|a| a.kind).collect();
    let mut out = Map::new();
    let malicious = kinds
        .iter()
        .any(|k| !matches!(k, VerisActionKind::Error | VerisActionKind::Environmental));
    let categories = i
        .qualification
        .as_ref()
        .map(|q| q.categories())
        .unwrap_or_default();
    if malicious {
        let motive = if categories.contains(Category::Ransomware) {
            "Financial"
        } else {
            "Unknown"
        };
        out.insert(
            "external".into(),
            json!({"variety": ["Unknown"], "motive": [motive]}),
        );
    } else if kinds.contains(&VerisActionKind::Environmental) {
        out.insert(
            "external".into(),
            json!({"variety": ["Force majeure"], "motive": ["NA"]}),
        );
    }
    if kinds.contains(&VerisActionKind::Error) {
        let provider_side = i
            .qualification
            .as_ref()
            .is_some_and(|q| q.infra_side() == Some(InfraSide::Provider));
        let internal_errors = categories.iter().any(|c| {
            taxonomy::mapping(c).veris_action.kind == VerisActionKind::Error
                && c != Category::TelecomLoss
                && !(c == Category::InfraFailure && provider_side)
        });
        if provider_side || categories.contains(Category::TelecomLoss) {
            out.insert(
                "partner".into(),
                json!({"country": ["Unknown"], "motive": ["NA"]}),
            );
        }
        if internal_errors {
            out.insert(
                "internal".into(),
                json!({"variety": ["Unknown"], "motive": ["NA"]}),
            );
        }
    }
    if out.is_empty() {
        out.insert(
            "unknown".into(),
            json!({"notes": "Incident non qualifié ou hors périmètre."}),
        );
    }
    Value::Object(out)
}

fn asset(i: &Incident) -> Value {
    let q = i.qualification.as_ref();
    let asset = match q.and_then(|q| q.ransomware_reach()) {
        Some(reach) => {
            let (variety, amount) = taxonomy::reach_asset(reach);
            let mut a = json!({"variety": variety});
            if let Some(n) = amount {
                a["amount"] = json!(n);
            }
            a
        }
        None => json!({"variety": "Unknown"}),
    };
    let mut out = json!({"assets": [asset], "cloud": ["Unknown"]});
    let external = q.is_some_and(|q| {
        q.ransomware_reach() == Some(RansomwareReach::Provider)
            || q.infra_side() == Some(InfraSide::Provider)
    });
    if external {
        out["management"] = json!(["External"]);
    }
    out
}

fn data_variety(kind: DataKind) -> &'static str {
    match kind {
        DataKind::HealthPersonal => "Medical",
        DataKind::PersonalOther => "Personal",
        DataKind::TechnicalSensitive => "System",
        DataKind::Confidential => "Internal",
    }
}

fn attribute(i: &Incident, e: &Entries) -> Map<String, Value> {
    use vigie_model::CareImpact;
    let impacts = i.data_impact.impacts();
    let kinds = i.data_impact.kinds();
    let ransomware = i
        .qualification
        .as_ref()
        .is_some_and(|q| q.categories().contains(Category::Ransomware));
    let mut confidentiality: Vec<&str> = kinds.iter().map(data_variety).collect();
    let mut integrity: Vec<&str> = Vec::new();
    let mut availability: Vec<&str> = Vec::new();
    let mut implied_confidentiality = false;
    for a in &e.veris_attributes {
        match *a {
            VerisAttribute::Confidentiality(v) => {
                implied_confidentiality = true;
                if v != "Unknown" && !confidentiality.contains(&v) {
                    confidentiality.push(v);
                }
            }
            VerisAttribute::Integrity(v) => add(&mut integrity, v),
            VerisAttribute::Availability(v) => add(&mut availability, v),
        }
    }
    let disclosed = impacts.contains(DataImpactCode::Disclosed);
    if impacts.contains(DataImpactCode::Altered) {
        add(&mut integrity, "Modify data");
    }
    if impacts.contains(DataImpactCode::Unavailable) {
        add(
            &mut availability,
            if ransomware {
                "Obscuration"
            } else {
                "Interruption"
            },
        );
    }
    if impacts.contains(DataImpactCode::Destroyed) {
        add(&mut availability, "Destruction");
    }
    match i.care_impact {
        CareImpact::Interrupted => add(&mut availability, "Interruption"),
        CareImpact::Degraded => add(&mut availability, "Degradation"),
        CareImpact::None => {}
    }
    let mut out = Map::new();
    if disclosed || implied_confidentiality {
        if confidentiality.is_empty() {
            confidentiality.push("Unknown");
        }
        let data: Vec<Value> = confidentiality
            .iter()
            .map(|v| json!({"variety": v}))
            .collect();
        let mut c = json!({
            "data_disclosure": if disclosed { "Yes" } else { "Potentially" },
            "data": data,
        });
        if kinds.contains(DataKind::HealthPersonal) {
            c["data_victim"] = json!(["Patient"]);
        }
        out.insert("confidentiality".into(), c);
    }
    if !integrity.is_empty() {
        out.insert("integrity".into(), json!({"variety": integrity}));
    }
    if !availability.is_empty() {
        let mut a = json!({"variety": availability});
        if let Some(h) = i.degraded_hours {
            a["duration"] = json!({"unit": "Hours", "value": h.get()});
        }
        out.insert("availability".into(), a);
    }
    out
}

fn add<'a>(list: &mut Vec<&'a str>, v: &'a str) {
    if !list.contains(&v) {
        list.push(v);
    }
}

/// Vigie's own codes, under `plus.vigie`.
fn vigie_plus(case: &Case<'_>, e: &Entries, options: &Options) -> Value {
    let i = case.incident;
    let q = i.qualification.as_ref();
    let mut v = json!({
        "case": case.case.to_string(),
        "declared_at": i.declared_at.to_string(),
        "structure_type": i.structure.kind,
        "region": i.structure.region,
        "care_impact": i.care_impact,
        "patient_danger": i.patient_danger,
        "data_impact": i.data_impact.impacts().codes(),
        "data_kind": i.data_impact.kinds().codes(),
        "enisa_rsit": e.rsit.iter().map(|t| format!("{}/{}", t.class().code(), t.code())).collect::<Vec<_>>(),
        "enisa_root_cause": e.root_causes.iter().map(|c| c.code()).collect::<Vec<_>>(),
    });
    if let Some(q) = q {
        v["origin"] = json!(q.origin());
        v["categories"] = json!(q.categories().codes());
        if let Some(r) = q.ransomware_reach() {
            v["ransomware_reach"] = json!(r);
        }
        if let Some(s) = q.infra_side() {
            v["infra_side"] = json!(s);
        }
        if let Some(r) = q.out_of_scope_reason() {
            v["out_of_scope_reason"] = json!(r);
        }
        if let Some(ev) = q.event() {
            v["event"] = json!(ev.as_str());
        }
    }
    if options.structure_name {
        v["finess"] = json!(i.structure.finess.as_str());
    }
    v
}

/// The MISP `veris` machine tags of a record: its actors, actions and attributes
/// (`veris:action:malware:variety="Ransomware"`).
pub fn tags(record: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut tag = |path: String, value: &Value| {
        if let Some(v) = value.as_str() {
            let t = format!("veris:{path}=\"{v}\"");
            if !out.contains(&t) {
                out.push(t);
            }
        }
    };
    for section in ["actor", "action", "attribute"] {
        let Some(kinds) = record.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (kind, body) in kinds {
            for key in ["variety", "vector", "motive"] {
                for v in body
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    tag(format!("{section}:{kind}:{key}"), v);
                }
            }
            for d in body
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                tag(format!("{section}:{kind}:data:variety"), &d["variety"]);
            }
            if let Some(v) = body.get("data_disclosure") {
                tag(format!("{section}:{kind}:data_disclosure"), v);
            }
        }
    }
    out
}
