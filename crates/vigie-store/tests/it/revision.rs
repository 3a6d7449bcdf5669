//! Every write that changes what the observatory counts raises its revision, in this
//! process and in the database, before it returns; the other writes leave it alone.

use jiff::Timestamp;
use vigie_access::{Role, Scope};
use vigie_model::{CodeSet, Origin, Qualification, Region};
use vigie_store::{
    Actor, DeclarationTexts, Judgement, NewUser, QualificationChange, Store, SupportEntry,
};
use vigie_workflow::support::SupportAction;

use crate::handling::incident;

/// The in-process count and the stored revision.
async fn revision(store: &Store) -> (u64, i64) {
    (
        store.observatory_changes(),
        store.observatory_revision().await.unwrap(),
    )
}

/// Checks that the last write changed both (or neither) and remembers where they are.
async fn check(store: &Store, last: &mut (u64, i64), changed: bool, what: &str) {
    let now = revision(store).await;
    if changed {
        assert!(
            now.0 > last.0 && now.1 > last.1,
            "{what}: {last:?} → {now:?}"
        );
    } else {
        assert_eq!(now, *last, "{what}");
    }
    *last = now;
}

async fn revision_story(store: &Store) {
    let now: Timestamp = "2024-11-28T08:15:00Z".parse().unwrap();
    let mut last = revision(store).await;
    assert_eq!(last, (0, 0), "a new database");

    let i = incident(
        "010000024",
        "76",
        "none",
        "none",
        "2024-11-28T09:15:00+01:00",
    );
    let s = store.save_structure(&i.structure).await.unwrap();
    check(store, &mut last, true, "a structure saved").await;
    let case = store
        .declare(
            s,
            &i,
            None,
            &Actor::System,
            &DeclarationTexts::default(),
            &[],
            |_| vec![],
            now,
        )
        .await
        .unwrap();
    check(store, &mut last, true, "a declaration").await;

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
    check(store, &mut last, false, "an account").await;
    assert!(
        store
            .assign(case, Some(analyst), analyst, now)
            .await
            .unwrap()
    );
    check(store, &mut last, false, "an assignment").await;

    let q = Qualification::new(
        Origin::NonMalicious,
        CodeSet::empty(),
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
        .qualify(case, &change, &[], |_| vec![], now)
        .await
        .unwrap();
    check(store, &mut last, true, "a qualification").await;

    store
        .request_complements(case, analyst, "Précisez.", &[], now)
        .await
        .unwrap();
    check(store, &mut last, true, "complements requested").await;
    assert!(store.complements_answered(case).await.unwrap());
    check(store, &mut last, true, "complements answered").await;
    assert!(!store.complements_answered(case).await.unwrap());
    check(store, &mut last, false, "nothing pending to answer").await;

    for (action, counted) in [
        (SupportAction::FirstInterview, false),
        (SupportAction::TechnicalSupport, true),
        (SupportAction::FalsePositive, true),
        (SupportAction::ReflexSheetSent, false),
    ] {
        let entry = SupportEntry {
            action,
            note: "fait",
            by: analyst,
            message: None,
        };
        store.record_support(case, &entry, &[], now).await.unwrap();
        check(store, &mut last, counted, &format!("support {action:?}")).await;
    }

    store
        .load_activity(&[(Region::Normandie, 0.05)])
        .await
        .unwrap();
    check(store, &mut last, true, "activity shares").await;

    let import = store.begin_import().await.unwrap();
    import.commit(&Actor::System, "vide", now).await.unwrap();
    check(store, &mut last, false, "an empty import").await;
    let mut import = store.begin_import().await.unwrap();
    let other = incident(
        "010000032",
        "53",
        "none",
        "none",
        "2024-11-27T09:15:00+01:00",
    );
    import.write(vec![other]).await.unwrap();
    import.commit(&Actor::System, "un", now).await.unwrap();
    check(store, &mut last, true, "an import").await;
}

#[tokio::test]
async fn revision_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    revision_story(&db.store).await;
    // Another process on the same database sees the stored revision, not this one's count.
    let other = Store::open(&db.url).await.unwrap();
    let before = other.observatory_revision().await.unwrap();
    assert_eq!(other.observatory_changes(), 0);
    db.store
        .load_activity(&[(Region::Bretagne, 0.04)])
        .await
        .unwrap();
    assert_eq!(other.observatory_revision().await.unwrap(), before + 1);
    assert_eq!(other.observatory_changes(), 0);
    other.close().await;
}

#[tokio::test]
async fn revision_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    revision_story(&db.store).await;
    db.drop().await;
}
