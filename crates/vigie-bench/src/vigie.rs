//! Vigie's side: the real `vigie import` binary as a subprocess, then the figures
//! computed in this process from the store it wrote.

use std::{
    fs,
    num::NonZeroUsize,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use vigie_observatory::{Observatory, Reference, Share};
use vigie_store::Store;

use crate::{generate, memory, progress};

/// What one run of `vigie import` took.
pub struct ImportRun {
    /// Wall-clock time, from spawn to exit.
    pub elapsed: Duration,
    /// Peak resident memory of the child.
    pub peak: Option<u64>,
    /// What the command printed.
    pub summary: String,
}

/// Runs `vigie --db sqlite:DB import incidents FILE` on a fresh database.
pub fn import(vigie: &Path, db: &Path, file: &Path) -> anyhow::Result<ImportRun> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", db.display())),
        }
    }
    let start = Instant::now();
    let child = Command::new(vigie)
        .arg("--db")
        .arg(format!("sqlite:{}", db.display()))
        .args(["import", "incidents"])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("running {}", vigie.display()))?;
    let watch = memory::Watch::start(child.id());
    let output = child.wait_with_output()?;
    let elapsed = start.elapsed();
    let peak = watch.stop();
    let summary = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() {
        bail!("vigie import failed ({}): {summary}", output.status);
    }
    Ok(ImportRun {
        elapsed,
        peak,
        summary,
    })
}

/// What computing the figures in this process took.
pub struct FiguresRun {
    /// Time to read every row from the database (`observatory_rows`), cold.
    pub load: Duration,
    /// Rows read.
    pub rows: usize,
    /// Each warm run of `compute`, in order.
    pub runs: Vec<Duration>,
    /// Peak resident memory of this process over the load and the runs.
    pub peak: Option<u64>,
    /// Whether the peak is that of this step alone (it could be reset).
    pub peak_is_own: bool,
    /// The figures of the last run.
    pub observatory: Observatory,
}

/// The activity shares of [`generate::SHARES`] as reference data.
pub fn reference() -> anyhow::Result<Reference> {
    Ok(Reference::from_shares(
        generate::SHARES
            .iter()
            .map(|&(r, units)| (r, Share::from_units(units))),
    )?)
}

/// Opens the store, loads its rows, then computes every figure of `year` `runs` times
/// after one warm-up run, on `threads` threads.
pub fn figures(
    db: &Path,
    year: i16,
    runs: usize,
    threads: NonZeroUsize,
) -> anyhow::Result<FiguresRun> {
    let peak_is_own = memory::reset_own_peak();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let url = format!("sqlite:{}", db.display());
    let bar = progress::spinner(format!("loading rows from {}", db.display()));
    let start = Instant::now();
    let rows = runtime.block_on(async {
        let store = Store::open(&url).await?;
        let rows = store.observatory_rows().await?;
        store.close().await;
        anyhow::Ok(rows)
    })?;
    let load = start.elapsed();
    bar.finish_and_clear();
    let reference = reference()?;
    let filter = vigie_observatory::Filter::default();
    let compute = || vigie_observatory::compute_on(&rows, year, &reference, &filter, threads);
    let mut observatory = compute();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        observatory = std::hint::black_box(compute());
        times.push(start.elapsed());
    }
    Ok(FiguresRun {
        load,
        rows: rows.len(),
        runs: times,
        peak: memory::own_peak(),
        peak_is_own,
        observatory,
    })
}

/// The release `vigie` binary, built first unless `skip_build`.
pub fn binary(workspace: &Path, skip_build: bool) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let path = target.join("release").join("vigie");
    if !skip_build {
        eprintln!("building the release vigie binary (cargo build --release -p vigie)…");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--quiet", "-p", "vigie"])
            .current_dir(workspace)
            .status()
            .context("running cargo build")?;
        if !status.success() {
            if path.exists() {
                eprintln!(
                    "warning: cargo build failed; using the existing {}",
                    path.display()
                );
            } else {
                bail!("cargo build --release -p vigie failed");
            }
        }
    }
    if !path.exists() {
        bail!(
            "{} is missing: run cargo build --release -p vigie",
            path.display()
        );
    }
    Ok(path)
}
