//! `vigie reference load …`: the register, regions and hospital activity.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::Subcommand;
use vigie_reference::{
    Establishment, read_activity_csv, read_activity_from_sae, read_establishments, read_regions,
};

/// What to do with reference data.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Load reference data.
    Load {
        #[command(subcommand)]
        what: Load,
    },
}

/// Reference data sets.
#[derive(Debug, Subcommand)]
pub enum Load {
    /// Each region's share of national hospital activity, from a `region,share` CSV (figure 7).
    Activity {
        /// The CSV file.
        file: PathBuf,
    },
    /// The establishments register (DREES SAE: a folder with `ID_<year>r.csv` and
    /// `MCO_<year>r.csv`), and each region's share of activity computed from it.
    Register {
        /// The folder, or its `ID_<year>r.csv` file.
        path: PathBuf,
    },
    /// The official names of regions (INSEE COG: a folder with `regions.csv`, or the file).
    Regions {
        /// The folder or the file.
        path: PathBuf,
    },
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| format!("opening {}", path.display()))
}

/// The file named `prefix…r.csv` in `dir` (the SAE names its tables by year).
fn find(dir: &Path, prefix: &str) -> anyhow::Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".csv"))
        })
        .collect();
    found.sort();
    found
        .pop()
        .with_context(|| format!("no {prefix}*.csv file in {}", dir.display()))
}

/// Reads the register of a SAE folder (or of its `ID_` file).
pub fn read_register(path: &Path) -> anyhow::Result<(Vec<Establishment>, Option<PathBuf>)> {
    let (id, dir) = if path.is_dir() {
        (find(path, "ID_")?, Some(path.to_owned()))
    } else {
        (path.to_owned(), path.parent().map(Path::to_owned))
    };
    let establishments =
        read_establishments(open(&id)?).with_context(|| format!("reading {}", id.display()))?;
    let mco = dir.and_then(|d| find(&d, "MCO_").ok());
    Ok((establishments, mco))
}

/// Runs `vigie reference`.
pub async fn run(db: &str, action: Action) -> anyhow::Result<ExitCode> {
    let Action::Load { what } = action;
    let store = crate::open(db).await?;
    match what {
        Load::Activity { file } => {
            let shares = read_activity_csv(open(&file)?)
                .with_context(|| format!("reading {}", file.display()))?;
            store.load_activity(&shares).await?;
            println!(
                "{}: {} regional shares of activity loaded",
                file.display(),
                shares.len()
            );
        }
        Load::Register { path } => {
            let (establishments, mco) = read_register(&path)?;
            store.load_establishments(&establishments).await?;
            println!(
                "{}: {} establishments loaded",
                path.display(),
                establishments.len()
            );
            if let Some(mco) = mco {
                let shares = read_activity_from_sae(open(&mco)?, &establishments)
                    .with_context(|| format!("reading {}", mco.display()))?;
                store.load_activity(&shares).await?;
                println!(
                    "{}: {} regional shares of activity loaded",
                    mco.display(),
                    shares.len()
                );
            }
        }
        Load::Regions { path } => {
            let file = if path.is_dir() {
                path.join("regions.csv")
            } else {
                path
            };
            let regions = read_regions(open(&file)?)
                .with_context(|| format!("reading {}", file.display()))?;
            store.load_regions(&regions).await?;
            println!("{}: {} regions loaded", file.display(), regions.len());
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
