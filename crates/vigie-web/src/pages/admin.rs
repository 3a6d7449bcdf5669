//! The administration: every account with its state, the invitations pending and the API
//! tokens of every structure, and what an administrator does to them (disable, enable,
//! remove a lost second factor, withdraw an invitation, revoke a token), each journaled.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use vigie_access::{Role, Scope, UserId};
use vigie_model::Code;
use vigie_store::Actor;

use crate::{App, WebError, layout::Layout, session::Protected, session::SignedIn};

/// An account as the administration lists it.
struct AccountRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    scope: String,
    state: &'static str,
    disabled: bool,
    has_totp: bool,
    demo: bool,
    is_self: bool,
}

/// A pending invitation as listed.
struct InvitationRow {
    email: String,
    name: String,
    role: &'static str,
    scope: String,
    expires: String,
}

/// An API token as listed.
struct TokenRow {
    id: i64,
    structure: String,
    label: String,
    created: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    accounts: Vec<AccountRow>,
    invitations: Vec<InvitationRow>,
    tokens: Vec<TokenRow>,
    active: usize,
    disabled: usize,
    without_totp: usize,
}

/// Names of structures, looked up once each.
struct Names<'a> {
    app: &'a App,
    known: BTreeMap<i64, String>,
}

impl Names<'_> {
    async fn structure(&mut self, id: vigie_access::StructureId) -> Result<String, WebError> {
        if let Some(name) = self.known.get(&id.0) {
            return Ok(name.clone());
        }
        let name = match self.app.store.structure(id).await? {
            Some(record) => format!(
                "{} (FINESS {})",
                record.structure.name.as_str(),
                record.structure.finess
            ),
            None => format!("structure n° {}", id.0),
        };
        self.known.insert(id.0, name.clone());
        Ok(name)
    }

    async fn scope(&mut self, scope: &Scope) -> Result<String, WebError> {
        Ok(match scope {
            Scope::Structure(id) => self.structure(*id).await?,
            Scope::Ght(name) => format!("GHT {name}"),
            Scope::Region(region) => format!("ARS {}", region.label()),
            Scope::Authority(authority) => authority.label().to_owned(),
            Scope::Cert => "CERT".to_owned(),
            Scope::Platform => "Plateforme".to_owned(),
        })
    }
}

fn day(at: jiff::Timestamp) -> String {
    vigie_model::calendar::french_date_time(at)
}

async fn admin_page(
    app: &App,
    who: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let now = app.now();
    let mut names = Names {
        app,
        known: BTreeMap::new(),
    };
    let mut accounts = Vec::new();
    for user in app.store.users().await? {
        let locked = user.locked_until.is_some_and(|until| until > now);
        let state = if user.disabled {
            "Désactivé"
        } else if locked {
            "Verrouillé après des échecs"
        } else {
            "Actif"
        };
        accounts.push(AccountRow {
            id: user.id.0,
            name: user.display_name.clone(),
            email: user.email.clone(),
            role: user.viewer.role().label(),
            scope: names.scope(user.viewer.scope()).await?,
            state,
            disabled: user.disabled,
            has_totp: user.totp_secret.is_some(),
            demo: user.demo,
            is_self: user.id == who.user.id,
        });
    }
    let mut invitations = Vec::new();
    for pending in app.store.pending_invitations(now).await? {
        let inv = pending.invitation;
        invitations.push(InvitationRow {
            scope: names.scope(&inv.scope).await?,
            email: inv.email,
            name: inv.display_name,
            role: inv.role.label(),
            expires: day(inv.expires_at),
        });
    }
    let mut tokens = Vec::new();
    for token in app.store.all_api_tokens().await? {
        tokens.push(TokenRow {
            id: token.id,
            structure: names.structure(token.structure).await?,
            label: token.label,
            created: day(token.created_at),
            revoked: token.revoked_at.is_some(),
        });
    }
    let page = AdminPage {
        layout: Layout::signed_in("Administration", "admin", who),
        csrf: who.csrf.clone(),
        notice,
        error: error.clone(),
        active: accounts.iter().filter(|a| !a.disabled).count(),
        disabled: accounts.iter().filter(|a| a.disabled).count(),
        without_totp: accounts
            .iter()
            .filter(|a| !a.disabled && !a.has_totp)
            .count(),
        accounts,
        invitations,
        tokens,
    };
    let mut response = super::render(&page)?;
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /administration`: the administrators' overview.
pub async fn overview(State(app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    super::require(&who, &[Role::Admin])?;
    admin_page(&app, &who, None, None).await
}

/// A form with nothing but its anti-CSRF token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Empty {}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountAct {
    Disable,
    Enable,
    ResetTotp,
}

async fn act(app: &App, who: &SignedIn, id: i64, act: AccountAct) -> Result<Response, WebError> {
    super::require(who, &[Role::Admin])?;
    let user = app
        .store
        .user(UserId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    if user.id == who.user.id {
        let what = "Vous ne pouvez pas agir ainsi sur votre propre compte depuis l'administration : \
                    un autre administrateur le fait, ou la commande « vigie account ».";
        return admin_page(app, who, None, Some(what.to_owned())).await;
    }
    let by = Actor::User(who.user.id.0);
    let now = app.now();
    let notice = match act {
        AccountAct::Disable => {
            app.store.disable_user(user.id, &by, now).await?;
            format!(
                "Compte {} désactivé : ses sessions sont fermées et ses jetons d'API révoqués.",
                user.email
            )
        }
        AccountAct::Enable => {
            if app.store.enable_user(user.id, &by, now).await? {
                format!("Compte {} réactivé.", user.email)
            } else {
                format!("Le compte {} n'était pas désactivé.", user.email)
            }
        }
        AccountAct::ResetTotp => {
            if app.store.reset_second_factor(user.id, &by, now).await? {
                format!(
                    "Vérification en deux étapes de {} retirée : ses sessions sont fermées, \
                     une nouvelle lui sera demandée à sa prochaine connexion.",
                    user.email
                )
            } else {
                format!(
                    "Le compte {} n'avait pas de vérification en deux étapes.",
                    user.email
                )
            }
        }
    };
    admin_page(app, who, Some(notice), None).await
}

/// `POST /administration/comptes/{id}/desactiver`.
pub async fn disable(
    State(app): State<App>,
    Path(id): Path<i64>,
    Protected { who, .. }: Protected<Empty>,
) -> Result<Response, WebError> {
    act(&app, &who, id, AccountAct::Disable).await
}

/// `POST /administration/comptes/{id}/reactiver`.
pub async fn enable(
    State(app): State<App>,
    Path(id): Path<i64>,
    Protected { who, .. }: Protected<Empty>,
) -> Result<Response, WebError> {
    act(&app, &who, id, AccountAct::Enable).await
}

/// `POST /administration/comptes/{id}/totp`: removes a lost second factor.
pub async fn reset_totp(
    State(app): State<App>,
    Path(id): Path<i64>,
    Protected { who, .. }: Protected<Empty>,
) -> Result<Response, WebError> {
    act(&app, &who, id, AccountAct::ResetTotp).await
}

/// What the withdrawal of an invitation sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvitationForm {
    email: String,
}

/// `POST /administration/invitations/retirer`: withdraws the invitations to an address.
pub async fn revoke_invitation(
    State(app): State<App>,
    Protected { who, form }: Protected<InvitationForm>,
) -> Result<Response, WebError> {
    super::require(&who, &[Role::Admin])?;
    let by = Actor::User(who.user.id.0);
    let n = app
        .store
        .revoke_invitations(&form.email, &by, app.now())
        .await?;
    if n == 0 {
        return admin_page(
            &app,
            &who,
            None,
            Some("Aucune invitation en attente pour cette adresse.".to_owned()),
        )
        .await;
    }
    let notice = format!(
        "Invitation à {} retirée : son lien ne fonctionne plus.",
        form.email.trim().to_lowercase()
    );
    admin_page(&app, &who, Some(notice), None).await
}

/// `POST /administration/jetons/{id}/revoquer`: revokes any structure's API token.
pub async fn revoke_token(
    State(app): State<App>,
    Path(id): Path<i64>,
    Protected { who, .. }: Protected<Empty>,
) -> Result<Response, WebError> {
    super::require(&who, &[Role::Admin])?;
    let by = Actor::User(who.user.id.0);
    match app.store.revoke_any_api_token(id, &by, app.now()).await? {
        Some(_) => {
            let notice = format!("Jeton d'API n° {id} révoqué.");
            admin_page(&app, &who, Some(notice), None).await
        }
        None => Err(WebError::NotFound),
    }
}
