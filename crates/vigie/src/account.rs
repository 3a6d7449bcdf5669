//! `vigie account …`: accounts and API tokens from the command line (the first
//! administrator of a new deployment is invited this way).

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use vigie_access::{Authority, Role, Scope, Viewer};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::{Code, Finess, Region};
use vigie_service::accounts::{NewInvitation, Portal};
use vigie_store::Store;

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Invite someone to create an account; prints the link (valid 72 hours).
    Invite {
        /// Their e-mail address (the login).
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// Role: declarant, ght, ars, analyst, oncall, authority or admin.
        #[arg(long)]
        role: String,
        /// FINESS number of the structure (declarants); taken from the register if needed.
        #[arg(long)]
        finess: Option<String>,
        /// Name of the GHT (GHT accounts).
        #[arg(long)]
        ght: Option<String>,
        /// INSEE code of the region (ARS accounts).
        #[arg(long)]
        region: Option<String>,
        /// Authority: dns, fssi, dgs_corruss or anssi (authority accounts).
        #[arg(long)]
        authority: Option<String>,
        /// The portal's public address, for the link.
        #[arg(
            long,
            env = "VIGIE_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// Who signs the messages.
        #[arg(long, env = "VIGIE_CERT_NAME", default_value = "CERT Santé")]
        cert_name: String,
    },
    /// Creates an API token for a structure; prints it once.
    Token {
        /// FINESS number of the structure.
        #[arg(long)]
        finess: String,
        /// What the token is for.
        #[arg(long)]
        label: String,
        /// The account in whose name the token writes (e-mail address).
        #[arg(long)]
        author: Option<String>,
    },
    /// Disables an account: it can no longer log in, its sessions end and the API tokens
    /// it created are revoked.
    Disable {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Enables a disabled account again (its lock and failure count cleared); the API
    /// tokens revoked with it stay revoked.
    Enable {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Removes an account's lost second factor: its sessions end and it enrols a new one
    /// at its next login (mandatory for CERT staff, GHT, ARS, authorities, administrators).
    ResetTotp {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Withdraws the pending invitations to an address: their links stop working.
    RevokeInvitation {
        /// The invited e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Revokes an API token by its number (as `Mon compte` and the administration list it).
    RevokeToken {
        /// The token's number.
        #[arg(long)]
        id: i64,
    },
}

/// The account with this address, or an error naming it.
async fn account(store: &Store, email: &str) -> anyhow::Result<vigie_store::UserRecord> {
    store
        .user_by_email(email)
        .await?
        .with_context(|| format!("no account {email}"))
}

/// The structure with this FINESS number, made known from the register if needed.
async fn structure(store: &Store, finess: &str) -> anyhow::Result<vigie_access::StructureId> {
    let finess = Finess::parse(finess)?;
    if let Some(record) = store.structure_by_finess(&finess).await? {
        return Ok(record.id);
    }
    let structure = store
        .structure_from_register(&finess)
        .await?
        .with_context(|| {
            format!("FINESS {finess} is neither a known structure nor in the loaded register")
        })?;
    Ok(store.save_structure(&structure).await?)
}

#[allow(clippy::disallowed_methods)]
fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Runs `vigie account`.
pub async fn run(db: &str, action: Action) -> anyhow::Result<ExitCode> {
    let store = crate::open(db).await?;
    match action {
        Action::Invite {
            email,
            name,
            role,
            finess,
            ght,
            region,
            authority,
            public_url,
            cert_name,
        } => {
            let role = Role::parse(&role)?;
            let scope = match role {
                Role::Declarant => Scope::Structure(
                    structure(
                        &store,
                        finess
                            .as_deref()
                            .context("--finess is required for a declarant")?,
                    )
                    .await?,
                ),
                Role::Ght => Scope::Ght(ght.context("--ght is required for a GHT account")?),
                Role::Ars => Scope::Region(Region::parse(
                    region
                        .as_deref()
                        .context("--region is required for an ARS account")?,
                )?),
                Role::Authority => Scope::Authority(Authority::parse(
                    authority.as_deref().context("--authority is required")?,
                )?),
                Role::Analyst | Role::Oncall => Scope::Cert,
                Role::Admin => Scope::Platform,
            };
            Viewer::new(vigie_access::UserId(0), role, scope.clone())?;
            let new = NewInvitation {
                email: &email,
                name: &name,
                role,
                scope,
                invited_by: None,
            };
            let portal = Portal {
                public_url: &public_url,
                cert_name: &cert_name,
            };
            let link = vigie_service::accounts::invite(&store, &new, portal, now()).await?;
            println!("Invitation pour {email} ({}) : {link}", role.label());
        }
        Action::Token {
            finess,
            label,
            author,
        } => {
            let structure = structure(&store, &finess).await?;
            let author = match author {
                Some(email) => Some(
                    store
                        .user_by_email(&email)
                        .await?
                        .with_context(|| format!("no account {email}"))?
                        .id,
                ),
                None => None,
            };
            let token = SecretToken::generate(TokenKind::Api)?;
            store
                .create_api_token(structure, &token.hash().to_hex(), &label, author, now())
                .await?;
            println!("{}", token.expose());
        }
        Action::Disable { email } => {
            let user = account(&store, &email).await?;
            store
                .disable_user(user.id, &crate::journal::operator(), now())
                .await?;
            println!(
                "Compte {} désactivé : sessions fermées, jetons d'API révoqués.",
                user.email
            );
        }
        Action::Enable { email } => {
            let user = account(&store, &email).await?;
            if store
                .enable_user(user.id, &crate::journal::operator(), now())
                .await?
            {
                println!("Compte {} réactivé.", user.email);
            } else {
                println!("Le compte {} n'était pas désactivé.", user.email);
            }
        }
        Action::ResetTotp { email } => {
            let user = account(&store, &email).await?;
            if store
                .reset_second_factor(user.id, &crate::journal::operator(), now())
                .await?
            {
                println!(
                    "Vérification en deux étapes de {} retirée : sessions fermées ; \
                     une nouvelle sera demandée à la prochaine connexion.",
                    user.email
                );
            } else {
                println!(
                    "Le compte {} n'avait pas de vérification en deux étapes.",
                    user.email
                );
            }
        }
        Action::RevokeInvitation { email } => {
            let n = store
                .revoke_invitations(&email, &crate::journal::operator(), now())
                .await?;
            if n == 0 {
                store.close().await;
                anyhow::bail!("no pending invitation to {email}");
            }
            println!("{n} invitation(s) à {email} retirée(s).");
        }
        Action::RevokeToken { id } => {
            match store
                .revoke_any_api_token(id, &crate::journal::operator(), now())
                .await?
            {
                Some(_) => println!("Jeton d'API n° {id} révoqué."),
                None => {
                    store.close().await;
                    anyhow::bail!("no live API token number {id}");
                }
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
