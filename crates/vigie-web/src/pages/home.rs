//! The home page.

use askama::Template;
use axum::{extract::State, response::Response};

use crate::{App, WebError, layout::Layout, session::SignedIn};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
}

/// `GET /`.
pub async fn show(State(_app): State<App>, who: Option<SignedIn>) -> Result<Response, WebError> {
    let layout = match &who {
        Some(who) => Layout::signed_in("Accueil", "home", who),
        None => Layout::anonymous("Accueil"),
    };
    super::render(&HomePage { layout })
}
