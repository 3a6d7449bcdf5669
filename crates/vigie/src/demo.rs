//! `vigie demo`: a database holding the demo data set, and what it holds.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use vigie_store::{Holdings, ImportCounts};

/// Who publishes the demo's years.
const DEMO_PUBLISHER: &str = "CERT Santé";

/// The seed of the demo data set: the same seed gives the same data.
pub const DEFAULT_SEED: u64 = 2024;

/// Arguments of `vigie demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The establishments register the demo structures are modelled on (DREES SAE folder);
    /// by default, the SAE 2023 shipped with Vigie.
    #[arg(long)]
    register: Option<PathBuf>,
    /// Seed of the generator: the same seed gives the same data set.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

/// What loading the demo did.
pub struct Loaded {
    counts: ImportCounts,
    holdings: Holdings,
    summary: String,
    register: String,
    published: Vec<i16>,
}

/// The demo's years to publish as open data at `now`: those that have ended (in Paris)
/// and whose year before is in the demo too, so that each has its comparison.
pub fn years_to_publish(now: jiff::Timestamp) -> Vec<i16> {
    let this_year = vigie_model::calendar::paris_time(now).year();
    vigie_demo::YEARS
        .iter()
        .copied()
        .filter(|&y| y < this_year && vigie_demo::YEARS.contains(&(y - 1)))
        .collect()
}

/// Creates or refreshes the demo data set in the SQLite database `db`, its structures
/// modelled on the register at `register` (by default, the one shipped with Vigie).
pub async fn load(db: &str, register: Option<&Path>, seed: u64) -> anyhow::Result<Loaded> {
    anyhow::ensure!(
        db.starts_with("sqlite:"),
        "the demo creates an embedded SQLite database; `{db}` is not one"
    );
    let crate::reference::Register {
        establishments,
        activity,
        source,
        shipped,
        ..
    } = crate::reference::read_register(register).with_context(|| {
        format!(
            "the demo models its structures on the establishments register; --register takes a SAE folder (tried {})",
            register.map_or_else(|| "the copy shipped with Vigie".into(), |p| p.display().to_string())
        )
    })?;
    let (regions, _) = crate::reference::read_region_names(None)?;
    let demo = vigie_demo::generate(&establishments, seed);
    let store = crate::open(db).await?;
    // The demo's accounts have a published password: never add them to real data.
    let foreign = store.non_demo_data().await?;
    if !foreign.is_empty() {
        store.close().await;
        anyhow::bail!(
            "{db} holds data that is not the demo's ({}): the demo runs only on a database \
             of its own, such as --db sqlite:./vigie-demo.db",
            foreign.join(", ")
        );
    }
    let bar = ProgressBar::new(demo.incidents.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} démo [{bar:30}] {pos}/{len} signalements")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    store.load_establishments(&establishments).await?;
    if let Some(shares) = &activity {
        store.load_activity(shares).await?;
    }
    store.load_regions(&regions).await?;
    let mut import = store.begin_import().await?;
    for chunk in demo.incidents.chunks(1000) {
        import.write(chunk.to_vec()).await?;
        bar.inc(chunk.len() as u64);
    }
    let counts = import
        .commit(&crate::journal::operator(), "demo", crate::journal::now())
        .await?;
    bar.finish_and_clear();
    // The demo's cases are routed as the default rules route a declaration, so that each
    // authority's demo account has its cases (no alert is sent).
    let rules = vigie_workflow::routing::Rules::default_rules();
    let mut batch = Vec::new();
    let mut events = std::collections::BTreeSet::new();
    {
        let mut cases = store.export_cases(None);
        while let Some(item) = cases.next().await {
            let (case, incident) = item?;
            if let Some(event) = incident.qualification.as_ref().and_then(|q| q.event()) {
                events.insert(event.as_str().to_owned());
            }
            let facts = vigie_service::handling::routing_facts(
                &incident,
                vigie_store::Judgement::default(),
            );
            batch.push((case, rules.route(&facts)));
        }
    }
    store.route_imported(&batch, crate::journal::now()).await?;
    // The shared events the demo's declarations name.
    // Each is made public for the report, as an analyst would, with words for the public
    // (the report still shows only those with enough declarations).
    for event in events {
        let created = store
            .create_event(
                &event,
                "Événement du jeu de démonstration : une même cause derrière plusieurs déclarations.",
                None,
                crate::journal::now(),
            )
            .await?;
        if let Some(id) = created {
            let text = vigie_store::PublicText {
                title: event.clone(),
                summary: "Plusieurs structures ont déclaré des incidents liés à une même cause ; \
                          le CERT les a accompagnées ensemble."
                    .to_owned(),
            };
            store
                .set_event_public(id, Some(&text), None, crate::journal::now())
                .await?;
        }
    }
    // What the demo's analysts wrote for the 2024 report, unless texts or threats are
    // there already (a refreshed demo keeps what was written in it).
    let editorial = vigie_demo::editorial_2024();
    let written = store.report_texts(2024).await?;
    for (section, body) in &editorial.texts {
        if written.iter().all(|t| t.section != *section) {
            store
                .save_report_text(2024, *section, body, 0, None, crate::journal::now())
                .await?;
        }
    }
    if store.threats(2024).await?.is_empty() {
        for threat in &editorial.threats {
            store
                .record_threat(threat, None, crate::journal::now())
                .await?;
        }
    }
    // The ended years are published as open data, as `vigie publish` does with its
    // default threshold; a year published already keeps its publication.
    let mut published = Vec::new();
    let now = crate::journal::now();
    for year in years_to_publish(now) {
        if vigie_publication::year(&store, year).await?.is_none() {
            let request = vigie_publication::Request {
                year,
                threshold: crate::publish::DEFAULT_THRESHOLD,
                force: false,
                again: false,
            };
            vigie_service::publication::publish(
                &store,
                request,
                DEMO_PUBLISHER,
                &crate::journal::operator(),
                now,
                vigie_model::calendar::paris_time(now).date(),
            )
            .await
            .with_context(|| format!("publishing the demo's {year}"))?;
        }
        published.push(year);
    }
    let holdings = store.holdings().await?;
    store.close().await;
    Ok(Loaded {
        counts,
        holdings,
        summary: demo.summary(),
        register: if shipped {
            format!("{source}, copie livrée avec Vigie")
        } else {
            source
        },
        published,
    })
}

impl Loaded {
    /// The years published as open data, oldest first.
    pub fn published(&self) -> &[i16] {
        &self.published
    }
}

/// Runs `vigie demo`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let Loaded {
        counts,
        holdings,
        summary,
        register,
        published,
    } = load(db, args.register.as_deref(), args.seed).await?;
    println!("Base de démonstration : {db}");
    println!(
        "  {} signalements écrits ({} nouveaux, {} mis à jour)",
        counts.inserted + counts.updated,
        counts.inserted,
        counts.updated
    );
    for (year, n) in &holdings.incidents_by_year {
        println!("  {year} : {n} signalements");
    }
    println!(
        "  {} structures déclarantes (noms et numéros FINESS fictifs)",
        holdings.structures
    );
    println!(
        "  {} établissements du répertoire ({register}), {} parts régionales d'activité",
        holdings.establishments, holdings.activity_shares
    );
    if !published.is_empty() {
        let years: Vec<String> = published.iter().map(i16::to_string).collect();
        println!(
            "  Observatoire publié en données ouvertes : {} (/donnees)",
            years.join(", ")
        );
    }
    println!("{summary}");
    println!("Pour l'ouvrir dans le portail : vigie serve --demo");
    Ok(ExitCode::SUCCESS)
}
