//! The durability settings are read from the engine itself, on both engines.

use vigie_store::Store;

#[tokio::test]
async fn sqlite_syncs_every_commit() {
    let db = crate::engines::Sqlite::new().await;
    let durability = db.store.durability().await.unwrap();
    assert!(durability.unsafe_settings().is_empty(), "{durability:?}");
    // Both the pool and the writer of declarations were read.
    let modes: Vec<&str> = durability
        .settings
        .iter()
        .filter(|(name, _)| *name == "journal_mode")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(modes, ["wal", "wal"]);
}

#[tokio::test]
async fn postgres_without_synchronous_commit_is_unsafe() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    assert!(
        db.store
            .durability()
            .await
            .unwrap()
            .unsafe_settings()
            .is_empty()
    );
    // A database whose sessions do not wait for the log's flush.
    db.set_for_new_sessions("synchronous_commit", "off").await;
    let store = Store::open(&db.url).await.unwrap();
    let found = store.durability().await.unwrap().unsafe_settings();
    store.close().await;
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|s| s.name == "synchronous_commit" && s.value == "off"),
        "{found:?}"
    );
    db.drop().await;
}

#[tokio::test]
async fn sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let db = crate::engines::Sqlite::new().await;
    // A write, so that the WAL and its index exist.
    db.store
        .load_activity(&[(vigie_model::Region::Bretagne, 1.0)])
        .await
        .unwrap();
    let file = db.url.strip_prefix("sqlite:").unwrap().to_owned();
    for path in [file.clone(), format!("{file}-wal"), format!("{file}-shm")] {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}");
    }
}
