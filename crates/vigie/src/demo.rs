//! `vigie demo`: a database holding the demo data set, and what it holds.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `vigie demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The establishments register the demo structures are modelled on (DREES SAE folder).
    #[arg(long, default_value = "../shared/data/fr-sae-2023")]
    register: PathBuf,
    /// Seed of the generator: the same seed gives the same data set.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
}

/// Runs `vigie demo`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        db.starts_with("sqlite:"),
        "the demo creates an embedded SQLite database; `{db}` is not one"
    );
    let (register, mco) = crate::reference::read_register(&args.register).with_context(|| {
        format!(
            "the demo models its structures on the establishments register; pass --register with the SAE folder (tried {})",
            args.register.display()
        )
    })?;
    let demo = vigie_demo::generate(&register, args.seed);
    let store = crate::open(db).await?;
    let bar = ProgressBar::new(demo.incidents.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} demo [{bar:30}] {pos}/{len} incidents")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    store.load_establishments(&register).await?;
    if let Some(mco) = mco {
        let file =
            std::fs::File::open(&mco).with_context(|| format!("opening {}", mco.display()))?;
        let shares = vigie_reference::read_activity_from_sae(file, &register)?;
        store.load_activity(&shares).await?;
    }
    let mut import = store.begin_import().await?;
    for chunk in demo.incidents.chunks(1000) {
        import.write(chunk).await?;
        bar.inc(chunk.len() as u64);
    }
    let counts = import.commit().await?;
    bar.finish_and_clear();
    let holdings = store.holdings().await?;
    store.close().await;
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
        "  {} établissements du répertoire, {} parts régionales d'activité",
        holdings.establishments, holdings.activity_shares
    );
    println!("{}", demo.summary());
    Ok(ExitCode::SUCCESS)
}
