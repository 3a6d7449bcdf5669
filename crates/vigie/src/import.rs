//! `vigie import incidents FILE.jsonl`: all or nothing, every bad line reported.

use std::{
    fs::File,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::Context as _;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;
use vigie_model::{Incident, interchange::v1};
use vigie_workflow::case::CaseState;

/// What to import.
#[derive(Debug, Subcommand)]
pub enum What {
    /// Incidents in the v1 interchange format (JSON Lines).
    Incidents {
        /// The file to read (`-` for standard input).
        file: PathBuf,
        /// Import the valid lines even if some are wrong (they are still reported).
        #[arg(long)]
        skip_invalid: bool,
        /// Add the new incidents as closed cases: the history of incidents handled before
        /// Vigie. Without it they are received cases, for the CERT to handle. An incident
        /// already stored keeps its case's state either way.
        #[arg(long)]
        closed: bool,
    },
}

/// A line that could not be read.
struct BadLine {
    line: u64,
    error: v1::FieldError,
}

/// Lines parsed together, sent from the reading thread to the writer.
struct Batch {
    incidents: Vec<Incident>,
    bad: Vec<BadLine>,
    bytes: u64,
}

const LINES_PER_BATCH: usize = 4096;
/// Bad lines printed in full; the rest are counted.
const SHOWN_ERRORS: usize = 50;

/// Lines read together, before parsing.
struct Chunk {
    first_line: u64,
    lines: Vec<String>,
    bytes: u64,
}

/// Parses a chunk of lines (blank lines are skipped).
fn parse(chunk: &Chunk) -> Batch {
    let mut batch = Batch {
        incidents: Vec::with_capacity(chunk.lines.len()),
        bad: Vec::new(),
        bytes: chunk.bytes,
    };
    for (i, text) in chunk.lines.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match v1::parse_line(text) {
            Ok(incident) => batch.incidents.push(incident),
            Err(error) => batch.bad.push(BadLine {
                line: chunk.first_line + i as u64,
                error,
            }),
        }
    }
    batch
}

/// Reads the file on a thread of its own and parses chunks on every core, sending the
/// batches in file order.
fn spawn_reader(
    mut input: Box<dyn BufRead + Send>,
    tx: mpsc::Sender<anyhow::Result<Batch>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let mut line_no = 0u64;
        loop {
            let mut chunks = Vec::with_capacity(workers);
            let mut done = false;
            while chunks.len() < workers && !done {
                let mut chunk = Chunk {
                    first_line: line_no + 1,
                    lines: Vec::with_capacity(LINES_PER_BATCH),
                    bytes: 0,
                };
                while chunk.lines.len() < LINES_PER_BATCH {
                    let mut buf = String::new();
                    match input.read_line(&mut buf) {
                        Ok(0) => {
                            done = true;
                            break;
                        }
                        Ok(n) => {
                            line_no += 1;
                            chunk.bytes += n as u64;
                            buf.truncate(buf.trim_end_matches(['\n', '\r']).len());
                            chunk.lines.push(buf);
                        }
                        Err(e) => {
                            let error = anyhow::Error::new(e)
                                .context(format!("reading line {}", line_no + 1));
                            let _ = tx.blocking_send(Err(error));
                            return;
                        }
                    }
                }
                if !chunk.lines.is_empty() {
                    chunks.push(chunk);
                }
            }
            let batches: Vec<Batch> = std::thread::scope(|scope| {
                let handles: Vec<_> = chunks
                    .iter()
                    .map(|c| scope.spawn(move || parse(c)))
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).collect()
            });
            for batch in batches {
                if tx.blocking_send(Ok(batch)).is_err() {
                    return;
                }
            }
            if done {
                return;
            }
        }
    })
}

fn progress(total: Option<u64>) -> ProgressBar {
    let bar = match total {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    let style = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.with_style(style)
}

/// Runs `vigie import`.
pub async fn run(db: &str, what: What) -> anyhow::Result<ExitCode> {
    let What::Incidents {
        file,
        skip_invalid,
        closed,
    } = what;
    let (input, size): (Box<dyn BufRead + Send>, Option<u64>) = if file.as_os_str() == "-" {
        (Box::new(BufReader::new(std::io::stdin())), None)
    } else {
        let f = File::open(&file).with_context(|| format!("opening {}", file.display()))?;
        let size = f.metadata().ok().map(|m| m.len());
        (
            Box::new(BufReader::with_capacity(1 << 20, f)) as Box<dyn BufRead + Send>,
            size,
        )
    };
    let store = crate::open(db).await?;
    let bar = progress(size);
    let (tx, mut rx) = mpsc::channel(4);
    let reader = spawn_reader(input, tx);
    let cases = if closed {
        CaseState::Closed
    } else {
        CaseState::Received
    };
    let mut import = store.begin_import_as(cases).await?;
    let mut bad: Vec<BadLine> = Vec::new();
    let mut good = 0u64;
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        good += batch.incidents.len() as u64;
        // Once a line is bad and nothing may be written, keep reading only to report.
        if skip_invalid || bad.is_empty() && batch.bad.is_empty() {
            import.write(batch.incidents).await?;
        }
        bad.extend(batch.bad);
        bar.inc(batch.bytes);
        bar.set_message(format!("{good} incidents, {} bad lines", bad.len()));
    }
    let _ = reader.join();
    bar.finish_and_clear();
    let name = file.display();
    for b in bad.iter().take(SHOWN_ERRORS) {
        eprintln!(
            "{name}: line {}, field {}: {}",
            b.line, b.error.field, b.error.reason
        );
    }
    if bad.len() > SHOWN_ERRORS {
        eprintln!("{name}: … and {} more bad lines", bad.len() - SHOWN_ERRORS);
    }
    if !bad.is_empty() && !skip_invalid {
        import.rollback().await?;
        store.close().await;
        eprintln!(
            "{name}: {} bad lines out of {}; nothing was imported (fix them, or pass --skip-invalid)",
            bad.len(),
            good + bad.len() as u64
        );
        return Ok(ExitCode::FAILURE);
    }
    let source = if file.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        std::path::absolute(&file)
            .unwrap_or_else(|_| file.clone())
            .display()
            .to_string()
    };
    let counts = import
        .commit(&crate::journal::operator(), &source, crate::journal::now())
        .await?;
    store.close().await;
    println!(
        "{name}: {} incidents imported ({} new{}, {} updated){}",
        good,
        counts.inserted,
        if closed { ", as closed cases" } else { "" },
        counts.updated,
        if bad.is_empty() {
            String::new()
        } else {
            format!(", {} bad lines skipped", bad.len())
        }
    );
    Ok(ExitCode::SUCCESS)
}
