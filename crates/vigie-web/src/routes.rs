//! Every route of the portal with the rule that guards it: the router is built from this
//! table and nothing else, so a route cannot exist without a rule.

use axum::{
    Router,
    http::{Method, header},
    middleware,
    response::IntoResponse,
    routing::{MethodRouter, get, post},
};

use crate::{App, api, pages, security};

/// Who may use a route. Handlers enforce it with their extractors and `vigie_access`;
/// the access-matrix test checks that they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone.
    Public,
    /// A session whose password was checked, second factor pending or being enrolled.
    Session,
    /// Any signed-in user (password and, where required, second factor).
    SignedIn,
    /// Declarants, for their own structure.
    Declarant,
    /// Declarants (their own structure) and administrators (any account).
    Members,
    /// Whoever may read this case (`IncidentAction::Read`).
    CaseRead,
    /// Whoever may write on this case (`IncidentAction::Message`).
    CaseMessage,
    /// Whoever holds a valid invitation link.
    Invitation,
    /// CERT staff (analysts and on-call).
    Staff,
    /// Administrators.
    Admin,
    /// Those who read the observatory's dashboards: CERT staff and national authorities.
    Observers,
    /// Whoever may handle this case (`IncidentAction::Handle`): CERT staff.
    CaseHandle,
    /// A structure's API token.
    ApiToken,
    /// A structure's API token, on one of that structure's cases.
    ApiCase,
}

/// A route: method, path (axum syntax) and rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: Method,
    /// Path, with `{case}`-style parameters.
    pub path: &'static str,
    /// Who may use it.
    pub rule: Rule,
}

const fn spec(method: Method, path: &'static str, rule: Rule) -> RouteSpec {
    RouteSpec { method, path, rule }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/vigie.css"),
    )
}

fn table() -> Vec<(RouteSpec, MethodRouter<App>)> {
    use Rule::*;
    vec![
        (spec(Method::GET, "/", Public), get(pages::home::show)),
        (
            spec(Method::GET, "/assets/vigie.css", Public),
            get(stylesheet),
        ),
        (
            spec(Method::GET, "/connexion", Public),
            get(pages::login::form),
        ),
        (
            spec(Method::POST, "/connexion", Public),
            post(pages::login::submit),
        ),
        (
            spec(Method::GET, "/connexion/totp", Session),
            get(pages::login::totp_form),
        ),
        (
            spec(Method::POST, "/connexion/totp", Session),
            post(pages::login::totp_submit),
        ),
        (
            spec(Method::POST, "/deconnexion", SignedIn),
            post(pages::login::logout),
        ),
        (
            spec(Method::GET, "/compte", SignedIn),
            get(pages::account::show),
        ),
        (
            spec(Method::GET, "/compte/totp", Session),
            get(pages::account::enrol_form),
        ),
        (
            spec(Method::POST, "/compte/totp", Session),
            post(pages::account::enrol),
        ),
        (
            spec(Method::GET, "/compte/mot-de-passe", SignedIn),
            get(pages::account::password_form),
        ),
        (
            spec(Method::POST, "/compte/mot-de-passe", SignedIn),
            post(pages::account::change_password),
        ),
        (
            spec(Method::POST, "/compte/jetons", Declarant),
            post(pages::account::create_token),
        ),
        (
            spec(Method::POST, "/compte/jetons/{id}/revoquer", Declarant),
            post(pages::account::revoke_token),
        ),
        (
            spec(Method::POST, "/compte/invitations", Members),
            post(pages::account::invite),
        ),
        (
            spec(Method::GET, "/invitation/{token}", Invitation),
            get(pages::account::invitation_form),
        ),
        (
            spec(Method::POST, "/invitation/{token}", Invitation),
            post(pages::account::accept),
        ),
        (
            spec(Method::GET, "/declarer", Declarant),
            get(pages::declare::start),
        ),
        (
            spec(Method::GET, "/declarer/etape/{step}", Declarant),
            get(pages::declare::show),
        ),
        (
            spec(Method::POST, "/declarer/etape/{step}", Declarant),
            post(pages::declare::submit),
        ),
        (
            spec(Method::GET, "/declarations", SignedIn),
            get(pages::cases::list),
        ),
        (
            spec(Method::GET, "/declarations/{case}", CaseRead),
            get(pages::cases::show),
        ),
        (
            spec(Method::GET, "/declarations/{case}/recu", CaseRead),
            get(pages::cases::receipt),
        ),
        (
            spec(Method::POST, "/declarations/{case}/messages", CaseMessage),
            post(pages::cases::add_message),
        ),
        (
            spec(Method::POST, "/declarations/{case}/nis2", CaseMessage),
            post(pages::handling::submit_nis2),
        ),
        (
            spec(
                Method::POST,
                "/declarations/{case}/qualification",
                CaseHandle,
            ),
            post(pages::handling::qualify),
        ),
        (
            spec(Method::POST, "/declarations/{case}/attribution", CaseHandle),
            post(pages::handling::assign),
        ),
        (
            spec(Method::POST, "/declarations/{case}/complements", CaseHandle),
            post(pages::handling::request_complements),
        ),
        (
            spec(Method::POST, "/declarations/{case}/etat", CaseHandle),
            post(pages::handling::set_state),
        ),
        (
            spec(
                Method::POST,
                "/declarations/{case}/accompagnement",
                CaseHandle,
            ),
            post(pages::handling::record_support),
        ),
        (
            spec(Method::POST, "/declarations/{case}/fiche", CaseHandle),
            post(pages::handling::send_sheet),
        ),
        (
            spec(Method::GET, "/fiches-reflexes", Staff),
            get(pages::handling::sheets),
        ),
        (
            spec(Method::GET, "/fiches-reflexes/{sheet}", Staff),
            get(pages::handling::sheet),
        ),
        (
            spec(Method::POST, "/fiches-reflexes/{sheet}", Staff),
            post(pages::handling::save_sheet),
        ),
        (
            spec(Method::POST, "/declarations/{case}/evenement", CaseHandle),
            post(pages::events::link),
        ),
        (
            spec(Method::GET, "/evenements", Staff),
            get(pages::events::list),
        ),
        (
            spec(Method::POST, "/evenements", Staff),
            post(pages::events::create),
        ),
        (
            spec(Method::GET, "/evenements/{event}", Staff),
            get(pages::events::show),
        ),
        (
            spec(Method::POST, "/evenements/{event}/message", Staff),
            post(pages::events::message),
        ),
        (
            spec(Method::POST, "/evenements/{event}/public", Staff),
            post(pages::events::make_public),
        ),
        (
            spec(
                Method::GET,
                "/declarations/{case}/export/{format}",
                CaseHandle,
            ),
            get(pages::exports::case),
        ),
        (
            spec(Method::GET, "/traitement/export", Staff),
            get(pages::exports::selection),
        ),
        (
            spec(Method::GET, "/observatoire", Observers),
            get(pages::observatory::dashboard),
        ),
        (
            spec(Method::GET, "/observatoire/rapport/{year}", Staff),
            get(pages::report::editor),
        ),
        (
            spec(Method::GET, "/observatoire/rapport/{year}/apercu", Staff),
            get(pages::report::preview),
        ),
        (
            spec(
                Method::GET,
                "/observatoire/rapport/{year}/apercu.pdf",
                Staff,
            ),
            get(pages::report::preview_pdf),
        ),
        (
            spec(Method::POST, "/observatoire/rapport/{year}/textes", Staff),
            post(pages::report::save_text),
        ),
        (
            spec(Method::POST, "/observatoire/rapport/{year}/menaces", Staff),
            post(pages::report::add_threat),
        ),
        (
            spec(
                Method::POST,
                "/observatoire/rapport/{year}/menaces/suppression",
                Staff,
            ),
            post(pages::report::remove_threat),
        ),
        (
            spec(Method::GET, "/donnees", Public),
            get(pages::open_data::years),
        ),
        (
            spec(Method::GET, "/donnees/{year}", Public),
            get(pages::open_data::year),
        ),
        (
            spec(Method::GET, "/donnees/{year}/{file}", Public),
            get(pages::open_data::file),
        ),
        (
            spec(Method::GET, "/taxonomie", Public),
            get(pages::taxonomy::taxonomy_page),
        ),
        (
            spec(Method::GET, "/taxonomie.csv", Public),
            get(pages::taxonomy::taxonomy_csv),
        ),
        (
            spec(Method::GET, "/astreinte", Staff),
            get(pages::oncall::form),
        ),
        (
            spec(Method::POST, "/astreinte", Staff),
            post(pages::oncall::submit),
        ),
        (
            spec(Method::GET, "/traitement", Staff),
            get(pages::handling::queue),
        ),
        (
            spec(Method::GET, "/administration", Admin),
            get(pages::admin::overview),
        ),
        (
            spec(
                Method::POST,
                "/administration/comptes/{id}/desactiver",
                Admin,
            ),
            post(pages::admin::disable),
        ),
        (
            spec(
                Method::POST,
                "/administration/comptes/{id}/reactiver",
                Admin,
            ),
            post(pages::admin::enable),
        ),
        (
            spec(Method::POST, "/administration/comptes/{id}/totp", Admin),
            post(pages::admin::reset_totp),
        ),
        (
            spec(Method::POST, "/administration/invitations/retirer", Admin),
            post(pages::admin::revoke_invitation),
        ),
        (
            spec(Method::POST, "/administration/jetons/{id}/revoquer", Admin),
            post(pages::admin::revoke_token),
        ),
        (
            spec(Method::GET, "/administration/acheminement", Admin),
            get(pages::handling::rules),
        ),
        (
            spec(Method::POST, "/administration/acheminement", Admin),
            post(pages::handling::save_rules),
        ),
        (
            spec(Method::GET, "/api/openapi.json", Public),
            get(api::openapi),
        ),
        (
            spec(Method::POST, "/api/v1/declarations", ApiToken),
            post(api::create),
        ),
        (
            spec(Method::GET, "/api/v1/declarations", ApiToken),
            get(api::list),
        ),
        (
            spec(Method::GET, "/api/v1/declarations/{case}", ApiCase),
            get(api::read),
        ),
        (
            spec(
                Method::POST,
                "/api/v1/declarations/{case}/messages",
                ApiCase,
            ),
            post(api::message),
        ),
    ]
}

/// Every route of the portal with its rule.
pub fn specs() -> Vec<RouteSpec> {
    table().into_iter().map(|(spec, _)| spec).collect()
}

/// Builds the router from the table, with the security guard on every answer.
pub fn build(app: App) -> Router {
    let mut router = Router::new();
    for (spec, handler) in table() {
        router = router.route(spec.path, handler);
    }
    router
        .fallback(|| async { crate::WebError::NotFound })
        .layer(middleware::from_fn_with_state(app.clone(), security::guard))
        .with_state(app)
}
