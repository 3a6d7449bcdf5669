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

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::WebError;

/// Renders a page.
pub fn render(page: &impl Template) -> Result<Response, WebError> {
    Ok(Html(page.render()?).into_response())
}

/// Sends the browser to `to` after a form (303 See Other).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
