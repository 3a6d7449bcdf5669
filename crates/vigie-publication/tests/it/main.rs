//! Publication on both engines: frozen files, editions, refusals, the journal, and the
//! schema tracked apart from the core's.

use jiff::{Timestamp, civil::Date};
use sqlx::Row as _;
use vigie_publication::{File, PublicationError, Refusal, Request};
use vigie_store::{Actor, Pool, Store, testing};

fn file(name: &str, body: &str) -> File {
    File {
        name: name.to_owned(),
        content_type: "text/csv; charset=utf-8",
        body: body.as_bytes().to_vec(),
    }
}

fn request(year: i16, threshold: u32) -> Request {
    Request {
        year,
        threshold,
        force: false,
        again: false,
    }
}

const TODAY: Date = Date::constant(2025, 3, 1);

async fn count(store: &Store, sql: &'static str) -> i64 {
    match store.pool() {
        Pool::Sqlite(p) => sqlx::query(sql).fetch_one(p).await.unwrap().get(0),
        Pool::Postgres(p) => sqlx::query(sql).fetch_one(p).await.unwrap().get(0),
    }
}

/// The story both engines must tell identically.
async fn story(store: &Store) {
    vigie_publication::migrate(store).await.unwrap();
    // Migrating again applies nothing twice; the core's migrations are left alone.
    vigie_publication::migrate(store).await.unwrap();
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM _vigie_migrations_publication").await,
        1
    );
    let core = count(store, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    assert!(core >= 7, "{core}");
    assert!(vigie_publication::years(store).await.unwrap().is_empty());

    let by = Actor::Operator("root".into());
    let at = Timestamp::from_second(1_740_000_000).unwrap();
    let first = vigie_publication::publish(
        store,
        request(2024, 5),
        vec![
            file("figure-6.csv", "key,count,previous\n11,12,10\n"),
            file("old.csv", "x"),
        ],
        &by,
        at,
        TODAY,
    )
    .await
    .unwrap();
    assert_eq!((first.year, first.threshold, first.edition), (2024, 5, 1));
    assert_eq!(
        vigie_publication::year(store, 2024).await.unwrap(),
        Some(first)
    );
    let stored = vigie_publication::file(store, 2024, "figure-6.csv")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body, b"key,count,previous\n11,12,10\n");
    assert_eq!(stored.content_type, "text/csv; charset=utf-8");
    assert_eq!(stored.sha256.len(), 64);
    assert!(
        vigie_publication::file(store, 2023, "figure-6.csv")
            .await
            .unwrap()
            .is_none()
    );

    // Refused: published already, a year not ended, a threshold too low; nothing changes.
    for (req, expected) in [
        (
            request(2024, 5),
            Refusal::AlreadyPublished {
                year: 2024,
                edition: 1,
            },
        ),
        (
            request(2025, 5),
            Refusal::YearNotEnded {
                year: 2025,
                today: TODAY,
            },
        ),
        (
            request(2023, 2),
            Refusal::ThresholdTooLow {
                threshold: 2,
                minimum: 3,
            },
        ),
    ] {
        let error = vigie_publication::publish(store, req, vec![], &by, at, TODAY)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, PublicationError::Refused(r) if *r == expected),
            "{error}"
        );
    }
    assert_eq!(vigie_publication::years(store).await.unwrap().len(), 1);
    let error = vigie_publication::publish(
        store,
        request(2023, 5),
        vec![file("../x", "")],
        &by,
        at,
        TODAY,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, PublicationError::BadName(_)), "{error}");

    // Again, by name: the files are replaced whole and the edition rises.
    let later = Timestamp::from_second(1_750_000_000).unwrap();
    let again = vigie_publication::publish(
        store,
        Request {
            again: true,
            ..request(2024, 10)
        },
        vec![file("figure-6.csv", "key,count,previous\n11,13,10\n")],
        &Actor::System,
        later,
        TODAY,
    )
    .await
    .unwrap();
    assert_eq!((again.threshold, again.edition, again.at), (10, 2, later));
    let files = vigie_publication::files(store, 2024).await.unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].0, "figure-6.csv");
    let stored = vigie_publication::file(store, 2024, "figure-6.csv")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body, b"key,count,previous\n11,13,10\n");

    // Forced: a year not ended, with a low threshold.
    let forced = vigie_publication::publish(
        store,
        Request {
            force: true,
            ..request(2025, 1)
        },
        vec![],
        &by,
        at,
        TODAY,
    )
    .await
    .unwrap();
    assert_eq!(forced.edition, 1);
    let years: Vec<i16> = vigie_publication::years(store)
        .await
        .unwrap()
        .iter()
        .map(|y| y.year)
        .collect();
    assert_eq!(years, [2025, 2024]);

    // Each publication is journaled with its files' hashes; the chain holds.
    let entries = store
        .journal_entries(Some("observatory:2024"), 100)
        .await
        .unwrap();
    let published: Vec<_> = entries
        .iter()
        .filter(|e| e.entry.action == "year_published")
        .collect();
    assert_eq!(published.len(), 2);
    let second = published
        .iter()
        .find(|e| e.entry.payload.contains("\"edition\":2"))
        .expect("the second edition is journaled");
    assert!(
        second
            .entry
            .payload
            .contains(&format!("figure-6.csv:{}", stored.sha256)),
        "{}",
        second.entry.payload
    );
    assert!(store.verify_journal(&[]).await.unwrap().is_ok());
}

#[tokio::test]
async fn publication_on_sqlite() {
    let db = testing::Sqlite::new().await;
    story(&db.store).await;
}

#[tokio::test]
async fn publication_on_postgres() {
    let Some(db) = testing::Postgres::new().await else {
        return;
    };
    story(&db.store).await;
    db.drop().await;
}
