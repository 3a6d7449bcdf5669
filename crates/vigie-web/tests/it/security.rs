//! Security of every answer and of signing in: headers, CSRF, cross-site writes, rate
//! limits and lockouts, the second factor, API tokens of disabled accounts, page bounds,
//! slow clients, who reads NIS 2 reports.

use jiff::SignedDuration;
use reqwest::StatusCode;
use vigie_access::{Role, Scope};
use vigie_auth::TotpSecret;

use crate::app::{Browser, PASSWORD, TestApp};

#[tokio::test]
async fn answers_carry_strict_security_headers() {
    let app = TestApp::spawn().await;
    let mut b = app.browser();
    for path in ["/", "/connexion", "/nulle-part"] {
        let page = b.get(path).await;
        let h = |name: &str| {
            page.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let csp = h("content-security-policy");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("referrer-policy"), "same-origin");
        assert_eq!(h("cache-control"), "no-store");
    }
    assert_eq!(b.get("/nulle-part").await.status, StatusCode::NOT_FOUND);
    let css = b.get("/assets/vigie.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains(":focus-visible"));
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_cross_site_posts_are_refused() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let mut b = app.signed_in(&alice).await;
    let cookie = b.cookie.clone().unwrap();
    let attempt = b
        .post(
            "/compte/jetons",
            &[("label", "SIEM"), ("csrf", "vgc_forged")],
        )
        .await;
    assert_eq!(attempt.status, StatusCode::BAD_REQUEST);
    // A post announced as cross-site by the browser is refused before anything runs.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf = b.csrf.clone().unwrap();
    let cross = http
        .post(format!("{}/compte/jetons", app.base))
        .header("cookie", format!("vigie_session={cookie}"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("label", "SIEM"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let origin = http
        .post(format!("{}/compte/jetons", app.base))
        .header("cookie", format!("vigie_session={cookie}"))
        .header("origin", "https://evil.example")
        .form(&[("label", "SIEM"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(origin.status(), StatusCode::FORBIDDEN);
    // With the token, from the same site, it works; the token is shown once.
    let ok = b.post("/compte/jetons", &[("label", "SIEM")]).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("<code>vga_"));
}

#[tokio::test]
async fn login_attempts_are_limited_per_address() {
    let settings = vigie_web::Settings {
        login_burst: 10,
        ..vigie_web::Settings::default()
    };
    let app = TestApp::spawn_with(settings).await;
    let mut b = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            b.post("/connexion", &[("email", "x@y.fr"), ("password", "nope")])
                .await
                .status,
        );
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_tls_answers_ask_browsers_to_keep_to_https() {
    let plain = TestApp::spawn().await;
    assert!(
        plain
            .browser()
            .get("/")
            .await
            .headers
            .get("strict-transport-security")
            .is_none()
    );
    let settings = vigie_web::Settings {
        hsts: true,
        login_burst: 1000,
        ..vigie_web::Settings::default()
    };
    let tls = TestApp::spawn_with(settings).await;
    let page = tls.browser().get("/").await;
    let hsts = page
        .headers
        .get("strict-transport-security")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(hsts.starts_with("max-age=63072000"), "{hsts}");
}

/// A code of `secret` that is wrong at `now` (the right one, shifted).
fn wrong_code(app: &TestApp, secret: &str) -> String {
    let code: u32 = TotpSecret::from_base32(secret)
        .unwrap()
        .code(app.now())
        .unwrap()
        .parse()
        .unwrap();
    format!("{:06}", (code + 500_000) % 1_000_000)
}

/// The code of `secret` at the portal's current time.
fn right_code(app: &TestApp, secret: &str) -> String {
    TotpSecret::from_base32(secret)
        .unwrap()
        .code(app.now())
        .unwrap()
}

#[tokio::test]
async fn a_known_password_does_not_reopen_guesses_at_the_second_factor() {
    let app = TestApp::spawn().await;
    let analyst = app
        .user("analyste@cert.test", Role::Analyst, Scope::Cert, false)
        .await;
    let secret = analyst.totp.clone().unwrap();
    async fn password(b: &mut Browser) -> crate::app::Page {
        b.post(
            "/connexion",
            &[("email", "analyste@cert.test"), ("password", PASSWORD)],
        )
        .await
    }
    let mut b = app.browser();
    assert_eq!(
        password(&mut b).await.location.as_deref(),
        Some("/connexion/totp")
    );
    b.get("/connexion/totp").await;
    for _ in 0..4 {
        let wrong = b
            .post("/connexion/totp", &[("code", &wrong_code(&app, &secret))])
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("pas valide"), "{}", wrong.body);
    }
    // The fifth wrong code locks the account and ends the half-open session.
    let half = b.cookie.clone();
    let last = b
        .post("/connexion/totp", &[("code", &wrong_code(&app, &secret))])
        .await;
    assert_eq!(last.status, StatusCode::UNAUTHORIZED);
    assert!(last.body.contains("Trop de codes erronés"), "{}", last.body);
    assert!(b.cookie.is_none(), "the cookie is cleared");
    b.cookie = half;
    assert_eq!(
        b.get("/connexion/totp").await.location.as_deref(),
        Some("/connexion")
    );
    // The right password does not reopen it while locked, nor clear the count.
    let mut c = app.browser();
    let locked = password(&mut c).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.body.contains("suspendue"));
    app.advance(SignedDuration::from_mins(2));
    assert_eq!(
        password(&mut c).await.location.as_deref(),
        Some("/connexion/totp")
    );
    let user = app
        .store
        .user_by_email(&analyst.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        user.failed_logins, 5,
        "a right password alone clears nothing"
    );
    // One more wrong code locks again at once (2 minutes now), ending that session too.
    c.get("/connexion/totp").await;
    let again = c
        .post("/connexion/totp", &[("code", &wrong_code(&app, &secret))])
        .await;
    assert!(
        again.body.contains("Trop de codes erronés"),
        "{}",
        again.body
    );
    // Even the right code is refused while the account is locked.
    app.advance(SignedDuration::from_secs(30));
    let mut d = app.browser();
    let refused = password(&mut d).await;
    assert!(refused.body.contains("suspendue"));
    // Once the lock is over, both factors pass and only then is the count cleared.
    app.advance(SignedDuration::from_mins(2));
    let mut e = app.browser();
    password(&mut e).await;
    e.get("/connexion/totp").await;
    let done = e
        .post("/connexion/totp", &[("code", &right_code(&app, &secret))])
        .await;
    assert_eq!(done.location.as_deref(), Some("/declarations"));
    let user = app
        .store
        .user_by_email(&analyst.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (0, None));
    // The code just used is refused in another session of the same step (replay).
    let mut f = app.browser();
    password(&mut f).await;
    f.get("/connexion/totp").await;
    let replay = f
        .post("/connexion/totp", &[("code", &right_code(&app, &secret))])
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.body.contains("déjà servi"));
}

#[tokio::test]
async fn a_half_signed_in_session_lives_minutes_not_hours() {
    let app = TestApp::spawn().await;
    let analyst = app
        .user("analyste@cert.test", Role::Analyst, Scope::Cert, false)
        .await;
    let mut b = app.browser();
    let first = b
        .post(
            "/connexion",
            &[("email", &analyst.email), ("password", PASSWORD)],
        )
        .await;
    let cookie = first
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Max-Age=600"), "{cookie}");
    assert_eq!(b.get("/connexion/totp").await.status, StatusCode::OK);
    app.advance(SignedDuration::from_mins(11));
    assert_eq!(
        b.get("/connexion/totp").await.location.as_deref(),
        Some("/connexion")
    );
    // Signed in in full, the session gets its whole life from then.
    let mut c = app.signed_in(&analyst).await;
    app.advance(SignedDuration::from_hours(7));
    assert_eq!(c.get("/compte").await.status, StatusCode::OK);
}

/// A login post from a client at `client` behind the proxy (or not) on loopback.
async fn login_from(app: &TestApp, client: &str, email: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/connexion", app.base))
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", client)
        .form(&[("email", email), ("password", "nope")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_login_budget() {
    let proxied = TestApp::spawn_with(vigie_web::Settings {
        login_burst: 3,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..vigie_web::Settings::default()
    })
    .await;
    for i in 0..3 {
        let email = format!("x{i}@y.fr");
        let r = login_from(&proxied, "198.51.100.7, 203.0.113.1", &email).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let spent = login_from(&proxied, "203.0.113.1", "x9@y.fr").await;
    assert_eq!(spent.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not blocked by the first.
    let other = login_from(&proxied, "203.0.113.2", "x9@y.fr").await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
    // The journal names the client, not the proxy.
    let entries = proxied.store.journal_entries(None, 100).await.unwrap();
    assert!(
        entries
            .iter()
            .all(|r| r.entry.payload.contains(r#""from":"203.0.113."#)),
        "{entries:?}"
    );

    // Without the setting, the header is the client's word and is ignored.
    let direct = TestApp::spawn_with(vigie_web::Settings {
        login_burst: 3,
        ..vigie_web::Settings::default()
    })
    .await;
    for i in 0..3 {
        let client = format!("203.0.113.{i}");
        let r = login_from(&direct, &client, "x@y.fr").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let spoofed = login_from(&direct, "203.0.113.200", "x@y.fr").await;
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn many_addresses_on_one_name_share_its_budget_whether_it_has_an_account_or_not() {
    let app = TestApp::spawn_with(vigie_web::Settings {
        login_burst: 100,
        account_burst: 3,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..vigie_web::Settings::default()
    })
    .await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    app.user(
        "astreinte@ch-exemple.fr",
        Role::Declarant,
        Scope::Structure(s1),
        false,
    )
    .await;
    for email in ["astreinte@ch-exemple.fr", "personne@ch-exemple.fr"] {
        let mut statuses = Vec::new();
        for i in 0..4 {
            let client = format!("203.0.113.{i}");
            statuses.push(login_from(&app, &client, email).await.status());
        }
        assert_eq!(
            statuses,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::UNAUTHORIZED,
                StatusCode::UNAUTHORIZED,
                StatusCode::TOO_MANY_REQUESTS
            ],
            "{email}"
        );
    }
    // Other names keep their own budget.
    let other = login_from(&app, "203.0.113.9", "autre@ch-exemple.fr").await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn names_without_an_account_are_counted_and_locked_like_accounts() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    app.user(
        "bob@ch-exemple.fr",
        Role::Declarant,
        Scope::Structure(s1),
        false,
    )
    .await;
    let mut b = app.browser();
    let mut answers = Vec::new();
    for email in ["bob@ch-exemple.fr", "nobody@ch-exemple.fr"] {
        let mut seen = Vec::new();
        for _ in 0..6 {
            let page = b
                .post("/connexion", &[("email", email), ("password", "nope")])
                .await;
            seen.push((page.status, page.body.replace(email, "EMAIL")));
        }
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "the same answers, attempt by attempt"
    );
    assert!(answers[1][4].1.contains("incorrect"));
    assert!(answers[1][5].1.contains("suspendue"), "{}", answers[1][5].1);
    assert_eq!(answers[1][5].0, StatusCode::UNAUTHORIZED);
    // The lock of an unknown name ends like an account's, and its case does not matter.
    let upper = b
        .post(
            "/connexion",
            &[("email", " NoBody@ch-exemple.fr"), ("password", "nope")],
        )
        .await;
    assert!(upper.body.contains("suspendue"));
    app.advance(SignedDuration::from_mins(2));
    let later = b
        .post(
            "/connexion",
            &[("email", "nobody@ch-exemple.fr"), ("password", "nope")],
        )
        .await;
    assert!(later.body.contains("incorrect"), "{}", later.body);
}

#[tokio::test]
async fn replacing_the_second_factor_asks_for_the_password_and_a_code_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            true,
        )
        .await;
    let old_secret = alice.totp.clone().unwrap();
    let mut elsewhere = app.signed_in(&alice).await;
    app.advance(SignedDuration::from_secs(30));
    let mut b = app.signed_in(&alice).await;
    app.advance(SignedDuration::from_secs(30));

    assert!(
        b.get("/compte")
            .await
            .body
            .contains(r#"href="/compte/totp""#)
    );
    let form = b.get("/compte/totp").await;
    assert!(form.body.contains(r#"name="password""#));
    assert!(form.body.contains(r#"name="current""#));
    let start = form.body.find(r#"name="secret" value=""#).unwrap() + 21;
    let new_secret = form.body[start..].split('"').next().unwrap().to_owned();
    let new_code = right_code(&app, &new_secret);
    let stored = || async {
        app.store
            .user_by_email(&alice.email)
            .await
            .unwrap()
            .unwrap()
            .totp_secret
    };
    // A session alone, or with a wrong password or code, changes nothing.
    for fields in [
        vec![("secret", new_secret.as_str()), ("code", new_code.as_str())],
        vec![
            ("secret", new_secret.as_str()),
            ("code", new_code.as_str()),
            ("password", "Wrong-Horse-42-battery"),
            ("current", &right_code(&app, &old_secret)),
        ],
        vec![
            ("secret", new_secret.as_str()),
            ("code", new_code.as_str()),
            ("password", PASSWORD),
            ("current", &wrong_code(&app, &old_secret)),
        ],
    ] {
        let refused = b.post("/compte/totp", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Mot de passe ou code actuel incorrect")
        );
        assert_eq!(stored().await.as_deref(), Some(old_secret.as_str()));
    }
    assert_eq!(app.deliver_mail().await.sent, 0);
    let current = right_code(&app, &old_secret);
    let done = b
        .post(
            "/compte/totp",
            &[
                ("secret", &new_secret),
                ("code", &new_code),
                ("password", PASSWORD),
                ("current", &current),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body.matches("<code>").count(), 10);
    assert_eq!(stored().await.as_deref(), Some(new_secret.as_str()));
    // This session goes on under a new token; the other one is over.
    assert_eq!(b.get("/compte").await.status, StatusCode::OK);
    assert_eq!(
        elsewhere.get("/compte").await.location.as_deref(),
        Some("/connexion")
    );
    // The owner is told, in French, without any secret.
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app
        .smtp
        .wait_for(1, std::time::Duration::from_secs(5))
        .await;
    assert!(
        mails[0]
            .to
            .iter()
            .any(|t| t.contains("alice@ch-exemple.fr"))
    );
    let raw = String::from_utf8_lossy(&mails[0].data).replace("=\r\n", "");
    assert!(raw.contains("autres sessions ouvertes ont"), "{raw}");
    assert!(raw.contains("/compte"), "{raw}");
    assert!(!raw.contains(&new_secret) && !raw.contains(&current));
}

#[tokio::test]
async fn a_disabled_accounts_api_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let mut b = app.signed_in(&alice).await;
    let page = b.post("/compte/jetons", &[("label", "SIEM")]).await;
    let start = page.body.find("<code>vga_").unwrap() + 6;
    let token = page.body[start..].split('<').next().unwrap().to_owned();
    let list = || async {
        reqwest::Client::new()
            .get(format!("{}/api/v1/declarations", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(list().await, StatusCode::OK);
    let id = app
        .store
        .user_by_email(&alice.email)
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        app.store
            .disable_user(id, &vigie_store::Actor::Operator("admin".into()), app.now())
            .await
            .unwrap()
    );
    assert_eq!(list().await, StatusCode::UNAUTHORIZED);
    let tokens = app.store.api_tokens(s1).await.unwrap();
    assert!(tokens.iter().all(|t| t.revoked_at.is_some()), "{tokens:?}");
    assert_eq!(
        b.get("/compte").await.location.as_deref(),
        Some("/connexion"),
        "the account's sessions are over"
    );
}

#[tokio::test]
async fn a_login_post_that_does_not_show_its_origin_is_refused() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = http
            .post(format!("{}/connexion", app.base))
            .form(&[("email", alice.email.as_str()), ("password", PASSWORD)]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let bare = post(&[]).await.unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    assert!(bare.headers().get("set-cookie").is_none());
    let null = post(&[("origin", "null")]).await.unwrap();
    assert_eq!(null.status(), StatusCode::FORBIDDEN);
    // Nothing was checked, so no login was journaled (only the account's creation).
    assert!(
        !app.store
            .journal_entries(None, 10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.entry.action.starts_with("login"))
    );
    // A browser on the login page says where the form comes from.
    let origin = app.base.clone();
    let from_page = http
        .post(format!("{}/connexion", app.base))
        .header("origin", origin)
        .form(&[("email", alice.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(from_page.status(), StatusCode::SEE_OTHER);
    let fetch = post(&[("sec-fetch-site", "same-origin")]).await.unwrap();
    assert_eq!(fetch.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn huge_page_numbers_are_clamped_not_failed() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.test", Role::Analyst, Scope::Cert, false)
        .await;
    app.case(s1, "010000024", "76", "GHT Alpha").await;
    let mut d = app.signed_in(&alice).await;
    let mut a = app.signed_in(&analyst).await;
    for path in [
        "/declarations?page=9223372036854775807",
        "/declarations?page=-9223372036854775808",
    ] {
        let page = d.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    }
    for path in [
        "/traitement?page=9223372036854775807",
        "/traitement?page=4611686018427387904",
    ] {
        let page = a.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    }
    // Page 1 is still the first page, with the case.
    let first = d.get("/declarations?page=-5").await;
    assert!(
        first.body.contains("Incident de 010000024"),
        "{}",
        first.body
    );
}

#[tokio::test]
async fn a_slow_client_is_disconnected() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let limits = vigie_web::Limits {
        header_read: std::time::Duration::from_secs(1),
        body_read: std::time::Duration::from_secs(2),
        request: std::time::Duration::from_secs(3),
        max_connections: 16,
    };
    let app = TestApp::spawn_limited(
        vigie_web::Settings {
            login_burst: 1000,
            ..vigie_web::Settings::default()
        },
        limits,
    )
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = std::time::Instant::now();
    // Headers begun, never finished.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: vigie\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut rest),
    )
    .await;
    assert!(read.is_ok(), "the connection is still open after 10 s");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    // A connection that sends nothing at all is closed too.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        idle.read_to_end(&mut rest),
    )
    .await;
    assert!(read.is_ok(), "an idle connection is still open after 10 s");
    // A body that never comes ends with a 408 once the body's time is up.
    let mut trickle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    trickle
        .write_all(
            b"POST /connexion HTTP/1.1\r\nHost: vigie\r\nSec-Fetch-Site: same-origin\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        trickle.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the request is still waiting after 10 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The server still answers others.
    assert_eq!(app.browser().get("/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn nis2_reports_are_read_by_the_cert_and_the_declaring_structure_only() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let case = app.case(s1, "010000024", "76", "GHT Alpha").await;
    app.store
        .route_case(
            case,
            vigie_access::Authority::Anssi,
            "structure OSE",
            &vigie_store::Actor::System,
            app.now(),
        )
        .await
        .unwrap();
    let declarant = app
        .user("d1@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
        .await;
    let mut d = app.signed_in(&declarant).await;
    let sent = d
        .post(
            &format!("/declarations/{case}/nis2"),
            &[
                ("report", "early_warning"),
                ("body", "Chiffrement du serveur PACS-7 par LockBit"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let readers = [
        (
            app.user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
                .await,
            true,
        ),
        (
            app.user("astreinte@cert.fr", Role::Oncall, Scope::Cert, false)
                .await,
            true,
        ),
        (declarant.clone(), true),
        (
            app.user(
                "ght@alpha.fr",
                Role::Ght,
                Scope::Ght("GHT Alpha".into()),
                false,
            )
            .await,
            false,
        ),
        (
            app.user(
                "ars@occitanie.fr",
                Role::Ars,
                Scope::Region(vigie_model::Region::Occitanie),
                false,
            )
            .await,
            false,
        ),
        (
            app.user(
                "cert@anssi.fr",
                Role::Authority,
                Scope::Authority(vigie_access::Authority::Anssi),
                false,
            )
            .await,
            false,
        ),
    ];
    for (user, reads) in readers {
        app.advance(SignedDuration::from_secs(30));
        let mut b = app.signed_in(&user).await;
        let page = b.get(&format!("/declarations/{case}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", user.email);
        // Everyone who reads the case sees that a report was sent, and when.
        assert!(page.body.contains("version 1"), "{}", user.email);
        assert_eq!(
            page.body.contains("PACS-7 par LockBit"),
            reads,
            "{}",
            user.email
        );
        assert_eq!(
            page.body.contains("Contenu réservé au CERT"),
            !reads,
            "{}",
            user.email
        );
    }
}

/// A demo account (its password is published) logs in only on a portal run with `--demo`.
#[tokio::test]
async fn demo_accounts_log_in_only_on_a_demo_portal() {
    for demo in [false, true] {
        let app = TestApp::spawn_with(vigie_web::Settings {
            demo,
            login_burst: 1000,
            account_burst: 1000,
            ..vigie_web::Settings::default()
        })
        .await;
        let s = app.structure("010000024", "76", "GHT Alpha").await;
        let user = app
            .user(
                "declarant@demo.vigie",
                vigie_access::Role::Declarant,
                vigie_access::Scope::Structure(s),
                false,
            )
            .await;
        let id = app
            .store
            .user_by_email(&user.email)
            .await
            .unwrap()
            .unwrap()
            .id;
        app.store.mark_demo(id).await.unwrap();
        let mut browser = app.browser();
        let page = browser
            .post(
                "/connexion",
                &[("email", &user.email), ("password", crate::app::PASSWORD)],
            )
            .await;
        if demo {
            assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER, "{}", page.body);
        } else {
            assert_ne!(page.status, reqwest::StatusCode::SEE_OTHER);
            assert!(page.body.contains("démonstration"), "{}", page.body);
            assert_eq!(
                browser.get("/declarations").await.status,
                reqwest::StatusCode::SEE_OTHER,
                "no session was opened"
            );
            // Journaled as a refusal naming why.
            let refused = app
                .store
                .journal_entries(Some(&format!("user:{}", id.0)), 10)
                .await
                .unwrap();
            assert!(
                refused
                    .iter()
                    .any(|e| e.entry.payload.contains("\"reason\":\"demo_account\"")),
                "{refused:?}"
            );
        }
    }
}

/// GHT, ARS and authority accounts read many structures: like CERT staff, they cannot
/// sign in on a password alone, and enrol a second factor first; a declarant can.
#[tokio::test]
async fn accounts_that_read_many_structures_need_a_second_factor() {
    let app = TestApp::spawn().await;
    let s = app.structure("010000024", "76", "GHT Alpha").await;
    let hash = vigie_auth::PasswordHash::hash(&vigie_auth::SecretString::from(PASSWORD)).unwrap();
    for (email, role, scope, to) in [
        (
            "d@ch.fr",
            Role::Declarant,
            Scope::Structure(s),
            "/declarations",
        ),
        (
            "ght@ght.fr",
            Role::Ght,
            Scope::Ght("GHT Alpha".into()),
            "/compte/totp",
        ),
        (
            "ars@ars.fr",
            Role::Ars,
            Scope::Region(vigie_model::Region::Occitanie),
            "/compte/totp",
        ),
        (
            "cert@anssi.fr",
            Role::Authority,
            Scope::Authority(vigie_access::Authority::Anssi),
            "/compte/totp",
        ),
    ] {
        // Created without a second factor.
        let new = vigie_store::NewUser {
            email: email.into(),
            display_name: email.into(),
            role,
            scope,
            password_hash: Some(hash.as_str().into()),
        };
        app.store.create_user(&new, app.now()).await.unwrap();
        let mut browser = app.browser();
        let page = browser
            .post("/connexion", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{email}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some(to), "{email}");
        if to != "/declarations" {
            // The half-open session reads nothing until a second factor is enrolled.
            assert_ne!(
                browser.get("/declarations").await.status,
                StatusCode::OK,
                "{email}"
            );
        }
    }
}
