//! The CERT's qualification of an incident: origin, categories and their details.

use crate::{Code, set::CodeSet, text::BoundedText, vocabulary};

vocabulary! {
    /// Origin of an incident (figure 13).
    pub enum Origin ("origin") {
        /// Malveillante.
        Malicious = ("malicious", "Origine malveillante"),
        /// Non malveillante.
        NonMalicious = ("non_malicious", "Origine non malveillante"),
        /// Hors périmètre.
        OutOfScope = ("out_of_scope", "Hors périmètre"),
    }
}

vocabulary! {
    /// Category of an incident: the malicious ones first, then the non-malicious ones.
    pub enum Category ("category") {
        /// Rançongiciel.
        Ransomware = ("ransomware", "Rançongiciel"),
        /// Compromission de SI.
        SiCompromise = ("si_compromise", "Compromission de SI"),
        /// Compromission de compte (messagerie, AD, VPN).
        AccountCompromise = ("account_compromise", "Compromission de compte"),
        /// Vol d'identifiants (infostealer, vente sur Internet).
        CredentialTheft = ("credential_theft", "Vol d'identifiants"),
        /// Hameçonnage / harponnage.
        Phishing = ("phishing", "Hameçonnage / harponnage"),
        /// Exploitation de vulnérabilité.
        VulnExploitation = ("vuln_exploitation", "Exploitation de vulnérabilité"),
        /// Force brute.
        BruteForce = ("brute_force", "Force brute"),
        /// Fuite de données.
        DataLeak = ("data_leak", "Fuite de données"),
        /// Logiciel malveillant / virus.
        Malware = ("malware", "Logiciel malveillant / virus"),
        /// Déni de service.
        Ddos = ("ddos", "Déni de service"),
        /// Défiguration.
        Defacement = ("defacement", "Défiguration"),
        /// Autre (escroquerie par mail ou téléphone).
        OtherMalicious = ("other_malicious", "Autre (malveillant)"),
        /// Dysfonctionnement d'infrastructure.
        InfraFailure = ("infra_failure", "Dysfonctionnement d'infrastructure"),
        /// Perte du lien télécom.
        TelecomLoss = ("telecom_loss", "Perte du lien télécom"),
        /// Bug applicatif.
        AppBug = ("app_bug", "Bug applicatif"),
        /// Coupure électrique.
        PowerOutage = ("power_outage", "Coupure électrique"),
        /// Panne d'équipement.
        EquipmentFailure = ("equipment_failure", "Panne d'équipement"),
        /// Mise à jour problématique.
        FaultyUpdate = ("faulty_update", "Mise à jour problématique"),
        /// Autre (vulnérabilité déclarée non exploitée, faux positif).
        OtherNonMalicious = ("other_non_malicious", "Autre (non malveillant)"),
    }
}

impl Category {
    /// The origin this category belongs to.
    pub fn origin(self) -> Origin {
        if self <= Category::OtherMalicious {
            Origin::Malicious
        } else {
            Origin::NonMalicious
        }
    }

    /// The categories of one origin, in schema order.
    pub fn of_origin(origin: Origin) -> impl Iterator<Item = Category> {
        Category::ALL
            .iter()
            .copied()
            .filter(move |c| c.origin() == origin)
    }
}

vocabulary! {
    /// How far a ransomware reached.
    pub enum RansomwareReach ("ransomware reach") {
        /// Plusieurs serveurs.
        MultiServer = ("multi_server", "Plusieurs serveurs"),
        /// Un seul serveur.
        SingleServer = ("single_server", "Un seul serveur"),
        /// Un poste de travail.
        Workstation = ("workstation", "Un poste de travail"),
        /// Un prestataire.
        Provider = ("provider", "Un prestataire"),
    }
}

vocabulary! {
    /// Where an infrastructure failure happened.
    pub enum InfraSide ("infrastructure side") {
        /// Chez le prestataire.
        Provider = ("provider", "Côté prestataire"),
        /// Infrastructure locale.
        Local = ("local", "Infrastructure locale"),
    }
}

vocabulary! {
    /// Why an incident is out of scope.
    pub enum OutOfScopeReason ("out-of-scope reason") {
        /// Not an information system supporting health or medico-social care.
        NotHealthIs = ("not_health_is", "SI hors champ sanitaire ou médico-social"),
        /// A crisis exercise.
        Exercise = ("exercise", "Exercice de crise"),
    }
}

/// The name of a shared event (one cause hitting many structures), up to 200 characters.
pub type EventName = BoundedText<1, 200>;

/// A consistent qualification: categories of its origin only, and details only where
/// their category is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    origin: Origin,
    categories: CodeSet<Category>,
    ransomware_reach: Option<RansomwareReach>,
    infra_side: Option<InfraSide>,
    out_of_scope_reason: Option<OutOfScopeReason>,
    event: Option<EventName>,
}

/// Why a qualification is inconsistent; each names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualificationError {
    /// A category of the other origin, or any category out of scope.
    #[error("category `{category}` does not belong to origin `{origin}`")]
    CategoryOfOtherOrigin {
        /// The category.
        category: Category,
        /// The qualification's origin.
        origin: Origin,
    },
    /// A ransomware reach without the ransomware category.
    #[error("`ransomware_reach` needs the category `ransomware`")]
    ReachWithoutRansomware,
    /// An infrastructure side without the infrastructure failure category.
    #[error("`infra_side` needs the category `infra_failure`")]
    SideWithoutInfraFailure,
    /// A reason for being out of scope on an incident in scope.
    #[error("`out_of_scope_reason` needs the origin `out_of_scope`")]
    ReasonInScope,
}

impl QualificationError {
    /// The interchange field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::CategoryOfOtherOrigin { .. } => "qualification.categories",
            Self::ReachWithoutRansomware => "qualification.ransomware_reach",
            Self::SideWithoutInfraFailure => "qualification.infra_side",
            Self::ReasonInScope => "qualification.out_of_scope_reason",
        }
    }
}

impl Qualification {
    /// Checks and builds a qualification.
    pub fn new(
        origin: Origin,
        categories: CodeSet<Category>,
        ransomware_reach: Option<RansomwareReach>,
        infra_side: Option<InfraSide>,
        out_of_scope_reason: Option<OutOfScopeReason>,
        event: Option<EventName>,
    ) -> Result<Self, QualificationError> {
        if let Some(category) = categories.iter().find(|c| c.origin() != origin) {
            return Err(QualificationError::CategoryOfOtherOrigin { category, origin });
        }
        if ransomware_reach.is_some() && !categories.contains(Category::Ransomware) {
            return Err(QualificationError::ReachWithoutRansomware);
        }
        if infra_side.is_some() && !categories.contains(Category::InfraFailure) {
            return Err(QualificationError::SideWithoutInfraFailure);
        }
        if out_of_scope_reason.is_some() && origin != Origin::OutOfScope {
            return Err(QualificationError::ReasonInScope);
        }
        Ok(Self {
            origin,
            categories,
            ransomware_reach,
            infra_side,
            out_of_scope_reason,
            event,
        })
    }

    /// Origin.
    pub fn origin(&self) -> Origin {
        self.origin
    }
    /// Categories (all of the origin's side).
    pub fn categories(&self) -> CodeSet<Category> {
        self.categories
    }
    /// Reach of the ransomware, when the incident is one.
    pub fn ransomware_reach(&self) -> Option<RansomwareReach> {
        self.ransomware_reach
    }
    /// Side of the infrastructure failure, when the incident is one.
    pub fn infra_side(&self) -> Option<InfraSide> {
        self.infra_side
    }
    /// Why the incident is out of scope, when it is.
    pub fn out_of_scope_reason(&self) -> Option<OutOfScopeReason> {
        self.out_of_scope_reason
    }
    /// The shared event the incident belongs to.
    pub fn event(&self) -> Option<&EventName> {
        self.event.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualification_rules() {
        use Category as C;
        let q = |o, cats: &[C], reach, side, reason| {
            Qualification::new(o, CodeSet::of(cats), reach, side, reason, None)
        };
        assert!(
            q(
                Origin::Malicious,
                &[C::Ransomware, C::Phishing],
                Some(RansomwareReach::Workstation),
                None,
                None
            )
            .is_ok()
        );
        assert_eq!(
            q(
                Origin::Malicious,
                &[C::Phishing, C::AppBug],
                None,
                None,
                None
            ),
            Err(QualificationError::CategoryOfOtherOrigin {
                category: C::AppBug,
                origin: Origin::Malicious
            })
        );
        assert_eq!(
            q(
                Origin::Malicious,
                &[C::Phishing],
                Some(RansomwareReach::Workstation),
                None,
                None
            ),
            Err(QualificationError::ReachWithoutRansomware)
        );
        assert_eq!(
            q(
                Origin::NonMalicious,
                &[C::AppBug],
                None,
                Some(InfraSide::Local),
                None
            ),
            Err(QualificationError::SideWithoutInfraFailure)
        );
        assert_eq!(
            q(
                Origin::Malicious,
                &[],
                None,
                None,
                Some(OutOfScopeReason::Exercise)
            ),
            Err(QualificationError::ReasonInScope)
        );
        assert_eq!(
            q(Origin::OutOfScope, &[C::Phishing], None, None, None).map_err(|e| e.field()),
            Err("qualification.categories")
        );
        assert_eq!(Category::of_origin(Origin::Malicious).count(), 12);
        assert_eq!(Category::of_origin(Origin::NonMalicious).count(), 7);
    }
}
