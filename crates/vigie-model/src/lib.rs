//! Vigie's vocabulary: who declares, what is declared, how the CERT qualifies it.
//!
//! Every code of the domain is a Rust type with a stable English code (for data, APIs
//! and exports) and a French label (for people). Values are parsed at the boundary:
//! once a [`Finess`], a [`Region`] or an [`Incident`] exists, it is valid.
//!
//! This crate does no I/O and knows no clock.

pub mod calendar;
pub mod case;
pub mod codes;
pub mod declaration;
pub mod finess;
pub mod incident;
pub mod interchange;
pub mod qualification;
pub mod region;
pub mod set;
pub mod structure;
pub mod taxonomy;
pub mod text;

pub use case::{CaseNumber, InvalidCaseNumber};
pub use codes::{Code, UnknownCode};
pub use declaration::{
    CareImpact, Channel, DataImpact, DataImpactCode, DataImpactError, DataKind, Declaration,
    DeclarationErrors, DegradedHours, DepositSlot, PatientDanger, RawDeclaration,
    StateAtDeclaration,
};
pub use finess::{Finess, InvalidFiness};
pub use incident::{DateTime, Handling, Incident, IncidentRef};
pub use qualification::{
    Category, InfraSide, Origin, OutOfScopeReason, Qualification, QualificationError,
    RansomwareReach,
};
pub use region::Region;
pub use set::CodeSet;
pub use structure::{LegalStatus, Structure, StructureType};
pub use text::{BoundedText, TextError};
