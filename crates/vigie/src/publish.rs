//! `vigie publish --year Y [--threshold N] [--again] [--force]`: publishes a year of the
//! observatory as open data, small counts that could point to a structure suppressed,
//! every file (figures, report in HTML and PDF) frozen as it is now.

use std::process::ExitCode;

use anyhow::Context as _;
use vigie_publication::Request;

/// The threshold of `vigie publish` when none is given (the demo publishes with it too).
pub const DEFAULT_THRESHOLD: u32 = 5;

/// What to publish.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year to publish (an ended year, unless --force).
    #[arg(long)]
    year: i16,
    /// Counts below this, in cells that could point to a structure, are suppressed (at
    /// least 3, unless --force).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: u32,
    /// Publish again a year already published: its files are replaced (journaled).
    #[arg(long)]
    again: bool,
    /// Publish a year not yet ended, or with a threshold below 3.
    #[arg(long)]
    force: bool,
    /// Who publishes the report.
    #[arg(long, env = "VIGIE_CERT_NAME", default_value = "CERT Santé")]
    publisher: String,
}

/// Runs `vigie publish`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    let store = crate::open(db).await?;
    let now = crate::journal::now();
    let today = vigie_model::calendar::paris_time(now).date();
    let request = Request {
        year: args.year,
        threshold: args.threshold,
        force: args.force,
        again: args.again,
    };
    let published = vigie_service::publication::publish(
        &store,
        request,
        &args.publisher,
        &crate::journal::operator(),
        now,
        today,
    )
    .await
    .with_context(|| format!("publishing {}", args.year))?;
    let files = vigie_publication::files(&store, args.year).await?;
    store.close().await;
    println!(
        "Observatoire {} publié, édition {} (seuil de secret statistique : {}, {} fichiers figés) : /donnees/{}",
        published.year,
        published.edition,
        published.threshold,
        files.len(),
        published.year
    );
    Ok(ExitCode::SUCCESS)
}
