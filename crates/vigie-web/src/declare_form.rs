//! The declaration form: what was typed, kept as typed, checked step by step, and turned
//! into an [`Incident`] only when every field is right.

use jiff::{Timestamp, civil};
use serde::{Deserialize, Serialize};
use vigie_model::{
    CareImpact, Channel, Code, CodeSet, DataImpact, DataImpactCode, DataKind, DateTime,
    DegradedHours, Handling, Incident, PatientDanger, StateAtDeclaration, Structure,
    text::BoundedText,
};

/// The steps of the form.
pub const STEPS: [&str; 3] = ["Circonstances", "Impacts", "Vérification et envoi"];

/// Every field of the form as typed (a draft, saved at each step).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// FINESS of the declaring structure (for accounts that declare for several).
    pub structure: String,
    /// When the structure detected it (`datetime-local`, Paris time).
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
    /// `oui` or `non`.
    pub support_requested: String,
    /// Care impact code.
    pub care_impact: String,
    /// Hours of degraded mode, as typed.
    pub degraded_hours: String,
    /// Data impact codes.
    pub data_impact: Vec<String>,
    /// Data kind codes.
    pub data_kind: Vec<String>,
    /// Patient danger code.
    pub patient_danger: String,
}

/// Errors of a form, by field name, in French, in the order of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    /// No error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error of a field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Records the first error of a field, keeping the form's order.
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
            let position = |f: &str| {
                STEP_FIELDS
                    .iter()
                    .flat_map(|s| s.iter())
                    .position(|x| *x == f)
            };
            self.0.sort_by_key(|(f, _)| position(f));
        }
    }
}

/// The fields each step shows (the others are kept from the draft).
const STEP_FIELDS: [&[&str]; 2] = [
    &[
        "structure",
        "detected_at",
        "title",
        "description",
        "measures_taken",
        "affected_systems",
        "state_at_declaration",
        "support_requested",
    ],
    &[
        "care_impact",
        "degraded_hours",
        "data_impact",
        "data_kind",
        "patient_danger",
    ],
];

impl Draft {
    /// Takes the fields of `step` (1-based) from a posted form, keeping the others.
    pub fn update(&mut self, step: usize, posted: &[(String, String)]) {
        let Some(fields) = STEP_FIELDS.get(step.wrapping_sub(1)) else {
            return;
        };
        let one = |name: &str| {
            posted
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let many = |name: &str| {
            posted
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        for field in *fields {
            match *field {
                "structure" if posted.iter().any(|(k, _)| k == "structure") => {
                    self.structure = one("structure")
                }
                "structure" => {}
                "detected_at" => self.detected_at = one("detected_at"),
                "title" => self.title = one("title"),
                "description" => self.description = one("description"),
                "measures_taken" => self.measures_taken = one("measures_taken"),
                "affected_systems" => self.affected_systems = one("affected_systems"),
                "state_at_declaration" => self.state_at_declaration = one("state_at_declaration"),
                "support_requested" => self.support_requested = one("support_requested"),
                "care_impact" => self.care_impact = one("care_impact"),
                "degraded_hours" => self.degraded_hours = one("degraded_hours"),
                "data_impact" => self.data_impact = many("data_impact"),
                "data_kind" => self.data_kind = many("data_kind"),
                "patient_danger" => self.patient_danger = one("patient_danger"),
                _ => {}
            }
        }
    }

    /// The errors of one step's fields.
    pub fn check_step(&self, step: usize, now: Timestamp) -> FieldErrors {
        let mut errors = self.check(now).1;
        if let Some(fields) = STEP_FIELDS.get(step.wrapping_sub(1)) {
            errors.0.retain(|(k, _)| fields.contains(k));
        }
        errors
    }

    /// The first step with an error, if any.
    pub fn first_step_in_error(&self, now: Timestamp) -> Option<usize> {
        let errors = self.check(now).1;
        STEP_FIELDS
            .iter()
            .position(|fields| fields.iter().any(|f| errors.get(f).is_some()))
            .map(|i| i + 1)
    }

    /// Builds the incident declared now by `structure`, or says what is wrong.
    pub fn to_incident(
        &self,
        structure: Structure,
        now: Timestamp,
    ) -> Result<Incident, FieldErrors> {
        let (parts, errors) = self.check(now);
        let Some(p) = parts.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        let offset = crate::paris().to_offset(now);
        let declared_at = DateTime::new(now, offset).ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("detected_at", "La date du jour n'est pas représentable.");
            e
        })?;
        Ok(Incident {
            reference: None,
            declared_at,
            detected_at: p.detected_at,
            channel: Channel::Portal,
            structure,
            state_at_declaration: p.state,
            support_requested: p.support,
            care_impact: p.care,
            degraded_hours: p.hours,
            data_impact: p.data,
            patient_danger: p.danger,
            title: (!self.title.is_empty())
                .then(|| BoundedText::parse(self.title.clone()))
                .transpose()
                .ok()
                .flatten(),
            description: (!self.description.is_empty())
                .then(|| BoundedText::parse(self.description.clone()))
                .transpose()
                .ok()
                .flatten(),
            qualification: None,
            handling: Handling::default(),
        })
    }

    /// Checks every field; gives the parsed values when all of them parse.
    fn check(&self, now: Timestamp) -> (Option<Parts>, FieldErrors) {
        let mut e = FieldErrors::default();
        let detected_at = if self.detected_at.is_empty() {
            None
        } else {
            match self
                .detected_at
                .parse::<civil::DateTime>()
                .ok()
                .and_then(|dt| crate::paris().to_zoned_datetime(dt).ok())
            {
                Some(z) if z.timestamp() <= now => DateTime::new(z.timestamp(), z.offset()),
                Some(_) => {
                    e.add(
                        "detected_at",
                        "La date de détection ne peut pas être dans le futur.",
                    );
                    None
                }
                None => {
                    e.add(
                        "detected_at",
                        "Indiquez la date et l'heure sous la forme jj/mm/aaaa hh:mm.",
                    );
                    None
                }
            }
        };
        if self.title.is_empty() {
            e.add("title", "Donnez un titre court à l'incident.");
        } else if self.title.chars().count() > 300 {
            e.add("title", "Le titre ne doit pas dépasser 300 caractères.");
        }
        if self.description.is_empty() {
            e.add("description", "Décrivez ce qui s'est passé.");
        }
        for (field, text) in [
            ("description", &self.description),
            ("measures_taken", &self.measures_taken),
            ("affected_systems", &self.affected_systems),
        ] {
            if text.chars().count() > 20_000 {
                e.add(field, "Ce texte ne doit pas dépasser 20 000 caractères.");
            }
        }
        let state = choice::<StateAtDeclaration>(
            &mut e,
            "state_at_declaration",
            &self.state_at_declaration,
            "Indiquez l'état de l'incident au moment de la déclaration.",
        );
        let support = match self.support_requested.as_str() {
            "oui" => Some(true),
            "non" => Some(false),
            _ => {
                e.add(
                    "support_requested",
                    "Indiquez si vous demandez l'accompagnement du CERT.",
                );
                None
            }
        };
        let care = choice::<CareImpact>(
            &mut e,
            "care_impact",
            &self.care_impact,
            "Indiquez l'impact sur la prise en charge des patients.",
        );
        let hours = if self.degraded_hours.is_empty() {
            None
        } else {
            match self
                .degraded_hours
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .and_then(DegradedHours::new)
            {
                Some(h) => Some(h),
                None => {
                    e.add(
                        "degraded_hours",
                        "Indiquez un nombre d'heures positif, par exemple 12 ou 1,5.",
                    );
                    None
                }
            }
        };
        if hours.is_some() && care == Some(CareImpact::None) {
            e.add(
                "degraded_hours",
                "Une durée de mode dégradé n'a de sens que si la prise en charge a été affectée.",
            );
        }
        let impacts =
            CodeSet::<DataImpactCode>::parse_codes(self.data_impact.iter().map(String::as_str));
        let kinds = CodeSet::<DataKind>::parse_codes(self.data_kind.iter().map(String::as_str));
        let data = match (impacts, kinds) {
            (Ok(impacts), Ok(kinds)) => match DataImpact::new(impacts, kinds) {
                Ok(d) => Some(d),
                Err(vigie_model::DataImpactError::Empty) => {
                    e.add("data_impact", "Cochez au moins une case (« Aucun impact sur les données » si c'est le cas).");
                    None
                }
                Err(vigie_model::DataImpactError::NoneWithOthers) => {
                    e.add("data_impact", "« Aucun impact sur les données » ne peut pas être coché avec un autre impact.");
                    None
                }
                Err(vigie_model::DataImpactError::KindsWithoutImpact) => {
                    e.add("data_kind", "Les types de données touchées ne se cochent que si des données ont été touchées.");
                    None
                }
            },
            (Err(_), _) => {
                e.add("data_impact", "Un impact coché n'est pas reconnu.");
                None
            }
            (_, Err(_)) => {
                e.add("data_kind", "Un type de données coché n'est pas reconnu.");
                None
            }
        };
        let danger = choice::<PatientDanger>(
            &mut e,
            "patient_danger",
            &self.patient_danger,
            "Indiquez si des patients ont été mis en danger.",
        );
        let parts = match (state, support, care, data, danger) {
            (Some(state), Some(support), Some(care), Some(data), Some(danger)) => Some(Parts {
                detected_at,
                state,
                support,
                care,
                hours,
                data,
                danger,
            }),
            _ => None,
        };
        (parts, e)
    }
}

struct Parts {
    detected_at: Option<DateTime>,
    state: StateAtDeclaration,
    support: bool,
    care: CareImpact,
    hours: Option<DegradedHours>,
    data: DataImpact,
    danger: PatientDanger,
}

fn choice<T: Code>(
    e: &mut FieldErrors,
    field: &'static str,
    value: &str,
    missing: &str,
) -> Option<T> {
    if value.is_empty() {
        e.add(field, missing);
        return None;
    }
    match T::parse(value) {
        Ok(v) => Some(v),
        Err(_) => {
            e.add(field, "Ce choix n'est pas reconnu.");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Draft {
        Draft {
            title: "Chiffrement de serveurs".into(),
            description: "Des fichiers chiffrés sur deux serveurs.".into(),
            state_at_declaration: "needs_cert".into(),
            support_requested: "oui".into(),
            care_impact: "degraded".into(),
            degraded_hours: "1,5".into(),
            data_impact: vec!["unavailable".into()],
            data_kind: vec!["health_personal".into()],
            patient_danger: "none".into(),
            detected_at: "2024-11-28T07:30".into(),
            ..Draft::default()
        }
    }

    fn now() -> Timestamp {
        "2024-11-28T08:15:00Z".parse().unwrap()
    }

    #[test]
    fn each_step_reports_only_its_fields() {
        let empty = Draft::default();
        let one = empty.check_step(1, now());
        assert!(one.get("title").is_some() && one.get("state_at_declaration").is_some());
        assert!(one.get("care_impact").is_none());
        let two = empty.check_step(2, now());
        assert!(two.get("care_impact").is_some() && two.get("data_impact").is_some());
        assert_eq!(empty.first_step_in_error(now()), Some(1));
        assert_eq!(complete().first_step_in_error(now()), None);
    }

    #[test]
    fn field_rules() {
        type Case = (fn(&mut Draft), &'static str, &'static str);
        let cases: &[Case] = &[
            (
                |d| d.detected_at = "2024-11-28T10:00".into(),
                "detected_at",
                "futur",
            ),
            (
                |d| d.detected_at = "hier".into(),
                "detected_at",
                "jj/mm/aaaa",
            ),
            (
                |d| d.degraded_hours = "-2".into(),
                "degraded_hours",
                "positif",
            ),
            (
                |d| {
                    d.care_impact = "none".into();
                },
                "degraded_hours",
                "n'a de sens",
            ),
            (
                |d| d.data_impact = vec!["none".into(), "altered".into()],
                "data_impact",
                "ne peut pas être coché",
            ),
            (
                |d| d.data_impact = vec!["none".into()],
                "data_kind",
                "ne se cochent que si",
            ),
            (
                |d| d.data_impact = vec![],
                "data_impact",
                "au moins une case",
            ),
            (
                |d| d.support_requested = "peut-être".into(),
                "support_requested",
                "accompagnement",
            ),
            (
                |d| d.patient_danger = "grave".into(),
                "patient_danger",
                "pas reconnu",
            ),
            (|d| d.title = "x".repeat(301), "title", "300 caractères"),
        ];
        for (change, field, message) in cases {
            let mut d = complete();
            change(&mut d);
            let errors = d.check(now()).1;
            let got = errors
                .get(field)
                .unwrap_or_else(|| panic!("no error on {field}: {errors:?}"));
            assert!(got.contains(message), "{field}: {got}");
        }
    }

    #[test]
    fn updates_keep_what_other_steps_typed() {
        let mut d = complete();
        d.update(
            2,
            &[
                ("care_impact".into(), "interrupted".into()),
                ("data_impact".into(), "disclosed".into()),
                ("data_impact".into(), "altered".into()),
            ],
        );
        assert_eq!(d.title, "Chiffrement de serveurs");
        assert_eq!(d.care_impact, "interrupted");
        assert_eq!(d.data_impact, ["disclosed", "altered"]);
        assert!(d.data_kind.is_empty());
    }
}
