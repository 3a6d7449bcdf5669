//! Logging in: password, then the second factor; logging out.

use askama::Template;
use axum::{
    Form,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use vigie_auth::{
    Lockout, PasswordHash, RecoveryCodes, RecoveryHash, SecretString, TotpSecret, dummy_verify,
    totp,
};
use vigie_store::{Login, LoginFactor, LoginRefusal};

use crate::{
    App, WebError,
    layout::Layout,
    security::{ClientIp, login_key, same_origin_proven},
    session::{self, AnySession, Protected, needs_second_factor},
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
}

/// What the login form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// The one message for every failed login, so that it tells nothing about the account.
const BAD_LOGIN: &str = "Adresse électronique ou mot de passe incorrect.";

/// The message for a demo account on a server that does not run the demo.
const DEMO_ONLY: &str = "Ce compte de démonstration ne fonctionne que sur un portail lancé \
     avec vigie serve --demo.";

/// The one message for a locked name, whether it has an account or not.
const LOCKED: &str =
    "Trop de tentatives : la connexion à ce compte est suspendue quelques minutes.";

/// The message when a wrong code locks the account and ends the half-open session.
const LOCKED_BY_CODES: &str = "Trop de codes erronés : la connexion à ce compte est suspendue \
     quelques minutes. Reconnectez-vous ensuite avec votre mot de passe.";

/// How long a session whose second factor is still to be checked (or enrolled) lives.
pub const HALF_SESSION: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// `GET /connexion`.
pub async fn form(State(_app): State<App>) -> Result<Response, WebError> {
    super::render(&LoginPage {
        layout: Layout::anonymous("Se connecter"),
        email: String::new(),
        error: None,
    })
}

fn failed(email: String, error: &'static str) -> Result<Response, WebError> {
    let page = LoginPage {
        layout: Layout::anonymous("Se connecter"),
        email,
        error: Some(error),
    };
    let mut response = super::render(&page)?;
    *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    Ok(response)
}

/// `POST /connexion`.
///
/// A name without an account is counted and locked like one that has an account, and
/// answered alike. A right password counts as nothing: only both factors passing clear
/// the failures (a password known to an attacker must not reopen guesses at the code).
pub async fn submit(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    // Login CSRF: a post that does not show it comes from the login page is refused.
    if !same_origin_proven(&headers) {
        return Err(WebError::Forbidden);
    }
    if !app.limiter.allow(ip) || !app.account_limiter.allow(login_key(&form.email)) {
        return Err(WebError::TooMany);
    }
    let now = app.now();
    let password = SecretString::from(form.password);
    let login = Login {
        factor: LoginFactor::Password,
        from: Some(ip),
    };
    let Some(user) = app.store.user_by_email(&form.email).await? else {
        dummy_verify(&password);
        let (_, locked_until) = app.store.login_name_failures(&form.email).await?;
        if locked_until.is_some_and(|until| until > now) {
            app.store
                .login_refused(None, &form.email, &login, LoginRefusal::Locked, now)
                .await?;
            return failed(form.email, LOCKED);
        }
        app.store
            .login_name_failed(&form.email, now, |failures| {
                Lockout::after(failures, now, now)
            })
            .await?;
        app.store
            .login_refused(None, &form.email, &login, LoginRefusal::UnknownAccount, now)
            .await?;
        return failed(form.email, BAD_LOGIN);
    };
    if user.locked_until.is_some_and(|until| until > now) {
        dummy_verify(&password);
        app.store
            .login_refused(
                Some(user.id),
                &form.email,
                &login,
                LoginRefusal::Locked,
                now,
            )
            .await?;
        return failed(form.email, LOCKED);
    }
    let hash = user
        .password_hash
        .as_deref()
        .and_then(|h| PasswordHash::parse(h).ok());
    let good = match &hash {
        Some(hash) => hash.verify(&password),
        None => {
            dummy_verify(&password);
            false
        }
    };
    if good && user.demo && !app.settings.demo {
        // A demo account's password is published: it opens nothing outside the demo.
        app.store
            .login_refused(
                Some(user.id),
                &form.email,
                &login,
                LoginRefusal::DemoOutsideDemo,
                now,
            )
            .await?;
        return failed(form.email, DEMO_ONLY);
    }
    if !good || user.disabled {
        app.store
            .login_failed(user.id, &login, now, |failures| {
                Lockout::after(failures, now, now)
            })
            .await?;
        return failed(form.email, BAD_LOGIN);
    }
    let second = needs_second_factor(&user);
    let lifetime = app.settings.session_lifetime;
    let (expires, cookie_life) = if second {
        // Journaled, but the failures stay until the second factor passes too.
        app.store.password_accepted(user.id, &login, now).await?;
        (now + HALF_SESSION, HALF_SESSION.unsigned_abs())
    } else {
        app.store.login_succeeded(user.id, &login, now).await?;
        (session::full_session_end(now, lifetime), lifetime)
    };
    let (token, csrf) = session::new_tokens()?;
    app.store
        .create_session(
            &token.hash().to_hex(),
            user.id,
            csrf.expose(),
            !second,
            now,
            expires,
        )
        .await?;
    let to = match (second, user.totp_secret.is_some()) {
        (false, _) => session::landing(user.viewer.role()),
        (true, true) => "/connexion/totp",
        (true, false) => "/compte/totp",
    };
    Ok((
        [(
            header::SET_COOKIE,
            session::open_cookie(&token, cookie_life),
        )],
        super::see_other(to),
    )
        .into_response())
}

/// `GET /connexion/totp`.
pub async fn totp_form(State(_app): State<App>, any: AnySession) -> Result<Response, WebError> {
    if any.session.mfa_done {
        return Ok(super::see_other(session::landing(
            any.session.user.viewer.role(),
        )));
    }
    if any.session.user.totp_secret.is_none() {
        return Err(WebError::Enrol);
    }
    super::render(&TotpPage {
        layout: Layout::anonymous("Vérification en deux étapes"),
        csrf: any.session.csrf,
        error: None,
    })
}

/// What the second-factor form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpForm {
    csrf: String,
    code: String,
}

/// `POST /connexion/totp`: a TOTP code, or a recovery code; each accepted once.
///
/// The account's lock applies here as at the password: a wrong code counts as a failure
/// of the account, and the failure that locks it also ends the half-open session, so the
/// next guess needs the password again, once the lock is over.
pub async fn totp_submit(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    any: AnySession,
    Form(form): Form<TotpForm>,
) -> Result<Response, WebError> {
    if !session::csrf_matches(&any.session.csrf, &form.csrf) {
        return Err(WebError::BadRequest("bad CSRF token"));
    }
    if any.session.mfa_done {
        return Ok(super::see_other(session::landing(
            any.session.user.viewer.role(),
        )));
    }
    let user = &any.session.user;
    if !app.limiter.allow(ip) || !app.account_limiter.allow(login_key(&user.email)) {
        return Err(WebError::TooMany);
    }
    let Some(secret) = user
        .totp_secret
        .as_deref()
        .and_then(|s| TotpSecret::from_base32(s).ok())
    else {
        return Err(WebError::Enrol);
    };
    let now = app.now();
    if user.locked_until.is_some_and(|until| until > now) {
        let login = Login {
            factor: LoginFactor::Totp,
            from: Some(ip),
        };
        app.store
            .login_refused(
                Some(user.id),
                &user.email,
                &login,
                LoginRefusal::Locked,
                now,
            )
            .await?;
        return signed_out(&app, &any, user.email.clone(), LOCKED).await;
    }
    let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
    let (accepted, factor) = match totp::verify(&secret, &form.code, now, last) {
        Ok(step) => {
            let fresh = app
                .store
                .accept_totp_step(user.id, i64::try_from(step).unwrap_or(i64::MAX))
                .await?;
            (fresh, LoginFactor::Totp)
        }
        Err(e) => match recovery(&app, user.id, &form.code, now).await? {
            true => (true, LoginFactor::RecoveryCode),
            // Six digits were a TOTP code; anything else, a recovery code.
            false if e == totp::TotpError::Malformed => (false, LoginFactor::RecoveryCode),
            false => (false, LoginFactor::Totp),
        },
    };
    let login = Login {
        factor,
        from: Some(ip),
    };
    if !accepted {
        let lock = app
            .store
            .login_failed(user.id, &login, now, |failures| {
                Lockout::after(failures, now, now)
            })
            .await?;
        if lock.is_some() {
            return signed_out(&app, &any, user.email.clone(), LOCKED_BY_CODES).await;
        }
        let page = TotpPage {
            layout: Layout::anonymous("Vérification en deux étapes"),
            csrf: any.session.csrf.clone(),
            error: Some(
                "Ce code n'est pas valide, ou il a déjà servi. Attendez le code suivant.".into(),
            ),
        };
        let mut response = super::render(&page)?;
        *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return Ok(response);
    }
    // Both factors passed: only now are the failures cleared.
    app.store.login_succeeded(user.id, &login, now).await?;
    // A new session token once the second factor is checked, for the session's full life.
    let (token, csrf) = session::new_tokens()?;
    let lifetime = app.settings.session_lifetime;
    app.store.delete_session(&any.token_hash).await?;
    app.store
        .create_session(
            &token.hash().to_hex(),
            user.id,
            csrf.expose(),
            true,
            now,
            session::full_session_end(now, lifetime),
        )
        .await?;
    Ok((
        [(header::SET_COOKIE, session::open_cookie(&token, lifetime))],
        super::see_other(session::landing(user.viewer.role())),
    )
        .into_response())
}

/// Ends a half-open session and shows the login page with `error`.
async fn signed_out(
    app: &App,
    any: &AnySession,
    email: String,
    error: &'static str,
) -> Result<Response, WebError> {
    app.store.delete_session(&any.token_hash).await?;
    let mut response = failed(email, error)?;
    response.headers_mut().insert(
        header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&session::close_cookie())
            .map_err(|_| WebError::BadRequest("cookie"))?,
    );
    Ok(response)
}

/// Uses a recovery code of the account, once.
pub(super) async fn recovery(
    app: &App,
    user: vigie_access::UserId,
    code: &str,
    now: jiff::Timestamp,
) -> Result<bool, WebError> {
    let stored = app.store.unused_recovery_codes(user).await?;
    let hashes: Vec<RecoveryHash> = stored
        .iter()
        .filter_map(|h| RecoveryHash::parse(h).ok())
        .collect();
    match RecoveryCodes::find(code, &hashes) {
        Some(i) => Ok(app
            .store
            .use_recovery_code(user, &hashes[i].to_hex(), now)
            .await?),
        None => Ok(false),
    }
}

/// What the logout form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogoutForm {}

/// `POST /deconnexion`.
pub async fn logout(
    State(app): State<App>,
    Protected { who, .. }: Protected<LogoutForm>,
) -> Result<Response, WebError> {
    app.store
        .logout(&who.token_hash, who.user.id, app.now())
        .await?;
    Ok((
        [(header::SET_COOKIE, session::close_cookie())],
        super::see_other("/"),
    )
        .into_response())
}
