//! `vigie stats --year Y [--figure N] --format csv|json`: the observatory's figures.

use std::process::ExitCode;

use clap::ValueEnum;
use vigie_observatory::{Filter, compute};

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

/// Runs `vigie stats`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let store = crate::open(db).await?;
    let rows = store.observatory_rows().await?;
    let reference = vigie_service::observatory::reference(&store).await?;
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
