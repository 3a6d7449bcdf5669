//! The pages of the portal, in French.

pub mod account;
pub mod cases;
pub mod declare;
pub mod events;
pub mod exports;
pub mod handling;
pub mod home;
pub mod login;
pub mod observatory;
pub mod oncall;
pub mod open_data;
pub mod report;

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use vigie_access::Role;

use crate::{WebError, session::SignedIn};

/// CERT staff: analysts and on-call.
pub(crate) const STAFF: &[Role] = &[Role::Analyst, Role::Oncall];

/// Who reads the observatory's dashboards: CERT staff and the national authorities.
pub(crate) const OBSERVERS: &[Role] = &[Role::Analyst, Role::Oncall, Role::Authority];

/// Refuses whoever's role is not among `roles`.
pub(crate) fn require(who: &SignedIn, roles: &[Role]) -> Result<(), WebError> {
    if roles.contains(&who.role()) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// Renders a page.
pub fn render(page: &impl Template) -> Result<Response, WebError> {
    Ok(Html(page.render()?).into_response())
}

/// Sends the browser to `to` after a form (303 See Other).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
