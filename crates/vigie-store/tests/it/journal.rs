//! The journal's story: real operations append to it, it verifies, and each way of
//! tampering with its table directly is reported at the first bad entry; many concurrent
//! appenders leave a sound chain.

use jiff::{Timestamp, ToSpan};
use vigie_access::{Authority, Role, Scope};
use vigie_store::{
    Action, Actor, DeclarationTexts, Login, LoginFactor, LoginRefusal, NewEntry, NewUser, Payload,
    Pool, Store, Tamper, TamperKind,
};

use crate::portal::{at, declaration, structure};

/// Runs one statement directly on the database, as someone with access to it would.
async fn sql(store: &Store, statement: &str) -> Result<(), sqlx::Error> {
    let statement = sqlx::AssertSqlSafe(statement.to_owned());
    match store.pool() {
        Pool::Sqlite(pool) => sqlx::query(statement).execute(pool).await.map(drop),
        Pool::Postgres(pool) => sqlx::query(statement).execute(pool).await.map(drop),
    }
}

async fn verify(store: &Store) -> Result<vigie_store::Verified, Tamper> {
    store.verify_journal(&[]).await.unwrap()
}

async fn journal_story(store: &Store) {
    let now = at("2024-11-28T08:15:00Z");
    let empty = verify(store).await.unwrap();
    assert_eq!((empty.entries, empty.head.seq), (0, 0));

    // Real operations, each journaled in its own transaction. Alice's account was created
    // before the journal began (by SQL), so that the numbers below start at her first login.
    let s1 = store
        .save_structure(&structure("010000024", "76", "Alpha"))
        .await
        .unwrap();
    sql(
        store,
        &format!(
            "INSERT INTO users (email, display_name, role, structure_id, password_hash, created_at_ns) \
             VALUES ('alice@ch-exemple.fr', 'Alice', 'declarant', {}, '$argon2id$stub', 0)",
            s1.0
        ),
    )
    .await
    .unwrap();
    let alice = store
        .user_by_email("alice@ch-exemple.fr")
        .await
        .unwrap()
        .unwrap()
        .id;
    let from = Some("192.0.2.7".parse().unwrap());
    let password = Login {
        factor: LoginFactor::Password,
        from,
    };
    store
        .login_failed(alice, &password, now, |_| Some(now + 1.minute()))
        .await
        .unwrap(); // 1
    store
        .login_refused(
            None,
            "Mallory@Example.org",
            &password,
            LoginRefusal::UnknownAccount,
            now,
        )
        .await
        .unwrap(); // 2
    store.login_succeeded(alice, &password, now).await.unwrap(); // 3
    let mut cases = Vec::new();
    for title in ["Chiffrement", "Panne", "Fuite"] {
        let case = store
            .declare(
                s1,
                &declaration("010000024", "76", "Alpha", title),
                Some(alice),
                &Actor::User(alice.0),
                &DeclarationTexts::default(),
                &[],
                |_| vec![],
                now,
            )
            .await
            .unwrap();
        cases.push(case); // 4, 5, 6
    }
    assert!(
        store
            .route_case(
                cases[0],
                Authority::Anssi,
                "structure OSE",
                &Actor::User(alice.0),
                now
            )
            .await
            .unwrap()
    ); // 7
    // Routing twice changes nothing, and journals nothing.
    assert!(
        !store
            .route_case(cases[0], Authority::Anssi, "OSE", &Actor::System, now)
            .await
            .unwrap()
    );
    store
        .add_message(
            cases[0],
            alice,
            "Mot de passe du VPN : hunter2",
            &Actor::ApiToken(3),
            now + 1.minute(),
        )
        .await
        .unwrap(); // 8
    // Several entries in one transaction.
    let export = |year: i64| NewEntry {
        at_ns: 1,
        actor: Actor::Operator("root".into()),
        action: Action::DataExported,
        subject: "incidents".into(),
        payload: Payload::new().with("year", year),
    };
    let head = store
        .journal(vec![export(2023), export(2024)])
        .await
        .unwrap(); // 9, 10
    assert_eq!(head.seq, 10);

    let sound = verify(store).await.unwrap();
    assert_eq!((sound.entries, sound.head), (10, head));

    // What the journal says of a case, and of a login; no secret, no message text.
    let of_case = store
        .journal_entries(Some(&cases[0].to_string()), 10)
        .await
        .unwrap();
    let actions: Vec<(i64, &str, &str)> = of_case
        .iter()
        .map(|r| (r.entry.seq, r.entry.action.as_str(), r.entry.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            (4, "case_declared", "user:1"),
            (7, "case_routed", "user:1"),
            (8, "message_posted", "api-token:3"),
        ]
    );
    assert!(of_case[1].entry.payload.contains(r#""authority":"anssi""#));
    let all = store.journal_entries(None, 100).await.unwrap();
    assert_eq!(all.len(), 10);
    assert_eq!(all[0].entry.action, "login_failed");
    assert_eq!(all[0].entry.subject, "user:1");
    assert!(all[0].entry.payload.contains(r#""from":"192.0.2.7""#));
    assert!(
        all[1]
            .entry
            .payload
            .contains(r#""login":"mallory@example.org""#)
    );
    assert!(
        all[1]
            .entry
            .payload
            .contains(r#""reason":"unknown_account""#)
    );
    assert_eq!(all[2].entry.action, "login_succeeded");
    for record in &all {
        for secret in ["hunter2", "argon2", "Chiffrement"] {
            assert!(!record.entry.payload.contains(secret), "{record:?}");
        }
    }
    let last_two = store.journal_entries(None, 2).await.unwrap();
    assert_eq!(
        last_two.iter().map(|r| r.entry.seq).collect::<Vec<_>>(),
        vec![9, 10]
    );

    // Vigie's own connection cannot change or delete an entry.
    assert!(
        sql(store, "UPDATE journal SET payload = '{}' WHERE seq = 3")
            .await
            .is_err()
    );
    assert!(
        sql(store, "DELETE FROM journal WHERE seq = 10")
            .await
            .is_err()
    );
    assert_eq!(verify(store).await, Ok(sound));

    // Whoever owns the database can; the chain tells.
    let drop_triggers: &[&str] = match store.pool() {
        Pool::Sqlite(_) => &[
            "DROP TRIGGER journal_no_update",
            "DROP TRIGGER journal_no_delete",
        ],
        Pool::Postgres(_) => &["DROP TRIGGER journal_no_change ON journal"],
    };
    for statement in drop_triggers {
        sql(store, statement).await.unwrap();
    }
    sql(store, "CREATE TABLE journal_copy AS SELECT * FROM journal")
        .await
        .unwrap();
    let tamperings: &[(&str, &[&str], i64, TamperKind)] = &[
        (
            "a payload changed",
            &["UPDATE journal SET payload = '{\"authority\":\"fssi\"}' WHERE seq = 7"],
            7,
            TamperKind::Changed,
        ),
        (
            "a time changed",
            &["UPDATE journal SET at_ns = at_ns + 1 WHERE seq = 2"],
            2,
            TamperKind::Changed,
        ),
        (
            "a middle entry deleted",
            &["DELETE FROM journal WHERE seq = 5"],
            5,
            TamperKind::Deleted,
        ),
        (
            "two entries swapped",
            &[
                "UPDATE journal SET seq = -1 WHERE seq = 4",
                "UPDATE journal SET seq = 4 WHERE seq = 5",
                "UPDATE journal SET seq = 5 WHERE seq = -1",
            ],
            4,
            TamperKind::Reordered,
        ),
        (
            "the last entry deleted",
            &["DELETE FROM journal WHERE seq = 10"],
            10,
            TamperKind::Deleted,
        ),
        (
            "an entry deleted and the rest renumbered",
            &[
                "DELETE FROM journal WHERE seq = 3",
                "UPDATE journal SET seq = -seq WHERE seq > 3",
                "UPDATE journal SET seq = -seq - 1 WHERE seq < 0",
                "UPDATE journal_head SET seq = seq - 1",
            ],
            3,
            TamperKind::Deleted,
        ),
        (
            "the head rewritten",
            &["UPDATE journal_head SET hash = (SELECT prev_hash FROM journal WHERE seq = 10)"],
            10,
            TamperKind::HeadMismatch,
        ),
    ];
    for (what, statements, seq, kind) in tamperings {
        for statement in *statements {
            sql(store, statement).await.unwrap();
        }
        assert_eq!(
            verify(store).await,
            Err(Tamper {
                seq: *seq,
                kind: *kind
            }),
            "{what} on {}",
            store.engine()
        );
        // Put the journal back as it was.
        sql(store, "DELETE FROM journal").await.unwrap();
        sql(store, "INSERT INTO journal SELECT * FROM journal_copy")
            .await
            .unwrap();
        let restore_head = format!(
            "UPDATE journal_head SET seq = {}, hash = '{}'",
            sound.head.seq, sound.head.hash
        );
        sql(store, &restore_head).await.unwrap();
        assert_eq!(verify(store).await, Ok(sound), "restored after {what}");
    }

    // An anchor kept elsewhere catches a chain rewritten from its start, head included.
    let anchor = vigie_store::Anchor::from(sound.head);
    assert!(store.verify_journal(&[anchor]).await.unwrap().is_ok());
    sql(store, "DELETE FROM journal").await.unwrap();
    let genesis = "0".repeat(64);
    sql(
        store,
        &format!("UPDATE journal_head SET seq = 0, hash = '{genesis}'"),
    )
    .await
    .unwrap();
    assert!(verify(store).await.is_ok());
    assert_eq!(
        store.verify_journal(&[anchor]).await.unwrap(),
        Err(Tamper {
            seq: 1,
            kind: TamperKind::Deleted
        })
    );
}

/// Declarations and messages from many tasks at once: none fails, numbers have no gaps,
/// the chain is sound.
async fn concurrent_story(store: &Store) {
    let now: Timestamp = at("2024-11-28T08:15:00Z");
    let s1 = store
        .save_structure(&structure("010000024", "76", "Alpha"))
        .await
        .unwrap();
    let alice = store
        .create_user(
            &NewUser {
                email: "alice@ch-exemple.fr".into(),
                display_name: "Alice".into(),
                role: Role::Declarant,
                scope: Scope::Structure(s1),
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    const TASKS: usize = 32;
    const EACH: usize = 4;
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let store = store.clone();
        tasks.spawn(async move {
            for i in 0..EACH {
                let title = format!("Incident {t}-{i}");
                let case = store
                    .declare(
                        s1,
                        &declaration("010000024", "76", "Alpha", &title),
                        Some(alice),
                        &Actor::User(alice.0),
                        &DeclarationTexts::default(),
                        &[],
                        |_| vec![],
                        now,
                    )
                    .await?;
                store
                    .add_message(case, alice, &title, &Actor::User(alice.0), now)
                    .await?;
            }
            Ok::<(), vigie_store::StoreError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let verified = verify(store).await.unwrap();
    // Alice's account, then a declaration and a message per step.
    let n = u64::try_from(1 + TASKS * EACH * 2).unwrap();
    assert_eq!(verified.entries, n);
    assert_eq!(verified.head.seq, i64::try_from(n).unwrap());
    let declared = store
        .journal_entries(None, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "case_declared")
        .count();
    assert_eq!(declared, TASKS * EACH);
}

#[tokio::test]
async fn journal_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    journal_story(&db.store).await;
}

#[tokio::test]
async fn journal_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    journal_story(&db.store).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    concurrent_story(&db.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    concurrent_story(&db.store).await;
    db.drop().await;
}

/// The data the journal vouches for: routings, messages and incidents as last journaled
/// pass `verify_data`; each changed with raw SQL is named, while the chain still verifies.
async fn data_story(store: &Store) {
    use vigie_model::{Category, CodeSet, Origin, Qualification};
    use vigie_store::{Discrepancy, Judgement, QualificationChange};

    let now = at("2024-11-28T08:15:00Z");
    let s1 = store
        .save_structure(&structure("010000024", "76", "Alpha"))
        .await
        .unwrap();
    let alice = store
        .create_user(
            &NewUser {
                email: "alice@ch-exemple.fr".into(),
                display_name: "Alice".into(),
                role: Role::Declarant,
                scope: Scope::Structure(s1),
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    let analyst = store
        .create_user(
            &NewUser {
                email: "analyste@cert.example".into(),
                display_name: "Ana Lyste".into(),
                role: Role::Analyst,
                scope: Scope::Cert,
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    let mut cases = Vec::new();
    for title in ["Chiffrement", "Panne", "Fuite"] {
        let case = store
            .declare(
                s1,
                &declaration("010000024", "76", "Alpha", title),
                Some(alice),
                &Actor::User(alice.0),
                &DeclarationTexts::default(),
                &[],
                |_| vec![],
                now,
            )
            .await
            .unwrap();
        cases.push(case);
    }
    let (c0, c1, c2) = (cases[0], cases[1], cases[2]);
    store
        .route_case(
            c0,
            Authority::DgsCorruss,
            "patients en danger",
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    let message = store
        .add_message(
            c0,
            alice,
            "Sauvegardes restaurées",
            &Actor::User(alice.0),
            now,
        )
        .await
        .unwrap();
    // A qualification changes the incident's line: its entry carries the new hash.
    let q = Qualification::new(
        Origin::Malicious,
        CodeSet::of(&[Category::Ransomware]),
        None,
        None,
        None,
        None,
    )
    .unwrap();
    let change = QualificationChange {
        qualification: &q,
        judgement: Judgement::default(),
        by: analyst,
    };
    store
        .qualify(c1, &change, &[], |_| vec![], now + 1.hour())
        .await
        .unwrap();
    let qualified = store
        .journal_entries(Some(&c1.to_string()), 1)
        .await
        .unwrap();
    assert_eq!(qualified[0].entry.action, "case_qualified");
    assert!(
        qualified[0]
            .entry
            .payload
            .contains(r#""incident_sha256":""#)
    );
    // An entry written before entries carried the hash (a qualification of an older
    // Vigie): that case is no longer vouched for, and says so rather than failing.
    let Ok(verified) = verify(store).await else {
        panic!("sound journal")
    };
    let mut head = verified.head;
    let old = head.append(NewEntry {
        at_ns: 1,
        actor: Actor::User(analyst.0),
        action: Action::CaseQualified,
        subject: c2.to_string(),
        payload: Payload::new().with("origin", "malicious"),
    });
    sql(
        store,
        &format!(
            "INSERT INTO journal (seq, at_ns, actor, action, subject, payload, prev_hash, hash) \
             VALUES ({}, {}, '{}', '{}', '{}', '{}', '{}', '{}')",
            old.entry.seq,
            old.entry.at_ns,
            old.entry.actor,
            old.entry.action,
            old.entry.subject,
            old.entry.payload,
            old.prev_hash,
            old.hash
        ),
    )
    .await
    .unwrap();
    sql(
        store,
        &format!(
            "UPDATE journal_head SET seq = {}, hash = '{}'",
            head.seq, head.hash
        ),
    )
    .await
    .unwrap();
    assert!(verify(store).await.is_ok());

    let sound = store.verify_data().await.unwrap();
    assert!(sound.sound(), "{sound:?}");
    assert_eq!(
        (sound.incidents.checked, sound.incidents.not_vouched),
        (2, 1)
    );
    assert_eq!((sound.messages.checked, sound.routings.checked), (1, 1));

    // Behind Vigie's back: the case opened to ANSSI, the message's text rewritten, the
    // qualified incident's impact changed, the declared one's title.
    let id = |case: vigie_model::CaseNumber| case.id();
    for statement in [
        format!(
            "INSERT INTO routings (incident_id, authority, reason, routed_at_ns) \
             VALUES ({}, 'anssi', 'x', 0)",
            id(c0)
        ),
        format!("UPDATE messages SET body = 'Rien à signaler' WHERE id = {message}"),
        format!(
            "UPDATE incidents SET support_requested = NOT support_requested WHERE id = {}",
            id(c1)
        ),
        format!("UPDATE incidents SET title = 'Autre' WHERE id = {}", id(c0)),
        // Not vouched: changing it cannot be seen.
        format!("UPDATE incidents SET title = 'Autre' WHERE id = {}", id(c2)),
    ] {
        sql(store, &statement).await.unwrap();
    }
    // The chain cannot see any of it.
    assert!(verify(store).await.is_ok());
    let report = store.verify_data().await.unwrap();
    assert!(!report.sound());
    let named = |check: &vigie_store::DataCheck| -> Vec<(String, Discrepancy)> {
        check
            .first
            .iter()
            .map(|d| (d.subject.clone(), d.what))
            .collect()
    };
    assert_eq!(
        named(&report.routings),
        [(format!("{c0} → anssi"), Discrepancy::NotJournaled)]
    );
    assert_eq!(
        named(&report.messages),
        [(format!("message {message} ({c0})"), Discrepancy::Changed)]
    );
    assert_eq!(
        named(&report.incidents),
        [
            (c0.to_string(), Discrepancy::Changed),
            (c1.to_string(), Discrepancy::Changed)
        ]
    );
    assert_eq!(report.incidents.not_vouched, 1);

    // A journaled routing deleted, a journaled message deleted.
    sql(store, "DELETE FROM routings").await.unwrap();
    sql(store, "DELETE FROM messages").await.unwrap();
    let report = store.verify_data().await.unwrap();
    assert_eq!(
        named(&report.routings),
        [(format!("{c0} → dgs_corruss"), Discrepancy::Missing)]
    );
    assert_eq!(
        named(&report.messages),
        [(format!("message {message} ({c0})"), Discrepancy::Missing)]
    );

    // A value Vigie never writes is named even on a case not vouched for.
    sql(
        store,
        &format!(
            "UPDATE incidents SET care_impact = 'bogus' WHERE id = {}",
            id(c2)
        ),
    )
    .await
    .unwrap();
    let report = store.verify_data().await.unwrap();
    assert_eq!(
        named(&report.incidents),
        [
            (c0.to_string(), Discrepancy::Changed),
            (c1.to_string(), Discrepancy::Changed),
            (c2.to_string(), Discrepancy::Changed)
        ]
    );
}

#[tokio::test]
async fn data_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    data_story(&db.store).await;
}

#[tokio::test]
async fn data_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    data_story(&db.store).await;
    db.drop().await;
}

/// Served under a role that owns nothing of the database (the owner migrated it), Vigie
/// opens it, journals, and verifies; that role cannot drop, disable, change or empty the
/// journal, though it can still write the other tables (which `verify_data` checks).
#[tokio::test]
async fn a_serving_role_cannot_touch_the_journal_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    let role = format!("vigie_serving_{}_{}", std::process::id(), fastrand::u32(..));
    for statement in [
        format!("CREATE ROLE {role} LOGIN"),
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned(),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ] {
        sql(&db.store, &statement).await.unwrap();
    }
    let (scheme, rest) = db.url.split_at(db.url.find("//").unwrap() + 2);
    let serving_url = format!("{scheme}{role}{}", &rest[rest.find('@').unwrap()..]);
    let serving = Store::open(&serving_url).await.unwrap();
    let export = NewEntry {
        at_ns: 1,
        actor: Actor::Operator("root".into()),
        action: Action::DataExported,
        subject: "incidents".into(),
        payload: Payload::new().with("year", 2024),
    };
    assert_eq!(serving.journal(vec![export]).await.unwrap().seq, 1);
    assert!(verify(&serving).await.is_ok());
    for statement in [
        "DROP TRIGGER journal_no_change ON journal",
        "ALTER TABLE journal DISABLE TRIGGER journal_no_change",
        "UPDATE journal SET payload = '{}'",
        "DELETE FROM journal",
        "TRUNCATE journal",
        "DROP TABLE journal",
    ] {
        assert!(sql(&serving, statement).await.is_err(), "{statement}");
    }
    sql(&serving, "UPDATE structures SET name = name")
        .await
        .unwrap();
    assert!(verify(&serving).await.is_ok());
    serving.close().await;
    sql(&db.store, &format!("DROP OWNED BY {role}"))
        .await
        .unwrap();
    sql(&db.store, &format!("DROP ROLE {role}")).await.unwrap();
    db.drop().await;
}
