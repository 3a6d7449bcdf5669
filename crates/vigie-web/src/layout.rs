//! What every page's frame shows: the title, and the signed-in user's menu.

use vigie_access::Role;
use vigie_model::Code;

use crate::session::SignedIn;

/// The signed-in user as the menu shows them.
pub struct NavUser {
    /// Display name.
    pub name: String,
    /// Role, in French.
    pub role: &'static str,
    /// The menu offers to declare.
    pub can_declare: bool,
    /// The menu offers the list of cases.
    pub can_list: bool,
    /// The menu offers the analyst queue.
    pub can_handle: bool,
    /// The menu offers the observatory's dashboards.
    pub can_observe: bool,
    /// The menu offers the administration of routing rules.
    pub is_admin: bool,
    /// What the list of cases is called for this role.
    pub cases_label: &'static str,
    /// The session's anti-CSRF token, for the logout form.
    pub csrf: String,
}

/// The frame of a page.
pub struct Layout {
    /// Title of the page (before "– Vigie").
    pub title: String,
    /// The signed-in user, if any.
    pub user: Option<NavUser>,
    /// Which menu entry is the current page.
    pub current: &'static str,
}

impl Layout {
    /// A page for anyone.
    pub fn anonymous(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            user: None,
            current: "",
        }
    }

    /// A page for a signed-in user.
    pub fn signed_in(title: &str, current: &'static str, who: &SignedIn) -> Layout {
        let role = who.user.viewer.role();
        Layout {
            title: title.to_owned(),
            user: Some(NavUser {
                name: who.user.display_name.clone(),
                role: role.label(),
                can_declare: matches!(role, Role::Declarant | Role::Ght | Role::Oncall),
                can_list: role != Role::Admin,
                can_handle: crate::session::STAFF.contains(&role),
                is_admin: role == Role::Admin,
                can_observe: crate::session::OBSERVERS.contains(&role),
                cases_label: if role == Role::Declarant {
                    "Mes déclarations"
                } else {
                    "Déclarations"
                },
                csrf: who.csrf.clone(),
            }),
            current,
        }
    }
}
