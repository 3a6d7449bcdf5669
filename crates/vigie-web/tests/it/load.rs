//! Costly requests cannot starve the declarations: draft PDFs are typeset one at a time,
//! a few more wait and the rest are turned away with `Retry-After`; the open data has a
//! budget per address.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use vigie_access::{Role, Scope};
use vigie_auth::{SecretToken, TokenKind};
use vigie_web::Settings;

use crate::app::TestApp;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Declares once through the API and says how long it took.
async fn declare(http: &reqwest::Client, base: &str, token: &str) -> Duration {
    let started = Instant::now();
    let created = http
        .post(format!("{base}/api/v1/declarations"))
        .bearer_auth(token)
        .json(&json!({
            "title": "Messagerie compromise",
            "description": "Envoi massif d'hameçonnage depuis une boîte interne.",
            "measures_taken": "Mot de passe changé, sessions révoquées.",
            "detected_at": "2024-11-28T07:00:00+01:00",
            "state_at_declaration": "resolving",
            "support_requested": false,
            "care_impact": "none",
            "data_impact": ["none"],
            "patient_danger": "none"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    started.elapsed()
}

#[tokio::test]
async fn declarations_keep_their_pace_while_draft_pdfs_are_hammered() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let token = SecretToken::generate(TokenKind::Api).unwrap();
    app.store
        .create_api_token(s1, &token.hash().to_hex(), "SIEM", None, app.now())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let mut idle = Vec::new();
    for _ in 0..7 {
        idle.push(declare(&http, &app.base, token.expose()).await);
    }

    // Twelve draft PDFs at once: one is typeset, four wait, seven are turned away.
    let session = app.signed_in(&analyst).await.cookie.unwrap();
    let storm: Vec<_> = (0..12)
        .map(|_| {
            let url = format!("{}/observatoire/rapport/2024/apercu.pdf", app.base);
            let cookie = format!("vigie_session={session}");
            tokio::spawn(async move {
                let answer = reqwest::Client::new()
                    .get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap();
                let retry = answer.headers().get("retry-after").cloned();
                (answer.status(), retry)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut loaded = Vec::new();
    for _ in 0..7 {
        loaded.push(declare(&http, &app.base, token.expose()).await);
    }
    let mut typeset = 0;
    let mut busy = 0;
    for task in storm {
        match task.await.unwrap() {
            (StatusCode::OK, _) => typeset += 1,
            (StatusCode::SERVICE_UNAVAILABLE, Some(retry)) => {
                assert_eq!(retry, "30");
                busy += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((typeset, busy), (5, 7));
    let (idle, loaded) = (median(idle), median(loaded));
    eprintln!("declaration, median: idle {idle:?}, while typesetting {loaded:?}");
    assert!(
        loaded <= idle * 4 + Duration::from_millis(150),
        "declarations slowed from {idle:?} to {loaded:?}"
    );
}

#[tokio::test]
async fn the_open_data_has_a_budget_per_address() {
    let app = TestApp::spawn_with(Settings {
        login_burst: 1000,
        account_burst: 1000,
        public_burst: 5,
        ..Settings::default()
    })
    .await;
    app.publish(2024).await;
    let mut b = app.browser();
    for path in [
        "/donnees",
        "/donnees/2024",
        "/donnees/2024/figure-6.csv",
        "/donnees/2024/observatoire.json",
        "/donnees",
    ] {
        assert_eq!(b.get(path).await.status, StatusCode::OK, "{path}");
    }
    assert_eq!(
        b.get("/donnees/2024/rapport.pdf").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The portal's other pages are not counted against it.
    assert_eq!(b.get("/connexion").await.status, StatusCode::OK);
}
