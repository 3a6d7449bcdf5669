//! Vigie's web portal and JSON API: thin handlers that extract, check access, call the
//! store and render.
//!
//! **Invariant:** every route is declared in [`routes::ROUTES`] with the rule that guards
//! it; a test walks that table for every role and object. Access is checked on the
//! server for every request.

pub mod api;
mod declare_form;
mod error;
mod layout;
mod pages;
pub mod routes;
mod security;
pub mod serve;
mod session;

use std::{sync::Arc, time::Duration};

use axum::Router;
use jiff::Timestamp;
use vigie_store::Store;

pub use error::WebError;
pub use serve::{Limits, serve};

/// Where the clock comes from: the system in production, a fixed instant in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Settings of the portal.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address people use to reach the portal (for links in e-mails), without a trailing `/`.
    pub public_url: String,
    /// Send `Strict-Transport-Security` (the portal is reached over TLS).
    pub hsts: bool,
    /// How long a session lives.
    pub session_lifetime: Duration,
    /// The sender of e-mails.
    pub mail_from: String,
    /// Who signs the messages, like `CERT Santé`.
    pub cert_name: String,
    /// Login attempts (password or second factor) allowed at once from one address…
    pub login_burst: u32,
    /// …refilled over this period. A whole hospital may share one address: keep it loose;
    /// accounts are protected by their own lockout.
    pub login_period: Duration,
    /// Login attempts (password or second factor) allowed at once on one login name,
    /// whether it has an account or not, from any address…
    pub account_burst: u32,
    /// …refilled over this period. Failures also lock the name (`vigie_auth::Lockout`);
    /// this bounds the attempts of many addresses on one name.
    pub account_period: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client; the address of any other
    /// peer is the client's own.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Requests for the open data (`/donnees…`) allowed at once from one address…
    pub public_burst: u32,
    /// …refilled over this period: the pages are frozen files, but a crawler reading
    /// them in a loop still costs the database reads.
    pub public_period: Duration,
    /// Reports typeset at once (draft PDFs: ~1 s of one core each); the next wait…
    pub typesetting: usize,
    /// …up to this many, and further ones are answered 503 with `Retry-After`.
    pub typesetting_queue: usize,
    /// The server runs the demo (`vigie serve --demo`): demo accounts may log in. Without
    /// it they are refused, since their password is published.
    pub demo: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            hsts: false,
            session_lifetime: Duration::from_secs(8 * 3600),
            mail_from: "Vigie <ne-pas-repondre@vigie.localhost>".into(),
            cert_name: "CERT Santé".into(),
            login_burst: 30,
            login_period: Duration::from_secs(60),
            account_burst: 10,
            account_period: Duration::from_secs(600),
            trusted_proxies: Vec::new(),
            public_burst: 120,
            public_period: Duration::from_secs(60),
            typesetting: 1,
            typesetting_queue: 4,
            demo: false,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Store,
    /// Settings.
    pub settings: Arc<Settings>,
    /// The clock.
    pub clock: Clock,
    /// Per-address limits of login attempts.
    pub(crate) limiter: Arc<security::RateLimiter>,
    /// Per-name limits of login attempts.
    pub(crate) account_limiter: Arc<security::RateLimiter<String>>,
    /// Per-address limits of the open data's pages and files.
    pub(crate) public_limiter: Arc<security::RateLimiter>,
    /// Bounds the reports typeset at once, and those waiting.
    pub(crate) typesetting: Arc<security::Bounded>,
    /// The routing rules and alert directories, trusted for a few seconds.
    pub routing: Arc<vigie_service::handling::RoutingCache>,
    /// The observatory's figures, pre-aggregated, kept current in the background.
    pub observatory: Arc<vigie_service::observatory::Snapshots>,
}

impl App {
    /// A portal on `store`.
    pub fn new(store: Store, settings: Settings, clock: Clock) -> App {
        let limiter = security::RateLimiter::new(settings.login_burst, settings.login_period);
        let account_limiter =
            security::RateLimiter::new(settings.account_burst, settings.account_period);
        let public_limiter =
            security::RateLimiter::new(settings.public_burst, settings.public_period);
        let typesetting = security::Bounded::new(settings.typesetting, settings.typesetting_queue);
        App {
            public_limiter: Arc::new(public_limiter),
            typesetting: Arc::new(typesetting),
            store,
            settings: Arc::new(settings),
            observatory: vigie_service::observatory::Snapshots::new(clock.clone()),
            clock,
            limiter: Arc::new(limiter),
            account_limiter: Arc::new(account_limiter),
            routing: Arc::default(),
        }
    }

    /// How the portal presents itself in messages.
    pub fn portal(&self) -> vigie_service::accounts::Portal<'_> {
        vigie_service::accounts::Portal {
            public_url: &self.settings.public_url,
            cert_name: &self.settings.cert_name,
        }
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}

/// Europe/Paris, in which people read and type dates.
pub(crate) fn paris() -> &'static jiff::tz::TimeZone {
    vigie_model::calendar::paris()
}

/// The portal's router: pages, API, assets, with security headers on every answer.
pub fn router(app: App) -> Router {
    routes::build(app)
}
