//! The same data set in both engines gives the same figures, the same cube and the same
//! export: a data set that uses every code and every flag, so that no value escapes.

use futures_util::TryStreamExt as _;
use vigie_model::{Code, Incident, LegalStatus, Origin, Region, StructureType};
use vigie_observatory::{Cube, Filter, Observatory, Period, Reference, Row, Share};
use vigie_store::{Actor, Store};
use vigie_test_support::incidents::{Coverage, covering};

/// Incidents of the data set: about a thousand a year over 2023 and 2024.
const INCIDENTS: usize = 1_965;

/// Imports the data set in one import.
async fn load(store: &Store, incidents: &[Incident]) {
    let mut import = store.begin_import().await.unwrap();
    import.write(incidents.to_vec()).await.unwrap();
    let counts = import
        .commit(
            &Actor::Operator("root".into()),
            "covering.jsonl",
            jiff::Timestamp::UNIX_EPOCH,
        )
        .await
        .unwrap();
    assert_eq!(counts.inserted, incidents.len() as u64);
}

/// What the observatory sees of one engine: its rows (sorted), and the figures of each
/// year and filter computed from the rows and from the cube.
struct Seen {
    rows: Vec<Row>,
    scans: Vec<Observatory>,
    cubes: Vec<Observatory>,
    export: Vec<Incident>,
}

/// Filters that each keep a part of the data: none, then one of each dimension.
fn filters() -> Vec<Filter> {
    let mut out = vec![Filter::default()];
    for region in [Region::IleDeFrance, Region::Corse, Region::Guyane] {
        out.push(Filter {
            region: Some(region),
            ..Filter::default()
        });
    }
    for kind in StructureType::ALL {
        out.push(Filter {
            kind: Some(*kind),
            ..Filter::default()
        });
    }
    for status in LegalStatus::ALL {
        out.push(Filter {
            legal_status: Some(*status),
            ..Filter::default()
        });
    }
    for origin in Origin::ALL {
        out.push(Filter {
            origin: Some(*origin),
            period: Period::new(3, 9).unwrap(),
            ..Filter::default()
        });
    }
    out
}

/// Loads the data set into `store` and reads back what the observatory and exports see.
async fn seen(store: &Store, incidents: &[Incident]) -> Seen {
    load(store, incidents).await;
    // Activity shares for figure 7, read back from the engine as the service does.
    let shares: Vec<(Region, f64)> = Region::METROPOLITAN
        .iter()
        .enumerate()
        .map(|(i, r)| (*r, 0.5 + i as f64 * 0.75))
        .collect();
    store.load_activity(&shares).await.unwrap();
    let stored = store.activity_shares().await.unwrap();
    let reference = Reference::from_shares(
        stored
            .into_iter()
            .map(|(r, s)| (r, Share::from_f64(s).unwrap())),
    )
    .unwrap();
    let mut rows = store.observatory_rows().await.unwrap();
    assert_eq!(rows.len(), incidents.len());
    rows.sort_by_key(|r| format!("{r:?}"));
    let cube = Cube::build(&rows).unwrap();
    let (mut scans, mut cubes) = (Vec::new(), Vec::new());
    for year in [2023, 2024] {
        for filter in filters() {
            scans.push(vigie_observatory::compute(&rows, year, &reference, &filter));
            cubes.push(cube.compute(year, &reference, &filter));
        }
    }
    let export: Vec<Incident> = store.export(None).try_collect().await.unwrap();
    Seen {
        rows,
        scans,
        cubes,
        export,
    }
}

#[test]
fn the_data_set_uses_every_code_and_flag() {
    let coverage = Coverage::of(&covering(INCIDENTS));
    assert!(coverage.missing.is_empty(), "{:?}", coverage.missing);
    // The check itself notices a missing value.
    let no_false_positive: Vec<Incident> = covering(INCIDENTS)
        .into_iter()
        .filter(|i| !i.handling.false_positive)
        .collect();
    assert_eq!(
        Coverage::of(&no_false_positive)
            .missing
            .into_iter()
            .collect::<Vec<_>>(),
        ["false_positive=true"]
    );
}

#[tokio::test]
async fn both_engines_give_the_same_figures_cube_and_export() {
    let incidents = covering(INCIDENTS);
    let sqlite = crate::engines::Sqlite::new().await;
    let on_sqlite = seen(&sqlite.store, &incidents).await;
    // What SQLite gives is right: its export is what was imported, and its cube sums to the
    // scan of its rows for every year and filter.
    assert_eq!(on_sqlite.export, incidents);
    assert_eq!(on_sqlite.cubes, on_sqlite.scans);
    // Every figure of a year counts something on the whole data set.
    for figure in &on_sqlite.scans[0].figures {
        assert!(
            figure.rows.iter().any(|r| r.count > 0),
            "figure {} counts nothing",
            figure.number
        );
    }
    let Some(postgres) = crate::engines::Postgres::new().await else {
        return;
    };
    let on_postgres = seen(&postgres.store, &incidents).await;
    assert_eq!(on_postgres.rows, on_sqlite.rows, "observatory rows");
    for (i, (pg, lite)) in on_postgres.scans.iter().zip(&on_sqlite.scans).enumerate() {
        assert_eq!(pg, lite, "figures of view {i}");
    }
    assert_eq!(on_postgres.cubes, on_sqlite.cubes, "cube");
    assert_eq!(on_postgres.export, on_sqlite.export, "export");
    postgres.drop().await;
}
