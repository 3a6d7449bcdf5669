//! `vigie publish --year Y [--threshold N]`: publishes a year of the observatory as open
//! data, with small counts that could point to a structure suppressed.

use std::process::ExitCode;

/// The threshold of `vigie publish` when none is given (the demo publishes with it too).
pub const DEFAULT_THRESHOLD: u32 = 5;

/// What to publish.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year to publish.
    #[arg(long)]
    year: i16,
    /// Counts below this, in cells that could point to a structure, are suppressed.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: u32,
}

/// Runs `vigie publish`.
pub async fn run(db: &str, args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.threshold >= 1, "the threshold must be at least 1");
    let store = crate::open(db).await?;
    store
        .publish_year(
            args.year,
            args.threshold,
            &crate::journal::operator(),
            crate::journal::now(),
        )
        .await?;
    store.close().await;
    println!(
        "Observatoire {} publié (seuil de secret statistique : {}) : /donnees/{}",
        args.year, args.threshold, args.year
    );
    Ok(ExitCode::SUCCESS)
}
