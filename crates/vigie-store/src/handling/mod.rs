//! The CERT's handling of a case, one module per concern: the queue and assignment,
//! qualification and routings, the routing rules, complements, NIS 2 reports, support and
//! reflex sheets, shared events.

use jiff::Timestamp;
use sqlx::{Postgres, QueryBuilder, Row as _, Sqlite};
use vigie_access::{Role, StructureId, UserId};
use vigie_model::{
    CareImpact, CaseNumber, Category, Code, CodeSet, DateTime, InfraSide, Origin, OutOfScopeReason,
    PatientDanger, Qualification, RansomwareReach, Region, StructureType,
};
use vigie_workflow::{
    case::CaseState,
    nis2::Report,
    routing::{Recipient, Routing},
    support::{ReflexSheet, SupportAction},
};

use vigie_journal::{Action, Actor, NewEntry, Payload, sha256_hex};

use crate::{
    Pool, Store, StoreError,
    decode::{case_number, parsed},
    decode::{instant, ns},
    journal::Append as _,
    on_pool,
    portal::{OutboxMail, enqueue},
    revision::BUMP,
};

mod complements;
mod events;
mod nis2;
mod qualification;
mod queue;
mod rules;
mod support;

pub use complements::*;
pub use events::*;
pub use nis2::*;
pub use qualification::*;
pub use queue::*;
pub use rules::*;
pub use support::*;

/// One column of a case changed, and how the journal records it.
struct Change {
    sql: &'static str,
    value: Value,
    action: Action,
    payload: Payload,
}

/// The new value of a changed column.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}
