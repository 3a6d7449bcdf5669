//! The access matrix, as a table: every role against incidents in and out of its scope.

use super::*;
use IncidentAction::*;

fn viewer(role: Role, scope: Scope) -> Viewer {
    Viewer::new(UserId(1), role, scope).unwrap()
}

/// An incident of structure 7, member of GHT "Alpha", in Occitanie, routed to ANSSI.
fn ours() -> IncidentFacts {
    IncidentFacts {
        structure: StructureId(7),
        ght: Some("Alpha".into()),
        region: Region::Occitanie,
        routed_to: CodeSet::of(&[Authority::Anssi]),
    }
}

/// An incident of structure 8, GHT "Beta", in Bretagne, routed nowhere.
fn theirs() -> IncidentFacts {
    IncidentFacts {
        structure: StructureId(8),
        ght: Some("Beta".into()),
        region: Region::Bretagne,
        routed_to: CodeSet::empty(),
    }
}

#[test]
fn access_matrix() {
    let declarant = viewer(Role::Declarant, Scope::Structure(StructureId(7)));
    let ght = viewer(Role::Ght, Scope::Ght("Alpha".into()));
    let ars = viewer(Role::Ars, Scope::Region(Region::Occitanie));
    let anssi = viewer(Role::Authority, Scope::Authority(Authority::Anssi));
    let fssi = viewer(Role::Authority, Scope::Authority(Authority::Fssi));
    let analyst = viewer(Role::Analyst, Scope::Cert);
    let oncall = viewer(Role::Oncall, Scope::Cert);
    let admin = viewer(Role::Admin, Scope::Platform);
    // (viewer, [read, message, handle] on ours, [read, message, handle] on theirs)
    let table: &[(&Viewer, [bool; 3], [bool; 3])] = &[
        (&declarant, [true, true, false], [false; 3]),
        (&ght, [true, true, false], [false; 3]),
        (&ars, [true, false, false], [false; 3]),
        (&anssi, [true, false, false], [false; 3]),
        (&fssi, [false; 3], [false; 3]),
        (&analyst, [true; 3], [true; 3]),
        (&oncall, [true; 3], [true; 3]),
        (&admin, [false; 3], [false; 3]),
    ];
    for (viewer, on_ours, on_theirs) in table {
        for (i, action) in [Read, Message, Handle].into_iter().enumerate() {
            assert_eq!(
                allows(viewer, &ours(), action),
                on_ours[i],
                "{:?} {action:?} ours",
                viewer.role()
            );
            assert_eq!(
                allows(viewer, &theirs(), action),
                on_theirs[i],
                "{:?} {action:?} theirs",
                viewer.role()
            );
        }
    }
}

#[test]
fn structure_actions() {
    let s7 = StructureFacts {
        id: StructureId(7),
        ght: Some("Alpha".into()),
        region: Region::Occitanie,
    };
    let s8 = StructureFacts {
        id: StructureId(8),
        ght: None,
        region: Region::Occitanie,
    };
    let declarant = viewer(Role::Declarant, Scope::Structure(StructureId(7)));
    let ght = viewer(Role::Ght, Scope::Ght("Alpha".into()));
    let ars = viewer(Role::Ars, Scope::Region(Region::Occitanie));
    let oncall = viewer(Role::Oncall, Scope::Cert);
    let admin = viewer(Role::Admin, Scope::Platform);
    use StructureAction::*;
    assert!(
        allows_structure(&declarant, &s7, Declare)
            && allows_structure(&declarant, &s7, ManageMembers)
    );
    assert!(!allows_structure(&declarant, &s8, Declare));
    assert!(allows_structure(&ght, &s7, Declare) && !allows_structure(&ght, &s7, ManageMembers));
    assert!(!allows_structure(&ght, &s8, Declare));
    assert!(!allows_structure(&ars, &s7, Declare));
    assert!(
        allows_structure(&oncall, &s8, Declare) && !allows_structure(&oncall, &s8, ManageMembers)
    );
    assert!(
        allows_structure(&admin, &s8, ManageMembers) && !allows_structure(&admin, &s8, Declare)
    );
}

#[test]
fn roles_and_scopes_must_match() {
    assert!(Viewer::new(UserId(1), Role::Declarant, Scope::Cert).is_err());
    assert!(Viewer::new(UserId(1), Role::Admin, Scope::Structure(StructureId(1))).is_err());
    assert!(Viewer::new(UserId(1), Role::Analyst, Scope::Platform).is_err());
    assert!(Role::Admin.is_privileged() && !Role::Declarant.is_privileged());
    // Every account that reads many structures has a second factor and a long password.
    for role in [
        Role::Ght,
        Role::Ars,
        Role::Authority,
        Role::Analyst,
        Role::Oncall,
    ] {
        assert!(role.is_privileged(), "{role}");
    }
}

#[test]
fn visible_values_come_only_from_a_check() {
    let declarant = viewer(Role::Declarant, Scope::Structure(StructureId(7)));
    assert_eq!(
        reveal(&declarant, &ours(), Read, "case").map(|v| *v.get()),
        Ok("case")
    );
    assert_eq!(
        reveal(&declarant, &theirs(), Read, "case").map(|v| *v.get()),
        Err(AccessDenied)
    );
    assert_eq!(
        declarant.incident_listing(),
        Listing::Structure(StructureId(7))
    );
    assert_eq!(
        viewer(Role::Admin, Scope::Platform).incident_listing(),
        Listing::Nothing
    );
}
