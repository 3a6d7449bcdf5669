//! Imports: history imported as closed cases, on both engines; and large imports on SQLite,
//! whose secondary indexes of `incidents`, dropped while many rows are written, are all there
//! again at the commit (an import rolled back or abandoned after dropping them leaves the
//! data and the indexes as they were).

use futures_util::TryStreamExt;
use sqlx::Row as _;
use vigie_model::{Incident, interchange::v1};
use vigie_store::{Actor, Pool, QueueFilter, Store};
use vigie_workflow::case::CaseState;

/// Rows an import must write for the indexes to be rebuilt (the store's threshold is 50,000).
const LARGE: usize = 60_000;

/// `n` incidents whose refs start with `prefix`, from a handful of structures.
fn incidents(prefix: &str, n: usize) -> Vec<Incident> {
    (0..n)
        .map(|i| {
            let finess = ["010000024", "010000032", "2A0000030"][i % 3];
            let line = format!(
                r#"{{"ref":"{prefix}-{i}","declared_at":"2024-{month:02}-{day:02}T{hour:02}:15:00+01:00","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"76","ose":false}},"state_at_declaration":"resolved","support_requested":{support},"care_impact":"none","data_impact":["none"],"patient_danger":"none","qualification":{{"origin":"malicious","categories":["phishing"],"event":"{event}"}}}}"#,
                month = 1 + i % 12,
                day = 1 + i % 28,
                hour = i % 24,
                support = i % 2 == 0,
                event = if i % 7 == 0 { "campagne" } else { "autre" },
            );
            v1::parse_line(&line).unwrap()
        })
        .collect()
}

/// The secondary indexes of `incidents`, with their definitions.
async fn indexes(store: &Store) -> Vec<(String, String)> {
    let Pool::Sqlite(pool) = store.pool() else {
        unreachable!("a SQLite store")
    };
    sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
         AND tbl_name = 'incidents' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

async fn integrity(store: &Store) -> String {
    let Pool::Sqlite(pool) = store.pool() else {
        unreachable!("a SQLite store")
    };
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn large_import_rebuilds_every_index_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    let store = &db.store;
    let before = indexes(store).await;
    let names: Vec<&str> = before.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"incidents_open") && names.contains(&"incidents_by_structure"),
        "{names:?}"
    );

    // Rolled back once the indexes were dropped: nothing changed.
    let mut import = store.begin_import().await.unwrap();
    import.write(incidents("rolled-back", LARGE)).await.unwrap();
    import.rollback().await.unwrap();
    assert_eq!(store.count_incidents().await.unwrap(), 0);
    assert_eq!(indexes(store).await, before);

    // Abandoned (dropped without commit): nothing changed either, and the next import
    // gets the write lock once the abandoned one has let go of it.
    let mut import = store.begin_import().await.unwrap();
    import.write(incidents("dropped", LARGE)).await.unwrap();
    drop(import);

    // Committed in batches, as `vigie import` writes them.
    let written = incidents("kept", LARGE);
    let mut import = store.begin_import().await.unwrap();
    for chunk in written.chunks(4_096) {
        import.write(chunk.to_vec()).await.unwrap();
    }
    let counts = import
        .commit(&Actor::System, "large.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (LARGE as u64, 0));
    assert_eq!(indexes(store).await, before);
    // Every index holds exactly the rows of the table.
    assert_eq!(integrity(store).await, "ok");
    let exported: Vec<Incident> = store.export(None).try_collect().await.unwrap();
    assert_eq!(exported, written);

    // A smaller import into the large table keeps its indexes as it goes.
    let mut import = store.begin_import().await.unwrap();
    import.write(incidents("kept", 10)).await.unwrap();
    import.write(incidents("small", 10)).await.unwrap();
    let counts = import
        .commit(&Actor::System, "small.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (10, 10));
    assert_eq!(indexes(store).await, before);
    assert_eq!(integrity(store).await, "ok");
}

/// The case numbers in the analysts' queue (open cases), sorted.
async fn open_cases(store: &Store) -> Vec<String> {
    let mut cases: Vec<String> = store
        .queue(&QueueFilter::default(), 100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|line| line.case.to_string())
        .collect();
    cases.sort();
    cases
}

/// History comes in as closed cases and stays out of the analysts' queue; new incidents come
/// in as received cases; importing an incident again never changes its case's state.
async fn history_story(store: &Store) {
    let mut import = store.begin_import_as(CaseState::Closed).await.unwrap();
    import.write(incidents("history", 5)).await.unwrap();
    let counts = import
        .commit(&Actor::System, "history.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (5, 0));
    assert!(open_cases(store).await.is_empty());

    // Received (the default): the new ones are open; the history imported again stays closed.
    let mut import = store.begin_import().await.unwrap();
    import.write(incidents("history", 5)).await.unwrap();
    import.write(incidents("new", 2)).await.unwrap();
    let counts = import
        .commit(&Actor::System, "new.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (2, 5));
    let open = open_cases(store).await;
    assert_eq!(open.len(), 2, "{open:?}");

    // And a closed import of open cases does not close them.
    let mut import = store.begin_import_as(CaseState::Closed).await.unwrap();
    import.write(incidents("new", 2)).await.unwrap();
    import
        .commit(&Actor::System, "again.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!(open_cases(store).await, open);

    // The journal says which state the new cases were given.
    let payloads: Vec<String> = store
        .journal_entries(Some("incidents"), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.payload)
        .collect();
    assert_eq!(
        payloads,
        [
            r#"{"inserted":5,"new_cases":"closed","source":"history.jsonl","updated":0}"#,
            r#"{"inserted":2,"new_cases":"received","source":"new.jsonl","updated":5}"#,
            r#"{"inserted":0,"new_cases":"closed","source":"again.jsonl","updated":2}"#,
        ]
    );
}

#[tokio::test]
async fn history_is_imported_closed_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    history_story(&db.store).await;
}

#[tokio::test]
async fn history_is_imported_closed_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    history_story(&db.store).await;
    db.drop().await;
}
