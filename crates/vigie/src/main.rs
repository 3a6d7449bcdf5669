//! The `vigie` command: one binary for every role of a sectoral health CERT platform.

mod account;
mod demo;
mod export;
mod import;
mod journal;
mod publish;
mod reference;
mod report;
mod serve;
mod stats;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use vigie_store::Store;

/// Vigie runs a sectoral health CERT: declarations, handling, observatory.
#[derive(Debug, Parser)]
#[command(name = "vigie", version, about)]
struct Cli {
    /// Database: `sqlite:PATH` (embedded, the default) or `postgres://…`.
    #[arg(long, global = true, env = "VIGIE_DATABASE_URL", default_value = vigie_store::DEFAULT_URL)]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or update the database schema.
    Migrate,
    /// Import data.
    Import {
        #[command(subcommand)]
        what: import::What,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: export::What,
    },
    /// Print figures of the yearly observatory.
    Stats(stats::Args),
    /// Publish a year of the observatory as open data.
    Publish(publish::Args),
    /// Write the yearly public report.
    Report(report::Args),
    /// Load reference data (register, regions, hospital activity).
    Reference {
        #[command(subcommand)]
        action: reference::Action,
    },
    /// Create or refresh a database holding the demo data set, and say what it holds.
    Demo(demo::Args),
    /// Serve the portal.
    Serve(serve::Args),
    /// Invite accounts and create API tokens.
    Account {
        #[command(subcommand)]
        action: account::Action,
    },
    /// Check the tamper-evident journal, or read it.
    Journal {
        #[command(subcommand)]
        action: journal::Action,
    },
}

async fn open(url: &str) -> anyhow::Result<Store> {
    vigie_service::open(url)
        .await
        .with_context(|| format!("opening {url}"))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Migrate => {
            let store = open(&cli.db).await?;
            println!("Base {} à jour ({}).", cli.db, store.engine());
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { what } => import::run(&cli.db, what).await,
        Command::Export { what } => export::run(&cli.db, what).await,
        Command::Stats(args) => stats::run(&cli.db, args).await,
        Command::Publish(args) => publish::run(&cli.db, args).await,
        Command::Report(args) => report::run(&cli.db, args).await,
        Command::Reference { action } => reference::run(&cli.db, action).await,
        Command::Demo(args) => demo::run(&cli.db, args).await,
        Command::Serve(args) => serve::run(&cli.db, args).await,
        Command::Account { action } => account::run(&cli.db, action).await,
        Command::Journal { action } => journal::run(&cli.db, action).await,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
