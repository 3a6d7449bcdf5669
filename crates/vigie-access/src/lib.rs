//! Who may see and do what: roles, scopes, and the proofs of access that the rest of
//! Vigie requires before it shows or changes anything.
//!
//! **Invariant:** a [`Visible`] value can only be made here, by [`reveal`], after the
//! viewer's scope was checked against the facts of the object. Pages and API answers
//! take `Visible<_>`, so forgetting a check does not compile. Access is checked on the
//! server for every request; nothing here trusts the client.

use std::fmt;

use vigie_model::{CodeSet, Region, vocabulary};

vocabulary! {
    /// A national authority that receives alerts routed by the CERT.
    pub enum Authority ("authority") {
        /// Délégation au numérique en santé (information of the minister's cabinet).
        Dns = ("dns", "Délégation au numérique en santé (DNS)"),
        /// Fonctionnaire de sécurité des systèmes d'information des ministères sociaux.
        Fssi = ("fssi", "FSSI des ministères sociaux"),
        /// Direction générale de la santé, via the CORRUSS.
        DgsCorruss = ("dgs_corruss", "DGS via le CORRUSS"),
        /// Agence nationale de la sécurité des systèmes d'information.
        Anssi = ("anssi", "ANSSI"),
    }
}

vocabulary! {
    /// What a user is, which decides what they may see and do.
    pub enum Role ("role") {
        /// Staff of a health structure: its own structure only.
        Declarant = ("declarant", "Déclarant"),
        /// A GHT account: the GHT's member structures.
        Ght = ("ght", "Groupement hospitalier de territoire"),
        /// An ARS account: the structures of its region.
        Ars = ("ars", "Agence régionale de santé"),
        /// CERT analyst.
        Analyst = ("analyst", "Analyste du CERT"),
        /// CERT staff on call outside working hours.
        Oncall = ("oncall", "Astreinte du CERT"),
        /// A national authority: only the incidents routed to it.
        Authority = ("authority", "Autorité"),
        /// Administrator of the platform: accounts and structures, not incidents.
        Admin = ("admin", "Administrateur"),
    }
}

impl Role {
    /// Whether the role reads more than its own structure or administers the platform:
    /// CERT staff, administrators, and the GHT, ARS and authority accounts that read many
    /// structures' incidents (16-character passwords, TOTP mandatory). Only a declarant,
    /// who reads its own structure, logs in with a password alone.
    pub fn is_privileged(self) -> bool {
        !matches!(self, Role::Declarant)
    }
}

/// Identifier of a structure in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StructureId(pub i64);

/// Identifier of a user in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// What part of the world a user's role reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One structure (declarants).
    Structure(StructureId),
    /// The member structures of a GHT, by the GHT's name as the register gives it.
    Ght(String),
    /// One region (ARS).
    Region(Region),
    /// One national authority.
    Authority(Authority),
    /// The whole CERT (analysts and on-call).
    Cert,
    /// The platform's administration.
    Platform,
}

/// A role paired with a scope it cannot have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {role} account cannot have the scope {scope:?}")]
pub struct ScopeMismatch {
    /// The role.
    pub role: Role,
    /// The scope given.
    pub scope: Scope,
}

/// The user behind a request: who they are, their role and their scope, consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    user: UserId,
    role: Role,
    scope: Scope,
}

impl Viewer {
    /// Pairs a user's role with its scope; refuses pairs that do not belong together.
    pub fn new(user: UserId, role: Role, scope: Scope) -> Result<Viewer, ScopeMismatch> {
        let fits = matches!(
            (role, &scope),
            (Role::Declarant, Scope::Structure(_))
                | (Role::Ght, Scope::Ght(_))
                | (Role::Ars, Scope::Region(_))
                | (Role::Authority, Scope::Authority(_))
                | (Role::Analyst | Role::Oncall, Scope::Cert)
                | (Role::Admin, Scope::Platform)
        );
        if fits {
            Ok(Viewer { user, role, scope })
        } else {
            Err(ScopeMismatch { role, scope })
        }
    }

    /// The user.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Which incidents a listing may contain, for the store to turn into a query.
    pub fn incident_listing(&self) -> Listing {
        match &self.scope {
            Scope::Structure(id) => Listing::Structure(*id),
            Scope::Ght(name) => Listing::Ght(name.clone()),
            Scope::Region(region) => Listing::Region(*region),
            Scope::Authority(authority) => Listing::RoutedTo(*authority),
            Scope::Cert => Listing::All,
            Scope::Platform => Listing::Nothing,
        }
    }
}

/// The incidents a viewer may list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Every incident.
    All,
    /// Those of one structure.
    Structure(StructureId),
    /// Those of the member structures of a GHT.
    Ght(String),
    /// Those of the structures of a region.
    Region(Region),
    /// Those routed to an authority.
    RoutedTo(Authority),
    /// None.
    Nothing,
}

/// The facts about an incident that access depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    /// The declaring structure.
    pub structure: StructureId,
    /// The structure's GHT, if any.
    pub ght: Option<String>,
    /// The structure's region.
    pub region: Region,
    /// The authorities the incident was routed to.
    pub routed_to: CodeSet<Authority>,
}

/// What a request wants to do with an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentAction {
    /// Read the declaration, its messages and its state.
    Read,
    /// Write a message on the case or answer a request for complements.
    Message,
    /// Qualify, assign, route, close: the CERT's handling.
    Handle,
}

/// What a request wants to do about a structure (not about one of its incidents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StructureAction {
    /// Declare an incident for the structure.
    Declare,
    /// Invite colleagues, manage the structure's API tokens.
    ManageMembers,
}

/// The facts about a structure that access depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureFacts {
    /// The structure.
    pub id: StructureId,
    /// Its GHT, if any.
    pub ght: Option<String>,
    /// Its region.
    pub region: Region,
}

/// A refusal. It says nothing of the object, so it cannot leak whether it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("access denied")]
pub struct AccessDenied;

/// Whether `viewer` may do `action` on an incident with these facts.
pub fn allows(viewer: &Viewer, facts: &IncidentFacts, action: IncidentAction) -> bool {
    use IncidentAction::*;
    let in_scope = match &viewer.scope {
        Scope::Structure(id) => *id == facts.structure,
        Scope::Ght(name) => facts.ght.as_deref() == Some(name.as_str()),
        Scope::Region(region) => *region == facts.region,
        Scope::Authority(authority) => facts.routed_to.contains(*authority),
        Scope::Cert => true,
        Scope::Platform => false,
    };
    in_scope
        && matches!(
            (viewer.role, action),
            (_, Read)
                | (
                    Role::Declarant | Role::Ght | Role::Analyst | Role::Oncall,
                    Message
                )
                | (Role::Analyst | Role::Oncall, Handle)
        )
}

/// Whether `viewer` may do `action` about a structure.
pub fn allows_structure(viewer: &Viewer, facts: &StructureFacts, action: StructureAction) -> bool {
    match (&viewer.scope, action) {
        (Scope::Structure(id), _) => *id == facts.id,
        (Scope::Ght(name), StructureAction::Declare) => facts.ght.as_deref() == Some(name.as_str()),
        // On-call records incidents phoned in by any structure.
        (Scope::Cert, StructureAction::Declare) => true,
        (Scope::Platform, StructureAction::ManageMembers) => true,
        _ => false,
    }
}

/// A value the viewer was checked to be allowed to see.
pub struct Visible<T> {
    value: T,
}

impl<T> Visible<T> {
    /// The value.
    pub fn get(&self) -> &T {
        &self.value
    }

    /// Transforms the value, keeping the proof (a part of what may be seen may be seen).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Visible<U> {
        Visible {
            value: f(self.value),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Visible<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Visible").field(&self.value).finish()
    }
}

impl<T> std::ops::Deref for Visible<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Wraps `value` as visible if `viewer` may do `action` on the incident it belongs to.
pub fn reveal<T>(
    viewer: &Viewer,
    facts: &IncidentFacts,
    action: IncidentAction,
    value: T,
) -> Result<Visible<T>, AccessDenied> {
    if allows(viewer, facts, action) {
        Ok(Visible { value })
    } else {
        Err(AccessDenied)
    }
}

#[cfg(test)]
mod tests;
