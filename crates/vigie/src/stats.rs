//! `vigie stats --year Y [--figure N] --format csv|json`: the observatory's figures.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;
use vigie_observatory::{Filter, Reference, Share, compute};
use vigie_store::Store;

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// `key,count,previous` lines (the contract of `schemas/observatory.md`).
    Csv,
    /// The same rows as JSON, with French titles and labels.
    Json,
}

/// Arguments of `vigie stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year (Paris time); `previous` columns are for the year before.
    #[arg(long)]
    year: i16,
    /// One figure of the report (1, 3–16, 18–21); every counted figure if left out.
    #[arg(long)]
    figure: Option<u8>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// The activity shares stored, as the observatory's reference data.
pub async fn reference(store: &Store) -> anyhow::Result<Reference> {
    let stored = store.activity_shares().await?;
    if stored.is_empty() {
        return Ok(Reference::none());
    }
    let mut shares = Vec::with_capacity(stored.len());
    for (region, share) in stored {
        let share = Share::from_f64(share).with_context(|| {
            format!("the stored activity share of region {region} is not usable: {share}")
        })?;
        shares.push((region, share));
    }
    Reference::from_shares(shares).context("the stored activity shares are incomplete")
}

/// Runs `vigie stats`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let store = crate::open(db).await?;
    let rows = store.observatory_rows().await?;
    let reference = reference(&store).await?;
    store.close().await;
    let observatory = compute(&rows, args.year, &reference, &Filter::default());
    match args.figure {
        Some(n) => {
            let figure = observatory.figure(n)?;
            match args.format {
                Format::Csv => print!("{}", figure.to_csv()),
                Format::Json => println!("{}", serde_json::to_string_pretty(figure)?),
            }
        }
        None => match args.format {
            Format::Csv => {
                for figure in &observatory.figures {
                    println!("# Figure {} – {}", figure.number, figure.title);
                    println!("{}", figure.to_csv());
                }
            }
            Format::Json => println!("{}", serde_json::to_string_pretty(&observatory)?),
        },
    }
    Ok(ExitCode::SUCCESS)
}
