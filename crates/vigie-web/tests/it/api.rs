//! The JSON API as a structure's tools use it, and its OpenAPI description.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use vigie_access::{Role, Scope};
use vigie_auth::{SecretToken, TokenKind};
use vigie_web::routes::{Rule, specs};

use crate::app::TestApp;

fn declaration() -> Value {
    json!({
        "title": "Compromission d'un compte de messagerie",
        "description": "Envoi massif d'hameçonnage depuis une boîte interne.",
        "measures_taken": "Mot de passe changé, sessions révoquées.",
        "detected_at": "2024-11-28T07:00:00+01:00",
        "state_at_declaration": "resolving",
        "support_requested": false,
        "care_impact": "none",
        "data_impact": ["disclosed"],
        "data_kind": ["personal_other"],
        "patient_danger": "none"
    })
}

#[tokio::test]
async fn a_structure_declares_reads_lists_and_writes_through_the_api() {
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
    let author = app
        .store
        .user_by_email(&alice.email)
        .await
        .unwrap()
        .unwrap();
    let token = SecretToken::generate(TokenKind::Api).unwrap();
    app.store
        .create_api_token(
            s1,
            &token.hash().to_hex(),
            "SIEM",
            Some(author.id),
            app.now(),
        )
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);

    let created = http
        .post(url("/api/v1/declarations"))
        .bearer_auth(token.expose())
        .json(&declaration())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = created.json().await.unwrap();
    let case = body["case_number"].as_str().unwrap().to_owned();
    assert!(case.starts_with("VIG-2024-"));
    assert_eq!(location, format!("/api/v1/declarations/{case}"));
    assert_eq!(body["declaration"]["structure"]["finess"], "010000024");
    assert_eq!(body["declaration"]["data_kind"], json!(["personal_other"]));
    assert_eq!(
        body["measures_taken"],
        "Mot de passe changé, sessions révoquées."
    );
    assert!(body["declaration"].get("qualification").is_none());

    let read: Value = http
        .get(url(&location))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["case_number"], case);
    // The answer to the creation is what reading the case back gives.
    assert_eq!(read, body);
    let list: Value = http
        .get(url("/api/v1/declarations"))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["case_number"], case);
    let posted = http
        .post(url(&format!("{location}/messages")))
        .bearer_auth(token.expose())
        .json(&json!({"body": "Aucune autre boîte touchée."}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::CREATED);
    let messages = app
        .store
        .messages(vigie_model::CaseNumber::parse(&case).unwrap())
        .await
        .unwrap();
    assert_eq!(messages[0].author.as_deref(), Some("alice"));
    // The journal says the token did it, for the case (Vigie routed it by its rules).
    let token_id = app.store.api_tokens(s1).await.unwrap()[0].id;
    let journaled: Vec<(String, String)> = app
        .store
        .journal_entries(Some(&case), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.actor != "system")
        .map(|r| (r.entry.action, r.entry.actor))
        .collect();
    let by_token = format!("api-token:{token_id}");
    assert_eq!(
        journaled,
        [
            ("case_declared".to_owned(), by_token.clone()),
            ("message_posted".to_owned(), by_token),
        ]
    );

    // The acknowledgment goes to the token's author.
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mails[0].to, ["alice@ch-exemple.fr"]);

    // Bad input is refused with the field named, and nothing is written.
    let cases = [
        (json!({"colour": "red"}), "colour", "unknown field"),
        (
            {
                let mut d = declaration();
                d["detected_at"] = json!("2024-11-28T07:00");
                d
            },
            "detected_at",
            "unreadable",
        ),
        (
            {
                let mut d = declaration();
                d["title"] = json!(42);
                d
            },
            "title",
            "wrong_type",
        ),
        (
            {
                let mut d = declaration();
                d["care_impact"] = json!("degraded");
                d["degraded_hours"] = json!(-1);
                d
            },
            "degraded_hours",
            "negative",
        ),
        (
            {
                let mut d = declaration();
                d["care_impact"] = json!("severe");
                d
            },
            "care_impact",
            "unknown_code",
        ),
        (
            {
                let mut d = declaration();
                d["data_impact"] = json!(["none"]);
                d
            },
            "data_kind",
            "kinds_without_impact",
        ),
        (
            {
                let mut d = declaration();
                d.as_object_mut().unwrap().remove("patient_danger");
                d
            },
            "patient_danger",
            "missing",
        ),
        (
            {
                let mut d = declaration();
                d["detected_at"] = json!("hier");
                d
            },
            "detected_at",
            "unreadable",
        ),
    ];
    for (body, field, message) in cases {
        let answer = http
            .post(url("/api/v1/declarations"))
            .bearer_auth(token.expose())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors: Value = answer.json().await.unwrap();
        assert_eq!(errors["errors"][0]["field"], field, "{errors}");
        // A refused declaration gives its problem's code; other refusals say what is wrong.
        let said = errors["errors"][0]
            .get("code")
            .unwrap_or(&errors["errors"][0]["message"]);
        assert!(said.as_str().unwrap().contains(message), "{errors}");
    }
    assert_eq!(app.store.count_incidents().await.unwrap(), 1);
    let not_json = http
        .post(url("/api/v1/declarations"))
        .bearer_auth(token.expose())
        .body("[")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    // A revoked token opens nothing.
    let id = app.store.api_tokens(s1).await.unwrap()[0].id;
    app.store
        .revoke_api_token(s1, id, &vigie_store::Actor::System, app.now())
        .await
        .unwrap();
    let revoked = http
        .get(url(&location))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn the_openapi_description_covers_every_api_route() {
    let app = TestApp::spawn().await;
    let spec: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    for route in specs()
        .into_iter()
        .filter(|s| matches!(s.rule, Rule::ApiToken | Rule::ApiCase))
    {
        let method = route.method.as_str().to_lowercase();
        assert!(
            spec["paths"][route.path][&method].is_object(),
            "{} {} is not described",
            route.method,
            route.path
        );
    }
    // The declaration schema lists exactly the fields the API accepts.
    let mut described: Vec<String> = spec["components"]["schemas"]["Declaration"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut accepted: Vec<String> = declaration()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .chain(["affected_systems".to_owned(), "degraded_hours".to_owned()])
        .collect();
    described.sort();
    accepted.sort();
    assert_eq!(described, accepted);
}
