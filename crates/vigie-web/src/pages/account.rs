//! The account: second factor, recovery codes, API tokens, invitations; and accepting
//! an invitation.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use vigie_access::{Authority, Role, Scope};
use vigie_auth::{
    Lockout, PasswordHash, PasswordPolicy, RecoveryCodes, SecretString, SecretToken, TokenHash,
    TokenKind, TotpSecret, password, totp,
};
use vigie_mail::Mailbox;
use vigie_model::{Code, Finess, Region};
use vigie_service::accounts::{InviteError, NewInvitation};
use vigie_store::{
    ApiTokenRecord, InvitationRecord, Login, LoginFactor, NewSecondFactor, NewSession, NewUser,
};

use crate::{
    App, WebError,
    layout::Layout,
    security::ClientIp,
    session::{self, AnySession, Protected, SignedIn},
};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    csrf: String,
    email: String,
    role: &'static str,
    has_totp: bool,
    is_declarant: bool,
    is_admin: bool,
    tokens: Vec<ApiTokenRecord>,
    new_token: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    roles: Vec<(&'static str, &'static str)>,
    authorities: Vec<(&'static str, &'static str)>,
}

async fn account_page(
    app: &App,
    who: &SignedIn,
    new_token: Option<String>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let role = who.role();
    let tokens = match who.user.viewer.scope() {
        Scope::Structure(id) => app.store.api_tokens(*id).await?,
        _ => Vec::new(),
    };
    let page = AccountPage {
        layout: Layout::signed_in("Mon compte", "account", who),
        csrf: who.csrf.clone(),
        email: who.user.email.clone(),
        role: role.label(),
        has_totp: who.user.totp_secret.is_some(),
        is_declarant: role == Role::Declarant,
        is_admin: role == Role::Admin,
        tokens,
        new_token,
        notice,
        error: error.clone(),
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        authorities: Authority::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
    };
    let mut response = super::render(&page)?;
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /compte`.
pub async fn show(State(app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    account_page(&app, &who, None, None, None).await
}

#[derive(Template)]
#[template(path = "totp_enrol.html")]
struct EnrolPage {
    layout: Layout,
    csrf: String,
    secret: String,
    qr: String,
    error: Option<String>,
    /// A signed-in account confirms the change with its password…
    asks_password: bool,
    /// …and, if it has one, a code of its current second factor.
    asks_current: bool,
}

fn enrol_page(
    session: &vigie_store::SessionRecord,
    secret: &TotpSecret,
    error: Option<String>,
) -> Result<Response, WebError> {
    use vigie_auth::ExposeSecret as _;
    let svg = secret
        .qr_svg("Vigie", &session.user.email)
        .unwrap_or_default();
    let qr = format!("data:image/svg+xml;base64,{}", base64(svg.as_bytes()));
    let page = EnrolPage {
        layout: Layout::anonymous("Activer la vérification en deux étapes"),
        csrf: session.csrf.clone(),
        secret: secret.to_base32().expose_secret().to_owned(),
        qr,
        error: error.clone(),
        asks_password: session.mfa_done,
        asks_current: session.mfa_done && session.user.totp_secret.is_some(),
    };
    let mut response = super::render(&page)?;
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Standard base64 (for a `data:` URL).
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `GET /compte/totp`: enrolment (also reached right after a password, for privileged
/// accounts that have no second factor yet).
pub async fn enrol_form(State(_app): State<App>, any: AnySession) -> Result<Response, WebError> {
    if !any.session.mfa_done && any.session.user.totp_secret.is_some() {
        return Err(WebError::SecondFactor);
    }
    enrol_page(&any.session, &TotpSecret::generate()?, None)
}

/// What the enrolment form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnrolForm {
    csrf: String,
    secret: String,
    code: String,
    /// The account's password (asked of a signed-in account).
    password: String,
    /// A code of the current second factor, TOTP or recovery (asked when there is one).
    current: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    next: &'static str,
}

/// `POST /compte/totp`: checks a first code, then shows the recovery codes once.
///
/// Reached from "Mon compte" (a signed-in session), the change must be confirmed with the
/// password and, when a second factor exists, one of its codes: a session left open
/// somewhere must not be enough to take the account over. Wrong answers count as failed
/// logins of the account. The change ends every other session of the account and sends
/// its owner a notice.
pub async fn enrol(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    any: AnySession,
    Form(form): Form<EnrolForm>,
) -> Result<Response, WebError> {
    if !session::csrf_matches(&any.session.csrf, &form.csrf) {
        return Err(WebError::BadRequest("bad CSRF token"));
    }
    if !any.session.mfa_done && any.session.user.totp_secret.is_some() {
        return Err(WebError::SecondFactor);
    }
    let secret =
        TotpSecret::from_base32(&form.secret).map_err(|_| WebError::BadRequest("bad secret"))?;
    let now = app.now();
    let user = &any.session.user;
    if any.session.mfa_done {
        if user.locked_until.is_some_and(|until| until > now) {
            return enrol_page(
                &any.session,
                &secret,
                Some("Trop de tentatives : la modification est suspendue quelques minutes.".into()),
            );
        }
        if let Some(factor) = confirm_change(&app, user, &form.password, &form.current, now).await?
        {
            let login = Login {
                factor,
                from: Some(ip),
            };
            app.store
                .login_failed(user.id, &login, now, |failures| {
                    Lockout::after(failures, now, now)
                })
                .await?;
            return enrol_page(
                &any.session,
                &secret,
                Some("Mot de passe ou code actuel incorrect.".into()),
            );
        }
    }
    let step = match totp::verify(&secret, &form.code, now, None) {
        Ok(step) => step,
        Err(e) => return enrol_page(&any.session, &secret, Some(e.message_fr())),
    };
    let (codes, hashes) = RecoveryCodes::generate()?;
    let hashes: Vec<String> = hashes.iter().map(|h| h.to_hex()).collect();
    // The session is now fully signed in, under a new token; every other one ends.
    let (token, csrf) = session::new_tokens()?;
    let lifetime = app.settings.session_lifetime;
    let token_hash = token.hash().to_hex();
    let from = ip.to_string();
    let notice = if any.session.mfa_done {
        vigie_service::accounts::change_notice(
            vigie_service::accounts::AccountChange::SecondFactor,
            user.id,
            &user.email,
            Some(&from),
            app.portal(),
            now,
        )
    } else {
        None
    };
    app.store
        .replace_second_factor(
            user.id,
            &NewSecondFactor {
                totp_secret: &form.secret,
                totp_step: i64::try_from(step).unwrap_or(i64::MAX),
                recovery_hashes: &hashes,
                from: Some(ip),
            },
            &NewSession {
                token_hash: &token_hash,
                csrf: csrf.expose(),
                mfa_done: true,
                expires_at: session::full_session_end(now, lifetime),
            },
            notice.as_ref(),
            now,
        )
        .await?;
    if !any.session.mfa_done {
        // A privileged account's first login: password, then its first code.
        let login = Login {
            factor: LoginFactor::Totp,
            from: Some(ip),
        };
        app.store.login_succeeded(user.id, &login, now).await?;
    }
    let page = CodesPage {
        layout: Layout::anonymous("Vos codes de secours"),
        codes,
        next: session::landing(user.viewer.role()),
    };
    let cookie = session::open_cookie(&token, lifetime);
    Ok(([(header::SET_COOKIE, cookie)], super::render(&page)?).into_response())
}

/// Checks the password and the current second factor (a TOTP or recovery code)
/// confirming a change; the factor that failed, or `None` when both are right.
async fn confirm_change(
    app: &App,
    user: &vigie_store::UserRecord,
    password: &str,
    current: &str,
    now: jiff::Timestamp,
) -> Result<Option<LoginFactor>, WebError> {
    let password = SecretString::from(password.to_owned());
    let good_password = match user
        .password_hash
        .as_deref()
        .and_then(|h| PasswordHash::parse(h).ok())
    {
        Some(hash) => hash.verify(&password),
        None => {
            vigie_auth::dummy_verify(&password);
            false
        }
    };
    if !good_password {
        return Ok(Some(LoginFactor::Password));
    }
    let Some(current_secret) = user
        .totp_secret
        .as_deref()
        .and_then(|s| TotpSecret::from_base32(s).ok())
    else {
        return Ok(None);
    };
    let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
    match totp::verify(&current_secret, current, now, last) {
        Ok(step) => {
            let fresh = app
                .store
                .accept_totp_step(user.id, i64::try_from(step).unwrap_or(i64::MAX))
                .await?;
            Ok((!fresh).then_some(LoginFactor::Totp))
        }
        Err(totp::TotpError::Malformed) => {
            let used = super::login::recovery(app, user.id, current, now).await?;
            Ok((!used).then_some(LoginFactor::RecoveryCode))
        }
        Err(_) => Ok(Some(LoginFactor::Totp)),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    csrf: String,
    asks_current: bool,
    minimum: usize,
    errors: Vec<String>,
}

fn password_page(who: &SignedIn, errors: Vec<String>) -> Result<Response, WebError> {
    let page = PasswordPage {
        layout: Layout::signed_in("Changer de mot de passe", "account", who),
        csrf: who.csrf.clone(),
        asks_current: who.user.totp_secret.is_some(),
        minimum: policy(who.role()).min_chars(),
        errors: errors.clone(),
    };
    let mut response = super::render(&page)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /compte/mot-de-passe`.
pub async fn password_form(State(_app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    password_page(&who, Vec::new())
}

/// What the password form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    /// The password in use.
    password: String,
    /// A code of the current second factor, TOTP or recovery (asked when there is one).
    current: String,
    /// The new password, twice.
    new_password: String,
    confirm: String,
}

/// `POST /compte/mot-de-passe`: a new password, once the current one (and a code of the
/// second factor, if any) is confirmed: a session left open somewhere is not enough.
/// Wrong answers count as failed logins; the change ends every session of the account,
/// this one continuing under a new token, and sends its owner a notice.
pub async fn change_password(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Protected { who, form }: Protected<PasswordForm>,
) -> Result<Response, WebError> {
    let now = app.now();
    let user = &who.user;
    if user.locked_until.is_some_and(|until| until > now) {
        return password_page(
            &who,
            vec!["Trop de tentatives : la modification est suspendue quelques minutes.".into()],
        );
    }
    if let Some(factor) = confirm_change(&app, user, &form.password, &form.current, now).await? {
        let login = Login {
            factor,
            from: Some(ip),
        };
        app.store
            .login_failed(user.id, &login, now, |failures| {
                Lockout::after(failures, now, now)
            })
            .await?;
        let what = if factor == LoginFactor::Password {
            "Le mot de passe actuel est incorrect."
        } else {
            "Le code de vérification en deux étapes est incorrect."
        };
        return password_page(&who, vec![what.into()]);
    }
    let secret = SecretString::from(form.new_password);
    let mut errors: Vec<String> =
        password::check_all(&secret, policy(who.role()), Some(&user.email))
            .iter()
            .map(|e| e.message_fr())
            .collect();
    if vigie_auth::ExposeSecret::expose_secret(&secret) != form.confirm {
        errors.push("Les deux nouveaux mots de passe ne sont pas identiques.".into());
    }
    if vigie_auth::ExposeSecret::expose_secret(&secret) == form.password.as_str() {
        errors.push("Le nouveau mot de passe doit différer de l'actuel.".into());
    }
    if !errors.is_empty() {
        return password_page(&who, errors);
    }
    let hash = PasswordHash::hash(&secret)?;
    let (token, csrf) = session::new_tokens()?;
    let lifetime = app.settings.session_lifetime;
    let from = ip.to_string();
    let notice = vigie_service::accounts::change_notice(
        vigie_service::accounts::AccountChange::Password,
        user.id,
        &user.email,
        Some(&from),
        app.portal(),
        now,
    );
    app.store
        .change_password(
            user.id,
            hash.as_str(),
            &NewSession {
                token_hash: &token.hash().to_hex(),
                csrf: csrf.expose(),
                mfa_done: true,
                expires_at: session::full_session_end(now, lifetime),
            },
            notice.as_ref(),
            Some(ip),
            now,
        )
        .await?;
    let fresh = SignedIn {
        user: user.clone(),
        csrf: csrf.expose().to_owned(),
        token_hash: token.hash().to_hex(),
    };
    let mut response = account_page(
        &app,
        &fresh,
        None,
        Some("Mot de passe changé : vos autres sessions sont fermées.".into()),
        None,
    )
    .await?;
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::open_cookie(&token, lifetime)
            .parse()
            .map_err(|_| WebError::BadRequest("cookie"))?,
    );
    Ok(response)
}

/// What the API token form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    label: String,
}

fn own_structure(who: &SignedIn) -> Result<vigie_access::StructureId, WebError> {
    match who.user.viewer.scope() {
        Scope::Structure(id) if who.role() == Role::Declarant => Ok(*id),
        _ => Err(WebError::Forbidden),
    }
}

/// `POST /compte/jetons`: a new API token for the user's structure, shown once.
pub async fn create_token(
    State(app): State<App>,
    Protected { who, form }: Protected<TokenForm>,
) -> Result<Response, WebError> {
    let structure = own_structure(&who)?;
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return account_page(
            &app,
            &who,
            None,
            None,
            Some("Donnez un nom au jeton (100 caractères au plus), par exemple « SIEM ».".into()),
        )
        .await;
    }
    let token = SecretToken::generate(TokenKind::Api)?;
    app.store
        .create_api_token(
            structure,
            &token.hash().to_hex(),
            label,
            Some(who.user.id),
            app.now(),
        )
        .await?;
    account_page(&app, &who, Some(token.expose().to_owned()), None, None).await
}

/// What the revocation form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeForm {}

/// `POST /compte/jetons/{id}/revoquer`.
pub async fn revoke_token(
    State(app): State<App>,
    Path(id): Path<i64>,
    Protected { who, .. }: Protected<RevokeForm>,
) -> Result<Response, WebError> {
    let structure = own_structure(&who)?;
    if !app
        .store
        .revoke_api_token(
            structure,
            id,
            &vigie_store::Actor::User(who.user.id.0),
            app.now(),
        )
        .await?
    {
        return Err(WebError::NotFound);
    }
    Ok(super::see_other("/compte"))
}

/// What the invitation form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    finess: String,
    #[serde(default)]
    ght: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    authority: String,
}

/// `POST /compte/invitations`: a declarant invites a colleague of its own structure; an
/// administrator creates any account (a structure's first one included).
pub async fn invite(
    State(app): State<App>,
    Protected { who, form }: Protected<InviteForm>,
) -> Result<Response, WebError> {
    // Access first; only then is the input looked at.
    if !matches!(who.role(), Role::Declarant | Role::Admin) {
        return Err(WebError::Forbidden);
    }
    let now = app.now();
    let email = form.email.trim().to_lowercase();
    let name = form.display_name.trim().to_owned();
    if email.parse::<Mailbox>().is_err() || name.is_empty() {
        return account_page(
            &app,
            &who,
            None,
            None,
            Some("Indiquez une adresse électronique valide et un nom.".into()),
        )
        .await;
    }
    let (role, scope) = match who.role() {
        Role::Declarant => (Role::Declarant, Scope::Structure(own_structure(&who)?)),
        Role::Admin => {
            let role = Role::parse(&form.role).map_err(|_| WebError::BadRequest("unknown role"))?;
            let scope = match role {
                Role::Declarant => {
                    let Some(record) = Finess::parse(form.finess.trim()).ok() else {
                        return account_page(
                            &app,
                            &who,
                            None,
                            None,
                            Some("Indiquez un numéro FINESS valide (9 caractères).".into()),
                        )
                        .await;
                    };
                    let known = match app.store.structure_by_finess(&record).await? {
                        Some(r) => Some(r.id),
                        // A structure of the register becomes known when its first account is made.
                        None => match app.store.structure_from_register(&record).await? {
                            Some(structure) => Some(app.store.save_structure(&structure).await?),
                            None => None,
                        },
                    };
                    match known {
                        Some(id) => Scope::Structure(id),
                        None => {
                            return account_page(&app, &who, None, None, Some("Ce numéro FINESS n'est ni dans le répertoire chargé ni parmi les structures connues de Vigie.".into())).await;
                        }
                    }
                }
                Role::Ght if !form.ght.trim().is_empty() => Scope::Ght(form.ght.trim().to_owned()),
                Role::Ars => match Region::parse(form.region.trim()) {
                    Ok(region) => Scope::Region(region),
                    Err(_) => {
                        return account_page(
                            &app,
                            &who,
                            None,
                            None,
                            Some("Indiquez le code INSEE de la région de l'ARS.".into()),
                        )
                        .await;
                    }
                },
                Role::Authority => match Authority::parse(form.authority.trim()) {
                    Ok(authority) => Scope::Authority(authority),
                    Err(_) => {
                        return account_page(
                            &app,
                            &who,
                            None,
                            None,
                            Some("Choisissez l'autorité.".into()),
                        )
                        .await;
                    }
                },
                Role::Analyst | Role::Oncall => Scope::Cert,
                Role::Admin => Scope::Platform,
                Role::Ght => {
                    return account_page(
                        &app,
                        &who,
                        None,
                        None,
                        Some("Indiquez le nom du GHT.".into()),
                    )
                    .await;
                }
            };
            (role, scope)
        }
        _ => return Err(WebError::Forbidden),
    };
    let new = NewInvitation {
        email: &email,
        name: &name,
        role,
        scope,
        invited_by: Some(who.user.id),
    };
    match vigie_service::accounts::invite(&app.store, &new, app.portal(), now).await {
        Ok(_) => {}
        Err(InviteError::BadAddress(_)) => {
            return account_page(
                &app,
                &who,
                None,
                None,
                Some("Indiquez une adresse électronique valide et un nom.".into()),
            )
            .await;
        }
        Err(InviteError::Auth(e)) => return Err(e.into()),
        Err(InviteError::Store(e)) => return Err(e.into()),
    }
    account_page(
        &app,
        &who,
        None,
        Some(format!("Invitation envoyée à {email}.")),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    layout: Layout,
    name: String,
    email: String,
    role: &'static str,
    minimum: usize,
    errors: Vec<String>,
}

/// The invitation of a link's token, if still valid.
async fn invitation(app: &App, token: &str) -> Result<InvitationRecord, WebError> {
    let token = SecretToken::parse(TokenKind::Invitation, token).map_err(|_| WebError::NotFound)?;
    app.store
        .invitation(&token.hash().to_hex(), app.now())
        .await?
        .ok_or(WebError::NotFound)
}

fn policy(role: Role) -> PasswordPolicy {
    if role.is_privileged() {
        PasswordPolicy::Privileged
    } else {
        PasswordPolicy::User
    }
}

fn invitation_page(inv: &InvitationRecord, errors: Vec<String>) -> Result<Response, WebError> {
    let page = InvitationPage {
        layout: Layout::anonymous("Créer votre compte"),
        name: inv.display_name.clone(),
        email: inv.email.clone(),
        role: inv.role.label(),
        minimum: policy(inv.role).min_chars(),
        errors: errors.clone(),
    };
    let mut response = super::render(&page)?;
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /invitation/{token}`.
pub async fn invitation_form(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    invitation_page(&invitation(&app, &token).await?, Vec::new())
}

/// What the invitation form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    password: String,
    confirm: String,
}

/// `POST /invitation/{token}`: chooses the password and creates the account.
pub async fn accept(
    State(app): State<App>,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, WebError> {
    let inv = invitation(&app, &token).await?;
    let secret = SecretString::from(form.password);
    let mut errors: Vec<String> = password::check_all(&secret, policy(inv.role), Some(&inv.email))
        .iter()
        .map(|e| e.message_fr())
        .collect();
    if vigie_auth::ExposeSecret::expose_secret(&secret) != form.confirm {
        errors.push("Les deux mots de passe ne sont pas identiques.".into());
    }
    if !errors.is_empty() {
        return invitation_page(&inv, errors);
    }
    let hash = PasswordHash::hash(&secret)?;
    let user = NewUser {
        email: inv.email.clone(),
        display_name: inv.display_name.clone(),
        role: inv.role,
        scope: inv.scope.clone(),
        password_hash: Some(hash.as_str().to_owned()),
    };
    let token_hash = TokenHash::of(&token).to_hex();
    app.store
        .accept_invitation(&token_hash, &user, app.now())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(super::see_other("/connexion"))
}
