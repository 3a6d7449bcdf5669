//! `vigie reference load …`: the register, regions and hospital activity.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::Subcommand;
use vigie_model::Region;
use vigie_reference::{
    Establishment, embedded, read_activity_csv, read_activity_from_sae, read_establishments,
    read_regions,
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
        /// The folder, or its `ID_<year>r.csv` file; by default, the SAE 2023 shipped with Vigie.
        path: Option<PathBuf>,
    },
    /// The official names of regions (INSEE COG: a folder with `regions.csv`, or the file).
    Regions {
        /// The folder or the file; by default, the COG 2023 shipped with Vigie.
        path: Option<PathBuf>,
    },
}

/// A register read: its establishments, each region's share of activity when the
/// register has its MCO table, and where it was read, as printed.
pub struct Register {
    /// The establishments.
    pub establishments: Vec<Establishment>,
    /// Each region's share of national MCO activity.
    pub activity: Option<Vec<(Region, f64)>>,
    /// The folder or file read, or the source of the shipped copy.
    pub source: String,
    /// Where the activity shares were read.
    pub activity_source: String,
    /// The register is the copy shipped with Vigie.
    pub shipped: bool,
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

/// Reads the register of a SAE folder (or of its `ID_` file) with the activity of its
/// `MCO_` table when there is one; without a path, the copy shipped with Vigie.
pub fn read_register(path: Option<&Path>) -> anyhow::Result<Register> {
    let Some(path) = path else {
        let establishments =
            embedded::register().context("reading the register shipped with Vigie")?;
        let activity = embedded::activity(&establishments)
            .context("reading the hospital activity shipped with Vigie")?;
        return Ok(Register {
            establishments,
            activity: Some(activity),
            source: embedded::REGISTER_SOURCE.to_owned(),
            activity_source: embedded::REGISTER_SOURCE.to_owned(),
            shipped: true,
        });
    };
    let (id, dir) = if path.is_dir() {
        (find(path, "ID_")?, Some(path.to_owned()))
    } else {
        (path.to_owned(), path.parent().map(Path::to_owned))
    };
    let establishments =
        read_establishments(open(&id)?).with_context(|| format!("reading {}", id.display()))?;
    let (activity, activity_source) = match dir.and_then(|d| find(&d, "MCO_").ok()) {
        Some(mco) => (
            Some(
                read_activity_from_sae(open(&mco)?, &establishments)
                    .with_context(|| format!("reading {}", mco.display()))?,
            ),
            mco.display().to_string(),
        ),
        None => (None, String::new()),
    };
    Ok(Register {
        establishments,
        activity,
        source: path.display().to_string(),
        activity_source,
        shipped: false,
    })
}

/// The official names of regions from a COG folder or file; without a path, the copy
/// shipped with Vigie. Returns them with where they were read.
pub fn read_region_names(path: Option<&Path>) -> anyhow::Result<(Vec<(Region, String)>, String)> {
    let Some(path) = path else {
        let regions = embedded::regions().context("reading the regions shipped with Vigie")?;
        return Ok((
            regions,
            format!("{} (shipped with Vigie)", embedded::REGIONS_SOURCE),
        ));
    };
    let file = if path.is_dir() {
        path.join("regions.csv")
    } else {
        path.to_owned()
    };
    let regions =
        read_regions(open(&file)?).with_context(|| format!("reading {}", file.display()))?;
    Ok((regions, file.display().to_string()))
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
            let register = read_register(path.as_deref())?;
            let shipped = if register.shipped {
                " (shipped with Vigie)"
            } else {
                ""
            };
            store.load_establishments(&register.establishments).await?;
            println!(
                "{}{shipped}: {} establishments loaded",
                register.source,
                register.establishments.len()
            );
            if let Some(shares) = &register.activity {
                store.load_activity(shares).await?;
                println!(
                    "{}{shipped}: {} regional shares of activity loaded",
                    register.activity_source,
                    shares.len()
                );
            }
        }
        Load::Regions { path } => {
            let (regions, source) = read_region_names(path.as_deref())?;
            store.load_regions(&regions).await?;
            println!("{source}: {} regions loaded", regions.len());
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
