//! DuckDB's side: `duckdb_figures.py` run with python3 as a subprocess.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::{generate, memory, views::View};

/// The figures of one year as plain rows: figure number, then `(key, count, previous)`.
pub type Rows = Vec<(u8, Vec<(String, i64, i64)>)>;

/// What DuckDB did on one file.
pub struct DuckRun {
    /// DuckDB's version.
    pub version: String,
    /// Time of `read_json` into a table.
    pub load: Duration,
    /// Time of adding the Paris year, month and deposit slot Vigie's import stores.
    pub columns: Duration,
    /// Lines loaded.
    pub lines: u64,
    /// Each warm run of every figure, in order.
    pub runs: Vec<Duration>,
    /// Time of `read_json` (and the same columns) into a database file, checkpointed, in
    /// a run of its own, with that run's peak memory, if asked.
    pub persisted: Option<(Duration, Option<u64>)>,
    /// Peak resident memory of the Python process of the load and the figures alone.
    pub peak: Option<u64>,
    /// Every figure.
    pub figures: Rows,
}

/// The script, next to this crate's manifest.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("duckdb_figures.py")
}

/// Makes sure `python3` can `import duckdb`, installing it with pip if needed (never in CI).
pub fn ensure_installed() -> anyhow::Result<()> {
    let importable = || {
        Command::new("python3")
            .args(["-c", "import duckdb"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if importable() {
        return Ok(());
    }
    if std::env::var_os("CI").is_some() {
        bail!("python3 cannot import duckdb, and packages are never installed in CI");
    }
    eprintln!("python3 cannot import duckdb: python3 -m pip install duckdb");
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "duckdb"])
        .status()
        .context("running pip")?;
    if !status.success() || !importable() {
        bail!("cannot install the PyPI package duckdb (python3 -m pip install duckdb)");
    }
    Ok(())
}

fn seconds(v: &Value) -> anyhow::Result<Duration> {
    let s = v.as_f64().context("expected a number of seconds")?;
    Ok(Duration::from_secs_f64(s))
}

/// The script's command line, its output piped.
fn script_command(file: &Path, year: i16, runs: usize, threads: usize) -> Command {
    let shares = generate::SHARES
        .iter()
        .map(|(r, s)| format!("{}={s}", vigie_model::Code::code(*r)))
        .collect::<Vec<_>>()
        .join(",");
    let mut command = Command::new("python3");
    command
        .arg(script())
        .arg("--jsonl")
        .arg(file)
        .args(["--year", &year.to_string()])
        .args(["--runs", &runs.to_string()])
        .args(["--threads", &threads.to_string()])
        .args(["--shares", &shares])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    command
}

/// Runs the script to its end: its JSON summary and the peak memory of its process (its
/// own `ru_maxrss` or what was polled, the higher).
fn run_script(mut command: Command) -> anyhow::Result<(Value, Option<u64>)> {
    let child = command
        .spawn()
        .context("running python3 duckdb_figures.py")?;
    let watch = memory::Watch::start(child.id());
    let output = child.wait_with_output()?;
    let polled = watch.stop();
    if !output.status.success() {
        bail!("duckdb_figures.py failed ({})", output.status);
    }
    let json = last_json(&output.stdout)?;
    let peak = json["peak_rss_bytes"].as_u64().max(polled);
    Ok((json, peak))
}

/// Loads `file` into DuckDB and computes every figure of `year`, `runs` times warm; then,
/// in a process of its own (so that the figures' peak memory is theirs alone), loads it
/// into the database file `persist` (removed after), if given.
pub fn run(
    file: &Path,
    year: i16,
    runs: usize,
    threads: usize,
    persist: Option<&Path>,
) -> anyhow::Result<DuckRun> {
    let (json, peak) = run_script(script_command(file, year, runs, threads))?;
    let persisted = match persist {
        Some(path) => {
            let mut command = script_command(file, year, runs, threads);
            command.arg("--persist").arg(path);
            let (persisted, peak) = run_script(command)?;
            Some((seconds(&persisted["persisted_load_s"])?, peak))
        }
        None => None,
    };
    Ok(DuckRun {
        version: json["version"].as_str().unwrap_or("?").to_owned(),
        load: seconds(&json["load_s"])?,
        columns: seconds(&json["columns_s"])?,
        lines: json["lines"].as_u64().unwrap_or(0),
        runs: durations(&json["runs_s"])?,
        persisted,
        peak,
        figures: figures(&json["figures"])?,
    })
}

/// The JSON object on the last line of the script's output.
fn last_json(stdout: &[u8]) -> anyhow::Result<Value> {
    let text = String::from_utf8_lossy(stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default())
        .context("reading the output of duckdb_figures.py")
}

fn durations(v: &Value) -> anyhow::Result<Vec<Duration>> {
    v.as_array()
        .context("runs_s")?
        .iter()
        .map(seconds)
        .collect()
}

/// The figures of the script's output as plain rows.
fn figures(v: &Value) -> anyhow::Result<Rows> {
    let mut figures = Rows::new();
    for figure in v.as_array().context("no figures")? {
        let number = figure["figure"].as_u64().context("figure number")? as u8;
        let rows = figure["rows"]
            .as_array()
            .context("figure rows")?
            .iter()
            .map(|r| Some((r[0].as_str()?.to_owned(), r[1].as_i64()?, r[2].as_i64()?)))
            .collect::<Option<Vec<_>>>()
            .context("a figure row is not [key, count, previous]")?;
        figures.push((number, rows));
    }
    Ok(figures)
}

/// What DuckDB did on the views of the dashboards.
pub struct DuckViews {
    /// DuckDB's version.
    pub version: String,
    /// Time of `read_json` into a table.
    pub load: Duration,
    /// Time of adding the Paris year, month and deposit slot Vigie's import stores.
    pub columns: Duration,
    /// Lines loaded.
    pub lines: u64,
    /// Peak resident memory of the Python process.
    pub peak: Option<u64>,
    /// Per view, in order: each warm run, and the figures.
    pub views: Vec<(Vec<Duration>, Rows)>,
}

/// Loads `file` into DuckDB and computes every figure of each view, `runs` times warm.
pub fn run_views(
    file: &Path,
    views: &[View],
    runs_per_view: usize,
    threads: usize,
    scratch: &Path,
) -> anyhow::Result<DuckViews> {
    let list = Value::Array(views.iter().map(|v| v.to_json()).collect());
    std::fs::write(scratch, list.to_string())
        .with_context(|| format!("writing {}", scratch.display()))?;
    let year = views.first().map_or(generate::MEASURED_YEAR, |v| v.year);
    let mut command = script_command(file, year, runs_per_view, threads);
    command.arg("--views").arg(scratch);
    let result = run_script(command);
    let _ = std::fs::remove_file(scratch);
    let (json, peak) = result?;
    let views = json["views"]
        .as_array()
        .context("no views")?
        .iter()
        .map(|v| Ok((durations(&v["runs_s"])?, figures(&v["figures"])?)))
        .collect::<anyhow::Result<_>>()?;
    Ok(DuckViews {
        version: json["version"].as_str().unwrap_or("?").to_owned(),
        load: seconds(&json["load_s"])?,
        columns: seconds(&json["columns_s"])?,
        lines: json["lines"].as_u64().unwrap_or(0),
        peak,
        views,
    })
}
