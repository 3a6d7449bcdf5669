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
use vigie_access::{IncidentAction, Role, UserId, reveal};
use vigie_model::{CareImpact, CaseNumber, Code, Origin, PatientDanger, Region, StructureType};
use vigie_service::handling::{self, HandlingError};
use vigie_store::{QueueFilter, QueueSort};
use vigie_workflow::{
    case::CaseState,
    nis2::{self, Report},
    routing::{DEFAULT_RULES, Rules},
    support::{ReflexSheet, SupportAction},
};

use crate::{
    App, WebError,
    layout::Layout,
    pages::{
        cases::french,
        cases::{ComplementRetry, Nis2Retry, QualifyState, handled_case},
        choice::{Choice, choices, pick},
    },
    session::{Protected, SignedIn},
};

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
