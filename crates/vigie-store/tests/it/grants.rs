//! Everything that grants access is journaled in the transaction that grants it: accounts
//! created (with their role and scope, and who invited them), invitations, API tokens
//! created and revoked, logouts, shared events.

use jiff::ToSpan as _;
use vigie_access::{Role, Scope, StructureId};
use vigie_model::{Finess, LegalStatus, Region, Structure, StructureType};
use vigie_store::{Actor, InvitationRecord, NewUser, OutboxMail, Store};

/// The latest entry of `action`: its actor, subject and payload.
async fn last(store: &Store, action: &str) -> (String, String, String) {
    let entries = store.journal_entries(None, 200).await.unwrap();
    // Oldest first: the latest is the last one.
    let e = entries
        .iter()
        .rev()
        .find(|e| e.entry.action == action)
        .unwrap_or_else(|| panic!("no {action} entry"));
    (
        e.entry.actor.clone(),
        e.entry.subject.clone(),
        e.entry.payload.clone(),
    )
}

async fn story(store: &Store) {
    let now = jiff::Timestamp::from_second(1_730_000_000).unwrap();
    let new_user = |email: &str, role, scope| NewUser {
        email: email.into(),
        display_name: email.into(),
        role,
        scope,
        password_hash: None,
    };
    // An operator's account: what it grants.
    let admin = store
        .create_user(
            &new_user("admin@cert.fr", Role::Admin, Scope::Platform),
            now,
        )
        .await
        .unwrap();
    let (actor, subject, payload) = last(store, "account_created").await;
    assert_eq!(
        (actor.as_str(), subject),
        ("system", format!("user:{}", admin.0))
    );
    assert!(
        payload.contains(r#""role":"admin""#) && payload.contains(r#""scope":"platform""#),
        "{payload}"
    );

    // An invitation by the administrator, then its acceptance: who invited whom, to what.
    let invitation = InvitationRecord {
        email: "ARS@ars.fr".into(),
        display_name: "ARS Occitanie".into(),
        role: Role::Ars,
        scope: Scope::Region(Region::Occitanie),
        expires_at: now + 24.hours(),
    };
    let mail = OutboxMail {
        recipients: vec!["ars@ars.fr".into()],
        subject: "Invitation".into(),
        text: "texte".into(),
        html: "<p>texte</p>".into(),
        message_id: "<inv@vigie>".into(),
    };
    store
        .create_invitation("inv-hash", &invitation, Some(admin), &mail, now)
        .await
        .unwrap();
    let (actor, _, payload) = last(store, "invitation_sent").await;
    assert_eq!(actor, format!("user:{}", admin.0));
    assert!(
        payload.contains(r#""email":"ars@ars.fr""#) && payload.contains(r#""scope":"region:76""#),
        "{payload}"
    );
    let ars = store
        .accept_invitation(
            "inv-hash",
            &new_user("ars@ars.fr", Role::Ars, Scope::Region(Region::Occitanie)),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let (actor, subject, payload) = last(store, "account_created").await;
    assert_eq!(
        (actor.clone(), subject),
        (format!("user:{}", ars.0), format!("user:{}", ars.0))
    );
    assert!(
        payload.contains(&format!(r#""invited_by":"user:{}""#, admin.0)),
        "{payload}"
    );
    assert!(payload.contains(r#""role":"ars""#), "{payload}");

    // API tokens, created and revoked, by number only.
    let structure = Structure {
        finess: Finess::parse("010000024").unwrap(),
        name: vigie_model::BoundedText::parse("CH de Bourg".to_owned()).unwrap(),
        kind: StructureType::EsPublic,
        legal_status: LegalStatus::Public,
        region: Region::AuvergneRhoneAlpes,
        ose: false,
        ght: None,
    };
    let s = StructureId(store.save_structure(&structure).await.unwrap().0);
    let token = store
        .create_api_token(s, "token-hash", "SIEM", Some(admin), now)
        .await
        .unwrap();
    let (actor, subject, payload) = last(store, "api_token_created").await;
    assert_eq!(
        (actor, subject),
        (format!("user:{}", admin.0), format!("structure:{}", s.0))
    );
    assert_eq!(payload, format!(r#"{{"token":{token}}}"#));
    assert!(!payload.contains("token-hash"));
    assert!(
        store
            .revoke_api_token(s, token, &Actor::User(admin.0), now)
            .await
            .unwrap()
    );
    let (actor, _, _) = last(store, "api_token_revoked").await;
    assert_eq!(actor, format!("user:{}", admin.0));

    // A logout, and a shared event (its description by hash only).
    store
        .create_session("sess", ars, "csrf", true, now, now + 1.hour())
        .await
        .unwrap();
    store.logout("sess", ars, now).await.unwrap();
    assert!(store.session("sess", now).await.unwrap().is_none());
    let (actor, _, _) = last(store, "logged_out").await;
    assert_eq!(actor, format!("user:{}", ars.0));
    store
        .create_event("Campagne X", "Détails internes", Some(admin), now)
        .await
        .unwrap();
    let (_, _, payload) = last(store, "event_created").await;
    assert!(
        payload.contains("description_sha256") && !payload.contains("Détails"),
        "{payload}"
    );
    assert!(store.verify_journal(&[]).await.unwrap().is_ok());
}

#[tokio::test]
async fn grants_are_journaled_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    story(&db.store).await;
}

#[tokio::test]
async fn grants_are_journaled_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    story(&db.store).await;
    db.drop().await;
}
