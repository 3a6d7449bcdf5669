//! What a structure declares: when, how, and the impact on care and data.

mod parse;

pub use parse::{
    Declaration, DeclarationErrors, FIELDS, FieldError, Problem, RawDeclaration, TEXT_MAX,
    TITLE_MAX, UnreadableDraft,
};

use crate::{set::CodeSet, vocabulary};

vocabulary! {
    /// How the declaration reached the CERT.
    pub enum Channel ("channel") {
        /// The declaration portal.
        Portal = ("portal", "Portail de signalement"),
        /// Phoned in to the on-call analyst outside working hours.
        PhoneOncall = ("phone_oncall", "Appel à l'astreinte"),
        /// E-mail.
        Email = ("email", "Courriel"),
    }
}

vocabulary! {
    /// State of the incident when it was declared (figure 5).
    pub enum StateAtDeclaration ("state at declaration") {
        /// Résolu.
        Resolved = ("resolved", "Résolu"),
        /// En cours de résolution par la structure.
        Resolving = ("resolving", "En cours de résolution par la structure"),
        /// Sollicitation du CERT pour investigation ou remédiation.
        NeedsCert = ("needs_cert", "Sollicitation du CERT pour investigation ou remédiation"),
        /// Inconnu.
        Unknown = ("unknown", "Inconnu"),
    }
}

vocabulary! {
    /// Impact on the care of patients.
    pub enum CareImpact ("care impact") {
        /// Aucun.
        None = ("none", "Aucun impact"),
        /// Fonctionnement en mode dégradé.
        Degraded = ("degraded", "Fonctionnement en mode dégradé du système de prise en charge des patients"),
        /// Interruption de la prise en charge.
        Interrupted = ("interrupted", "Interruption de la prise en charge"),
    }
}

vocabulary! {
    /// One impact on data, in figure 10's order (`none` last).
    pub enum DataImpactCode ("data impact") {
        /// Données inaccessibles.
        Unavailable = ("unavailable", "Données inaccessibles"),
        /// Divulgation ou accès non autorisé.
        Disclosed = ("disclosed", "Divulgation ou accès non autorisé"),
        /// Altération.
        Altered = ("altered", "Altération des données"),
        /// Perte ou destruction.
        Destroyed = ("destroyed", "Perte ou destruction"),
        /// Aucun impact sur les données.
        None = ("none", "Aucun impact sur les données"),
    }
}

vocabulary! {
    /// Kind of data hit (figure 11).
    pub enum DataKind ("data kind") {
        /// Données de santé à caractère personnel.
        HealthPersonal = ("health_personal", "Données de santé à caractère personnel"),
        /// Informations à caractère personnel hors données patient.
        PersonalOther = ("personal_other", "Informations à caractère personnel hors données patient"),
        /// Données techniques sensibles.
        TechnicalSensitive = ("technical_sensitive", "Données techniques sensibles"),
        /// Informations confidentielles ou stratégiques.
        Confidential = ("confidential", "Informations confidentielles ou stratégiques"),
    }
}

vocabulary! {
    /// Endangerment of patients (figure 12).
    pub enum PatientDanger ("patient danger") {
        /// Aucune.
        None = ("none", "Aucune mise en danger"),
        /// Mise en danger potentielle.
        Potential = ("potential", "Mise en danger potentielle"),
        /// Mise en danger avérée.
        Actual = ("actual", "Mise en danger avérée"),
    }
}

vocabulary! {
    /// When a declaration was deposited, in Paris time (figure 4).
    pub enum DepositSlot ("deposit slot") {
        /// Working day, 09:00–17:59: heures et jours ouvrés.
        HoJo = ("ho_jo", "Jour ouvré, 9 h – 18 h (HO/JO)"),
        /// Working day, 18:00–18:29.
        Jo1800To1829 = ("jo_1800_1829", "Jour ouvré, 18 h – 18 h 30"),
        /// Working day, 18:30–19:59.
        Jo1830To1959 = ("jo_1830_1959", "Jour ouvré, 18 h 30 – 20 h"),
        /// Working day, 20:00–08:59.
        Jo2000To0859 = ("jo_2000_0859", "Jour ouvré, 20 h – 9 h"),
        /// Any time of a non-working day (week-end or public holiday).
        Jno = ("jno", "Jour non ouvré (JNO)"),
    }
}

/// The impact on data: either none, or one or more impacts with the kinds of data hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataImpact {
    impacts: CodeSet<DataImpactCode>,
    kinds: CodeSet<DataKind>,
}

/// Why an impact on data is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataImpactError {
    /// No impact given at all.
    #[error("must name at least one impact (`none` when data was not hit)")]
    Empty,
    /// `none` beside another impact.
    #[error("`none` cannot stand beside another impact")]
    NoneWithOthers,
    /// Kinds of data given while no data was hit.
    #[error("kinds of data cannot be given when `data_impact` is `none`")]
    KindsWithoutImpact,
}

impl DataImpact {
    /// No impact on data.
    pub const NONE: DataImpact = DataImpact {
        impacts: CodeSet::<DataImpactCode>::empty(),
        kinds: CodeSet::<DataKind>::empty(),
    };

    /// Checks that `impacts` is not empty, that `none` stands alone, and that kinds
    /// are only given when data was hit.
    pub fn new(
        impacts: CodeSet<DataImpactCode>,
        kinds: CodeSet<DataKind>,
    ) -> Result<Self, DataImpactError> {
        if impacts.is_empty() {
            return Err(DataImpactError::Empty);
        }
        if impacts.contains(DataImpactCode::None) {
            if impacts.len() > 1 {
                return Err(DataImpactError::NoneWithOthers);
            }
            if !kinds.is_empty() {
                return Err(DataImpactError::KindsWithoutImpact);
            }
            return Ok(Self::NONE);
        }
        Ok(Self { impacts, kinds })
    }

    /// The impacts as declared (`{none}` when data was not hit).
    pub fn impacts(self) -> CodeSet<DataImpactCode> {
        if self.impacts.is_empty() {
            CodeSet::of(&[DataImpactCode::None])
        } else {
            self.impacts
        }
    }

    /// The kinds of data hit (empty when data was not hit, or kinds are not known).
    pub fn kinds(self) -> CodeSet<DataKind> {
        self.kinds
    }

    /// Whether data was hit at all.
    pub fn is_none(self) -> bool {
        self.impacts.is_empty()
    }
}

/// How long care ran in degraded mode, in hours (finite, not negative).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct DegradedHours(f64);

impl DegradedHours {
    /// Accepts a finite, non-negative number of hours.
    pub fn new(hours: f64) -> Option<Self> {
        (hours.is_finite() && hours >= 0.0).then_some(Self(hours))
    }

    /// The number of hours.
    pub fn get(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_impact_rules() {
        use DataImpactCode as I;
        let none = CodeSet::of(&[I::None]);
        let kinds = CodeSet::of(&[DataKind::HealthPersonal]);
        assert_eq!(
            DataImpact::new(none, CodeSet::empty()),
            Ok(DataImpact::NONE)
        );
        assert_eq!(
            DataImpact::new(none, kinds),
            Err(DataImpactError::KindsWithoutImpact)
        );
        assert_eq!(
            DataImpact::new(CodeSet::of(&[I::None, I::Altered]), CodeSet::empty()),
            Err(DataImpactError::NoneWithOthers)
        );
        assert_eq!(
            DataImpact::new(CodeSet::empty(), CodeSet::empty()),
            Err(DataImpactError::Empty)
        );
        let hit = DataImpact::new(CodeSet::of(&[I::Disclosed]), kinds).unwrap();
        assert_eq!(hit.kinds(), kinds);
        assert!(!hit.is_none());
        assert_eq!(DataImpact::NONE.impacts(), none);
        assert_eq!(DegradedHours::new(-1.0), None);
        assert_eq!(DegradedHours::new(f64::NAN), None);
    }
}
