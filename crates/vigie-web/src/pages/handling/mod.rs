//! The CERT's side of a case, one module per concern: the analyst queue, the handling panel
//! of a case (qualification with its history, assignment, state, complements), the routing
//! rules, NIS 2 clocks and reports, support actions and the reflex sheets.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use vigie_access::{IncidentAction, Role, UserId, Visible, reveal};
use vigie_model::{
    CareImpact, CaseNumber, Category, Code, CodeSet, InfraSide, Origin, OutOfScopeReason,
    PatientDanger, Qualification, RansomwareReach, Region, StructureType,
};
use vigie_service::handling::{self, HandlingError};
use vigie_store::{CaseRecord, HandlingRecord, Judgement, QueueFilter, QueueSort};
use vigie_workflow::{
    case::CaseState,
    nis2::{self, Deadline, Report, Status},
    routing::{DEFAULT_RULES, Rules},
    support::{ReflexSheet, SupportAction},
};

use crate::{
    App, WebError,
    layout::Layout,
    pages::cases::french,
    session::{Protected, SignedIn},
};

/// A choice in a select or a group of boxes.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Label shown.
    pub label: String,
    /// Currently chosen.
    pub selected: bool,
}

pub(crate) fn choices<T: Code>(chosen: &[&str]) -> Vec<Choice> {
    T::ALL
        .iter()
        .map(|v| Choice {
            value: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: chosen.contains(&v.code()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The queue.

mod case;
mod nis2_reports;
mod queue;
mod rules;
mod sheets;
mod support;

pub use case::*;
pub use nis2_reports::*;
pub use queue::*;
pub use rules::*;
pub use sheets::*;
pub use support::*;
