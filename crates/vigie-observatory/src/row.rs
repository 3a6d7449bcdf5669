//! One incident reduced to what the observatory counts, in a few bytes.

use vigie_model::calendar;
use vigie_model::{
    CareImpact, Category, CodeSet, DataImpactCode, DataKind, DepositSlot, Handling, Incident,
    InfraSide, LegalStatus, Origin, PatientDanger, RansomwareReach, Region, StateAtDeclaration,
    StructureType,
};

/// One incident as the observatory sees it: its Paris date and every counted dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Year of the declaration, in Paris time.
    pub year: i16,
    /// Month of the declaration (1–12), in Paris time.
    pub month: u8,
    /// Slot of figure 4.
    pub slot: DepositSlot,
    /// Dense identifier of the declaring structure (equal for equal FINESS numbers).
    pub structure: u32,
    /// Region of the structure.
    pub region: Region,
    /// Kind of structure.
    pub kind: StructureType,
    /// Legal status of the structure.
    pub legal_status: LegalStatus,
    /// The structure is an OSE.
    pub ose: bool,
    /// State at declaration.
    pub state: StateAtDeclaration,
    /// Support was requested.
    pub support_requested: bool,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// Impacts on data (`{none}` when none).
    pub data_impacts: CodeSet<DataImpactCode>,
    /// Kinds of data hit.
    pub data_kinds: CodeSet<DataKind>,
    /// Endangerment of patients.
    pub patient_danger: PatientDanger,
    /// Origin; `None` while not qualified.
    pub origin: Option<Origin>,
    /// Categories of the qualification.
    pub categories: CodeSet<Category>,
    /// Reach of a ransomware.
    pub ransomware_reach: Option<RansomwareReach>,
    /// Side of an infrastructure failure.
    pub infra_side: Option<InfraSide>,
    /// What the CERT did.
    pub handling: Handling,
}

impl Row {
    /// Reduces an incident; `structure` is the dense identifier of its structure.
    pub fn from_incident(incident: &Incident, structure: u32) -> Row {
        let at = incident.declared_at.timestamp();
        let local = calendar::paris_time(at);
        let q = incident.qualification.as_ref();
        Row {
            year: local.year(),
            month: local.month().unsigned_abs(),
            slot: calendar::deposit_slot(at),
            structure,
            region: incident.structure.region,
            kind: incident.structure.kind,
            legal_status: incident.structure.legal_status,
            ose: incident.structure.ose,
            state: incident.state_at_declaration,
            support_requested: incident.support_requested,
            care_impact: incident.care_impact,
            data_impacts: incident.data_impact.impacts(),
            data_kinds: incident.data_impact.kinds(),
            patient_danger: incident.patient_danger,
            origin: q.map(|q| q.origin()),
            categories: q.map(|q| q.categories()).unwrap_or_default(),
            ransomware_reach: q.and_then(|q| q.ransomware_reach()),
            infra_side: q.and_then(|q| q.infra_side()),
            handling: incident.handling,
        }
    }
}
