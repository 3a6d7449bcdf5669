//! Server-side sessions in a cookie, the signed-in user, and forms checked against CSRF.

use axum::{
    body::Body,
    extract::{Form, FromRequest, FromRequestParts, Request},
    http::{HeaderMap, request::Parts},
};
use serde::Deserialize;
use subtle::ConstantTimeEq as _;
use vigie_access::Role;
use vigie_auth::{SecretToken, TokenHash, TokenKind};
use vigie_store::{SessionRecord, UserRecord};

use crate::{App, WebError};

/// CERT staff: analysts and on-call.
pub(crate) const STAFF: &[Role] = &[Role::Analyst, Role::Oncall];

/// Who reads the observatory's dashboards: CERT staff and the national authorities.
pub(crate) const OBSERVERS: &[Role] = &[Role::Analyst, Role::Oncall, Role::Authority];

/// Name of the session cookie.
pub const COOKIE: &str = "vigie_session";

/// The session token sent by the browser, if any.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value that opens a session (Secure, HttpOnly, SameSite=Lax).
pub fn open_cookie(token: &SecretToken, lifetime: std::time::Duration) -> String {
    format!(
        "{COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        token.expose(),
        lifetime.as_secs()
    )
}

/// The `Set-Cookie` value that ends a session.
pub fn close_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

/// A live session, whether or not its second factor was checked yet.
pub struct AnySession {
    /// The session and its user.
    pub session: SessionRecord,
    /// Hash of the session token (the key in the store).
    pub token_hash: String,
}

impl FromRequestParts<App> for AnySession {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, WebError> {
        let token = session_token(&parts.headers).ok_or(WebError::SignIn)?;
        let token_hash = TokenHash::of(&token).to_hex();
        let session = app
            .store
            .session(&token_hash, app.now())
            .await?
            .ok_or(WebError::SignIn)?;
        Ok(AnySession {
            session,
            token_hash,
        })
    }
}

/// Where a role lands once signed in: administrators on the administration's overview,
/// everyone else on the cases they may read.
pub fn landing(role: Role) -> &'static str {
    match role {
        Role::Admin => "/administration",
        _ => "/declarations",
    }
}

/// Whether an account must pass a second factor to use the portal.
pub fn needs_second_factor(user: &UserRecord) -> bool {
    user.totp_secret.is_some() || user.viewer.role().is_privileged()
}

/// The signed-in user of a request: a live session whose second factor was checked.
pub struct SignedIn {
    /// The user, role and scope.
    pub user: UserRecord,
    /// The session's anti-CSRF token.
    pub csrf: String,
    /// Hash of the session token.
    pub token_hash: String,
}

impl SignedIn {
    /// The user's role.
    pub fn role(&self) -> Role {
        self.user.viewer.role()
    }
}

impl FromRequestParts<App> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, WebError> {
        let AnySession {
            session,
            token_hash,
        } = AnySession::from_request_parts(parts, app).await?;
        if !session.mfa_done {
            return Err(WebError::SecondFactor);
        }
        Ok(SignedIn {
            user: session.user,
            csrf: session.csrf,
            token_hash,
        })
    }
}

impl axum::extract::OptionalFromRequestParts<App> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Option<Self>, WebError> {
        match <SignedIn as FromRequestParts<App>>::from_request_parts(parts, app).await {
            Ok(who) => Ok(Some(who)),
            Err(WebError::SignIn | WebError::SecondFactor) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Whether a form's token is the session's (in constant time).
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// A form posted by the signed-in user, whose anti-CSRF token was checked.
pub struct Protected<T> {
    /// Who posted it.
    pub who: SignedIn,
    /// The form.
    pub form: T,
}

/// Largest form accepted (a declaration's texts included).
const FORM_LIMIT: usize = 256 * 1024;

impl<T> FromRequest<App> for Protected<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = WebError;

    async fn from_request(request: Request, app: &App) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let who = SignedIn::from_request_parts(&mut parts, app).await?;
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| WebError::BadRequest("form too large"))?;
        let rebuild =
            |bytes: axum::body::Bytes| Request::from_parts(parts.clone(), Body::from(bytes));
        let Form(token) = Form::<CsrfField>::from_request(rebuild(bytes.clone()), app)
            .await
            .map_err(|_| WebError::BadRequest("unreadable form"))?;
        if !csrf_matches(&who.csrf, &token.csrf) {
            return Err(WebError::BadRequest("bad CSRF token"));
        }
        let Form(form) = Form::<T>::from_request(rebuild(bytes), app)
            .await
            .map_err(|_| WebError::BadRequest("unreadable form"))?;
        Ok(Protected { who, form })
    }
}

/// When a session signed in in full at `now` ends: `lifetime` later (8 hours if that is
/// beyond what an instant can hold).
pub fn full_session_end(now: jiff::Timestamp, lifetime: std::time::Duration) -> jiff::Timestamp {
    let lifetime =
        jiff::SignedDuration::try_from(lifetime).unwrap_or(jiff::SignedDuration::from_hours(8));
    now.saturating_add(lifetime).unwrap_or(jiff::Timestamp::MAX)
}

/// A fresh session token and its CSRF token.
pub fn new_tokens() -> Result<(SecretToken, SecretToken), vigie_auth::AuthError> {
    Ok((
        SecretToken::generate(TokenKind::Session)?,
        SecretToken::generate(TokenKind::Csrf)?,
    ))
}
