//! The demo data set's public observatory, computed without a database: the register
//! read from `../shared/data`, the incidents generated, reduced to rows and counted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use vigie_chart::report::NotableEvent;
use vigie_model::calendar::{french_date, paris_time};
use vigie_observatory::{Disclosure, Filter, PublicObservatory, Reference, Row, Share, compute};

/// The SAE register the demo models its structures on, when it is there.
pub fn register() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/fr-sae-2023");
    dir.join("ID_2023r.csv").exists().then_some(dir)
}

/// The demo's public observatory of `year` (threshold 5) and its notable events.
pub fn observatory(register: &Path, year: i16) -> (PublicObservatory, Vec<NotableEvent>) {
    let open = |name: &str| std::fs::File::open(register.join(name)).expect(name);
    let establishments = vigie_reference::read_establishments(open("ID_2023r.csv")).unwrap();
    let shares =
        vigie_reference::read_activity_from_sae(open("MCO_2023r.csv"), &establishments).unwrap();
    let reference = Reference::from_shares(
        shares
            .into_iter()
            .map(|(region, share)| (region, Share::from_f64(share).unwrap())),
    )
    .unwrap();
    let demo = vigie_demo::generate(&establishments, 2024);
    let mut structures = HashMap::new();
    let rows: Vec<Row> = demo
        .incidents
        .iter()
        .map(|incident| {
            let next = u32::try_from(structures.len()).unwrap();
            let id = *structures.entry(incident.structure.finess).or_insert(next);
            Row::from_incident(incident, id)
        })
        .collect();
    let filter = Filter::default();
    let observatory = compute(&rows, year, &reference, &filter);
    let public = Disclosure::default().apply(&observatory, &filter);

    // The shared events of the year, as the store lists them.
    let mut events: Vec<NotableEvent> = Vec::new();
    for incident in &demo.incidents {
        let local = paris_time(incident.declared_at.timestamp());
        let Some(name) = incident.qualification.as_ref().and_then(|q| q.event()) else {
            continue;
        };
        if local.year() != year {
            continue;
        }
        match events.iter_mut().find(|e| e.name == name.as_str()) {
            Some(event) => event.declarations += 1,
            None => events.push(NotableEvent {
                name: name.as_str().to_owned(),
                description:
                    "Mise à jour défectueuse d'un agent de sécurité, postes bloqués au démarrage."
                        .into(),
                declarations: 1,
                first_declared: Some(french_date(local.date())),
            }),
        }
    }
    (public, events)
}
