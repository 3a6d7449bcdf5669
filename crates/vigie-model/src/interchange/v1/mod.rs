//! The v1 interchange format: one incident a line of JSON (`incident-v1.schema.json`).
//!
//! Reading is strict: unknown fields, unknown codes and inconsistent combinations are
//! errors that name the field at fault. Writing produces lines that read back to the
//! same incident.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    codes::Code,
    declaration::{DataImpact, DataImpactCode, DataKind, DegradedHours},
    finess::Finess,
    incident::{DateTime, Handling, Incident},
    qualification::{Category, Qualification},
    set::CodeSet,
    structure::Structure,
    text::BoundedText,
};

/// A field of a line that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// Dotted path of the field (`structure.finess`), or `line` for the line as a whole.
    pub field: String,
    /// Why it is wrong, in English.
    pub reason: String,
}

impl FieldError {
    fn new(field: impl Into<String>, reason: impl ToString) -> Self {
        Self {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}

/// An optional field may be absent, but not `null` (the schema gives it a type).
fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InLine<'a> {
    #[serde(default, deserialize_with = "not_null", rename = "ref", borrow)]
    reference: Option<Cow<'a, str>>,
    #[serde(borrow)]
    declared_at: Cow<'a, str>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    detected_at: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    channel: Option<Cow<'a, str>>,
    #[serde(borrow)]
    structure: InStructure<'a>,
    #[serde(borrow)]
    state_at_declaration: Cow<'a, str>,
    support_requested: bool,
    #[serde(borrow)]
    care_impact: Cow<'a, str>,
    #[serde(default, deserialize_with = "not_null")]
    degraded_hours: Option<f64>,
    #[serde(borrow)]
    data_impact: Vec<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    data_kind: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    patient_danger: Cow<'a, str>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    description: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    qualification: Option<InQualification<'a>>,
    #[serde(default, deserialize_with = "not_null")]
    technical_support: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    false_positive: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    complements_requested: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    complements_received: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InStructure<'a> {
    #[serde(borrow)]
    finess: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    legal_status: Cow<'a, str>,
    #[serde(borrow)]
    region: Cow<'a, str>,
    #[serde(default, deserialize_with = "not_null")]
    ose: Option<bool>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    ght: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InQualification<'a> {
    #[serde(borrow)]
    origin: Cow<'a, str>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    categories: Option<Vec<Cow<'a, str>>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    ransomware_reach: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    infra_side: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    out_of_scope_reason: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "not_null", borrow)]
    event: Option<Cow<'a, str>>,
}

/// Reads one line of the v1 format.
pub fn parse_line(line: &str) -> Result<Incident, FieldError> {
    match serde_json::from_str::<InLine<'_>>(line) {
        Ok(wire) => convert(wire),
        Err(err) => Err(diagnose(line, &err)),
    }
}

fn code<T: Code>(field: &str, value: &str) -> Result<T, FieldError> {
    T::parse(value).map_err(|e| FieldError::new(field, e))
}

fn opt_code<T: Code>(field: &str, value: Option<&Cow<'_, str>>) -> Result<Option<T>, FieldError> {
    value.map(|v| code(field, v)).transpose()
}

fn set<T: Code>(field: &str, values: &[Cow<'_, str>]) -> Result<CodeSet<T>, FieldError> {
    CodeSet::parse_codes(values.iter().map(|v| v.as_ref())).map_err(|e| FieldError::new(field, e))
}

fn text<const MIN: usize, const MAX: usize>(
    field: &str,
    value: &str,
) -> Result<BoundedText<MIN, MAX>, FieldError> {
    BoundedText::parse(value).map_err(|e| FieldError::new(field, e))
}

fn date(field: &str, value: &str) -> Result<DateTime, FieldError> {
    DateTime::parse(value).map_err(|e| FieldError::new(field, e))
}

fn convert(w: InLine<'_>) -> Result<Incident, FieldError> {
    let s = &w.structure;
    let structure = Structure {
        finess: Finess::parse(&s.finess).map_err(|e| FieldError::new("structure.finess", e))?,
        name: text("structure.name", &s.name)?,
        kind: code("structure.type", &s.kind)?,
        legal_status: code("structure.legal_status", &s.legal_status)?,
        region: code("structure.region", &s.region)?,
        ose: s.ose.unwrap_or(false),
        ght: s
            .ght
            .as_deref()
            .map(|g| text("structure.ght", g))
            .transpose()?,
    };
    let impacts = set::<DataImpactCode>("data_impact", &w.data_impact)?;
    let kinds = set::<DataKind>("data_kind", w.data_kind.as_deref().unwrap_or_default())?;
    let data_impact = DataImpact::new(impacts, kinds).map_err(|e| {
        let field = match e {
            crate::declaration::DataImpactError::KindsWithoutImpact => "data_kind",
            _ => "data_impact",
        };
        FieldError::new(field, e)
    })?;
    let qualification = w
        .qualification
        .as_ref()
        .map(|q| {
            Qualification::new(
                code("qualification.origin", &q.origin)?,
                set::<Category>(
                    "qualification.categories",
                    q.categories.as_deref().unwrap_or_default(),
                )?,
                opt_code(
                    "qualification.ransomware_reach",
                    q.ransomware_reach.as_ref(),
                )?,
                opt_code("qualification.infra_side", q.infra_side.as_ref())?,
                opt_code(
                    "qualification.out_of_scope_reason",
                    q.out_of_scope_reason.as_ref(),
                )?,
                q.event
                    .as_deref()
                    .map(|e| text("qualification.event", e))
                    .transpose()?,
            )
            .map_err(|e| FieldError::new(e.field(), e))
        })
        .transpose()?;
    let degraded_hours = w
        .degraded_hours
        .map(|h| {
            DegradedHours::new(h).ok_or_else(|| {
                FieldError::new("degraded_hours", "must be a number of hours, 0 or more")
            })
        })
        .transpose()?;
    Ok(Incident {
        reference: w.reference.as_deref().map(|r| text("ref", r)).transpose()?,
        declared_at: date("declared_at", &w.declared_at)?,
        detected_at: w
            .detected_at
            .as_deref()
            .map(|d| date("detected_at", d))
            .transpose()?,
        channel: opt_code("channel", w.channel.as_ref())?.unwrap_or(crate::Channel::Portal),
        structure,
        state_at_declaration: code("state_at_declaration", &w.state_at_declaration)?,
        support_requested: w.support_requested,
        care_impact: code("care_impact", &w.care_impact)?,
        degraded_hours,
        data_impact,
        patient_danger: code("patient_danger", &w.patient_danger)?,
        title: w.title.as_deref().map(|t| text("title", t)).transpose()?,
        description: w
            .description
            .as_deref()
            .map(|t| text("description", t))
            .transpose()?,
        qualification,
        handling: Handling {
            technical_support: w.technical_support.unwrap_or(false),
            false_positive: w.false_positive.unwrap_or(false),
            complements_requested: w.complements_requested.unwrap_or(false),
            complements_received: w.complements_received.unwrap_or(false),
        },
    })
}

/// The JSON type a known field must have.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bool,
    Number,
    StrList,
    Object(&'static [Field]),
}

type Field = (&'static str, Kind, bool);

const STRUCTURE: &[Field] = &[
    ("finess", Kind::Str, true),
    ("name", Kind::Str, true),
    ("type", Kind::Str, true),
    ("legal_status", Kind::Str, true),
    ("region", Kind::Str, true),
    ("ose", Kind::Bool, false),
    ("ght", Kind::Str, false),
];

const QUALIFICATION: &[Field] = &[
    ("origin", Kind::Str, true),
    ("categories", Kind::StrList, false),
    ("ransomware_reach", Kind::Str, false),
    ("infra_side", Kind::Str, false),
    ("out_of_scope_reason", Kind::Str, false),
    ("event", Kind::Str, false),
];

const LINE: &[Field] = &[
    ("ref", Kind::Str, false),
    ("declared_at", Kind::Str, true),
    ("detected_at", Kind::Str, false),
    ("channel", Kind::Str, false),
    ("structure", Kind::Object(STRUCTURE), true),
    ("state_at_declaration", Kind::Str, true),
    ("support_requested", Kind::Bool, true),
    ("care_impact", Kind::Str, true),
    ("degraded_hours", Kind::Number, false),
    ("data_impact", Kind::StrList, true),
    ("data_kind", Kind::StrList, false),
    ("patient_danger", Kind::Str, true),
    ("title", Kind::Str, false),
    ("description", Kind::Str, false),
    ("qualification", Kind::Object(QUALIFICATION), false),
    ("technical_support", Kind::Bool, false),
    ("false_positive", Kind::Bool, false),
    ("complements_requested", Kind::Bool, false),
    ("complements_received", Kind::Bool, false),
];

/// Finds which field made a line unreadable (the slow path, only for bad lines).
fn diagnose(line: &str, err: &serde_json::Error) -> FieldError {
    let message = err.to_string();
    if let Some(name) = message
        .strip_prefix("duplicate field `")
        .and_then(|m| m.split('`').next())
    {
        return FieldError::new(name, "is given twice");
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return FieldError::new("line", format!("not valid JSON ({e})")),
    };
    check_object(&value, "", LINE)
        .err()
        .unwrap_or_else(|| FieldError::new("line", err))
}

fn check_object(value: &Value, prefix: &str, fields: &[Field]) -> Result<(), FieldError> {
    let path = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let Value::Object(map) = value else {
        let at = if prefix.is_empty() { "line" } else { prefix };
        return Err(FieldError::new(at, "must be a JSON object"));
    };
    if let Some(unknown) = map.keys().find(|k| !fields.iter().any(|(n, _, _)| n == k)) {
        return Err(FieldError::new(path(unknown), "unknown field"));
    }
    for &(name, kind, required) in fields {
        match map.get(name) {
            None if required => return Err(FieldError::new(path(name), "is required")),
            None => {}
            Some(v) => {
                let ok = match kind {
                    Kind::Str => v.is_string(),
                    Kind::Bool => v.is_boolean(),
                    Kind::Number => v.is_number(),
                    Kind::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
                    Kind::Object(inner) => {
                        check_object(v, &path(name), inner)?;
                        true
                    }
                };
                if !ok {
                    let what = match kind {
                        Kind::Str => "a string",
                        Kind::Bool => "true or false",
                        Kind::Number => "a number",
                        Kind::StrList => "a list of strings",
                        Kind::Object(_) => "an object",
                    };
                    return Err(FieldError::new(path(name), format!("must be {what}")));
                }
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct OutLine<'a> {
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    declared_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detected_at: Option<String>,
    channel: &'static str,
    structure: OutStructure<'a>,
    state_at_declaration: &'static str,
    support_requested: bool,
    care_impact: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    degraded_hours: Option<f64>,
    data_impact: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data_kind: Vec<&'static str>,
    patient_danger: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qualification: Option<OutQualification<'a>>,
    technical_support: bool,
    false_positive: bool,
    complements_requested: bool,
    complements_received: bool,
}

#[derive(Serialize)]
struct OutStructure<'a> {
    finess: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    legal_status: &'static str,
    region: &'static str,
    ose: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ght: Option<&'a str>,
}

#[derive(Serialize)]
struct OutQualification<'a> {
    origin: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    categories: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ransomware_reach: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    infra_side: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    out_of_scope_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'a str>,
}

/// Writes one incident as a line of the v1 format (without the line feed).
pub fn to_line(incident: &Incident) -> String {
    let s = &incident.structure;
    let out = OutLine {
        reference: incident.reference.as_ref().map(|r| r.as_str()),
        declared_at: incident.declared_at.to_string(),
        detected_at: incident.detected_at.map(|d| d.to_string()),
        channel: incident.channel.code(),
        structure: OutStructure {
            finess: s.finess.as_str(),
            name: s.name.as_str(),
            kind: s.kind.code(),
            legal_status: s.legal_status.code(),
            region: s.region.code(),
            ose: s.ose,
            ght: s.ght.as_ref().map(|g| g.as_str()),
        },
        state_at_declaration: incident.state_at_declaration.code(),
        support_requested: incident.support_requested,
        care_impact: incident.care_impact.code(),
        degraded_hours: incident.degraded_hours.map(DegradedHours::get),
        data_impact: incident.data_impact.impacts().codes(),
        data_kind: incident.data_impact.kinds().codes(),
        patient_danger: incident.patient_danger.code(),
        title: incident.title.as_ref().map(|t| t.as_str()),
        description: incident.description.as_ref().map(|t| t.as_str()),
        qualification: incident.qualification.as_ref().map(|q| OutQualification {
            origin: q.origin().code(),
            categories: q.categories().codes(),
            ransomware_reach: q.ransomware_reach().map(Code::code),
            infra_side: q.infra_side().map(Code::code),
            out_of_scope_reason: q.out_of_scope_reason().map(Code::code),
            event: q.event().map(|e| e.as_str()),
        }),
        technical_support: incident.handling.technical_support,
        false_positive: incident.handling.false_positive,
        complements_requested: incident.handling.complements_requested,
        complements_received: incident.handling.complements_received,
    };
    // Serializing plain strings, numbers and booleans cannot fail.
    serde_json::to_string(&out).unwrap_or_default()
}

#[cfg(test)]
mod tests;
