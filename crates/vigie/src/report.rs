//! `vigie report --year Y --format html|pdf --out FILE`: the yearly public report, with
//! small counts that could point to a structure suppressed.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::ValueEnum;

/// Formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One standalone HTML document (styles inline, charts as SVG).
    Html,
    /// An A4 PDF document, fonts embedded, typeset by Typst.
    Pdf,
}

/// What to write.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year of the report.
    #[arg(long)]
    year: i16,
    /// The document's format.
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
    /// Where to write it.
    #[arg(long)]
    out: PathBuf,
    /// Counts below this, in cells that could point to a structure, are suppressed.
    #[arg(long, default_value_t = 5)]
    threshold: u32,
    /// Who publishes the report.
    #[arg(long, env = "VIGIE_CERT_NAME", default_value = "CERT Santé")]
    publisher: String,
}

/// Runs `vigie report`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.threshold >= 1, "the threshold must be at least 1");
    let store = crate::open(db).await?;
    let parts = vigie_service::observatory::report_parts(&store, args.year, args.threshold)
        .await
        .context("gathering the report")?;
    store.close().await;
    let report = parts.report(&args.publisher);
    let document = match args.format {
        Format::Html => vigie_chart::report::html(&report).into_bytes(),
        Format::Pdf => {
            let typeset = vigie_pdf::typeset(&vigie_pdf::document(&report))
                .context("typesetting the PDF report")?;
            for warning in &typeset.warnings {
                eprintln!("Avertissement : {warning}");
            }
            typeset.pdf
        }
    };
    std::fs::write(&args.out, document)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("Rapport {} écrit dans {}", args.year, args.out.display());
    Ok(ExitCode::SUCCESS)
}
