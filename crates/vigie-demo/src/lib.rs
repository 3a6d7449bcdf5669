//! The demo data set of Vigie: three years of fictitious incidents (2022, 2023, 2024)
//! whose 2024 figures, computed by the observatory, are exactly those of the CERT Santé's
//! published 2024 report (749 declarations, 558 structures, 40 ransomware…).
//!
//! ## Pseudonymisation
//! A demo must never suggest that a real hospital had an incident. Each structure takes
//! its type, legal status, region and department from a real establishment of the
//! register (the DREES SAE, read by `vigie_reference`), but never its name nor its
//! FINESS number: it gets a French name made up from its type and a serial number
//! ("Centre hospitalier Démo 0042", "Clinique Démo 0107") and a synthetic FINESS number
//! with the same two-character department prefix and a valid check digit, that is not in
//! the register. ESMS, EHPAD, laboratories, radiotherapy centres, GRADeS and providers
//! are not in the SAE register: they are synthesized, in a department of their region.
//! A register establishment drawn in several years stands for the same demo structure.
//!
//! ## Determinism
//! [`generate`] is pure: the same register and seed give the same incidents. Exact counts
//! of every value are dealt out and shuffled with a seeded [`fastrand::Rng`]; the few
//! correlations (ransomware only among malicious incidents, kinds of data only when data
//! was hit, CrowdStrike in July…) are made explicitly.

mod build;
mod editorial;
mod plan;
mod structures;
mod text;

use vigie_model::calendar::paris_time;
use vigie_model::{Incident, incident::IncidentRef};
use vigie_reference::Establishment;

/// The name of the shared event of July 2024 that hits many structures.
pub use build::CROWDSTRIKE;
pub use editorial::editorial_2024;

/// The years the demo covers, oldest first.
pub const YEARS: [i16; 3] = [2022, 2023, 2024];

/// The demo data set: incidents, each with its declaring structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    /// Every incident, ordered by declaration instant.
    pub incidents: Vec<Incident>,
}

/// Generates the demo from the establishments register, deterministically from `seed`.
pub fn generate(register: &[Establishment], seed: u64) -> Demo {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut pool = structures::Pool::new(register);
    let p2024 = plan::plan_2024();
    let plans = [
        plan::plan_2023(&p2024),
        plan::plan_2022(&p2024),
        p2024.clone(),
    ];
    // 2024 first so that its OSE structures keep their flag in earlier years.
    let mut incidents = build::year(&mut rng, &mut pool, &plans[2]);
    incidents.extend(build::year(&mut rng, &mut pool, &plans[0]));
    incidents.extend(build::year(&mut rng, &mut pool, &plans[1]));
    incidents.sort_by_key(|i| i.declared_at.timestamp());
    let mut serial = std::collections::BTreeMap::<i16, u32>::new();
    for incident in &mut incidents {
        let year = paris_time(incident.declared_at.timestamp()).year();
        let n = serial.entry(year).or_default();
        *n += 1;
        incident.reference = IncidentRef::parse(format!("demo-{year}-{n:04}")).ok();
    }
    Demo { incidents }
}

impl Demo {
    /// A short French summary of what the demo holds.
    pub fn summary(&self) -> String {
        let mut structures: Vec<_> = self.incidents.iter().map(|i| i.structure.finess).collect();
        structures.sort();
        structures.dedup();
        let per_year: Vec<String> = YEARS
            .iter()
            .map(|&y| {
                let n = self
                    .incidents
                    .iter()
                    .filter(|i| paris_time(i.declared_at.timestamp()).year() == y)
                    .count();
                format!("{y} : {n}")
            })
            .collect();
        let event = self
            .incidents
            .iter()
            .filter(|i| i.qualification.as_ref().and_then(|q| q.event()).is_some())
            .count();
        format!(
            "Jeu de démonstration : {} incidents fictifs ({}) déclarés par {} structures \
             pseudonymisées (noms et numéros FINESS inventés), dont {} liés à la mise à jour \
             défectueuse CrowdStrike Falcon de juillet 2024.",
            self.incidents.len(),
            per_year.join(", "),
            structures.len(),
            event
        )
    }
}
