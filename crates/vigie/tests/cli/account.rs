//! `vigie account`: an operator disables and enables an account, removes a lost second
//! factor, withdraws an invitation and revokes an API token, each journaled, without SQL.

use vigie_access::{Role, Scope};
use vigie_store::{NewUser, Store};

use crate::Scratch;

#[allow(clippy::disallowed_methods)]
fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// An analyst with a password, a second factor, a recovery code and an open session.
async fn analyst(store: &Store, email: &str) -> vigie_access::UserId {
    let id = store
        .create_user(
            &NewUser {
                email: email.to_owned(),
                display_name: "Analyste".to_owned(),
                role: Role::Analyst,
                scope: Scope::Cert,
                password_hash: Some(
                    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
                ),
            },
            now(),
        )
        .await
        .unwrap();
    store.set_totp(id, Some("JBSWY3DPEHPK3PXP")).await.unwrap();
    store
        .set_recovery_codes(id, &["ab".repeat(32)])
        .await
        .unwrap();
    let later = now() + jiff::SignedDuration::from_hours(1);
    store
        .create_session(&session_of(email), id, "csrf", true, now(), later)
        .await
        .unwrap();
    id
}

/// The hash of the session `analyst` opens for an address.
fn session_of(email: &str) -> String {
    vigie_auth::TokenHash::of(email).to_hex()
}

/// The actions the journal holds about an account, oldest first.
async fn journaled(store: &Store, subject: &str) -> Vec<String> {
    store
        .journal_entries(Some(subject), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect()
}

#[tokio::test]
async fn an_operator_disables_enables_and_resets_an_account() {
    let s = Scratch::new();
    let store = Store::open(&s.db()).await.unwrap();
    let id = analyst(&store, "ana@cert.example").await;
    let other = analyst(&store, "bob@cert.example").await;

    let off = s.vigie(&["account", "disable", "--email", "ana@cert.example"]);
    assert!(off.ok, "{}", off.stderr);
    let user = store.user(id).await.unwrap().unwrap();
    assert!(user.disabled);
    assert_eq!(
        store
            .session(&session_of("ana@cert.example"), now())
            .await
            .unwrap(),
        None
    );

    let on = s.vigie(&["account", "enable", "--email", "ana@cert.example"]);
    assert!(on.ok, "{}", on.stderr);
    assert!(
        on.stdout.contains("Compte ana@cert.example réactivé."),
        "{}",
        on.stdout
    );
    let user = store.user(id).await.unwrap().unwrap();
    assert!(!user.disabled);
    assert_eq!(user.failed_logins, 0);
    assert_eq!(user.locked_until, None);
    let again = s.vigie(&["account", "enable", "--email", "ana@cert.example"]);
    assert!(
        again.stdout.contains("n'était pas désactivé"),
        "{}",
        again.stdout
    );

    let reset = s.vigie(&["account", "reset-totp", "--email", "bob@cert.example"]);
    assert!(reset.ok, "{}", reset.stderr);
    let bob = store.user(other).await.unwrap().unwrap();
    assert_eq!(bob.totp_secret, None);
    assert!(store.unused_recovery_codes(other).await.unwrap().is_empty());
    // Ana's second factor is untouched.
    let ana = store.user(id).await.unwrap().unwrap();
    assert_eq!(ana.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));

    let unknown = s.vigie(&["account", "enable", "--email", "nobody@cert.example"]);
    assert!(!unknown.ok);
    assert!(
        unknown.stderr.contains("no account nobody@cert.example"),
        "{}",
        unknown.stderr
    );

    assert_eq!(
        journaled(&store, &format!("user:{}", id.0)).await,
        ["account_created", "account_disabled", "account_enabled"]
    );
    assert_eq!(
        journaled(&store, &format!("user:{}", other.0)).await,
        ["account_created", "second_factor_reset"]
    );
    let entries = store
        .journal_entries(Some(&format!("user:{}", other.0)), 1)
        .await
        .unwrap();
    assert!(
        entries[0].entry.actor.starts_with("operator:"),
        "{}",
        entries[0].entry.actor
    );
    store.close().await;
}

#[tokio::test]
async fn an_operator_withdraws_an_invitation_and_revokes_a_token() {
    let s = Scratch::new();
    let invited = s.vigie(&[
        "account",
        "invite",
        "--email",
        "new@cert.example",
        "--name",
        "Nouvelle",
        "--role",
        "analyst",
    ]);
    assert!(invited.ok, "{}", invited.stderr);
    let link = invited.stdout.trim().rsplit(' ').next().unwrap().to_owned();
    let token = link.rsplit('/').next().unwrap();
    let hash = vigie_auth::TokenHash::of(token).to_hex();
    let store = Store::open(&s.db()).await.unwrap();
    assert!(store.invitation(&hash, now()).await.unwrap().is_some());

    let revoked = s.vigie(&[
        "account",
        "revoke-invitation",
        "--email",
        "NEW@cert.example",
    ]);
    assert!(revoked.ok, "{}", revoked.stderr);
    assert!(
        revoked.stdout.contains("1 invitation(s)"),
        "{}",
        revoked.stdout
    );
    assert_eq!(store.invitation(&hash, now()).await.unwrap(), None);
    let twice = s.vigie(&[
        "account",
        "revoke-invitation",
        "--email",
        "new@cert.example",
    ]);
    assert!(!twice.ok);
    assert!(
        twice.stderr.contains("no pending invitation"),
        "{}",
        twice.stderr
    );
    assert_eq!(
        journaled(&store, "invitations").await,
        ["invitation_sent", "invitation_revoked"]
    );

    // A token of a structure, revoked by its number: the API no longer knows it.
    let structure = store
        .save_structure(&vigie_test_support::incidents::covering(1)[0].structure)
        .await
        .unwrap();
    let secret = vigie_auth::SecretToken::generate(vigie_auth::TokenKind::Api).unwrap();
    let hash = secret.hash().to_hex();
    let id = store
        .create_api_token(structure, &hash, "SIEM", None, now())
        .await
        .unwrap();
    assert!(
        store
            .api_token_holder(&hash, now())
            .await
            .unwrap()
            .is_some()
    );
    let out = s.vigie(&["account", "revoke-token", "--id", &id.to_string()]);
    assert!(out.ok, "{}", out.stderr);
    // A second process revoked it: this store's cache must not keep it alive for long,
    // so read the row itself.
    let tokens = store.api_tokens(structure).await.unwrap();
    assert!(tokens[0].revoked_at.is_some(), "{tokens:?}");
    let twice = s.vigie(&["account", "revoke-token", "--id", &id.to_string()]);
    assert!(!twice.ok);
    assert!(
        twice
            .stderr
            .contains(&format!("no live API token number {id}")),
        "{}",
        twice.stderr
    );
    assert_eq!(
        journaled(&store, &format!("structure:{}", structure.0)).await,
        ["api_token_created", "api_token_revoked"]
    );
    store.close().await;
}
