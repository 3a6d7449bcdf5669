//! The declaring structure: a health or medico-social establishment, a lab, a provider.

use crate::{finess::Finess, region::Region, text::BoundedText, vocabulary};

vocabulary! {
    /// Kind of structure, in the schema's order (figure 8).
    pub enum StructureType ("structure type") {
        /// Établissement de santé public.
        EsPublic = ("es_public", "ES public"),
        /// Établissement de santé privé lucratif.
        EsPrive = ("es_prive", "ES privé lucratif"),
        /// Établissement de santé privé d'intérêt collectif.
        Espic = ("espic", "ES privé d'intérêt collectif"),
        /// Établissement ou service médico-social.
        Esms = ("esms", "Établissement ou service médico-social"),
        /// EHPAD (a kind of ESMS, counted apart).
        Ehpad = ("ehpad", "EHPAD"),
        /// Laboratoire de biologie médicale.
        Lab = ("lab", "Laboratoire de biologie médicale"),
        /// Centre de radiothérapie.
        Radiotherapy = ("radiotherapy", "Centre de radiothérapie"),
        /// Hôpital des armées.
        ArmyHospital = ("army_hospital", "Hôpital des armées"),
        /// Groupement régional d'appui au développement de la e-santé.
        Grades = ("grades", "GRADeS"),
        /// Prestataire ou éditeur.
        Provider = ("provider", "Prestataire / éditeur"),
        /// Autre.
        Other = ("other", "Autre"),
    }
}

vocabulary! {
    /// Legal status of the structure's legal entity (figure 9).
    pub enum LegalStatus ("legal status") {
        /// Public.
        Public = ("public", "Public"),
        /// Privé lucratif.
        PrivateForProfit = ("private_for_profit", "Privé lucratif"),
        /// Privé non lucratif.
        PrivateNonProfit = ("private_non_profit", "Privé non lucratif"),
    }
}

/// A structure's name: 1 to 300 characters.
pub type StructureName = BoundedText<1, 300>;
/// A GHT (groupement hospitalier de territoire) name: up to 200 characters.
pub type GhtName = BoundedText<1, 200>;

/// A declaring structure as the register and the declarations describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    /// FINESS number, the structure's identity.
    pub finess: Finess,
    /// Name.
    pub name: StructureName,
    /// Kind of structure.
    pub kind: StructureType,
    /// Legal status.
    pub legal_status: LegalStatus,
    /// Region.
    pub region: Region,
    /// Opérateur de services essentiels.
    pub ose: bool,
    /// GHT the structure belongs to, if any.
    pub ght: Option<GhtName>,
}
