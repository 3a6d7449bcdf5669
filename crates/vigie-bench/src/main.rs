//! Benchmarks of Vigie: its foundation against DuckDB on generated incidents (`figures`,
//! the default), durable declarations through the portal's API (`declarations`, see
//! [`declarations`]), and the observatory's dashboards over HTTP with concurrent readers
//! against DuckDB, with the yearly report (`dashboard`, see [`dashboard`]).
//!
//! ```text
//! cargo run --release -p vigie-bench -- --sizes 1000000,10000000
//! cargo run --release -p vigie-bench -- figures --sizes 1000000
//! cargo run --release -p vigie-bench -- declarations --seconds 10 --kills 20
//! cargo run --release -p vigie-bench -- dashboard --size 10000000 --readers 8 --seconds 20
//! ```
//!
//! For each size N it generates (or reuses, when its sidecar and first lines say it holds
//! the N incidents of the seed) `bench-data/incidents-N.jsonl`, imports it with the real
//! release `vigie import incidents` (a subprocess; a failed `cargo build` of it ends the
//! run), loads the rows back in this process and times `compute` of every counted figure
//! of the year, warm; then `duckdb_figures.py` loads the same file with DuckDB's
//! `read_json`, adds the Paris year, month and deposit slot Vigie's import stores (timed
//! apart, so that both engines' figures read precomputed columns) and computes the same
//! aggregates in SQL. It checks that both engines read N incidents and found the same
//! numbers and prints the times, ratios and peak memory (each engine's own process)
//! against the targets of the issue: figures in a tenth of DuckDB's time or less, within
//! 2 GB at 10M, and an import at least as fast as DuckDB's `read_json`. It also builds the
//! observatory's cube from the same rows, checks it against the scan (no filter and views
//! drawn from the whole filter space), and prints its build time, size and query times.
//! This is a benchmark, not a timed test: it fails only when the two engines disagree,
//! the data is not what was asked for or a step cannot run.

mod dashboard;
mod declarations;
mod duckdb;
mod generate;
mod memory;
mod progress;
mod served;
mod views;
mod vigie;

use std::{
    fmt::Write as _,
    num::NonZeroUsize,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Duration,
};

use clap::Parser;

/// Peak memory allowed to Vigie's figures process.
const MEMORY_TARGET: u64 = 2_000_000_000;
/// Vigie's figures time over DuckDB's, at most.
const FIGURES_TARGET: f64 = 0.1;
/// Vigie's import time over DuckDB's `read_json` time, at most.
const IMPORT_TARGET: f64 = 1.0;

/// Benchmarks of Vigie: figures against DuckDB (the default), declarations through the API.
#[derive(Debug, Parser)]
#[command(name = "vigie-bench", args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Bench>,
    #[command(flatten)]
    figures: Args,
}

#[derive(Debug, clap::Subcommand)]
enum Bench {
    /// Import and figures of generated incidents, against DuckDB (the default).
    Figures(Args),
    /// Durable declarations per second through the API, latency, and kill -9 under load.
    Declarations(declarations::Args),
    /// The observatory's dashboards over HTTP with concurrent readers, against DuckDB.
    Dashboard(dashboard::Args),
}

/// Benchmark of Vigie (import, figures) against DuckDB on the same generated incidents.
#[derive(Debug, clap::Args)]
struct Args {
    /// Numbers of incidents to generate and measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000000,10000000")]
    sizes: Vec<u64>,
    /// Year whose figures are computed (the generated data is centred on 2024).
    #[arg(long, default_value_t = generate::MEASURED_YEAR)]
    year: i16,
    /// Timed warm runs of the figures on each side (after one warm-up run); the median is reported.
    #[arg(long, default_value_t = 7)]
    runs: usize,
    /// Threads of both engines for the figures (DuckDB's `threads` setting).
    #[arg(long, default_value_t = NonZeroUsize::MIN.saturating_add(1))]
    threads: NonZeroUsize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 20_240_101)]
    seed: u64,
    /// Where the generated files and databases go (default: `bench-data/` at the repository root).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Use the existing `target/release/vigie` without running `cargo build` first.
    #[arg(long)]
    skip_build: bool,
}

/// Everything measured at one size.
struct Measure {
    size: u64,
    file_bytes: u64,
    import: vigie::ImportRun,
    figures: vigie::FiguresRun,
    duck: duckdb::DuckRun,
    differences: Vec<String>,
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The `q` quantile (0–1) of durations (nearest rank).
fn quantile(times: &[Duration], q: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn fmt_time(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn fmt_bytes(b: Option<u64>) -> String {
    match b {
        Some(b) if b >= 1 << 30 => format!("{:.2} GiB", b as f64 / f64::from(1u32 << 30)),
        Some(b) => format!("{:.0} MiB", b as f64 / f64::from(1u32 << 20)),
        None => "n/a".to_owned(),
    }
}

fn fmt_rate(lines: u64, d: Duration) -> String {
    format!("{:.0} k lines/s", lines as f64 / d.as_secs_f64() / 1e3)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

/// Vigie's figures as plain rows, to compare with DuckDB's.
fn vigie_rows(observatory: &vigie_observatory::Observatory) -> duckdb::Rows {
    observatory
        .figures
        .iter()
        .map(|f| {
            let rows = f
                .rows
                .iter()
                .map(|r| (r.key.clone(), r.count, r.previous))
                .collect();
            (f.number, rows)
        })
        .collect()
}

/// Every difference between the two engines' figures (empty when they agree).
fn compare(vigie: &duckdb::Rows, duck: &duckdb::Rows) -> Vec<String> {
    let mut out = Vec::new();
    let numbers = |rows: &duckdb::Rows| rows.iter().map(|(n, _)| *n).collect::<Vec<_>>();
    if numbers(vigie) != numbers(duck) {
        out.push(format!(
            "figures: Vigie has {:?}, DuckDB {:?}",
            numbers(vigie),
            numbers(duck)
        ));
    }
    for (number, rows) in vigie {
        let Some((_, other)) = duck.iter().find(|(n, _)| n == number) else {
            continue;
        };
        if rows.len() != other.len() {
            out.push(format!(
                "figure {number}: {} rows in Vigie, {} in DuckDB",
                rows.len(),
                other.len()
            ));
        }
        for (a, b) in rows.iter().zip(other) {
            if a != b {
                out.push(format!("figure {number}: Vigie {a:?}, DuckDB {b:?}"));
            }
        }
    }
    out
}

fn measure(args: &Args, dir: &Path, vigie_bin: &Path, size: u64) -> anyhow::Result<Measure> {
    eprintln!("\n== {size} incidents ==");
    let file = dir.join(format!("incidents-{size}.jsonl"));
    if generate::ensure(&file, size, args.seed)? {
        eprintln!("generated {}", file.display());
    } else {
        eprintln!("reusing {}", file.display());
    }
    let file_bytes = std::fs::metadata(&file)?.len();

    eprintln!("vigie import incidents {} …", file.display());
    let db = dir.join(format!("vigie-{size}.db"));
    let import = vigie::import(vigie_bin, &db, &file)?;
    eprintln!(
        "  {} in {} ({})",
        import.summary,
        fmt_time(import.elapsed),
        fmt_rate(size, import.elapsed)
    );

    eprintln!("vigie figures of {} …", args.year);
    let figures = vigie::figures(&db, args.year, args.runs, args.threads)?;
    eprintln!(
        "  {} rows loaded in {}; compute median {}",
        figures.rows,
        fmt_time(figures.load),
        fmt_time(median(&figures.runs))
    );

    anyhow::ensure!(
        figures.rows as u64 == size,
        "the database holds {} incidents, not the {size} asked for",
        figures.rows
    );

    let persist = dir.join(format!("duckdb-{size}.duckdb"));
    let duck = duckdb::run(
        &file,
        args.year,
        args.runs,
        args.threads.get(),
        Some(&persist),
    )?;
    anyhow::ensure!(
        duck.lines == size,
        "DuckDB read {} incidents from {}, not the {size} asked for",
        duck.lines,
        file.display()
    );
    let differences = compare(&vigie_rows(&figures.observatory), &duck.figures);
    Ok(Measure {
        size,
        file_bytes,
        import,
        figures,
        duck,
        differences,
    })
}

fn report(m: &Measure, args: &Args) -> String {
    let mut s = String::new();
    let vf = median(&m.figures.runs);
    let df = median(&m.duck.runs);
    let figures_ratio = vf.as_secs_f64() / df.as_secs_f64();
    let import_ratio = m.import.elapsed.as_secs_f64() / m.duck.load.as_secs_f64();
    let memory_ok = m.figures.peak.is_some_and(|p| p <= MEMORY_TARGET);
    let _ = writeln!(
        s,
        "\n=== {} incidents, year {} ({}, {:.2} GB of JSON Lines; Vigie {} threads, DuckDB {} threads={}) ===",
        m.size,
        args.year,
        m.duck.lines,
        m.file_bytes as f64 / 1e9,
        args.threads,
        m.duck.version,
        args.threads
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26} {:>8} {:>8}  verdict",
        "", "Vigie", "DuckDB", "ratio", "target"
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26} {:>8.3} {:>8}  {}",
        "import / read_json (wall)",
        format!(
            "{} ({})",
            fmt_time(m.import.elapsed),
            fmt_rate(m.size, m.import.elapsed)
        ),
        format!(
            "{} ({})",
            fmt_time(m.duck.load),
            fmt_rate(m.duck.lines, m.duck.load)
        ),
        import_ratio,
        "<= 1",
        verdict(import_ratio <= IMPORT_TARGET)
    );
    // What each side precomputes: Vigie's import stores each incident's Paris year, month
    // and deposit slot; DuckDB adds the same columns after read_json, timed apart.
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26}",
        "  Paris year, month, slot columns",
        "(in the import, stored)",
        fmt_time(m.duck.columns),
    );
    if let Some((persisted, _)) = m.duck.persisted {
        // Context, not a target: DuckDB keeping what it loaded, as Vigie's import does.
        let _ = writeln!(
            s,
            "{:<34} {:>26} {:>26} {:>8.3}",
            "  DuckDB into a file, checkpointed",
            "",
            format!(
                "{} ({})",
                fmt_time(persisted),
                fmt_rate(m.duck.lines, persisted)
            ),
            m.import.elapsed.as_secs_f64() / persisted.as_secs_f64(),
        );
    }
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26} {:>8.4} {:>8}  {}",
        format!("all figures, warm, median of {}", args.runs),
        fmt_time(vf),
        fmt_time(df),
        figures_ratio,
        "<= 0.1",
        verdict(figures_ratio <= FIGURES_TARGET)
    );
    let range = |t: &[Duration]| {
        let mut t = t.to_vec();
        t.sort();
        format!(
            "{} – {}",
            fmt_time(t.first().copied().unwrap_or_default()),
            fmt_time(t.last().copied().unwrap_or_default())
        )
    };
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26}",
        "  (fastest – slowest run)",
        range(&m.figures.runs),
        range(&m.duck.runs)
    );
    let c = &m.figures.cube;
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26} {:>8.4}",
        "cube: every figure, no filter",
        fmt_time(median(&c.national)),
        fmt_time(df),
        median(&c.national).as_secs_f64() / df.as_secs_f64(),
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26}   (p95 {}, {} views of the filter space)",
        "cube: every figure, any filter",
        fmt_time(median(&c.filtered)),
        fmt_time(quantile(&c.filtered, 0.95)),
        c.filtered.len(),
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26}   ({} cells, {})",
        "cube: built from the rows",
        fmt_time(c.build),
        c.cells,
        fmt_bytes(Some(c.bytes as u64)),
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26}",
        "cube: same figures as the scan",
        if c.differences.is_empty() {
            "yes".to_owned()
        } else {
            format!("NO: {}", c.differences.join("; "))
        },
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26}",
        "cold load of the rows",
        format!("{} (observatory_rows)", fmt_time(m.figures.load)),
        "(in read_json)"
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26} {:>8} {:>8}  {}",
        "peak memory, figures process",
        format!(
            "{}{}",
            fmt_bytes(m.figures.peak),
            if m.figures.peak_is_own {
                ""
            } else {
                " (whole bench)"
            }
        ),
        fmt_bytes(m.duck.peak),
        "",
        "<= 2 GB",
        verdict(memory_ok)
    );
    let _ = writeln!(
        s,
        "{:<34} {:>26} {:>26}",
        "peak memory, import",
        fmt_bytes(m.import.peak),
        "(figures process, above)"
    );
    if let Some((_, peak)) = m.duck.persisted {
        let _ = writeln!(
            s,
            "{:<34} {:>26} {:>26}",
            "peak memory, into a file",
            "",
            format!("{} (a run of its own)", fmt_bytes(peak)),
        );
    }
    let _ = writeln!(
        s,
        "both engines' figures read each incident's Paris year, month and deposit slot from stored columns (Vigie's import computes them; DuckDB adds them after read_json, timed above); each peak is its own process's"
    );
    if m.differences.is_empty() {
        let _ = writeln!(
            s,
            "same results: yes ({} figures, every row, year and previous year)",
            m.duck.figures.len()
        );
    } else {
        let _ = writeln!(s, "same results: NO ({} differences)", m.differences.len());
        for d in m.differences.iter().take(40) {
            let _ = writeln!(s, "  {d}");
        }
    }
    s
}

/// The repository's root.
fn workspace() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    workspace.canonicalize().unwrap_or(workspace)
}

fn run(args: &Args) -> anyhow::Result<bool> {
    let workspace = workspace();
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| workspace.join("bench-data"));
    duckdb::ensure_installed()?;
    let vigie_bin = vigie::binary(&workspace, args.skip_build)?;
    let mut reports = Vec::new();
    let mut agree = true;
    for &size in &args.sizes {
        let m = measure(args, &dir, &vigie_bin, size)?;
        agree &= m.differences.is_empty() && m.figures.cube.differences.is_empty();
        let text = report(&m, args);
        eprint!("{text}");
        reports.push(text);
    }
    println!("\n##### vigie-bench summary #####");
    for r in &reports {
        print!("{r}");
    }
    Ok(agree)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (result, failure) = match &cli.command {
        None => (
            run(&cli.figures),
            "Vigie and DuckDB computed different figures",
        ),
        Some(Bench::Figures(args)) => (run(args), "Vigie and DuckDB computed different figures"),
        Some(Bench::Declarations(args)) => (
            declarations::run(args, &workspace()),
            "declarations were lost, incomplete or unexpected",
        ),
        Some(Bench::Dashboard(args)) => (
            dashboard::run(args, &workspace()),
            "a dashboard request failed, or Vigie and DuckDB computed different figures",
        ),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
