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
use vigie_observatory::{Cube, Observatory, Reference, Share};
use vigie_store::Store;

use crate::{generate, memory, progress, views::View};

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
    /// The pre-aggregated cube of the same rows.
    pub cube: CubeRun,
}

/// What building and querying the cube took.
pub struct CubeRun {
    /// Building it from the rows in memory, on the same threads.
    pub build: Duration,
    /// Cells holding rows, every year.
    pub cells: usize,
    /// Bytes it holds.
    pub bytes: usize,
    /// Each query of every figure of the year, without filter (warm).
    pub national: Vec<Duration>,
    /// Each query of a view drawn from the whole filter space (warm).
    pub filtered: Vec<Duration>,
    /// Views whose figures differ between the cube and the scan (none expected).
    pub differences: Vec<String>,
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
    let cube = cube(&rows, year, &reference, threads, &observatory)?;
    Ok(FiguresRun {
        load,
        rows: rows.len(),
        runs: times,
        peak: memory::own_peak(),
        peak_is_own,
        observatory,
        cube,
    })
}

/// Views queried on the cube (and checked against the scan).
const CUBE_VIEWS: usize = 200;
/// Of those, how many are also computed by the scan to compare.
const CUBE_CHECKS: usize = 20;

/// Builds the cube of `rows`, checks it against the scan, and times its queries.
fn cube(
    rows: &[vigie_observatory::Row],
    year: i16,
    reference: &Reference,
    threads: NonZeroUsize,
    scanned: &Observatory,
) -> anyhow::Result<CubeRun> {
    let bar = progress::spinner("building the cube".to_owned());
    let start = Instant::now();
    let cube = Cube::build_on(rows, threads)?;
    let build = start.elapsed();
    bar.finish_and_clear();
    let national = vigie_observatory::Filter::default();
    let mut differences = Vec::new();
    if &cube.compute(year, reference, &national) != scanned {
        differences.push("no filter".to_owned());
    }
    let views = View::sample(year as u64, year, CUBE_VIEWS);
    for view in views.iter().take(CUBE_CHECKS) {
        let threads = threads.get();
        let scan = vigie_observatory::compute_on(
            rows,
            view.year,
            reference,
            &view.filter,
            NonZeroUsize::new(threads).unwrap_or(NonZeroUsize::MIN),
        );
        if cube.compute(view.year, reference, &view.filter) != scan {
            differences.push(view.describe());
        }
    }
    let time = |view: &View| {
        let start = Instant::now();
        std::hint::black_box(cube.compute(view.year, reference, &view.filter));
        start.elapsed()
    };
    let nationals: Vec<Duration> = (0..20)
        .map(|_| {
            time(&View {
                year,
                filter: national,
            })
        })
        .collect();
    let filtered = views.iter().map(time).collect();
    Ok(CubeRun {
        build,
        cells: cube.cells(),
        bytes: cube.bytes(),
        national: nationals,
        filtered,
        differences,
    })
}

/// The release `vigie` binary, built first unless `skip_build`; an error when the build fails.
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
        // A failed build ends the benchmark: an older binary left in target/ would measure
        // other code than the checkout's (`--skip-build` runs it knowingly).
        if !status.success() {
            bail!(
                "cargo build --release -p vigie failed ({status}): not measuring the older {}",
                path.display()
            );
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
