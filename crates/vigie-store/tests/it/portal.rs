//! The portal's story: accounts, sessions, a declaration with its acknowledgment, cases
//! listed by scope, messages, drafts, tokens, invitations and the outbox.

use jiff::{Timestamp, ToSpan};
use vigie_access::{Authority, Listing, Role, Scope};
use vigie_model::{CodeSet, Finess, Region, Structure, interchange::v1};
use vigie_store::{
    Actor, DeclarationTexts, InvitationRecord, Login, LoginFactor, NewUser, OutboxMail, Store,
};

pub(crate) fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub(crate) fn structure(finess: &str, region: &str, ght: &str) -> Structure {
    let line = format!(
        r#"{{"declared_at":"2024-01-01T00:00:00Z","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"{region}","ght":"{ght}"}},"state_at_declaration":"resolving","support_requested":false,"care_impact":"none","data_impact":["none"],"patient_danger":"none"}}"#
    );
    v1::parse_line(&line).unwrap().structure
}

pub(crate) fn declaration(
    finess: &str,
    region: &str,
    ght: &str,
    title: &str,
) -> vigie_model::Incident {
    let line = format!(
        r#"{{"declared_at":"2024-11-28T09:15:00+01:00","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"{region}","ght":"{ght}"}},"state_at_declaration":"needs_cert","support_requested":true,"care_impact":"degraded","data_impact":["unavailable"],"patient_danger":"none","title":"{title}"}}"#
    );
    v1::parse_line(&line).unwrap()
}

fn mail(to: &str, subject: String) -> OutboxMail {
    OutboxMail {
        recipients: vec![to.to_owned()],
        subject,
        text: "texte".into(),
        html: "<p>texte</p>".into(),
        message_id: "<1@vigie>".into(),
    }
}

async fn portal_story(store: &Store) {
    let now = at("2024-11-28T08:15:00Z");
    let s1 = store
        .save_structure(&structure("010000024", "76", "Alpha"))
        .await
        .unwrap();
    let s2 = store
        .save_structure(&structure("010000032", "53", "Beta"))
        .await
        .unwrap();
    assert_ne!(s1, s2);
    let finess = Finess::parse("010000024").unwrap();
    assert_eq!(
        store
            .structure_by_finess(&finess)
            .await
            .unwrap()
            .unwrap()
            .id,
        s1
    );

    // Accounts: e-mail is case-insensitive, role and scope come back together.
    let alice = store
        .create_user(
            &NewUser {
                email: "Alice@CH-Exemple.fr".into(),
                display_name: "Alice".into(),
                role: Role::Declarant,
                scope: Scope::Structure(s1),
                password_hash: Some("$argon2id$stub".into()),
            },
            now,
        )
        .await
        .unwrap();
    let record = store
        .user_by_email("alice@ch-exemple.fr ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.id, alice);
    assert_eq!(record.viewer.scope(), &Scope::Structure(s1));
    let anssi = store
        .create_user(
            &NewUser {
                email: "cert@anssi.example".into(),
                display_name: "ANSSI".into(),
                role: Role::Authority,
                scope: Scope::Authority(Authority::Anssi),
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store.user(anssi).await.unwrap().unwrap().viewer.role(),
        Role::Authority
    );

    // Sessions expire, and end on demand.
    store
        .create_session("h1", alice, "csrf1", false, now, now + 1.hour())
        .await
        .unwrap();
    let session = store.session("h1", now).await.unwrap().unwrap();
    assert_eq!(
        (session.user.id, session.csrf.as_str(), session.mfa_done),
        (alice, "csrf1", false)
    );
    store.session_mfa_done("h1").await.unwrap();
    assert!(store.session("h1", now).await.unwrap().unwrap().mfa_done);
    assert!(
        store
            .session("h1", now + 2.hours())
            .await
            .unwrap()
            .is_none()
    );
    store
        .create_session("h2", alice, "csrf2", true, now, now + 1.hour())
        .await
        .unwrap();
    assert_eq!(
        store
            .delete_expired_sessions(now + 30.minutes())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_expired_sessions(now + 2.hours())
            .await
            .unwrap(),
        2
    );
    store
        .create_session("h1", alice, "csrf1", true, now, now + 1.hour())
        .await
        .unwrap();
    store.delete_session("h1").await.unwrap();
    assert!(store.session("h1", now).await.unwrap().is_none());

    // TOTP steps are accepted once; recovery codes once.
    store
        .set_totp(alice, Some("JBSWY3DPEHPK3PXP"))
        .await
        .unwrap();
    assert!(store.accept_totp_step(alice, 100).await.unwrap());
    assert!(!store.accept_totp_step(alice, 100).await.unwrap());
    assert!(!store.accept_totp_step(alice, 99).await.unwrap());
    assert!(store.accept_totp_step(alice, 101).await.unwrap());
    store
        .set_recovery_codes(alice, &["r1".into(), "r2".into()])
        .await
        .unwrap();
    assert!(store.use_recovery_code(alice, "r1", now).await.unwrap());
    assert!(!store.use_recovery_code(alice, "r1", now).await.unwrap());
    assert!(!store.use_recovery_code(anssi, "r2", now).await.unwrap());

    // Failed logins are counted until a success.
    let password = Login {
        factor: LoginFactor::Password,
        from: None,
    };
    store
        .login_failed(alice, &password, now, |_| Some(now + 1.minute()))
        .await
        .unwrap();
    let locked = store.user(alice).await.unwrap().unwrap();
    assert_eq!(
        (locked.failed_logins, locked.locked_until),
        (1, Some(now + 1.minute()))
    );
    store.login_succeeded(alice, &password, now).await.unwrap();
    assert_eq!(store.user(alice).await.unwrap().unwrap().failed_logins, 0);
    // Parallel guesses each count, and the lock follows the count they reach (from the
    // fifth), not a count read before them.
    let locks = futures_util::future::join_all((0..12).map(|_| {
        store.login_failed(alice, &password, now, |failures| {
            (failures >= 5).then(|| now + 1.minute())
        })
    }))
    .await;
    let applied = locks
        .into_iter()
        .map(Result::unwrap)
        .filter(Option::is_some)
        .count();
    assert_eq!(applied, 8);
    let guessed = store.user(alice).await.unwrap().unwrap();
    assert_eq!(
        (guessed.failed_logins, guessed.locked_until),
        (12, Some(now + 1.minute()))
    );
    store.login_succeeded(alice, &password, now).await.unwrap();

    // A declaration and its acknowledgment land together.
    let texts = DeclarationTexts {
        measures_taken: Some("Serveurs isolés".into()),
        affected_systems: None,
    };
    let case = store
        .declare(
            s1,
            &declaration("010000024", "76", "Alpha", "Chiffrement"),
            Some(alice),
            &Actor::User(alice.0),
            &texts,
            &[],
            |case| {
                vec![mail(
                    "alice@ch-exemple.fr",
                    format!("Accusé de réception {case}"),
                )]
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(case.year(), 2024);
    let other = store
        .declare(
            s2,
            &declaration("010000032", "53", "Beta", "Panne"),
            None,
            &Actor::System,
            &DeclarationTexts::default(),
            &[],
            |_| vec![],
            now,
        )
        .await
        .unwrap();
    let record = store.case(case).await.unwrap().unwrap();
    assert_eq!(
        record.incident.title.as_ref().map(|t| t.as_str()),
        Some("Chiffrement")
    );
    assert_eq!(
        (record.facts.structure, record.facts.region),
        (s1, Region::Occitanie)
    );
    assert_eq!(record.facts.ght.as_deref(), Some("Alpha"));
    assert_eq!(
        (record.state, record.declared_by),
        (vigie_workflow::case::CaseState::Received, Some(alice))
    );
    // A case number with the wrong year names no case.
    let wrong_year = vigie_model::CaseNumber::new(2023, case.id()).unwrap();
    assert!(store.case(wrong_year).await.unwrap().is_none());

    // Listings follow the viewer's scope.
    let titles = |cases: Vec<vigie_store::CaseSummary>| {
        cases.into_iter().map(|c| c.case).collect::<Vec<_>>()
    };
    assert_eq!(
        titles(store.list_cases(&Listing::All, 10, 0).await.unwrap()),
        vec![other, case]
    );
    assert_eq!(
        titles(
            store
                .list_cases(&Listing::Structure(s1), 10, 0)
                .await
                .unwrap()
        ),
        vec![case]
    );
    assert_eq!(
        titles(
            store
                .list_cases(&Listing::Ght("Beta".into()), 10, 0)
                .await
                .unwrap()
        ),
        vec![other]
    );
    assert_eq!(
        titles(
            store
                .list_cases(&Listing::Region(Region::Occitanie), 10, 0)
                .await
                .unwrap()
        ),
        vec![case]
    );
    assert!(
        store
            .list_cases(&Listing::RoutedTo(Authority::Anssi), 10, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .route_case(case, Authority::Anssi, "OSE", &Actor::System, now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .route_case(case, Authority::Anssi, "OSE", &Actor::System, now)
            .await
            .unwrap()
    );
    let routed = store
        .list_cases(&Listing::RoutedTo(Authority::Anssi), 10, 0)
        .await
        .unwrap();
    assert_eq!(titles(routed), vec![case]);
    let fssi = store
        .list_cases(&Listing::RoutedTo(Authority::Fssi), 10, 0)
        .await
        .unwrap();
    assert!(fssi.is_empty());
    let facts = store.case(case).await.unwrap().unwrap().facts;
    assert_eq!(facts.routed_to, CodeSet::of(&[Authority::Anssi]));
    assert!(
        store
            .list_cases(&Listing::Nothing, 10, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        titles(store.list_cases(&Listing::All, 1, 1).await.unwrap()),
        vec![case]
    );

    // Messages.
    store
        .add_message(
            case,
            alice,
            "Les sauvegardes sont isolées.",
            &Actor::User(alice.0),
            now,
        )
        .await
        .unwrap();
    let messages = store.messages(case).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        (messages[0].author.as_deref(), messages[0].author_role),
        (Some("Alice"), Some(Role::Declarant))
    );
    assert!(store.messages(other).await.unwrap().is_empty());

    // Drafts: one per user and structure, replaced as the user goes.
    let key = vigie_store::DraftKey {
        user: alice,
        structure: s1,
    };
    let typed = |title: &str| vigie_model::RawDeclaration {
        title: title.into(),
        ..Default::default()
    };
    store.save_draft(key, 1, &typed("a"), now).await.unwrap();
    store.save_draft(key, 2, &typed("ab"), now).await.unwrap();
    assert_eq!(
        store.draft(key).await.unwrap(),
        Some(vigie_store::SavedDraft {
            step: 2,
            fields: typed("ab")
        })
    );
    store.delete_draft(key).await.unwrap();
    assert_eq!(store.draft(key).await.unwrap(), None);

    // API tokens act for their structure until revoked.
    let token = store
        .create_api_token(s1, "tokenhash", "SIEM", Some(alice), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .api_token("tokenhash")
            .await
            .unwrap()
            .unwrap()
            .structure,
        s1
    );
    // With its structure and the address acknowledgments go to, in one query.
    let holder = store
        .api_token_holder("tokenhash", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (holder.token.id, holder.token.label.as_str()),
        (token, "SIEM")
    );
    assert_eq!((holder.structure.id, holder.token.structure), (s1, s1));
    assert_eq!(
        holder.structure.structure,
        structure("010000024", "76", "Alpha")
    );
    assert_eq!(holder.author_email.as_deref(), Some("alice@ch-exemple.fr"));
    assert!(
        store
            .api_token_holder("other", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !store
            .revoke_api_token(s2, token, &vigie_store::Actor::System, now)
            .await
            .unwrap()
    );
    assert!(
        store
            .revoke_api_token(s1, token, &vigie_store::Actor::System, now)
            .await
            .unwrap()
    );
    assert!(store.api_token("tokenhash").await.unwrap().is_none());
    assert!(
        store
            .api_token_holder("tokenhash", now)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.api_tokens(s1).await.unwrap().len(), 1);

    // Invitations are accepted once, before they expire.
    let invitation = InvitationRecord {
        email: "bob@ch-exemple.fr".into(),
        display_name: "Bob".into(),
        role: Role::Declarant,
        scope: Scope::Structure(s1),
        expires_at: now + 168.hours(),
    };
    store
        .create_invitation(
            "inv",
            &invitation,
            Some(alice),
            &mail("bob@ch-exemple.fr", "Invitation".into()),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store.invitation("inv", now).await.unwrap(),
        Some(invitation.clone())
    );
    assert!(
        store
            .invitation("inv", now + 192.hours())
            .await
            .unwrap()
            .is_none()
    );
    let bob = NewUser {
        email: invitation.email.clone(),
        display_name: "Bob".into(),
        role: Role::Declarant,
        scope: Scope::Structure(s1),
        password_hash: Some("$argon2id$stub".into()),
    };
    assert!(
        store
            .accept_invitation("inv", &bob, now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .accept_invitation("inv", &bob, now)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.users_of_structure(s1).await.unwrap().len(), 2);

    // The outbox holds the acknowledgment and the invitation until delivered.
    let due = store.due_mails(now, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].mail.subject, format!("Accusé de réception {case}"));
    store.mail_sent(due[0].id, now).await.unwrap();
    store
        .mail_failed(due[1].id, "451 try later", Some(now + 5.minutes()), now)
        .await
        .unwrap();
    assert!(store.due_mails(now, 10).await.unwrap().is_empty());
    let retry = store.due_mails(now + 5.minutes(), 10).await.unwrap();
    assert_eq!((retry.len(), retry[0].attempts), (1, 1));
    store
        .mail_failed(retry[0].id, "550 no such user", None, now)
        .await
        .unwrap();
    assert!(
        store
            .due_mails(now + 24.hours(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn portal_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    portal_story(&db.store).await;
}

#[tokio::test]
async fn portal_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    portal_story(&db.store).await;
    db.drop().await;
}

/// A token revoked by another process sharing the database stops working within
/// `TOKEN_TRUSTED_FOR`; revoked through this store, at once.
#[tokio::test]
async fn api_tokens_are_trusted_briefly() {
    let db = crate::engines::Sqlite::new().await;
    let (store, now) = (&db.store, at("2024-11-28T08:15:00Z"));
    let s1 = store
        .save_structure(&structure("010000024", "76", "Alpha"))
        .await
        .unwrap();
    let token = store
        .create_api_token(s1, "h", "SIEM", None, now)
        .await
        .unwrap();
    assert!(store.api_token_holder("h", now).await.unwrap().is_some());
    let other = Store::open(&db.url).await.unwrap();
    assert!(
        other
            .revoke_api_token(s1, token, &vigie_store::Actor::System, now)
            .await
            .unwrap()
    );
    let later = now + vigie_store::TOKEN_TRUSTED_FOR;
    let soon = later - 1.second();
    assert!(store.api_token_holder("h", soon).await.unwrap().is_some());
    assert!(store.api_token_holder("h", later).await.unwrap().is_none());
    assert!(other.api_token_holder("h", now).await.unwrap().is_none());

    let token = store
        .create_api_token(s1, "h2", "SIEM", None, now)
        .await
        .unwrap();
    assert!(store.api_token_holder("h2", now).await.unwrap().is_some());
    assert!(
        store
            .revoke_api_token(s1, token, &vigie_store::Actor::System, now)
            .await
            .unwrap()
    );
    assert!(store.api_token_holder("h2", now).await.unwrap().is_none());
    other.close().await;
}

/// Accounts' security: counters of names without an account, a disabled account's tokens
/// and sessions, a second factor replaced in one transaction.
async fn account_security_story(store: &Store) {
    let now = at("2024-11-28T08:15:00Z");
    let s1 = store
        .save_structure(&structure("010000024", "76", "Alpha"))
        .await
        .unwrap();

    // A name without an account is counted like one, whatever its case.
    assert_eq!(
        store.login_name_failures("ghost@x.fr").await.unwrap(),
        (0, None)
    );
    store
        .login_name_failed(" Ghost@X.fr", now, |_| None)
        .await
        .unwrap();
    let until = now + 1.minute();
    store
        .login_name_failed("ghost@x.fr", now, |_| Some(until))
        .await
        .unwrap();
    assert_eq!(
        store.login_name_failures("GHOST@x.fr ").await.unwrap(),
        (2, Some(until))
    );
    assert_eq!(store.forget_failed_logins(now).await.unwrap(), 0);
    assert_eq!(
        store.forget_failed_logins(now + 1.second()).await.unwrap(),
        1
    );
    assert_eq!(
        store.login_name_failures("ghost@x.fr").await.unwrap(),
        (0, None)
    );

    // A disabled account: its tokens are revoked and refused, its sessions end.
    let new = |email: &str| NewUser {
        email: email.into(),
        display_name: "D".into(),
        role: Role::Declarant,
        scope: Scope::Structure(s1),
        password_hash: Some("$argon2id$stub".into()),
    };
    let dora = store.create_user(&new("dora@ch.fr"), now).await.unwrap();
    let eve = store.create_user(&new("eve@ch.fr"), now).await.unwrap();
    store
        .create_api_token(s1, "dora-token", "SIEM", Some(dora), now)
        .await
        .unwrap();
    store
        .create_api_token(s1, "eve-token", "SIEM", Some(eve), now)
        .await
        .unwrap();
    store
        .create_session("dora-session", dora, "c", true, now, now + 8.hours())
        .await
        .unwrap();
    assert!(
        store
            .api_token_holder("dora-token", now)
            .await
            .unwrap()
            .is_some()
    );
    let admin = Actor::Operator("admin".into());
    assert!(store.disable_user(dora, &admin, now).await.unwrap());
    assert!(
        store
            .api_token_holder("dora-token", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.api_token("dora-token").await.unwrap().is_none());
    assert!(store.session("dora-session", now).await.unwrap().is_none());
    let tokens = store.api_tokens(s1).await.unwrap();
    let revoked: Vec<bool> = tokens.iter().map(|t| t.revoked_at.is_some()).collect();
    assert_eq!(
        revoked,
        vec![true, false],
        "only the disabled author's token"
    );
    assert!(
        store
            .api_token_holder("eve-token", now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.user(dora).await.unwrap().unwrap().disabled);

    // An account's failures are forgotten the same way.
    let login = Login {
        factor: LoginFactor::Password,
        from: None,
    };
    store
        .login_failed(eve, &login, now, |_| Some(until))
        .await
        .unwrap();
    assert_eq!(store.user(eve).await.unwrap().unwrap().failed_logins, 1);
    assert_eq!(store.forget_failed_logins(now).await.unwrap(), 0);
    assert_eq!(
        store.forget_failed_logins(now + 1.second()).await.unwrap(),
        1
    );
    let user = store.user(eve).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (0, None));

    // A second factor replaced: secret, step, codes and sessions in one go, with its notice.
    store
        .create_session("eve-1", eve, "c", true, now, now + 8.hours())
        .await
        .unwrap();
    store
        .create_session("eve-2", eve, "c", true, now, now + 8.hours())
        .await
        .unwrap();
    let hashes = vec!["r1".to_owned(), "r2".to_owned()];
    store
        .replace_second_factor(
            eve,
            &vigie_store::NewSecondFactor {
                totp_secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                totp_step: 42,
                recovery_hashes: &hashes,
                from: Some("192.0.2.1".parse().unwrap()),
            },
            &vigie_store::NewSession {
                token_hash: "eve-3",
                csrf: "c3",
                mfa_done: true,
                expires_at: now + 8.hours(),
            },
            Some(&mail("eve@ch.fr", "[Vigie] changé".into())),
            now,
        )
        .await
        .unwrap();
    let user = store.user(eve).await.unwrap().unwrap();
    assert_eq!(
        (user.totp_secret.as_deref(), user.totp_last_step),
        (Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), Some(42))
    );
    assert!(!store.accept_totp_step(eve, 42).await.unwrap());
    let mut codes = store.unused_recovery_codes(eve).await.unwrap();
    codes.sort();
    assert_eq!(codes, hashes);
    for gone in ["eve-1", "eve-2"] {
        assert!(store.session(gone, now).await.unwrap().is_none(), "{gone}");
    }
    assert_eq!(
        store.session("eve-3", now).await.unwrap().unwrap().csrf,
        "c3"
    );
    let due = store.due_mails(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].mail.recipients, vec!["eve@ch.fr".to_owned()]);

    // Both changes are in the journal, with who made them, and the chain holds.
    let journaled: Vec<(String, String, String, String)> = store
        .journal_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action != "login_failed")
        .map(|r| {
            (
                r.entry.actor,
                r.entry.action,
                r.entry.subject,
                r.entry.payload,
            )
        })
        .collect();
    let created = |user: vigie_access::UserId| {
        (
            "system".to_owned(),
            "account_created".to_owned(),
            format!("user:{}", user.0),
            r#"{"invited_by":null,"role":"declarant","scope":"structure:1"}"#.to_owned(),
        )
    };
    let token = |user: vigie_access::UserId, n: u8| {
        (
            format!("user:{}", user.0),
            "api_token_created".to_owned(),
            "structure:1".to_owned(),
            format!(r#"{{"token":{n}}}"#),
        )
    };
    assert_eq!(
        journaled,
        vec![
            created(dora),
            created(eve),
            token(dora, 1),
            token(eve, 2),
            (
                "operator:admin".to_owned(),
                "account_disabled".to_owned(),
                format!("user:{}", dora.0),
                r#"{"api_tokens_revoked":1}"#.to_owned()
            ),
            (
                format!("user:{}", eve.0),
                "second_factor_replaced".to_owned(),
                format!("user:{}", eve.0),
                r#"{"from":"192.0.2.1","notified":true,"recovery_codes":2}"#.to_owned()
            ),
        ]
    );
    assert!(store.verify_journal(&[]).await.unwrap().is_ok());
}

#[tokio::test]
async fn account_security_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    account_security_story(&db.store).await;
}

#[tokio::test]
async fn account_security_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    account_security_story(&db.store).await;
    db.drop().await;
}
