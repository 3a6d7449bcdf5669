//! Values read back are the model's and the workflow's types: a case state, an impact or
//! a draft changed behind Vigie's back is reported as `Corrupt`, naming table, row and
//! column, never shown as something else or silently emptied.

use jiff::Timestamp;
use vigie_access::{Listing, Role, Scope};
use vigie_model::{RawDeclaration, interchange::v1};
use vigie_store::{
    Actor, DeclarationTexts, DraftKey, NewUser, Pool, QueueFilter, SavedDraft, Store, StoreError,
};
use vigie_workflow::case::CaseState;

/// Runs one statement behind the store's back.
async fn behind_the_back(store: &Store, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store.pool() {
        Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
        Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
    }
}

/// Whether `result` failed as a corrupt value of `table`, row `id`, `column`.
fn corrupt<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    table: &str,
    id: i64,
    column: &str,
) -> String {
    match result {
        Err(StoreError::Corrupt {
            table: t,
            id: i,
            column: c,
            reason,
        }) if t == table && i == id && c == column => reason,
        other => panic!("expected {table} row {id} {column} to be corrupt, got {other:?}"),
    }
}

async fn altered_values_are_reported(store: &Store) {
    let now: Timestamp = "2024-06-03T07:15:00Z".parse().unwrap();
    let line = r#"{"declared_at":"2024-06-03T09:15:00+02:00","structure":{"finess":"010000024","name":"Structure 010000024","type":"es_public","legal_status":"public","region":"76"},"state_at_declaration":"needs_cert","support_requested":true,"care_impact":"degraded","data_impact":["unavailable"],"patient_danger":"none","title":"Chiffrement"}"#;
    let incident = v1::parse_line(line).unwrap();
    let s = store.save_structure(&incident.structure).await.unwrap();
    let alice = store
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
    let case = store
        .declare(
            s,
            &incident,
            Some(alice),
            &Actor::System,
            &DeclarationTexts::default(),
            &[],
            |_| Vec::new(),
            now,
        )
        .await
        .unwrap();
    let id = case.id();

    // Read back as typed values.
    let record = store.case(case).await.unwrap().unwrap();
    assert_eq!(record.state, CaseState::Received);
    let listed = store.list_cases(&Listing::All, 10, 0).await.unwrap();
    assert_eq!(
        (listed[0].state, listed[0].care_impact),
        (CaseState::Received, vigie_model::CareImpact::Degraded)
    );
    let queued = store.queue(&QueueFilter::default(), 10, 0).await.unwrap();
    assert_eq!(queued[0].state, CaseState::Received);

    // An unknown state, in every read that holds it.
    behind_the_back(
        store,
        &format!("UPDATE incidents SET case_state = 'archived' WHERE id = {id}"),
    )
    .await;
    let reason = corrupt(store.case(case).await, "incidents", id, "case_state");
    assert!(reason.contains("archived"), "{reason}");
    corrupt(
        store.list_cases(&Listing::All, 10, 0).await,
        "incidents",
        id,
        "case_state",
    );
    corrupt(
        store.queue(&QueueFilter::default(), 10, 0).await,
        "incidents",
        id,
        "case_state",
    );

    // An unknown impact on care, in the list of cases.
    behind_the_back(
        store,
        &format!(
            "UPDATE incidents SET case_state = 'received', care_impact = 'catastrophic' WHERE id = {id}"
        ),
    )
    .await;
    corrupt(
        store.list_cases(&Listing::All, 10, 0).await,
        "incidents",
        id,
        "care_impact",
    );

    // A draft reads back as it was typed; one whose content does not read is reported.
    let key = DraftKey {
        user: alice,
        structure: s,
    };
    let typed = RawDeclaration {
        title: "Chiffrement".into(),
        data_impact: vec!["unavailable".into(), "altered".into()],
        ..RawDeclaration::default()
    };
    store.save_draft(key, 2, &typed, now).await.unwrap();
    assert_eq!(
        store.draft(key).await.unwrap(),
        Some(SavedDraft {
            step: 2,
            fields: typed
        })
    );
    for content in ["{\"title\": 3}", "pas du JSON", "[]"] {
        behind_the_back(
            store,
            &format!(
                "UPDATE drafts SET fields = '{content}' WHERE user_id = {}",
                alice.0
            ),
        )
        .await;
        let reason = corrupt(store.draft(key).await, "drafts", alice.0, "fields");
        assert!(reason.contains(&format!("structure {}", s.0)), "{reason}");
    }
}

#[tokio::test]
async fn altered_values_are_reported_on_sqlite() {
    altered_values_are_reported(&crate::engines::Sqlite::new().await.store).await;
}

#[tokio::test]
async fn altered_values_are_reported_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    altered_values_are_reported(&db.store).await;
    db.drop().await;
}
