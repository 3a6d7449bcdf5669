//! One story of the store: import, re-import, export, roll back, reference data, corruption.

use futures_util::TryStreamExt;
use vigie_model::{Region, interchange::v1};
use vigie_store::{Actor, Pool, Store, StoreError};

/// A v1 line; `extra` (a JSON object's members, starting with a comma) adds or overrides fields.
fn line(reference: &str, declared_at: &str, finess: &str, extra: &str) -> String {
    let base = format!(
        r#"{{"ref":"{reference}","declared_at":"{declared_at}","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"76","ose":true}},"state_at_declaration":"resolving","support_requested":false,"care_impact":"none","data_impact":["none"],"patient_danger":"none"}}"#
    );
    let mut value: serde_json::Value = serde_json::from_str(&base).unwrap();
    let extra: serde_json::Value =
        serde_json::from_str(&format!("{{{}}}", extra.trim_start_matches(','))).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        value[k] = v.clone();
    }
    value.to_string()
}

fn parse(lines: &[String]) -> Vec<vigie_model::Incident> {
    lines.iter().map(|l| v1::parse_line(l).unwrap()).collect()
}

async fn export(store: &Store, year: Option<i16>) -> Vec<vigie_model::Incident> {
    store.export(year).try_collect().await.unwrap()
}

/// The story both engines must tell identically.
async fn story(store: &Store) {
    let first = parse(&[
        line(
            "a",
            "2024-03-05T10:00:00+01:00",
            "010000024",
            r#","qualification":{"origin":"malicious","categories":["ransomware","phishing"],"ransomware_reach":"workstation"}"#,
        ),
        line("b", "2024-12-31T23:30:00Z", "010000024", ""),
        line(
            "c",
            "2023-12-31T23:30:00+01:00",
            "2A0000030",
            r#","description":"Panne — « réseau »","degraded_hours":1.25,"care_impact":"degraded","data_impact":["unavailable","altered"],"data_kind":["health_personal","confidential"]"#,
        ),
    ]);
    let mut import = store.begin_import().await.unwrap();
    import.write(first.clone()).await.unwrap();
    let operator = Actor::Operator("root".into());
    let counts = import
        .commit(&operator, "first.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (3, 0));
    assert_eq!(export(store, None).await, first);

    // Re-importing a ref updates it; a ref repeated within one import: the later line wins.
    let second = parse(&[
        line(
            "b",
            "2024-06-01T12:00:00+02:00",
            "010000024",
            r#","support_requested":true"#,
        ),
        line("d", "2024-07-19T08:00:00+02:00", "010000032", ""),
        line(
            "d",
            "2024-07-19T09:00:00+02:00",
            "010000032",
            r#","title":"CrowdStrike""#,
        ),
    ]);
    let mut import = store.begin_import().await.unwrap();
    import.write(second.clone()).await.unwrap();
    let counts = import
        .commit(&operator, "second.jsonl", jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (1, 2));
    // Each import is journaled with its counts.
    let imports: Vec<String> = store
        .journal_entries(Some("incidents"), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {} {}", r.entry.actor, r.entry.action, r.entry.payload))
        .collect();
    assert_eq!(
        imports,
        [
            r#"operator:root data_imported {"inserted":3,"new_cases":"received","source":"first.jsonl","updated":0}"#,
            r#"operator:root data_imported {"inserted":1,"new_cases":"received","source":"second.jsonl","updated":2}"#,
        ]
    );
    let all = export(store, None).await;
    assert_eq!(all.len(), 4);
    assert_eq!(all[1], second[0]);
    assert_eq!(all[3], second[2]);

    // Years are Paris years: 2023-12-31T23:30+01:00 is in 2023, 2024-12-31T23:30Z in 2025.
    let y2023 = export(store, Some(2023)).await;
    assert_eq!(y2023, vec![first[2].clone()]);
    assert_eq!(store.year_range().await.unwrap(), Some((2023, 2024)));

    // Exports to other CERTs read the same incidents with their case numbers, which
    // lead back to the same case.
    let cases: Vec<(vigie_model::CaseNumber, vigie_model::Incident)> =
        store.export_cases(None).try_collect().await.unwrap();
    assert_eq!(
        cases.iter().map(|(_, i)| i.clone()).collect::<Vec<_>>(),
        all
    );
    for (case, incident) in &cases {
        let record = store.case(*case).await.unwrap().expect("the case exists");
        assert_eq!(&record.incident, incident);
    }
    let cases_2023: Vec<_> = store.export_cases(Some(2023)).try_collect().await.unwrap();
    assert_eq!(cases_2023.len(), 1);
    assert_eq!(cases_2023[0].0.year(), 2023);

    // An import rolled back leaves nothing behind.
    let mut import = store.begin_import().await.unwrap();
    import
        .write(parse(&[line("e", "2024-01-02T10:00:00Z", "010000040", "")]))
        .await
        .unwrap();
    import.rollback().await.unwrap();
    assert_eq!(store.count_incidents().await.unwrap(), 4);

    // The observatory's rows carry the Paris date and the counted dimensions.
    let mut rows = store.observatory_rows().await.unwrap();
    rows.sort_by_key(|r| (r.year, r.month));
    assert_eq!(rows.len(), 4);
    assert_eq!((rows[0].year, rows[0].month), (2023, 12));
    assert_eq!(rows[0].data_kinds.len(), 2);
    assert_eq!((rows[1].year, rows[1].month), (2024, 3));
    assert_eq!(rows[1].categories.len(), 2);
    assert_eq!(rows[1].structure, rows[2].structure);
    // Every column lands in its field: the rows are those of the incidents read back whole.
    let anonymous = |rows: Vec<vigie_observatory::Row>| {
        let mut out: Vec<String> = rows
            .into_iter()
            .map(|r| format!("{:?}", vigie_observatory::Row { structure: 0, ..r }))
            .collect();
        out.sort();
        out
    };
    let whole: Vec<vigie_observatory::Row> = export(store, None)
        .await
        .iter()
        .map(|i| vigie_observatory::Row::from_incident(i, 0))
        .collect();
    assert_eq!(anonymous(rows), anonymous(whole));

    // Reference data.
    store
        .load_activity(&[(Region::PaysDeLaLoire, 0.051), (Region::Occitanie, 0.09)])
        .await
        .unwrap();
    store
        .load_activity(&[(Region::PaysDeLaLoire, 0.052)])
        .await
        .unwrap();
    assert_eq!(
        store.activity_shares().await.unwrap(),
        vec![(Region::PaysDeLaLoire, 0.052)]
    );
    let holdings = store.holdings().await.unwrap();
    assert_eq!(holdings.structures, 3);
    assert_eq!(holdings.incidents_by_year, vec![(2023, 1), (2024, 3)]);

    // A value changed behind Vigie's back is reported, not trusted.
    let sql = "UPDATE incidents SET care_impact = 'catastrophic' WHERE ref = 'a'";
    match store.pool() {
        Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
        Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
    }
    let err = store
        .export(None)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::Corrupt {
                table: "incidents",
                column: "care_impact",
                ..
            }
        ),
        "{err}"
    );
    // The observatory reads codes packed together: the error still names the column, even
    // when the changed value holds the separator.
    for (sql, column) in [
        ("SELECT 1", "care_impact"),
        (
            "UPDATE incidents SET care_impact = 'none', origin = 'malicious|x' WHERE ref = 'a'",
            "origin",
        ),
        (
            "UPDATE incidents SET origin = NULL, data_kind = 99 WHERE ref = 'a'",
            "data_kind",
        ),
    ] {
        match store.pool() {
            Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
            Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
        }
        let err = store.observatory_rows().await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt { table: "incidents", column: c, .. } if *c == column),
            "{err}"
        );
    }
}

#[tokio::test]
async fn story_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    story(&db.store).await;
    db.store.close().await;
    // Reopening applies no migration twice and finds the data.
    let store = Store::open(&db.url).await.unwrap();
    assert_eq!(store.count_incidents().await.unwrap(), 4);
}

#[tokio::test]
async fn story_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    story(&db.store).await;
    db.drop().await;
}
