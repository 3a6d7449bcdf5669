//! One parser of a declaration for every channel (the portal's form, the on-call form,
//! the API): the fields as received, in; a [`Declaration`] whose every value is valid, or
//! every field in error with what is wrong, out. `now` and the time zone in which local
//! dates are read are parameters.

use std::fmt;

use jiff::{Timestamp, civil, tz::TimeZone};
use serde::{Deserialize, Serialize};

use crate::{
    codes::Code,
    declaration::{
        CareImpact, Channel, DataImpact, DataImpactCode, DataImpactError, DataKind, DegradedHours,
        PatientDanger, StateAtDeclaration,
    },
    incident::{DateTime, Description, Handling, Incident, Title},
    set::{CodeSet, SetError},
    structure::Structure,
    text::BoundedText,
};

/// The fields of a declaration, in the form's order (errors are listed in this order).
pub const FIELDS: [&str; 12] = [
    "detected_at",
    "title",
    "description",
    "measures_taken",
    "affected_systems",
    "state_at_declaration",
    "support_requested",
    "care_impact",
    "degraded_hours",
    "data_impact",
    "data_kind",
    "patient_danger",
];

/// Longest title, in characters.
pub const TITLE_MAX: usize = 300;

/// Longest free text (description, measures, systems), in characters.
pub const TEXT_MAX: usize = 20_000;

/// Every field of a declaration as a channel received it, nothing checked yet (also what
/// a draft of the portal's form keeps between its steps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawDeclaration {
    /// When the structure detected it: RFC 3339 with an offset, or a local date and time
    /// (`2024-11-28T07:30`, a `datetime-local` field) read in the given time zone.
    pub detected_at: String,
    /// Short title.
    pub title: String,
    /// What happened.
    pub description: String,
    /// Measures already taken.
    pub measures_taken: String,
    /// Affected systems and providers.
    pub affected_systems: String,
    /// State at declaration code.
    pub state_at_declaration: String,
    /// `oui` or `non` (`true` or `false` also read).
    pub support_requested: String,
    /// Care impact code.
    pub care_impact: String,
    /// Hours of degraded mode, as typed (`1,5` or `1.5`).
    pub degraded_hours: String,
    /// Data impact codes.
    pub data_impact: Vec<String>,
    /// Data kind codes.
    pub data_kind: Vec<String>,
    /// Patient danger code.
    pub patient_danger: String,
}

/// A declaration whose every field is valid and consistent with the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    /// When the structure detected it, if it said, never after `now`.
    pub detected_at: Option<DateTime>,
    /// Short title (not empty).
    pub title: Title,
    /// What happened (not empty).
    pub description: Description,
    /// Measures already taken.
    pub measures_taken: Option<Description>,
    /// Affected systems and providers.
    pub affected_systems: Option<Description>,
    /// State at declaration.
    pub state_at_declaration: StateAtDeclaration,
    /// The structure asks for the CERT's support.
    pub support_requested: bool,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// Hours of degraded mode, only when care was affected.
    pub degraded_hours: Option<DegradedHours>,
    /// Impact on data and kinds of data hit.
    pub data_impact: DataImpact,
    /// Endangerment of patients.
    pub patient_danger: PatientDanger,
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Required, and empty.
    Missing,
    /// A date or a number that does not read.
    Unreadable,
    /// A choice that is not one of its codes.
    UnknownCode,
    /// A code given twice.
    Repeated,
    /// Longer than allowed.
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// A detection after the declaration.
    InFuture,
    /// A negative (or not finite) number of hours.
    Negative,
    /// Hours of degraded mode while care was not affected.
    WithoutCareImpact,
    /// `none` beside another impact on data.
    NoneWithOthers,
    /// Kinds of data while no data was hit.
    KindsWithoutImpact,
    /// A value of the wrong type where a channel receives typed values (JSON).
    WrongType,
}

impl Problem {
    /// The stable English code of the problem (APIs, tests).
    pub fn code(self) -> &'static str {
        match self {
            Problem::Missing => "missing",
            Problem::Unreadable => "unreadable",
            Problem::UnknownCode => "unknown_code",
            Problem::Repeated => "repeated",
            Problem::TooLong { .. } => "too_long",
            Problem::InFuture => "in_future",
            Problem::Negative => "negative",
            Problem::WithoutCareImpact => "without_care_impact",
            Problem::NoneWithOthers => "none_with_others",
            Problem::KindsWithoutImpact => "kinds_without_impact",
            Problem::WrongType => "wrong_type",
        }
    }
}

/// One field in error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    /// The field, one of [`FIELDS`].
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl FieldError {
    /// What to tell the declarant, in French.
    pub fn message(&self) -> String {
        use Problem as P;
        let text = match (self.field, self.problem) {
            ("detected_at", P::InFuture) => "La date de détection ne peut pas être dans le futur.",
            ("detected_at", _) => "Indiquez la date et l'heure sous la forme jj/mm/aaaa hh:mm.",
            ("title", P::Missing) => "Donnez un titre court à l'incident.",
            ("description", P::Missing) => "Décrivez ce qui s'est passé.",
            (_, P::TooLong { max }) => {
                let what = if self.field == "title" {
                    "Le titre"
                } else {
                    "Ce texte"
                };
                return format!("{what} ne doit pas dépasser {} caractères.", thousands(max));
            }
            ("state_at_declaration", P::Missing) => {
                "Indiquez l'état de l'incident au moment de la déclaration."
            }
            ("support_requested", _) => "Indiquez si vous demandez l'accompagnement du CERT.",
            ("care_impact", P::Missing) => "Indiquez l'impact sur la prise en charge des patients.",
            ("degraded_hours", P::WithoutCareImpact) => {
                "Une durée de mode dégradé n'a de sens que si la prise en charge a été affectée."
            }
            ("degraded_hours", _) => "Indiquez un nombre d'heures positif, par exemple 12 ou 1,5.",
            ("data_impact", P::Missing) => {
                "Cochez au moins une case (« Aucun impact sur les données » si c'est le cas)."
            }
            ("data_impact", P::NoneWithOthers) => {
                "« Aucun impact sur les données » ne peut pas être coché avec un autre impact."
            }
            ("data_impact", P::UnknownCode) => "Un impact coché n'est pas reconnu.",
            ("data_kind", P::KindsWithoutImpact) => {
                "Les types de données touchées ne se cochent que si des données ont été touchées."
            }
            ("data_kind", P::UnknownCode) => "Un type de données coché n'est pas reconnu.",
            (_, P::Repeated) => "Une même case est cochée deux fois.",
            (_, P::WrongType) => "Cette valeur n'est pas du type attendu.",
            ("patient_danger", P::Missing) => "Indiquez si des patients ont été mis en danger.",
            (_, P::Missing) => "Ce champ est obligatoire.",
            _ => "Ce choix n'est pas reconnu.",
        };
        text.to_owned()
    }
}

/// `20000` as `20 000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The fields of a refused declaration, one error per field, in [`FIELDS`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclarationErrors(pub Vec<FieldError>);

impl fmt::Display for DeclarationErrors {
    /// `invalid declaration: title (missing), care_impact (unknown_code)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid declaration: ")?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} ({})", e.field, e.problem.code())?;
        }
        Ok(())
    }
}

impl std::error::Error for DeclarationErrors {}

impl DeclarationErrors {
    /// No error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error of a field.
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// Records the first problem of a field, keeping the form's order.
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        if self.get(field).is_none() {
            self.0.push(FieldError { field, problem });
            let position = |f: &str| FIELDS.iter().position(|x| *x == f);
            self.0.sort_by_key(|e| position(e.field));
        }
    }

    /// Only the errors of these fields.
    pub fn only(mut self, fields: &[&str]) -> DeclarationErrors {
        self.0.retain(|e| fields.contains(&e.field));
        self
    }
}

/// A kept declaration (a draft) whose text does not read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a kept declaration: {0}")]
pub struct UnreadableDraft(pub String);

impl RawDeclaration {
    /// The fields as JSON, as a draft is kept.
    pub fn to_json(&self) -> String {
        // Strings and lists of strings always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads fields kept by [`RawDeclaration::to_json`] (fields it no longer has are
    /// ignored, missing ones are empty).
    pub fn from_json(json: &str) -> Result<RawDeclaration, UnreadableDraft> {
        let unreadable = |e: serde_json::Error| UnreadableDraft(e.to_string());
        // An object only: serde would also read a list as the fields in order.
        match serde_json::from_str(json).map_err(unreadable)? {
            object @ serde_json::Value::Object(_) => {
                serde_json::from_value(object).map_err(unreadable)
            }
            _ => Err(UnreadableDraft("not a JSON object".into())),
        }
    }

    /// Checks every field at `now`, reading local dates in `zone`: the declaration, or
    /// every field in error.
    pub fn parse(&self, now: Timestamp, zone: &TimeZone) -> Result<Declaration, DeclarationErrors> {
        let mut e = DeclarationErrors::default();
        let detected_at = detected(&mut e, self.detected_at.trim(), now, zone);
        let title = required_text::<TITLE_MAX>(&mut e, "title", &self.title);
        let description = required_text::<TEXT_MAX>(&mut e, "description", &self.description);
        let measures_taken = optional_text(&mut e, "measures_taken", &self.measures_taken);
        let affected_systems = optional_text(&mut e, "affected_systems", &self.affected_systems);
        let state = choice::<StateAtDeclaration>(
            &mut e,
            "state_at_declaration",
            &self.state_at_declaration,
        );
        let support = match self.support_requested.trim() {
            "oui" | "true" => Some(true),
            "non" | "false" => Some(false),
            "" => {
                e.add("support_requested", Problem::Missing);
                None
            }
            _ => {
                e.add("support_requested", Problem::UnknownCode);
                None
            }
        };
        let care = choice::<CareImpact>(&mut e, "care_impact", &self.care_impact);
        let hours = hours(&mut e, self.degraded_hours.trim());
        if hours.is_some() && care == Some(CareImpact::None) {
            e.add("degraded_hours", Problem::WithoutCareImpact);
        }
        let data = data(&mut e, &self.data_impact, &self.data_kind);
        let danger = choice::<PatientDanger>(&mut e, "patient_danger", &self.patient_danger);
        match (title, description, state, support, care, data, danger) {
            (
                Some(title),
                Some(description),
                Some(state),
                Some(support),
                Some(care),
                Some(data),
                Some(danger),
            ) if e.is_empty() => Ok(Declaration {
                detected_at,
                title,
                description,
                measures_taken,
                affected_systems,
                state_at_declaration: state,
                support_requested: support,
                care_impact: care,
                degraded_hours: hours,
                data_impact: data,
                patient_danger: danger,
            }),
            _ => Err(e),
        }
    }
}

impl Declaration {
    /// The incident `structure` declares by `channel` at `declared_at`.
    pub fn incident(
        &self,
        structure: Structure,
        channel: Channel,
        declared_at: DateTime,
    ) -> Incident {
        Incident {
            reference: None,
            declared_at,
            detected_at: self.detected_at,
            channel,
            structure,
            state_at_declaration: self.state_at_declaration,
            support_requested: self.support_requested,
            care_impact: self.care_impact,
            degraded_hours: self.degraded_hours,
            data_impact: self.data_impact,
            patient_danger: self.patient_danger,
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            qualification: None,
            handling: Handling::default(),
        }
    }
}

fn detected(
    e: &mut DeclarationErrors,
    value: &str,
    now: Timestamp,
    zone: &TimeZone,
) -> Option<DateTime> {
    if value.is_empty() {
        return None;
    }
    let at = DateTime::parse(value).ok().or_else(|| {
        let local = value.parse::<civil::DateTime>().ok()?;
        let zoned = zone.to_zoned_datetime(local).ok()?;
        DateTime::new(zoned.timestamp(), zoned.offset())
    });
    match at {
        Some(at) if at.timestamp() <= now => Some(at),
        Some(_) => {
            e.add("detected_at", Problem::InFuture);
            None
        }
        None => {
            e.add("detected_at", Problem::Unreadable);
            None
        }
    }
}

fn required_text<const MAX: usize>(
    e: &mut DeclarationErrors,
    field: &'static str,
    value: &str,
) -> Option<BoundedText<0, MAX>> {
    let value = value.trim();
    if value.is_empty() {
        e.add(field, Problem::Missing);
        return None;
    }
    match BoundedText::parse(value) {
        Ok(text) => Some(text),
        Err(_) => {
            e.add(field, Problem::TooLong { max: MAX });
            None
        }
    }
}

fn optional_text(
    e: &mut DeclarationErrors,
    field: &'static str,
    value: &str,
) -> Option<Description> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match BoundedText::parse(value) {
        Ok(text) => Some(text),
        Err(_) => {
            e.add(field, Problem::TooLong { max: TEXT_MAX });
            None
        }
    }
}

fn choice<T: Code>(e: &mut DeclarationErrors, field: &'static str, value: &str) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        e.add(field, Problem::Missing);
        return None;
    }
    match T::parse(value) {
        Ok(v) => Some(v),
        Err(_) => {
            e.add(field, Problem::UnknownCode);
            None
        }
    }
}

fn hours(e: &mut DeclarationErrors, value: &str) -> Option<DegradedHours> {
    if value.is_empty() {
        return None;
    }
    let Ok(number) = value.replace(',', ".").parse::<f64>() else {
        e.add("degraded_hours", Problem::Unreadable);
        return None;
    };
    match DegradedHours::new(number) {
        Some(h) => Some(h),
        None => {
            e.add("degraded_hours", Problem::Negative);
            None
        }
    }
}

fn codes<T: Code>(
    e: &mut DeclarationErrors,
    field: &'static str,
    values: &[String],
) -> Option<CodeSet<T>> {
    match CodeSet::<T>::parse_codes(values.iter().map(|v| v.trim())) {
        Ok(set) => Some(set),
        Err(SetError::Unknown(_)) => {
            e.add(field, Problem::UnknownCode);
            None
        }
        Err(SetError::Repeated(_)) => {
            e.add(field, Problem::Repeated);
            None
        }
    }
}

fn data(e: &mut DeclarationErrors, impacts: &[String], kinds: &[String]) -> Option<DataImpact> {
    let impacts = codes::<DataImpactCode>(e, "data_impact", impacts);
    let kinds = codes::<DataKind>(e, "data_kind", kinds);
    match DataImpact::new(impacts?, kinds?) {
        Ok(d) => Some(d),
        Err(DataImpactError::Empty) => {
            e.add("data_impact", Problem::Missing);
            None
        }
        Err(DataImpactError::NoneWithOthers) => {
            e.add("data_impact", Problem::NoneWithOthers);
            None
        }
        Err(DataImpactError::KindsWithoutImpact) => {
            e.add("data_kind", Problem::KindsWithoutImpact);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    fn now() -> Timestamp {
        "2024-11-28T08:15:00Z".parse().unwrap()
    }

    fn complete() -> RawDeclaration {
        RawDeclaration {
            detected_at: "2024-11-28T07:30".into(),
            title: "Chiffrement de serveurs".into(),
            description: "Des fichiers chiffrés sur deux serveurs.".into(),
            state_at_declaration: "needs_cert".into(),
            support_requested: "oui".into(),
            care_impact: "degraded".into(),
            degraded_hours: "1,5".into(),
            data_impact: vec!["unavailable".into()],
            data_kind: vec!["health_personal".into()],
            patient_danger: "none".into(),
            ..RawDeclaration::default()
        }
    }

    #[test]
    fn a_complete_declaration_parses() {
        let d = complete().parse(now(), &paris()).unwrap();
        // 07:30 in Paris, in November, is 06:30 UTC.
        assert_eq!(
            d.detected_at.unwrap().to_string(),
            "2024-11-28T07:30:00+01:00"
        );
        assert_eq!(d.degraded_hours.map(DegradedHours::get), Some(1.5));
        assert!(d.support_requested);
        assert_eq!(d.measures_taken, None);
        let with_offset = RawDeclaration {
            detected_at: "2024-11-28T06:00:00Z".into(),
            support_requested: "false".into(),
            ..complete()
        };
        let d = with_offset.parse(now(), &paris()).unwrap();
        assert_eq!(d.detected_at.unwrap().to_string(), "2024-11-28T06:00:00Z");
        assert!(!d.support_requested);
    }

    #[test]
    fn every_rule_names_its_field() {
        type Case = (fn(&mut RawDeclaration), &'static str, Problem);
        let cases: &[Case] = &[
            (
                |d| d.detected_at = "2024-11-28T10:00".into(),
                "detected_at",
                Problem::InFuture,
            ),
            (
                |d| d.detected_at = "2024-11-28T09:00:00Z".into(),
                "detected_at",
                Problem::InFuture,
            ),
            (
                |d| d.detected_at = "hier".into(),
                "detected_at",
                Problem::Unreadable,
            ),
            (|d| d.title = "  ".into(), "title", Problem::Missing),
            (
                |d| d.title = "x".repeat(301),
                "title",
                Problem::TooLong { max: 300 },
            ),
            (
                |d| d.description = String::new(),
                "description",
                Problem::Missing,
            ),
            (
                |d| d.measures_taken = "x".repeat(20_001),
                "measures_taken",
                Problem::TooLong { max: 20_000 },
            ),
            (
                |d| d.state_at_declaration = "fini".into(),
                "state_at_declaration",
                Problem::UnknownCode,
            ),
            (
                |d| d.support_requested = "peut-être".into(),
                "support_requested",
                Problem::UnknownCode,
            ),
            (
                |d| d.support_requested = String::new(),
                "support_requested",
                Problem::Missing,
            ),
            (
                |d| d.care_impact = "severe".into(),
                "care_impact",
                Problem::UnknownCode,
            ),
            (
                |d| d.degraded_hours = "-2".into(),
                "degraded_hours",
                Problem::Negative,
            ),
            (
                |d| d.degraded_hours = "douze".into(),
                "degraded_hours",
                Problem::Unreadable,
            ),
            (
                |d| d.care_impact = "none".into(),
                "degraded_hours",
                Problem::WithoutCareImpact,
            ),
            (|d| d.data_impact = vec![], "data_impact", Problem::Missing),
            (
                |d| d.data_impact = vec!["none".into(), "altered".into()],
                "data_impact",
                Problem::NoneWithOthers,
            ),
            (
                |d| d.data_impact = vec!["lost".into()],
                "data_impact",
                Problem::UnknownCode,
            ),
            (
                |d| d.data_impact = vec!["altered".into(), "altered".into()],
                "data_impact",
                Problem::Repeated,
            ),
            (
                |d| d.data_impact = vec!["none".into()],
                "data_kind",
                Problem::KindsWithoutImpact,
            ),
            (
                |d| d.patient_danger = "grave".into(),
                "patient_danger",
                Problem::UnknownCode,
            ),
        ];
        for (change, field, problem) in cases {
            let mut d = complete();
            change(&mut d);
            let errors = d.parse(now(), &paris()).unwrap_err();
            assert_eq!(
                errors.0,
                [FieldError {
                    field,
                    problem: *problem
                }],
                "{field}"
            );
        }
    }

    #[test]
    fn an_empty_declaration_names_every_required_field_in_order() {
        let errors = RawDeclaration::default()
            .parse(now(), &paris())
            .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "title",
                "description",
                "state_at_declaration",
                "support_requested",
                "care_impact",
                "data_impact",
                "patient_danger"
            ]
        );
        assert!(errors.0.iter().all(|e| e.problem == Problem::Missing));
        assert_eq!(
            errors.get("title").unwrap().message(),
            "Donnez un titre court à l'incident."
        );
    }

    #[test]
    fn messages_are_french() {
        let m = |field, problem| FieldError { field, problem }.message();
        assert_eq!(
            m("description", Problem::TooLong { max: 20_000 }),
            "Ce texte ne doit pas dépasser 20 000 caractères."
        );
        assert_eq!(
            m("title", Problem::TooLong { max: 300 }),
            "Le titre ne doit pas dépasser 300 caractères."
        );
        assert!(m("detected_at", Problem::InFuture).contains("futur"));
        assert!(m("degraded_hours", Problem::WithoutCareImpact).contains("n'a de sens"));
    }

    #[test]
    fn a_draft_reads_back_what_it_kept() {
        let d = complete();
        assert_eq!(RawDeclaration::from_json(&d.to_json()), Ok(d));
        // Fields a draft no longer keeps are ignored; missing ones are empty.
        let old = RawDeclaration::from_json(r#"{"structure":"","title":"a"}"#).unwrap();
        assert_eq!(old.title, "a");
        for bad in [r#"{"title":3}"#, "[]", r#"["a"]"#, "pas du JSON", "null"] {
            assert!(RawDeclaration::from_json(bad).is_err(), "{bad}");
        }
    }
}
