//! Errors as people see them: a French page (or a JSON body for the API), never internals.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

use crate::layout::Layout;

/// What can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not signed in: go to the login page.
    #[error("not signed in")]
    SignIn,
    /// Signed in with a password; the second factor is still to be checked.
    #[error("second factor required")]
    SecondFactor,
    /// A privileged account must enrol a second factor first.
    #[error("second factor enrolment required")]
    Enrol,
    /// Signed in, but the role or scope does not allow it; nothing is said of the object.
    #[error("access denied")]
    Forbidden,
    /// No such page or object.
    #[error("not found")]
    NotFound,
    /// The request is malformed or forged (bad CSRF token, cross-site post).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// Too many attempts from this address or on this account.
    #[error("too many requests")]
    TooMany,
    /// The server is busy with costly work (typesetting); come back in a moment.
    #[error("busy")]
    Busy,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] vigie_store::StoreError),
    /// Randomness or hashing failed.
    #[error(transparent)]
    Auth(#[from] vigie_auth::AuthError),
    /// A template failed to render.
    #[error(transparent)]
    Render(#[from] askama::Error),
    /// The PDF of the report could not be typeset.
    #[error("typesetting the report: {0}")]
    Typeset(String),
    /// The observatory could not be computed (its reference data is unusable).
    #[error("observatory: {0}")]
    Observatory(String),
    /// The routing rules in force could not be read.
    #[error(transparent)]
    Rules(#[from] vigie_workflow::routing::RulesError),
}

impl From<vigie_service::observatory::ObservatoryError> for WebError {
    fn from(e: vigie_service::observatory::ObservatoryError) -> WebError {
        match e {
            vigie_service::observatory::ObservatoryError::Store(e) => WebError::Store(e),
            other => WebError::Observatory(other.to_string()),
        }
    }
}

impl From<vigie_service::handling::HandlingError> for WebError {
    fn from(e: vigie_service::handling::HandlingError) -> WebError {
        use vigie_service::handling::HandlingError as H;
        match e {
            H::NotAllowed => WebError::Forbidden,
            H::Rules(e) => WebError::Rules(e),
            H::Store(e) => WebError::Store(e),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: &'static str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match &self {
            WebError::SignIn => {
                return (StatusCode::SEE_OTHER, [("location", "/connexion")]).into_response();
            }
            WebError::SecondFactor => {
                return (StatusCode::SEE_OTHER, [("location", "/connexion/totp")]).into_response();
            }
            WebError::Enrol => {
                return (StatusCode::SEE_OTHER, [("location", "/compte/totp")]).into_response();
            }
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Accès refusé",
                "Votre compte ne donne pas accès à cette page.",
            ),
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page introuvable",
                "Cette page n'existe pas, ou plus.",
            ),
            WebError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "Requête refusée",
                "La requête n'a pas pu être traitée. Rechargez la page et réessayez.",
            ),
            WebError::TooMany => (
                StatusCode::TOO_MANY_REQUESTS,
                "Trop de tentatives",
                "Trop de tentatives ont été faites. Patientez quelques minutes avant de réessayer.",
            ),
            WebError::Busy => {
                let page = ErrorPage {
                    layout: Layout::anonymous("Service occupé"),
                    heading: "Service occupé",
                    message: "D'autres documents sont en cours de fabrication. Réessayez dans une minute.",
                };
                let body = page
                    .render()
                    .unwrap_or_else(|_| "Service occupé".to_owned());
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [("retry-after", "30")],
                    Html(body),
                )
                    .into_response();
            }
            WebError::Store(_)
            | WebError::Render(_)
            | WebError::Typeset(_)
            | WebError::Auth(_)
            | WebError::Rules(_)
            | WebError::Observatory(_) => {
                eprintln!("error: {self}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Erreur du service",
                    "Le service a rencontré une erreur. Rien de ce qui a été confirmé n'est perdu ; réessayez dans un instant.",
                )
            }
        };
        let page = ErrorPage {
            layout: Layout::anonymous(heading),
            heading,
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, heading).into_response(),
        }
    }
}
