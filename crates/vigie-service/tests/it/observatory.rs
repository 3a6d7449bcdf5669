//! A server's observatory snapshot: built once, answered without waiting, rebuilt in the
//! background after a write in this process, or after a write by another process once the
//! stored revision is checked again.

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use jiff::Timestamp;
use vigie_model::{Incident, Origin, Region, interchange::v1};
use vigie_observatory::Filter;
use vigie_service::observatory::{Clock, RECHECK_EVERY, Snapshot, Snapshots, compute_year};
use vigie_store::{Actor, Store};

fn incident(n: u32, finess: &str, region: &str, origin: &str) -> Incident {
    let line = format!(
        r#"{{"ref":"t-{n}","declared_at":"2024-03-{day:02}T10:00:00+01:00","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"{region}","ose":false}},"state_at_declaration":"resolved","support_requested":false,"care_impact":"none","data_impact":["none"],"patient_danger":"none","qualification":{{"origin":"{origin}","categories":[]}}}}"#,
        day = 1 + n % 28,
    );
    v1::parse_line(&line).unwrap()
}

async fn import(store: &Store, incidents: &[Incident]) {
    let mut import = store.begin_import().await.unwrap();
    import.write(incidents.to_vec()).await.unwrap();
    import
        .commit(&Actor::System, "test", Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
}

/// Declarations of 2024 in a snapshot.
fn declarations(snapshot: &Snapshot) -> i64 {
    let observatory = snapshot.compute(2024, &Filter::default());
    observatory
        .figure(1)
        .unwrap()
        .row("declarations")
        .unwrap()
        .count
}

/// Asks for the current snapshot until it counts `want` declarations (at most 10 s).
async fn until(snapshots: &Arc<Snapshots>, store: &Store, want: i64) {
    for _ in 0..1_000 {
        if declarations(&snapshots.current(store).await.unwrap()) == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the snapshot never counted {want} declarations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_follow_the_writes_of_this_process_and_of_others() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("v.db").display());
    let here = Store::open(&url).await.unwrap();
    let elsewhere = Store::open(&url).await.unwrap();
    let seconds = Arc::new(AtomicI64::new(1_732_780_800));
    let clock: Clock = {
        let seconds = seconds.clone();
        Arc::new(move || Timestamp::from_second(seconds.load(Ordering::SeqCst)).unwrap())
    };
    import(
        &here,
        &[
            incident(1, "010000024", "76", "malicious"),
            incident(2, "010000024", "76", "non_malicious"),
            incident(3, "010000032", "53", "malicious"),
        ],
    )
    .await;

    // The first snapshot is built on demand, and gives what counting the rows gives.
    let snapshots = Snapshots::new(clock);
    let first = snapshots.current(&here).await.unwrap();
    assert_eq!(declarations(&first), 3);
    for filter in [
        Filter::default(),
        Filter {
            region: Some(Region::Occitanie),
            origin: Some(Origin::Malicious),
            ..Filter::default()
        },
    ] {
        assert_eq!(
            first.compute(2024, &filter),
            compute_year(&here, 2024, &filter).await.unwrap()
        );
    }
    assert!(Arc::ptr_eq(
        &first,
        &snapshots.current(&here).await.unwrap()
    ));

    // A write here: the next reader gets the snapshot it had at once, a new one follows.
    import(&here, &[incident(4, "010000032", "53", "out_of_scope")]).await;
    let stale = snapshots.current(&here).await.unwrap();
    assert!(Arc::ptr_eq(&first, &stale));
    until(&snapshots, &here, 4).await;

    // A write by another process is seen only when the stored revision is checked again.
    import(&elsewhere, &[incident(5, "010000024", "76", "malicious")]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(declarations(&snapshots.current(&here).await.unwrap()), 4);
    seconds.fetch_add(RECHECK_EVERY.as_secs(), Ordering::SeqCst);
    until(&snapshots, &here, 5).await;

    // A refresh waits for the data of now.
    import(&elsewhere, &[incident(6, "010000024", "76", "malicious")]).await;
    assert_eq!(declarations(&snapshots.refresh(&here).await.unwrap()), 6);
    here.close().await;
    elsewhere.close().await;
}
