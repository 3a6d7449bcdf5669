//! The pages of the portal, in French.

pub mod account;
pub mod admin;
pub mod cases;
pub mod choice;
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
pub mod taxonomy;

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use vigie_access::Role;

use crate::{WebError, session::SignedIn};

pub(crate) use crate::session::{OBSERVERS, STAFF};

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
