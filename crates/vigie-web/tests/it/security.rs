//! Security of every answer: headers, CSRF, cross-site writes, rate limits.

use reqwest::StatusCode;
use vigie_access::{Role, Scope};

use crate::app::TestApp;

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
