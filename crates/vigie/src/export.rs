//! `vigie export`: incidents in the v1 interchange format (JSON Lines) or, for other CERTs
//! and authorities, as MISP events, a STIX 2.1 bundle or VERIS records; one case alone;
//! and the mapping of categories to ENISA and VERIS. The journal records who exported
//! what, and where to, before anything is written.

use std::{
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context as _, bail};
use clap::{Subcommand, ValueEnum};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use vigie_exchange::{Case, Format, Options};
use vigie_model::{CaseNumber, interchange::v1};
use vigie_store::{Action, NewEntry, Payload};

/// Formats of `vigie export incidents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IncidentsFormat {
    /// The v1 interchange format, JSON Lines; re-importing it changes nothing.
    V1,
    /// A JSON array of MISP events, one per incident.
    Misp,
    /// One STIX 2.1 bundle holding every incident.
    Stix,
    /// VERIS 1.4 records, JSON Lines.
    Veris,
}

/// Formats for other CERTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExchangeFormat {
    /// A MISP event.
    Misp,
    /// A STIX 2.1 bundle.
    Stix,
    /// A VERIS 1.4 record.
    Veris,
}

impl From<ExchangeFormat> for Format {
    fn from(f: ExchangeFormat) -> Format {
        match f {
            ExchangeFormat::Misp => Format::Misp,
            ExchangeFormat::Stix => Format::Stix,
            ExchangeFormat::Veris => Format::Veris,
        }
    }
}

/// Formats of the mapping table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// `vigie_kind,vigie_code,vigie_label,scheme,code,name`.
    Csv,
    /// The same rows as a JSON array.
    Json,
}

/// What the exports for other CERTs say.
#[derive(Debug, clap::Args)]
pub struct ExchangeArgs {
    /// The CERT named as the producer of the export.
    #[arg(long, env = "VIGIE_CERT_NAME", default_value = "CERT Santé")]
    producer: String,
    /// Leave out the structure's name and FINESS: describe it by its kind and region.
    #[arg(long)]
    without_structure: bool,
    /// Include the declarant's title and description, which may hold health data.
    #[arg(long)]
    with_free_text: bool,
}

impl ExchangeArgs {
    fn options(&self) -> Options {
        Options {
            structure_name: !self.without_structure,
            free_text: self.with_free_text,
            ..Options::new(self.producer.clone(), now())
        }
    }
}

fn now() -> jiff::Timestamp {
    crate::journal::now()
}

/// Journals an export before any data leaves.
async fn journal_export(
    store: &vigie_store::Store,
    subject: String,
    format: &str,
    year: Option<i16>,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let to = match out {
        Some(path) => std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string(),
        None => "stdout".to_owned(),
    };
    store
        .journal(vec![NewEntry {
            at_ns: i64::try_from(now().as_nanosecond()).unwrap_or(i64::MAX),
            actor: crate::journal::operator(),
            action: Action::DataExported,
            subject,
            payload: Payload::new()
                .with("format", format)
                .with("year", year.map(i64::from))
                .with("to", to),
        }])
        .await
        .context("journaling the export")?;
    Ok(())
}

/// What to export.
#[derive(Debug, Subcommand)]
pub enum What {
    /// Incidents: the v1 interchange format by default, or MISP, STIX 2.1, VERIS.
    Incidents {
        /// Only the incidents declared this year (Paris time).
        #[arg(long)]
        year: Option<i16>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = IncidentsFormat::V1)]
        format: IncidentsFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        exchange: ExchangeArgs,
    },
    /// One case (`VIG-2024-000123`) as a MISP event, a STIX 2.1 bundle or a VERIS record.
    Case {
        /// The case number.
        case: String,
        /// Output format.
        #[arg(long, value_enum)]
        format: ExchangeFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        exchange: ExchangeArgs,
    },
    /// The mapping of every category to the ENISA taxonomy and to VERIS.
    Taxonomy {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
        format: TableFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

fn sink(out: Option<&Path>) -> anyhow::Result<BufWriter<Box<dyn Write>>> {
    let sink: Box<dyn Write> = match out {
        Some(path) => Box::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    Ok(BufWriter::with_capacity(1 << 20, sink))
}

/// Runs `vigie export`.
pub async fn run(db: &str, what: What) -> anyhow::Result<ExitCode> {
    match what {
        What::Taxonomy { format, out } => {
            let body = match format {
                TableFormat::Csv => vigie_exchange::taxonomy::csv(),
                TableFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&vigie_exchange::taxonomy::json())?;
                    s.push('\n');
                    s
                }
            };
            let mut w = sink(out.as_deref())?;
            w.write_all(body.as_bytes())?;
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        What::Case {
            case,
            format,
            out,
            exchange,
        } => {
            let number = CaseNumber::parse(&case)?;
            let store = crate::open(db).await?;
            let record = store.case(number).await?;
            if record.is_some() {
                let name = format!("{:?}", format).to_lowercase();
                journal_export(&store, number.to_string(), &name, None, out.as_deref()).await?;
            }
            store.close().await;
            let Some(record) = record else {
                bail!("no case {number}");
            };
            let cases = [Case {
                case: number,
                incident: &record.incident,
            }];
            let rendered = vigie_exchange::render(
                format.into(),
                &cases,
                &number.to_string(),
                &exchange.options(),
            );
            let mut w = sink(out.as_deref())?;
            w.write_all(rendered.body.as_bytes())?;
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        What::Incidents {
            year,
            format,
            out,
            exchange,
        } => incidents(db, year, format, out, &exchange).await,
    }
}

async fn incidents(
    db: &str,
    year: Option<i16>,
    format: IncidentsFormat,
    out: Option<PathBuf>,
    exchange: &ExchangeArgs,
) -> anyhow::Result<ExitCode> {
    let store = crate::open(db).await?;
    let name = format!("{format:?}").to_lowercase();
    journal_export(&store, "incidents".into(), &name, year, out.as_deref()).await?;
    let mut sink = sink(out.as_deref())?;
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} incidents ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    if out.is_none() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let options = exchange.options();
    let mut n = 0u64;
    // A STIX bundle is one document: its incidents are gathered before it is written.
    let mut gathered = Vec::new();
    let mut cases = store.export_cases(year);
    while let Some(item) = cases.next().await {
        let (case, incident) = item?;
        let one = Case {
            case,
            incident: &incident,
        };
        match format {
            IncidentsFormat::V1 => {
                sink.write_all(v1::to_line(&incident).as_bytes())?;
                sink.write_all(b"\n")?;
            }
            IncidentsFormat::Misp => {
                sink.write_all(if n == 0 { b"[\n" } else { b",\n" })?;
                serde_json::to_writer(&mut sink, &vigie_exchange::misp::event(&one, &options))?;
            }
            IncidentsFormat::Veris => {
                serde_json::to_writer(&mut sink, &vigie_exchange::veris::record(&one, &options))?;
                sink.write_all(b"\n")?;
            }
            IncidentsFormat::Stix => gathered.push((case, incident)),
        }
        n += 1;
        if n.is_multiple_of(4096) {
            bar.set_position(n);
        }
    }
    drop(cases);
    match format {
        IncidentsFormat::Misp => sink.write_all(if n == 0 { b"[]\n" } else { b"\n]\n" })?,
        IncidentsFormat::Stix => {
            let cases: Vec<Case<'_>> = gathered
                .iter()
                .map(|(case, incident)| Case {
                    case: *case,
                    incident,
                })
                .collect();
            serde_json::to_writer(&mut sink, &vigie_exchange::stix::bundle(&cases, &options))?;
            sink.write_all(b"\n")?;
        }
        IncidentsFormat::V1 | IncidentsFormat::Veris => {}
    }
    sink.flush()?;
    bar.finish_and_clear();
    store.close().await;
    if let Some(path) = out {
        eprintln!("{n} incidents written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
