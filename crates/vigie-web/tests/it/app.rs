//! A running portal for tests, and a browser-like client.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use reqwest::{StatusCode, header};
use vigie_access::{Role, Scope, StructureId};
use vigie_auth::{ExposeSecret, PasswordHash, SecretString, TotpSecret};
use vigie_mail::{Mailbox, Mailer, SmtpConfig};
use vigie_model::{CaseNumber, interchange::v1};
use vigie_service::outbox::{Delivery, deliver_due};
use vigie_store::{DeclarationTexts, NewUser, Store};
use vigie_test_support::SmtpServer;
use vigie_web::{App, Settings};

/// The password of every test account.
pub const PASSWORD: &str = "Correct-Horse-42-battery";

/// A portal on a fresh SQLite database, listening on loopback.
pub struct TestApp {
    /// Base URL.
    pub base: String,
    /// The database.
    pub store: Store,
    /// The SMTP server the outbox delivers to.
    pub smtp: SmtpServer,
    mailer: Mailer,
    clock: Arc<Mutex<Timestamp>>,
    _dir: tempfile::TempDir,
}

/// An account of the test.
#[derive(Clone)]
pub struct TestUser {
    /// Login.
    pub email: String,
    /// TOTP secret, if enrolled.
    pub totp: Option<String>,
}

impl TestApp {
    /// Starts a portal at 2024-11-28 09:15 Paris time.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Settings {
            login_burst: 1000,
            account_burst: 1000,
            public_burst: 1000,
            ..Settings::default()
        })
        .await
    }

    /// Starts a portal with these settings (its public URL is set to where it listens).
    pub async fn spawn_with(settings: Settings) -> TestApp {
        TestApp::spawn_limited(settings, vigie_web::Limits::default()).await
    }

    /// Starts a portal with these settings, served within these limits.
    pub async fn spawn_limited(settings: Settings, limits: vigie_web::Limits) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store =
            vigie_service::open(&format!("sqlite:{}", dir.path().join("vigie.db").display()))
                .await
                .unwrap();
        let clock = Arc::new(Mutex::new(
            "2024-11-28T08:15:00Z".parse::<Timestamp>().unwrap(),
        ));
        let reading = clock.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let settings = Settings {
            public_url: base.clone(),
            ..settings
        };
        let app = App::new(
            store.clone(),
            settings,
            Arc::new(move || *reading.lock().unwrap()),
        );
        let router = vigie_web::router(app);
        tokio::spawn(async move {
            vigie_web::serve(listener, router, limits, std::future::pending())
                .await
                .unwrap()
        });
        let smtp = SmtpServer::start().await;
        let from: Mailbox = "Vigie <vigie@cert.test>".parse().unwrap();
        let mailer = Mailer::new(SmtpConfig::from_url(&smtp.url(), from).unwrap()).unwrap();
        TestApp {
            base,
            store,
            smtp,
            mailer,
            clock,
            _dir: dir,
        }
    }

    /// The current instant of the portal.
    pub fn now(&self) -> Timestamp {
        *self.clock.lock().unwrap()
    }

    /// Publishes `year` at threshold 5 as `vigie publish --force --again` would (the
    /// portal's clock may stand in the year itself), its files frozen now.
    pub async fn publish(&self, year: i16) -> vigie_publication::PublishedYear {
        let now = self.now();
        vigie_service::publication::publish(
            &self.store,
            vigie_publication::Request {
                year,
                threshold: 5,
                force: true,
                again: true,
            },
            "CERT Santé",
            &vigie_store::Actor::System,
            now,
            vigie_model::calendar::paris_time(now).date(),
        )
        .await
        .unwrap()
    }

    /// Moves the portal's clock forward.
    pub fn advance(&self, by: SignedDuration) {
        let mut clock = self.clock.lock().unwrap();
        *clock += by;
    }

    /// A structure of the register.
    pub async fn structure(&self, finess: &str, region: &str, ght: &str) -> StructureId {
        let line = format!(
            r#"{{"declared_at":"2024-01-01T00:00:00Z","structure":{{"finess":"{finess}","name":"Centre hospitalier {finess}","type":"es_public","legal_status":"public","region":"{region}","ght":"{ght}"}},"state_at_declaration":"resolving","support_requested":false,"care_impact":"none","data_impact":["none"],"patient_danger":"none"}}"#
        );
        self.store
            .save_structure(&v1::parse_line(&line).unwrap().structure)
            .await
            .unwrap()
    }

    /// An account; privileged roles get a TOTP secret, others only if `totp`.
    pub async fn user(&self, email: &str, role: Role, scope: Scope, totp: bool) -> TestUser {
        let hash = PasswordHash::hash(&SecretString::from(PASSWORD)).unwrap();
        let new = NewUser {
            email: email.into(),
            display_name: email.split('@').next().unwrap().into(),
            role,
            scope,
            password_hash: Some(hash.as_str().into()),
        };
        let id = self.store.create_user(&new, self.now()).await.unwrap();
        let totp = (totp || role.is_privileged()).then(|| {
            TotpSecret::generate()
                .unwrap()
                .to_base32()
                .expose_secret()
                .to_owned()
        });
        if let Some(secret) = &totp {
            self.store.set_totp(id, Some(secret)).await.unwrap();
        }
        TestUser {
            email: email.into(),
            totp,
        }
    }

    /// A case declared directly in the store for a structure.
    pub async fn case(
        &self,
        structure: StructureId,
        finess: &str,
        region: &str,
        ght: &str,
    ) -> CaseNumber {
        self.case_titled(
            structure,
            finess,
            region,
            ght,
            &format!("Incident de {finess}"),
        )
        .await
    }

    /// A case declared directly in the store for a structure, with this title.
    pub async fn case_titled(
        &self,
        structure: StructureId,
        finess: &str,
        region: &str,
        ght: &str,
        title: &str,
    ) -> CaseNumber {
        let line = format!(
            r#"{{"declared_at":"2024-11-27T10:00:00+01:00","structure":{{"finess":"{finess}","name":"Centre hospitalier {finess}","type":"es_public","legal_status":"public","region":"{region}","ght":"{ght}"}},"state_at_declaration":"resolving","support_requested":false,"care_impact":"none","data_impact":["none"],"patient_danger":"none","title":"{title}"}}"#
        );
        let incident = v1::parse_line(&line).unwrap();
        self.store
            .declare(
                structure,
                &incident,
                None,
                &vigie_store::Actor::System,
                &DeclarationTexts::default(),
                &[],
                |_| vec![],
                self.now(),
            )
            .await
            .unwrap()
    }

    /// Delivers the outbox now.
    pub async fn deliver_mail(&self) -> Delivery {
        deliver_due(&self.store, &self.mailer, self.now())
            .await
            .unwrap()
    }

    /// A browser with no session.
    pub fn browser(&self) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
            cookie: None,
            csrf: None,
        }
    }

    /// A browser signed in as `user` (password, then TOTP when enrolled).
    pub async fn signed_in(&self, user: &TestUser) -> Browser {
        let mut b = self.browser();
        b.login(self, user).await;
        b
    }
}

/// An answer.
pub struct Page {
    /// Status.
    pub status: StatusCode,
    /// `Location`, for redirections.
    pub location: Option<String>,
    /// Headers.
    pub headers: header::HeaderMap,
    /// Body.
    pub body: String,
}

/// A browser-like client: keeps the session cookie and the last CSRF token it saw.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    /// The session cookie.
    pub cookie: Option<String>,
    /// The last anti-CSRF token seen in a page.
    pub csrf: Option<String>,
}

impl Browser {
    async fn answer(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if name == "vigie_session" {
                self.cookie = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        let location = headers
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        if let Some(i) = body.find(r#"name="csrf" value=""#) {
            let rest = &body[i + 19..];
            self.csrf = Some(rest[..rest.find('"').unwrap()].to_owned());
        }
        Page {
            status,
            location,
            headers,
            body,
        }
    }

    fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(c) => request.header(header::COOKIE, format!("vigie_session={c}")),
            None => request,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.with_cookie(self.http.get(format!("{}{path}", self.base)));
        let response = request.send().await.unwrap();
        self.answer(response).await
    }

    /// `POST path` with a form; the CSRF token seen last is added unless the form has one.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut fields: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if !form.iter().any(|(k, _)| *k == "csrf")
            && let Some(csrf) = &self.csrf
        {
            fields.push(("csrf".into(), csrf.clone()));
        }
        // As a browser posting a form of the portal's own pages.
        let request = self
            .with_cookie(self.http.post(format!("{}{path}", self.base)))
            .header("sec-fetch-site", "same-origin")
            .form(&fields);
        let response = request.send().await.unwrap();
        self.answer(response).await
    }

    /// Signs in with the password, then the current TOTP code if the account has one.
    pub async fn login(&mut self, app: &TestApp, user: &TestUser) {
        let page = self
            .post(
                "/connexion",
                &[("email", &user.email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "login of {}: {}",
            user.email,
            page.body
        );
        if let Some(secret) = &user.totp {
            assert_eq!(page.location.as_deref(), Some("/connexion/totp"));
            let form = self.get("/connexion/totp").await;
            assert_eq!(form.status, StatusCode::OK);
            let code = TotpSecret::from_base32(secret)
                .unwrap()
                .code(app.now())
                .unwrap();
            let done = self.post("/connexion/totp", &[("code", &code)]).await;
            let landing = done.location.as_deref();
            assert!(
                matches!(landing, Some("/declarations" | "/administration")),
                "{landing:?}: {}",
                done.body
            );
        } else {
            assert_eq!(page.location.as_deref(), Some("/declarations"));
        }
        // Load a page to learn the session's CSRF token.
        self.get("/compte").await;
    }
}
