//! What people do on the portal, from login to the acknowledgment in their mailbox.

use std::time::Duration;

use jiff::SignedDuration;
use reqwest::StatusCode;
use vigie_access::{Role, Scope};
use vigie_auth::TotpSecret;

use crate::app::{PASSWORD, TestApp};

#[tokio::test]
async fn a_declarant_declares_through_every_step_and_gets_the_acknowledgment() {
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

    assert_eq!(
        b.get("/declarer").await.location.as_deref(),
        Some("/declarer/etape/1")
    );
    let step1 = b.get("/declarer/etape/1").await;
    assert_eq!(step1.status, StatusCode::OK);
    assert!(step1.body.contains("Centre hospitalier 010000024"));

    // Errors are shown beside their fields, and what was typed stays.
    let bad = b
        .post(
            "/declarer/etape/1",
            &[
                ("title", "Chiffrement de serveurs"),
                ("support_requested", "oui"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Décrivez ce qui s&#39;est passé.")
            || bad.body.contains("Décrivez ce qui s'est passé."),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"value="Chiffrement de serveurs""#));
    assert!(
        bad.body
            .contains(r#"aria-invalid="true" aria-describedby="description-error""#)
    );
    assert!(
        bad.body
            .contains(r#"id="support-oui" name="support_requested" value="oui" checked"#)
    );

    let ok = b
        .post(
            "/declarer/etape/1",
            &[
                ("title", "Chiffrement de serveurs"),
                (
                    "description",
                    "Fichiers chiffrés sur deux serveurs de fichiers.",
                ),
                ("measures_taken", "Serveurs isolés du réseau."),
                ("detected_at", "2024-11-28T07:30"),
                ("state_at_declaration", "needs_cert"),
                ("support_requested", "oui"),
            ],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/declarer/etape/2"));
    // The draft is saved: coming back resumes at step 2.
    assert_eq!(
        b.get("/declarer").await.location.as_deref(),
        Some("/declarer/etape/2")
    );

    let bad = b
        .post(
            "/declarer/etape/2",
            &[
                ("care_impact", "degraded"),
                ("data_impact", "none"),
                ("data_kind", "health_personal"),
                ("patient_danger", "none"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("ne se cochent que si"), "{}", bad.body);
    assert!(
        bad.body.contains(
            r#"id="kind-health_personal" name="data_kind" value="health_personal" checked"#
        )
    );

    let ok = b
        .post(
            "/declarer/etape/2",
            &[
                ("care_impact", "degraded"),
                ("degraded_hours", "6,5"),
                ("data_impact", "unavailable"),
                ("data_impact", "altered"),
                ("data_kind", "health_personal"),
                ("patient_danger", "potential"),
            ],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/declarer/etape/3"));
    let review = b.get("/declarer/etape/3").await;
    assert!(review.body.contains("Serveurs isolés du réseau."));
    assert!(
        review
            .body
            .contains("Données inaccessibles ; Altération des données")
    );
    // Going back keeps everything.
    let back = b.post("/declarer/etape/3", &[("go", "back")]).await;
    assert_eq!(back.location.as_deref(), Some("/declarer/etape/2"));
    assert!(
        b.get("/declarer/etape/2")
            .await
            .body
            .contains(r#"value="6,5""#)
    );
    assert_eq!(
        b.post(
            "/declarer/etape/2",
            &[
                ("care_impact", "degraded"),
                ("degraded_hours", "6,5"),
                ("data_impact", "unavailable"),
                ("data_impact", "altered"),
                ("data_kind", "health_personal"),
                ("patient_danger", "potential")
            ]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );

    let sent = b.post("/declarer/etape/3", &[("go", "next")]).await;
    let receipt_path = sent.location.expect("a receipt");
    let case = receipt_path
        .trim_start_matches("/declarations/")
        .trim_end_matches("/recu")
        .to_owned();
    assert!(case.starts_with("VIG-2024-"), "{case}");
    let receipt = b.get(&receipt_path).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.body.contains(&case));
    assert!(receipt.body.contains("alice@ch-exemple.fr"));
    // The draft is gone: a new declaration starts afresh.
    assert_eq!(
        b.get("/declarer").await.location.as_deref(),
        Some("/declarer/etape/1")
    );

    // The acknowledgment was queued with the declaration, and the relay gets it.
    let delivery = app.deliver_mail().await;
    assert_eq!(delivery.sent, 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mails[0].to, ["alice@ch-exemple.fr"]);
    let raw = String::from_utf8_lossy(&mails[0].data);
    assert!(raw.contains(&case), "{raw}");
    assert!(
        !raw.contains("Fichiers chiffrés"),
        "the description must not travel by e-mail"
    );

    // The case is listed, shown, and takes messages.
    let list = b.get("/declarations").await;
    assert!(list.body.contains(&case));
    let page = b.get(&format!("/declarations/{case}")).await;
    assert!(
        page.body
            .contains("Fichiers chiffrés sur deux serveurs de fichiers.")
    );
    assert!(page.body.contains("6.5 h"));
    let empty = b
        .post(&format!("/declarations/{case}/messages"), &[("body", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let posted = b
        .post(
            &format!("/declarations/{case}/messages"),
            &[("body", "Les sauvegardes sont intactes.")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert!(
        b.get(&format!("/declarations/{case}"))
            .await
            .body
            .contains("Les sauvegardes sont intactes.")
    );
}

#[tokio::test]
async fn logins_are_throttled_locked_and_second_factors_used_once() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let bob = app
        .user(
            "bob@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.test", Role::Analyst, Scope::Cert, false)
        .await;

    // A wrong password and an unknown account get the same answer.
    let mut b = app.browser();
    let wrong = b
        .post(
            "/connexion",
            &[("email", "bob@ch-exemple.fr"), ("password", "nope")],
        )
        .await;
    let unknown = b
        .post(
            "/connexion",
            &[("email", "nobody@ch-exemple.fr"), ("password", "nope")],
        )
        .await;
    assert_eq!(
        (wrong.status, unknown.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert!(
        wrong
            .body
            .contains("Adresse électronique ou mot de passe incorrect.")
            && unknown
                .body
                .contains("Adresse électronique ou mot de passe incorrect.")
    );
    // Five failures in a row lock the account, even for the right password, for a while.
    for _ in 0..4 {
        b.post(
            "/connexion",
            &[("email", "bob@ch-exemple.fr"), ("password", "nope")],
        )
        .await;
    }
    let locked = b
        .post(
            "/connexion",
            &[("email", "bob@ch-exemple.fr"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.body.contains("suspendue"));
    app.advance(SignedDuration::from_mins(2));
    let mut b = app.signed_in(&bob).await;
    assert_eq!(b.get("/declarations").await.status, StatusCode::OK);

    // A privileged account needs its second factor; a code is accepted once.
    let mut a = app.browser();
    let first = a
        .post(
            "/connexion",
            &[("email", "analyste@cert.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(first.location.as_deref(), Some("/connexion/totp"));
    // Before the second factor, nothing else opens.
    assert_eq!(
        a.get("/declarations").await.location.as_deref(),
        Some("/connexion/totp")
    );
    a.get("/connexion/totp").await;
    let secret = TotpSecret::from_base32(analyst.totp.as_deref().unwrap()).unwrap();
    let code = secret.code(app.now()).unwrap();
    assert_eq!(
        a.post("/connexion/totp", &[("code", &code)])
            .await
            .location
            .as_deref(),
        Some("/declarations")
    );
    assert_eq!(a.get("/declarations").await.status, StatusCode::OK);
    let mut c = app.browser();
    c.post(
        "/connexion",
        &[("email", "analyste@cert.test"), ("password", PASSWORD)],
    )
    .await;
    c.get("/connexion/totp").await;
    let replay = c.post("/connexion/totp", &[("code", &code)]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.body.contains("déjà servi"));

    // A declarant enrols a second factor, gets recovery codes, and each works once.
    let enrol = b.get("/compte/totp").await;
    let start = enrol.body.find(r#"name="secret" value=""#).unwrap() + 21;
    let secret_text = enrol.body[start..].split('"').next().unwrap().to_owned();
    let code = TotpSecret::from_base32(&secret_text)
        .unwrap()
        .code(app.now())
        .unwrap();
    let codes_page = b
        .post(
            "/compte/totp",
            &[
                ("secret", &secret_text),
                ("code", &code),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(codes_page.status, StatusCode::OK);
    let recovery: Vec<String> = codes_page
        .body
        .split("<code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let mut d = app.browser();
    d.post(
        "/connexion",
        &[("email", "bob@ch-exemple.fr"), ("password", PASSWORD)],
    )
    .await;
    d.get("/connexion/totp").await;
    assert_eq!(
        d.post("/connexion/totp", &[("code", &recovery[0])])
            .await
            .location
            .as_deref(),
        Some("/declarations")
    );
    let mut e = app.browser();
    e.post(
        "/connexion",
        &[("email", "bob@ch-exemple.fr"), ("password", PASSWORD)],
    )
    .await;
    e.get("/connexion/totp").await;
    assert_eq!(
        e.post("/connexion/totp", &[("code", &recovery[0])])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Logging out ends the session on the server.
    let cookie = d.cookie.clone();
    d.get("/compte").await;
    assert_eq!(
        d.post("/deconnexion", &[]).await.location.as_deref(),
        Some("/")
    );
    d.cookie = cookie;
    assert_eq!(
        d.get("/declarations").await.location.as_deref(),
        Some("/connexion")
    );

    // Every attempt is in the journal, with its factor and address, and no secret.
    let verified = app.store.verify_journal(&[]).await.unwrap().unwrap();
    let entries = app.store.journal_entries(None, 1_000).await.unwrap();
    assert_eq!(u64::try_from(entries.len()).unwrap(), verified.entries);
    let logins: Vec<(String, String, String)> = entries
        .iter()
        .filter(|r| r.entry.action.starts_with("login_"))
        .map(|r| {
            let payload: serde_json::Value = serde_json::from_str(&r.entry.payload).unwrap();
            assert_eq!(payload["from"], "127.0.0.1", "{r:?}");
            for secret in [PASSWORD, code.as_str(), recovery[0].as_str(), "nope"] {
                assert!(!r.entry.payload.contains(secret), "{r:?}");
            }
            let factor = payload["factor"].as_str().unwrap().to_owned();
            let why = payload["reason"].as_str().unwrap_or("").to_owned();
            (r.entry.action.clone(), factor, why)
        })
        .collect();
    let count = |(action, factor, why): (&str, &str, &str)| {
        logins
            .iter()
            .filter(|l| (l.0.as_str(), l.1.as_str(), l.2.as_str()) == (action, factor, why))
            .count()
    };
    assert_eq!(count(("login_failed", "password", "")), 5);
    assert_eq!(count(("login_failed", "password", "unknown_account")), 1);
    assert_eq!(count(("login_failed", "password", "locked")), 1);
    assert_eq!(count(("login_succeeded", "totp", "")), 1);
    assert_eq!(count(("login_failed", "totp", "")), 1);
    assert_eq!(count(("login_succeeded", "recovery_code", "")), 1);
    assert_eq!(count(("login_failed", "recovery_code", "")), 1);
    assert_eq!(count(("login_succeeded", "password", "")), 5);
    assert!(entries.iter().any(|r| {
        r.entry
            .payload
            .contains(r#""login":"nobody@ch-exemple.fr""#)
    }));
}

#[tokio::test]
async fn a_declarant_invites_a_colleague_who_chooses_a_strong_password() {
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
    let page = b
        .post(
            "/compte/invitations",
            &[
                ("email", "carole@ch-exemple.fr"),
                ("display_name", "Carole"),
            ],
        )
        .await;
    assert!(
        page.body
            .contains("Invitation envoyée à carole@ch-exemple.fr"),
        "{}",
        page.body
    );
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    let raw = String::from_utf8_lossy(&mails[0].data).replace("=\r\n", "");
    let start = raw.find("/invitation/vgi_").expect("a link");
    let link: String = raw[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    let mut c = app.browser();
    assert_eq!(c.get(&link).await.status, StatusCode::OK);
    let weak = c
        .post(
            &link,
            &[("password", "carole2024"), ("confirm", "carole2024")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("12 caractères"), "{}", weak.body);
    let done = c
        .post(
            &link,
            &[
                ("password", "Tres-Longue-Phrase-9"),
                ("confirm", "Tres-Longue-Phrase-9"),
            ],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/connexion"));
    // The link works once.
    assert_eq!(c.get(&link).await.status, StatusCode::NOT_FOUND);
    let ok = c
        .post(
            "/connexion",
            &[
                ("email", "carole@ch-exemple.fr"),
                ("password", "Tres-Longue-Phrase-9"),
            ],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/declarations"));
}

#[tokio::test]
async fn an_administrator_opens_the_first_account_of_a_structure_of_the_register() {
    let app = TestApp::spawn().await;
    let finess = vigie_model::Finess::parse("2A0000030").unwrap();
    let establishment = vigie_reference::Establishment {
        finess,
        name: "Centre hospitalier de démonstration".into(),
        category: 355,
        kind: vigie_model::StructureType::EsPublic,
        legal_status: vigie_model::LegalStatus::Public,
        region: vigie_model::Region::Corse,
        department: "2A".into(),
    };
    app.store
        .load_establishments(&[establishment])
        .await
        .unwrap();
    let admin = app
        .user("admin@cert.test", Role::Admin, Scope::Platform, false)
        .await;
    let mut b = app.signed_in(&admin).await;
    let unknown = b
        .post(
            "/compte/invitations",
            &[
                ("email", "rssi@ch.fr"),
                ("display_name", "RSSI"),
                ("role", "declarant"),
                ("finess", "010000024"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("ni dans le répertoire"),
        "{}",
        unknown.body
    );
    let page = b
        .post(
            "/compte/invitations",
            &[
                ("email", "rssi@ch.fr"),
                ("display_name", "RSSI"),
                ("role", "declarant"),
                ("finess", "2A0000030"),
            ],
        )
        .await;
    assert!(
        page.body.contains("Invitation envoyée à rssi@ch.fr"),
        "{}",
        page.body
    );
    let structure = app
        .store
        .structure_by_finess(&finess)
        .await
        .unwrap()
        .expect("the structure now exists");
    assert_eq!(
        structure.structure.name.as_str(),
        "Centre hospitalier de démonstration"
    );
    assert_eq!(app.deliver_mail().await.sent, 1);
    let raw = String::from_utf8_lossy(&app.smtp.wait_for(1, Duration::from_secs(5)).await[0].data)
        .replace("=\r\n", "");
    let start = raw.find("/invitation/vgi_").unwrap();
    let link: String = raw[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    let mut c = app.browser();
    c.post(
        &link,
        &[
            ("password", "Une-Phrase-Assez-Longue-7"),
            ("confirm", "Une-Phrase-Assez-Longue-7"),
        ],
    )
    .await;
    let user = app
        .store
        .user_by_email("rssi@ch.fr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.viewer.scope(), &Scope::Structure(structure.id));
}
