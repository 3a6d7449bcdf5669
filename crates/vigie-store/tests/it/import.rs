//! Large imports on SQLite: the secondary indexes of `incidents`, dropped while many rows are
//! written, are all there again at the commit; an import rolled back or abandoned after
//! dropping them leaves the data and the indexes as they were.

use futures_util::TryStreamExt;
use sqlx::Row as _;
use vigie_model::{Incident, interchange::v1};
use vigie_store::{Actor, Pool, Store};

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
