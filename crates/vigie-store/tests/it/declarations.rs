//! Declarations committed in groups: many at once each get their own case and their own
//! acknowledgment, a bad one fails alone, one whose caller stops waiting still lands, and
//! the draft a declaration was made from is gone exactly when it is acknowledged.

use std::{collections::HashSet, time::Duration};

use futures_util::future::join_all;
use jiff::Timestamp;
use vigie_access::{Role, Scope, StructureId, UserId};
use vigie_model::{CaseNumber, Incident, interchange::v1};
use vigie_store::{
    Actor, DeclarationTexts, DraftKey, NewDeclaration, NewUser, OutboxMail, SavedDraft, Store,
    StoreError,
};
use vigie_workflow::case::CaseState;

fn declaration(finess: &str, title: &str) -> Incident {
    let line = format!(
        r#"{{"declared_at":"2024-06-03T09:15:00+02:00","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"76"}},"state_at_declaration":"needs_cert","support_requested":true,"care_impact":"degraded","data_impact":["unavailable"],"patient_danger":"none","title":"{title}"}}"#
    );
    v1::parse_line(&line).unwrap()
}

/// The acknowledgment of a case, named after it.
fn ack(to: &str, case: CaseNumber) -> Vec<OutboxMail> {
    vec![OutboxMail {
        recipients: vec![to.to_owned()],
        subject: format!("Accusé de réception {case}"),
        text: "texte".into(),
        html: "<p>texte</p>".into(),
        message_id: format!("<ack.{}@vigie>", case.id()),
    }]
}

async fn setup(store: &Store, now: Timestamp) -> (StructureId, UserId) {
    let incident = declaration("010000024", "x");
    let s = store.save_structure(&incident.structure).await.unwrap();
    let user = store
        .create_user(
            &NewUser {
                email: "alice@ch-exemple.fr".into(),
                display_name: "Alice".into(),
                role: Role::Declarant,
                scope: Scope::Structure(s),
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    (s, user)
}

async fn many_at_once(store: &Store) {
    let now: Timestamp = "2024-06-03T07:15:00Z".parse().unwrap();
    let (s, alice) = setup(store, now).await;
    // More than one group holds.
    const N: usize = 700;
    let results = join_all((0..N).map(|n| {
        let incident = declaration("010000024", &format!("Déclaration {n}"));
        let texts = DeclarationTexts {
            measures_taken: Some(format!("Mesure {n}")),
            affected_systems: (n % 2 == 0).then(|| format!("Système {n}")),
        };
        async move {
            store
                .declare(
                    s,
                    &incident,
                    Some(alice),
                    &Actor::System,
                    &texts,
                    &[],
                    |case| ack("alice@ch-exemple.fr", case),
                    now,
                )
                .await
        }
    }))
    .await;
    let cases: Vec<CaseNumber> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(cases.iter().collect::<HashSet<_>>().len(), N, "distinct");
    assert_eq!(store.count_incidents().await.unwrap(), N as i64);
    for (n, case) in cases.iter().enumerate() {
        assert_eq!(case.year(), 2024);
        let record = store.case(*case).await.unwrap().unwrap();
        assert_eq!(
            record.incident.title.as_ref().map(|t| t.as_str()),
            Some(format!("Déclaration {n}").as_str()),
            "{case} is the declaration its caller sent"
        );
        assert_eq!(
            record.texts.measures_taken,
            Some(format!("Mesure {n}")),
            "{case}"
        );
        assert_eq!(
            record.texts.affected_systems,
            (n % 2 == 0).then(|| format!("Système {n}"))
        );
        assert_eq!(
            (record.declared_by, record.state),
            (Some(alice), CaseState::Received)
        );
        assert_eq!(record.facts.structure, s);
    }
    // One acknowledgment per case, named after it, queued at the declaration's time.
    let due = store.due_mails(now, i64::MAX).await.unwrap();
    let mut acknowledged: Vec<String> = due.iter().map(|d| d.mail.subject.clone()).collect();
    acknowledged.sort();
    let mut expected: Vec<String> = cases
        .iter()
        .map(|c| format!("Accusé de réception {c}"))
        .collect();
    expected.sort();
    assert_eq!(acknowledged, expected);
    assert!(due.iter().all(|d| d.queued_at == now && d.attempts == 0));
}

async fn a_bad_one_fails_alone(store: &Store) {
    let now: Timestamp = "2024-06-03T07:15:00Z".parse().unwrap();
    let (s, alice) = setup(store, now).await;
    let good = |n: usize| {
        let incident = declaration("010000024", &format!("Bonne {n}"));
        async move {
            store
                .declare(
                    s,
                    &incident,
                    Some(alice),
                    &Actor::System,
                    &DeclarationTexts::default(),
                    &[],
                    |case| ack("alice@ch-exemple.fr", case),
                    now,
                )
                .await
        }
    };
    // Queued together: the writer takes them in one or a few groups.
    let no_such_structure = async {
        store
            .declare(
                StructureId(999_999),
                &declaration("010000024", "Sans structure"),
                None,
                &Actor::System,
                &DeclarationTexts::default(),
                &[],
                |case| ack("x@ch-exemple.fr", case),
                now,
            )
            .await
    };
    let failing_mails = async {
        store
            .declare(
                s,
                &declaration("010000024", "Accusé impossible"),
                None,
                &Actor::System,
                &DeclarationTexts::default(),
                &[],
                |_| panic!("no acknowledgment can be built"),
                now,
            )
            .await
    };
    let (before, bad, panicked, after) = tokio::join!(
        join_all((0..40).map(good)),
        no_such_structure,
        failing_mails,
        join_all((40..80).map(good)),
    );
    assert!(matches!(bad, Err(StoreError::Sql(_))), "{bad:?}");
    assert!(
        matches!(panicked, Err(StoreError::Unconfirmed(_))),
        "{panicked:?}"
    );
    let cases: Vec<CaseNumber> = before
        .into_iter()
        .chain(after)
        .map(Result::unwrap)
        .collect();
    // Only the good ones are there, each whole, with its acknowledgment and no other.
    assert_eq!(store.count_incidents().await.unwrap(), 80);
    for case in &cases {
        let record = store.case(*case).await.unwrap().unwrap();
        assert!(
            record
                .incident
                .title
                .unwrap()
                .as_str()
                .starts_with("Bonne ")
        );
    }
    let due = store.due_mails(now, i64::MAX).await.unwrap();
    assert_eq!(due.len(), 80);
    assert!(
        due.iter()
            .all(|d| d.mail.recipients == ["alice@ch-exemple.fr"])
    );
}

async fn lands_without_its_caller(store: &Store) {
    let now: Timestamp = "2024-06-03T07:15:00Z".parse().unwrap();
    let (s, _) = setup(store, now).await;
    let incident = declaration("010000024", "Abandonnée");
    let texts = DeclarationTexts::default();
    // The caller gives up as soon as the declaration is queued.
    let gave_up = tokio::time::timeout(
        Duration::ZERO,
        store.declare(
            s,
            &incident,
            None,
            &Actor::System,
            &texts,
            &[],
            |_| Vec::new(),
            now,
        ),
    )
    .await;
    assert!(gave_up.is_err(), "the caller stopped waiting");
    for _ in 0..500 {
        if store.count_incidents().await.unwrap() == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the declaration whose caller gave up never landed");
}

/// What declarant `n` typed.
fn brouillon(n: usize) -> vigie_model::RawDeclaration {
    vigie_model::RawDeclaration {
        title: format!("Brouillon {n}"),
        ..Default::default()
    }
}

async fn the_draft_goes_with_the_declaration(store: &Store) {
    let now: Timestamp = "2024-06-03T07:15:00Z".parse().unwrap();
    let (s, _) = setup(store, now).await;
    // One declarant per draft, each with a draft to send.
    const N: usize = 30;
    let mut keys = Vec::new();
    for n in 0..N {
        let user = store
            .create_user(
                &NewUser {
                    email: format!("declarant{n}@ch-exemple.fr"),
                    display_name: format!("Déclarant {n}"),
                    role: Role::Declarant,
                    scope: Scope::Structure(s),
                    password_hash: None,
                },
                now,
            )
            .await
            .unwrap();
        let key = DraftKey { user, structure: s };
        store.save_draft(key, 3, &brouillon(n), now).await.unwrap();
        keys.push(key);
    }
    let incident = declaration("010000024", "Depuis un brouillon");
    let texts = DeclarationTexts::default();
    let submit = |key: DraftKey, fails: bool| {
        let incident = &incident;
        let texts = &texts;
        async move {
            let declaration = NewDeclaration {
                structure: s,
                incident,
                declared_by: Some(key.user),
                actor: &Actor::System,
                texts,
                routings: &[],
                draft: Some(key),
                now,
            };
            let mails = move |case: CaseNumber| {
                assert!(!fails, "no acknowledgment can be built");
                ack("x@ch-exemple.fr", case)
            };
            store.submit(declaration, mails).await
        }
    };
    // Queued together, so that the writer takes several in one group; every third fails
    // before its commit (its acknowledgment cannot be built).
    let results = join_all(
        keys.iter()
            .enumerate()
            .map(|(n, key)| submit(*key, n % 3 == 0)),
    )
    .await;
    let mut acknowledged = 0;
    for (n, (key, result)) in keys.iter().zip(&results).enumerate() {
        let draft = store.draft(*key).await.unwrap();
        match result {
            Ok(case) => {
                acknowledged += 1;
                assert_eq!(
                    draft, None,
                    "declaration {n} ({case}) is acknowledged: no draft"
                );
                assert!(store.case(*case).await.unwrap().is_some());
            }
            Err(e) => {
                assert!(matches!(e, StoreError::Unconfirmed(_)), "{e:?}");
                assert_eq!(
                    draft,
                    Some(SavedDraft {
                        step: 3,
                        fields: brouillon(n)
                    }),
                    "declaration {n} failed: its draft is still there to send"
                );
            }
        }
    }
    assert_eq!(acknowledged, N - N.div_ceil(3));
    assert_eq!(store.count_incidents().await.unwrap(), acknowledged as i64);
    // Sent again, a failed one lands and takes its draft with it.
    let case = submit(keys[0], false).await.unwrap();
    assert!(store.case(case).await.unwrap().is_some());
    assert_eq!(store.draft(keys[0]).await.unwrap(), None);
}

#[tokio::test]
async fn the_draft_goes_with_the_declaration_on_sqlite() {
    the_draft_goes_with_the_declaration(&crate::engines::Sqlite::new().await.store).await;
}

#[tokio::test]
async fn the_draft_goes_with_the_declaration_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    the_draft_goes_with_the_declaration(&db.store).await;
    db.drop().await;
}

#[tokio::test]
async fn many_at_once_on_sqlite() {
    many_at_once(&crate::engines::Sqlite::new().await.store).await;
}

#[tokio::test]
async fn many_at_once_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    many_at_once(&db.store).await;
    db.drop().await;
}

#[tokio::test]
async fn a_bad_one_fails_alone_on_sqlite() {
    a_bad_one_fails_alone(&crate::engines::Sqlite::new().await.store).await;
}

#[tokio::test]
async fn a_bad_one_fails_alone_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    a_bad_one_fails_alone(&db.store).await;
    db.drop().await;
}

#[tokio::test]
async fn lands_without_its_caller_on_sqlite() {
    lands_without_its_caller(&crate::engines::Sqlite::new().await.store).await;
}

#[tokio::test]
async fn lands_without_its_caller_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    lands_without_its_caller(&db.store).await;
    db.drop().await;
}
