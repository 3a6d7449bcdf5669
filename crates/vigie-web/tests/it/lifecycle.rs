//! Accounts have a life: a password changed after re-authentication, and an
//! administrator who disables, enables, removes a lost second factor, withdraws an
//! invitation and revokes a token from the administration page; each ends the sessions
//! it must and is journaled.

use jiff::SignedDuration;
use reqwest::StatusCode;
use vigie_access::{Role, Scope};
use vigie_auth::TotpSecret;

use crate::app::{PASSWORD, TestApp, TestUser};

fn code(app: &TestApp, secret: &str) -> String {
    TotpSecret::from_base32(secret)
        .unwrap()
        .code(app.now())
        .unwrap()
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> (StatusCode, Option<String>) {
    let mut b = app.browser();
    let page = b
        .post("/connexion", &[("email", email), ("password", password)])
        .await;
    (page.status, page.location)
}

async fn last_actions(app: &TestApp, subject: &str, n: i64) -> Vec<String> {
    app.store
        .journal_entries(Some(subject), n)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect()
}

#[tokio::test]
async fn a_password_is_changed_with_the_current_one_and_a_code_and_ends_other_sessions() {
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
    let secret = alice.totp.clone().unwrap();
    let mut elsewhere = app.signed_in(&alice).await;
    app.advance(SignedDuration::from_secs(30));
    let mut b = app.signed_in(&alice).await;
    app.advance(SignedDuration::from_secs(30));
    let new = "Another-Staple-77-horse";

    let form = b.get("/compte/mot-de-passe").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="current""#), "a code is asked");
    let stored = || async {
        app.store
            .user_by_email(&alice.email)
            .await
            .unwrap()
            .unwrap()
            .password_hash
    };
    let before = stored().await;
    // Wrong current password, wrong code, a weak new one, a mismatch: nothing changes.
    // Wrong current password, wrong code, a mismatch: nothing changes.
    for (what, message) in [
        ("password", "Le mot de passe actuel est incorrect."),
        (
            "code",
            "Le code de vérification en deux étapes est incorrect.",
        ),
        (
            "confirm",
            "Les deux nouveaux mots de passe ne sont pas identiques.",
        ),
    ] {
        let right = code(&app, &secret);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
        let fields = [
            (
                "password",
                if what == "password" {
                    "Wrong-Horse-42-battery"
                } else {
                    PASSWORD
                },
            ),
            (
                "current",
                if what == "code" {
                    wrong.as_str()
                } else {
                    right.as_str()
                },
            ),
            ("new_password", new),
            (
                "confirm",
                if what == "confirm" {
                    "Another-Staple-77-horsE"
                } else {
                    new
                },
            ),
        ];
        let refused = b.post("/compte/mot-de-passe", &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        assert!(
            refused.body.contains(message),
            "{message}: {}",
            refused.body
        );
        assert_eq!(stored().await, before);
        app.advance(SignedDuration::from_secs(30));
    }
    let short = b
        .post(
            "/compte/mot-de-passe",
            &[
                ("password", PASSWORD),
                ("current", &code(&app, &secret)),
                ("new_password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored().await, before);
    app.advance(SignedDuration::from_secs(30));
    assert_eq!(app.deliver_mail().await.sent, 0);

    let done = b
        .post(
            "/compte/mot-de-passe",
            &[
                ("password", PASSWORD),
                ("current", &code(&app, &secret)),
                ("new_password", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Mot de passe changé"));
    assert_ne!(stored().await, before);
    // This session goes on under a new token; the other one is over.
    assert_eq!(b.get("/compte").await.status, StatusCode::OK);
    assert_eq!(
        elsewhere.get("/compte").await.location.as_deref(),
        Some("/connexion")
    );
    // The old password no longer opens the account, the new one does.
    assert_eq!(
        login_status(&app, &alice.email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&app, &alice.email, new).await,
        (StatusCode::SEE_OTHER, Some("/connexion/totp".to_owned()))
    );
    // The owner is told, without the password.
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app
        .smtp
        .wait_for(1, std::time::Duration::from_secs(5))
        .await;
    let raw = String::from_utf8_lossy(&mails[0].data).replace("=\r\n", "");
    assert!(raw.contains("Le mot de passe de votre compte"), "{raw}");
    assert!(!raw.contains(new));
    let id = app
        .store
        .user_by_email(&alice.email)
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        last_actions(&app, &format!("user:{}", id.0), 50)
            .await
            .contains(&"password_changed".to_owned())
    );
}

/// The identifier of an account, for the administration's forms.
async fn id_of(app: &TestApp, user: &TestUser) -> i64 {
    app.store
        .user_by_email(&user.email)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

#[tokio::test]
async fn an_administrator_manages_accounts_invitations_and_tokens_from_the_administration() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let admin = app
        .user("admin@cert.example", Role::Admin, Scope::Platform, true)
        .await;
    let bob = app
        .user(
            "bob@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            true,
        )
        .await;
    let carol = app
        .user(
            "carol@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;

    // An administrator lands on the administration's overview.
    let mut a = app.browser();
    let page = a
        .post(
            "/connexion",
            &[("email", &admin.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/connexion/totp"));
    a.get("/connexion/totp").await;
    let totp = a
        .post(
            "/connexion/totp",
            &[("code", &code(&app, admin.totp.as_ref().unwrap()))],
        )
        .await;
    assert_eq!(totp.location.as_deref(), Some("/administration"));
    let overview = a.get("/administration").await;
    assert_eq!(overview.status, StatusCode::OK);
    for email in [&admin.email, &bob.email, &carol.email] {
        assert!(overview.body.contains(email.as_str()), "{email}");
    }
    assert!(
        overview
            .body
            .contains("3 compte(s) actif(s), 0 désactivé(s)"),
        "{}",
        overview.body
    );

    // A declarant may not reach it, nor post its forms.
    let mut c = app.signed_in(&carol).await;
    assert_eq!(c.get("/administration").await.status, StatusCode::FORBIDDEN);
    let bob_id = id_of(&app, &bob).await;
    let denied = c
        .post(&format!("/administration/comptes/{bob_id}/desactiver"), &[])
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        !app.store
            .user_by_email(&bob.email)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );

    // Disabling ends Bob's sessions and refuses his logins; enabling lets him in again.
    app.advance(SignedDuration::from_secs(30));
    let mut bob_browser = app.signed_in(&bob).await;
    let off = a
        .post(&format!("/administration/comptes/{bob_id}/desactiver"), &[])
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert!(off.body.contains("Compte bob@ch-exemple.fr désactivé"));
    assert!(off.body.contains("2 compte(s) actif(s), 1 désactivé(s)"));
    assert_eq!(
        bob_browser.get("/compte").await.location.as_deref(),
        Some("/connexion")
    );
    assert_eq!(
        login_status(&app, &bob.email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let on = a
        .post(&format!("/administration/comptes/{bob_id}/reactiver"), &[])
        .await;
    assert!(
        on.body.contains("Compte bob@ch-exemple.fr réactivé."),
        "{}",
        on.body
    );
    app.advance(SignedDuration::from_secs(30));
    let mut bob_browser = app.signed_in(&bob).await;
    assert_eq!(bob_browser.get("/compte").await.status, StatusCode::OK);

    // Bob lost his phone: his second factor goes, his sessions with it, and he signs in
    // with his password alone until he enrols a new one.
    let reset = a
        .post(&format!("/administration/comptes/{bob_id}/totp"), &[])
        .await;
    assert!(
        reset
            .body
            .contains("Vérification en deux étapes de bob@ch-exemple.fr retirée"),
        "{}",
        reset.body
    );
    assert_eq!(
        bob_browser.get("/compte").await.location.as_deref(),
        Some("/connexion")
    );
    let bob_now = TestUser {
        totp: None,
        ..bob.clone()
    };
    let mut again = app.signed_in(&bob_now).await;
    assert!(
        again
            .get("/compte")
            .await
            .body
            .contains("Activer la vérification en deux étapes")
    );
    let grants: Vec<String> = last_actions(&app, &format!("user:{bob_id}"), 100)
        .await
        .into_iter()
        .filter(|a| a.starts_with("account_") || a == "second_factor_reset")
        .collect();
    assert_eq!(
        grants,
        [
            "account_created",
            "account_disabled",
            "account_enabled",
            "second_factor_reset"
        ]
    );

    // An administrator does not act on their own account here.
    let own = id_of(&app, &admin).await;
    let refused = a
        .post(&format!("/administration/comptes/{own}/desactiver"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !app.store
            .user_by_email(&admin.email)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );

    // An invitation withdrawn: listed, then its link no longer works.
    let link = vigie_service::accounts::invite(
        &app.store,
        &vigie_service::accounts::NewInvitation {
            email: "dave@ch-exemple.fr",
            name: "Dave",
            role: Role::Declarant,
            scope: Scope::Structure(s1),
            invited_by: None,
        },
        vigie_service::accounts::Portal {
            public_url: &app.base,
            cert_name: "CERT Santé",
        },
        app.now(),
    )
    .await
    .unwrap();
    let path = link.strip_prefix(&app.base).unwrap().to_owned();
    assert_eq!(app.browser().get(&path).await.status, StatusCode::OK);
    assert!(
        a.get("/administration")
            .await
            .body
            .contains("dave@ch-exemple.fr")
    );
    let withdrawn = a
        .post(
            "/administration/invitations/retirer",
            &[("email", "dave@ch-exemple.fr")],
        )
        .await;
    assert!(
        withdrawn
            .body
            .contains("Invitation à dave@ch-exemple.fr retirée"),
        "{}",
        withdrawn.body
    );
    assert_eq!(app.browser().get(&path).await.status, StatusCode::NOT_FOUND);
    let none = a
        .post(
            "/administration/invitations/retirer",
            &[("email", "dave@ch-exemple.fr")],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A structure's token, revoked by the administration: the API refuses it.
    let mut carol_browser = app.signed_in(&carol).await;
    let page = carol_browser
        .post("/compte/jetons", &[("label", "SIEM")])
        .await;
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
    let id = app.store.api_tokens(s1).await.unwrap()[0].id;
    assert!(
        a.get("/administration")
            .await
            .body
            .contains(&format!("/administration/jetons/{id}/revoquer"))
    );
    let revoked = a
        .post(&format!("/administration/jetons/{id}/revoquer"), &[])
        .await;
    assert!(revoked.body.contains(&format!("API n° {id} révoqué.")));
    assert_eq!(list().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.post(&format!("/administration/jetons/{id}/revoquer"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
