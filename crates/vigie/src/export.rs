//! `vigie export incidents [--year Y]`: the v1 interchange format, one incident a line.
//! The journal records who exported what, and where to, before anything is written.

use std::{
    io::{BufWriter, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::Context as _;
use clap::Subcommand;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use vigie_model::interchange::v1;
use vigie_store::{Action, NewEntry, Payload};

/// What to export.
#[derive(Debug, Subcommand)]
pub enum What {
    /// Incidents in the v1 interchange format (JSON Lines).
    Incidents {
        /// Only the incidents declared this year (Paris time).
        #[arg(long)]
        year: Option<i16>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

/// Runs `vigie export`.
pub async fn run(db: &str, what: What) -> anyhow::Result<ExitCode> {
    let What::Incidents { year, out } = what;
    let store = crate::open(db).await?;
    let to = match &out {
        Some(path) => std::path::absolute(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
        None => "stdout".to_owned(),
    };
    store
        .journal(vec![NewEntry {
            at_ns: i64::try_from(crate::journal::now().as_nanosecond()).unwrap_or(i64::MAX),
            actor: crate::journal::operator(),
            action: Action::DataExported,
            subject: "incidents".into(),
            payload: Payload::new()
                .with("format", "v1")
                .with("year", year.map(i64::from))
                .with("to", to),
        }])
        .await
        .context("journaling the export")?;
    let sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = BufWriter::with_capacity(1 << 20, sink);
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} incidents ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    if out.is_none() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut n = 0u64;
    let mut incidents = store.export(year);
    while let Some(incident) = incidents.next().await {
        let line = v1::to_line(&incident?);
        sink.write_all(line.as_bytes())?;
        sink.write_all(b"\n")?;
        n += 1;
        if n.is_multiple_of(4096) {
            bar.set_position(n);
        }
    }
    drop(incidents);
    sink.flush()?;
    bar.finish_and_clear();
    store.close().await;
    if let Some(path) = out {
        eprintln!("{n} incidents written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
