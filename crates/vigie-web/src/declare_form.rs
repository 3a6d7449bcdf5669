//! The declaration form: what was typed, kept as typed in a draft (a
//! [`vigie_model::RawDeclaration`]), checked step by step by the one parser of a
//! declaration, and sent through `vigie_service::declarations::declare`.

use jiff::Timestamp;
use vigie_model::{DeclarationErrors, RawDeclaration};

/// Every field of the form as typed (a draft, saved at each step).
pub type Draft = RawDeclaration;

/// The steps of the form.
pub const STEPS: [&str; 3] = ["Circonstances", "Impacts", "Vérification et envoi"];

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

    /// Adds the error of a field the declaration itself does not have (on-call fields).
    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }
}

impl From<&DeclarationErrors> for FieldErrors {
    fn from(errors: &DeclarationErrors) -> FieldErrors {
        FieldErrors(errors.0.iter().map(|e| (e.field, e.message())).collect())
    }
}

/// The fields each step shows (the others are kept from the draft).
const STEP_FIELDS: [&[&str]; 2] = [
    &[
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

/// Takes the fields of `step` (1-based) from a posted form, keeping the others.
pub fn update(draft: &mut Draft, step: usize, posted: &[(String, String)]) {
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
            "detected_at" => draft.detected_at = one("detected_at"),
            "title" => draft.title = one("title"),
            "description" => draft.description = one("description"),
            "measures_taken" => draft.measures_taken = one("measures_taken"),
            "affected_systems" => draft.affected_systems = one("affected_systems"),
            "state_at_declaration" => draft.state_at_declaration = one("state_at_declaration"),
            "support_requested" => draft.support_requested = one("support_requested"),
            "care_impact" => draft.care_impact = one("care_impact"),
            "degraded_hours" => draft.degraded_hours = one("degraded_hours"),
            "data_impact" => draft.data_impact = many("data_impact"),
            "data_kind" => draft.data_kind = many("data_kind"),
            "patient_danger" => draft.patient_danger = one("patient_danger"),
            _ => {}
        }
    }
}

/// Every error of a draft at `now`, as the declaration would be refused.
pub fn check(draft: &Draft, now: Timestamp) -> DeclarationErrors {
    draft.parse(now, crate::paris()).err().unwrap_or_default()
}

/// The errors of one step's fields.
pub fn check_step(draft: &Draft, step: usize, now: Timestamp) -> FieldErrors {
    let fields = STEP_FIELDS
        .get(step.wrapping_sub(1))
        .copied()
        .unwrap_or(&[]);
    FieldErrors::from(&check(draft, now).only(fields))
}

/// The first step with one of these errors, if any.
pub fn first_step_in_error(errors: &DeclarationErrors) -> Option<usize> {
    STEP_FIELDS
        .iter()
        .position(|fields| fields.iter().any(|f| errors.get(f).is_some()))
        .map(|i| i + 1)
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
        let one = check_step(&empty, 1, now());
        assert!(one.get("title").is_some() && one.get("state_at_declaration").is_some());
        assert!(one.get("care_impact").is_none());
        let two = check_step(&empty, 2, now());
        assert!(two.get("care_impact").is_some() && two.get("data_impact").is_some());
        assert_eq!(first_step_in_error(&check(&empty, now())), Some(1));
        assert_eq!(first_step_in_error(&check(&complete(), now())), None);
        let mut late = complete();
        late.patient_danger = String::new();
        assert_eq!(first_step_in_error(&check(&late, now())), Some(2));
    }

    #[test]
    fn updates_keep_what_other_steps_typed() {
        let mut d = complete();
        update(
            &mut d,
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
