//! `vigie serve`: the portal, and the delivery of its e-mails.

use std::{net::SocketAddr, process::ExitCode, sync::Arc, time::Duration};

use anyhow::Context as _;
use vigie_access::{Authority, Role, Scope};
use vigie_auth::{PasswordHash, SecretString, TotpSecret};
use vigie_mail::{Mailbox, Mailer, SmtpConfig};
use vigie_model::Code as _;
use vigie_model::Region;
use vigie_store::{NewUser, Store};
use vigie_web::{App, Settings};

/// Arguments of `vigie serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The address people use to reach the portal (links in e-mails); by default, the listening address.
    #[arg(long, env = "VIGIE_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP relay: `smtp+starttls://user:pass@host:587`, `smtps://host:465`, or `smtp://127.0.0.1:25` on loopback.
    #[arg(long, env = "VIGIE_SMTP_URL")]
    smtp: Option<String>,
    /// Sender of the e-mails.
    #[arg(
        long,
        env = "VIGIE_MAIL_FROM",
        default_value = "Vigie <ne-pas-repondre@vigie.localhost>"
    )]
    mail_from: String,
    /// Who signs the messages.
    #[arg(long, env = "VIGIE_CERT_NAME", default_value = "CERT Santé")]
    cert_name: String,
    /// The portal is reached over TLS (sends Strict-Transport-Security).
    #[arg(long)]
    hsts: bool,
    /// Serve even if the database does not sync each commit to disk (WAL and
    /// `synchronous=FULL` on SQLite, `fsync` and `synchronous_commit` on PostgreSQL):
    /// acknowledged declarations could then be lost in a power cut. For tests only.
    #[arg(long)]
    accept_unsafe_durability: bool,
    /// Load the demo data set and one demo account per role first (SQLite only).
    #[arg(long)]
    demo: bool,
    /// Hours without an answer before a request for complements is reminded.
    #[arg(long, default_value_t = 72)]
    complement_reminder_hours: u32,
    /// Reminders at most for one request for complements.
    #[arg(long, default_value_t = 3)]
    complement_reminders: u8,
    /// A reverse proxy in front of the portal (repeat for several): for requests from
    /// these addresses only, the client's address is read from `X-Forwarded-For`.
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Seconds a client has to send a request's headers; idle connections close after it.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a client has to send a request's body once its headers are in.
    #[arg(long, default_value_t = 30)]
    body_timeout: u64,
    /// Seconds to answer a request once its headers are in.
    #[arg(long, default_value_t = 300)]
    request_timeout: u64,
    /// Connections served at once; further ones wait to be accepted.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// The establishments register the demo is modelled on (DREES SAE folder); by default,
    /// the SAE 2023 shipped with Vigie.
    #[arg(long)]
    register: Option<std::path::PathBuf>,
}

/// The system clock: the one place the portal reads the time.
#[allow(clippy::disallowed_methods)]
fn system_clock() -> vigie_web::Clock {
    Arc::new(jiff::Timestamp::now)
}

/// The password of every demo account (16 characters, four classes).
const DEMO_PASSWORD: &str = "Demo-Vigie-2024!";

/// Creates one demo account per role and one per authority, if absent, each marked as a
/// demo account (refused at login unless the server runs with `--demo`); returns what to
/// print.
async fn demo_accounts(store: &Store, now: jiff::Timestamp) -> anyhow::Result<Vec<String>> {
    let structure = store
        .list_cases(&vigie_access::Listing::All, 1, 0)
        .await?
        .first()
        .map(|c| c.facts.structure)
        .context("the demo holds no incident")?;
    let declaring = store.structure(structure).await?;
    let name = declaring
        .as_ref()
        .map(|s| s.structure.name.to_string())
        .unwrap_or_default();
    // The GHT account reads the GHT of the demo declarant's structure, or the GHT with the
    // most declarations: a GHT with members, not an empty list.
    let ght = match declaring
        .and_then(|s| s.structure.ght)
        .map(|g| g.to_string())
    {
        Some(ght) => ght,
        None => store
            .busiest_ght()
            .await?
            .unwrap_or_else(|| "GHT Démo".to_owned()),
    };
    let hash = PasswordHash::hash(&SecretString::from(DEMO_PASSWORD))?;
    let mut accounts = vec![
        (
            "declarant@demo.vigie".to_owned(),
            "Déclarant de démonstration".to_owned(),
            Role::Declarant,
            Scope::Structure(structure),
        ),
        (
            "ght@demo.vigie".to_owned(),
            format!("{ght} (démonstration)"),
            Role::Ght,
            Scope::Ght(ght),
        ),
        (
            "ars@demo.vigie".to_owned(),
            "ARS Occitanie (démonstration)".to_owned(),
            Role::Ars,
            Scope::Region(Region::Occitanie),
        ),
        (
            "analyste@demo.vigie".to_owned(),
            "Analyste de démonstration".to_owned(),
            Role::Analyst,
            Scope::Cert,
        ),
        (
            "astreinte@demo.vigie".to_owned(),
            "Astreinte de démonstration".to_owned(),
            Role::Oncall,
            Scope::Cert,
        ),
    ];
    // Every authority the routing rules may alert has an account, so no routing of the
    // demo reaches nobody.
    for authority in Authority::ALL {
        let code = authority.code().replace('_', "-");
        accounts.push((
            format!("{code}@demo.vigie"),
            format!("{} (démonstration)", authority.label()),
            Role::Authority,
            Scope::Authority(*authority),
        ));
    }
    accounts.push((
        "admin@demo.vigie".to_owned(),
        "Administrateur de démonstration".to_owned(),
        Role::Admin,
        Scope::Platform,
    ));
    let mut lines = Vec::new();
    for (email, display_name, role, scope) in accounts {
        let user = match store.user_by_email(&email).await? {
            Some(user) => user,
            None => {
                let new = NewUser {
                    email: email.clone(),
                    display_name,
                    role,
                    scope,
                    password_hash: Some(hash.as_str().to_owned()),
                };
                let id = store.create_user(&new, now).await?;
                store.user(id).await?.context("demo account vanished")?
            }
        };
        store.mark_demo(user.id).await?;
        let mut line = format!(
            "  {:<36} {email:<26} mot de passe {DEMO_PASSWORD}",
            role.label()
        );
        if role.is_privileged() {
            let secret = match &user.totp_secret {
                Some(secret) => secret.clone(),
                None => {
                    let secret = TotpSecret::generate()?;
                    let base32 =
                        vigie_auth::ExposeSecret::expose_secret(&secret.to_base32()).to_owned();
                    store.set_totp(user.id, Some(&base32)).await?;
                    base32
                }
            };
            line.push_str(&format!(", clé TOTP {secret}"));
        }
        if role == Role::Declarant {
            line.push_str(&format!(" ({name})"));
        }
        lines.push(line);
    }
    Ok(lines)
}

/// Refuses to serve on a database that does not sync each commit to disk, unless told to.
async fn check_durability(store: &Store, accept: bool) -> anyhow::Result<()> {
    let unsafe_settings = store.durability().await?.unsafe_settings();
    if unsafe_settings.is_empty() {
        return Ok(());
    }
    let list = unsafe_settings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if accept {
        eprintln!(
            "Attention : la base ne synchronise pas chaque validation sur disque ({list}) ; \
             une coupure de courant peut perdre des déclarations acquittées."
        );
        return Ok(());
    }
    anyhow::bail!(
        "the database does not sync each commit to disk ({list}): acknowledged declarations \
         could be lost in a power cut; fix the engine's settings, or pass \
         --accept-unsafe-durability to serve anyway"
    )
}

/// Runs `vigie serve`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let clock = system_clock();
    let published = if args.demo {
        crate::demo::load(db, args.register.as_deref(), crate::demo::DEFAULT_SEED)
            .await?
            .published()
            .to_vec()
    } else {
        Vec::new()
    };
    let store = crate::open(db).await?;
    check_durability(&store, args.accept_unsafe_durability).await?;
    let (key, fingerprint) = store.secret_key();
    eprintln!(
        "Clé de scellement des secrets TOTP : {key} (empreinte {fingerprint}). Sauvegardez-la \
         à part de la base : sans elle, les vérifications en deux étapes sont perdues."
    );
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.listen));
    let accounts = if args.demo {
        demo_accounts(&store, clock()).await?
    } else {
        let demo = store.demo_accounts().await?;
        if demo > 0 {
            eprintln!(
                "Attention : cette base contient {demo} compte(s) de démonstration, au mot de \
                 passe publié ; ils sont refusés à la connexion tant que le portail n'est pas \
                 lancé avec --demo. Désactivez-les (vigie account disable --email …) sur une \
                 base réelle."
            );
        }
        Vec::new()
    };
    let from: Mailbox = args
        .mail_from
        .parse()
        .with_context(|| format!("--mail-from {}", args.mail_from))?;
    let mailer = match &args.smtp {
        Some(url) => Some(Mailer::new(SmtpConfig::from_url(url, from.clone())?)?),
        None => None,
    };
    let settings = Settings {
        public_url: public_url.clone(),
        hsts: args.hsts,
        session_lifetime: Duration::from_secs(8 * 3600),
        mail_from: args.mail_from.clone(),
        cert_name: args.cert_name.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        demo: args.demo,
        ..Settings::default()
    };
    let limits = vigie_web::Limits {
        header_read: Duration::from_secs(args.header_timeout.max(1)),
        body_read: Duration::from_secs(args.body_timeout.max(1)),
        request: Duration::from_secs(args.request_timeout.max(1)),
        max_connections: args.max_connections.max(1),
    };
    let app = App::new(store.clone(), settings, clock.clone());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    {
        // Every few minutes: expired sessions are forgotten, due reminders of requests for
        // complements are queued.
        let (store, clock, app) = (store.clone(), clock.clone(), app.clone());
        let quiet = jiff::SignedDuration::from_hours(i64::from(args.complement_reminder_hours));
        let max = i32::from(args.complement_reminders);
        tokio::spawn(async move {
            loop {
                if let Err(e) = store.delete_expired_sessions(clock()).await {
                    eprintln!("sessions: {e}");
                }
                // Failed logins are forgotten a day after the last one.
                let day_ago = clock() - jiff::SignedDuration::from_hours(24);
                if let Err(e) = store.forget_failed_logins(day_ago).await {
                    eprintln!("failed logins: {e}");
                }
                if let Err(e) = vigie_service::handling::remind_complements(
                    &store,
                    app.portal(),
                    quiet,
                    max,
                    clock(),
                )
                .await
                {
                    eprintln!("complements: {e}");
                }
                tokio::time::sleep(Duration::from_secs(300)).await;
            }
        });
    }
    {
        // The observatory's figures are counted once at start, in the background: the
        // first dashboard waits only for what is left of it.
        let (store, app) = (store.clone(), app.clone());
        tokio::spawn(async move {
            if let Err(e) = app.observatory.current(&store).await {
                eprintln!("observatory: {e}");
            }
        });
    }
    match mailer {
        Some(mailer) => {
            let (store, clock) = (store.clone(), clock.clone());
            tokio::spawn(async move {
                loop {
                    if let Err(e) =
                        vigie_service::outbox::deliver_due(&store, &mailer, clock()).await
                    {
                        eprintln!("outbox: {e}");
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            });
        }
        None => {
            eprintln!("Aucun relais SMTP (--smtp) : les courriels restent dans la file d'envoi.")
        }
    }
    println!("Vigie est ouvert sur {public_url}");
    if !accounts.is_empty() {
        println!("Comptes de démonstration :");
        for line in accounts {
            println!("{line}");
        }
    }
    if let Some(year) = published.last() {
        println!("Données ouvertes de l'observatoire : {public_url}/donnees");
        println!("Rapport annuel {year} : {public_url}/donnees/{year}/rapport.html");
    }
    vigie_web::serve(listener, vigie_web::router(app), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
