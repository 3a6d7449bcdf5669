//! `vigie-bench dashboard`: the observatory's dashboards over HTTP with concurrent readers,
//! against DuckDB computing the same filtered figures, and the yearly report.
//!
//! ```text
//! cargo run --release -p vigie-bench -- dashboard                  # 10 million incidents
//! cargo run --release -p vigie-bench -- dashboard --size 1000000 --readers 8 --seconds 20
//! ```
//!
//! It generates (or reuses) `bench-data/incidents-N.jsonl`, imports it with the real
//! release `vigie import incidents` into `bench-data/dashboard-N.db` (reused when its
//! sidecar says it was imported from that very file and it holds the N incidents, unless
//! `--fresh`), then:
//!
//! 1. in this process, builds the observatory's snapshot from that database as a server
//!    does (every row read, the cube built) and times the yearly report from it: the
//!    national figures, their small-cell suppression, the events and analysts' texts, the
//!    HTML document and the PDF;
//! 2. creates an analyst account and a signed-in session for it (second factor passed),
//!    starts the release `vigie serve` on a free loopback port and times the first
//!    `GET /observatoire` (the server's own snapshot, built at start);
//! 3. runs `--readers` concurrent readers for `--warmup` then `--seconds` seconds, each
//!    asking for `/observatoire` with a view drawn at random from the whole filter space
//!    (see [`View::random`]: a year, no filter, single and combined filters, periods of
//!    months), as the form sends it, and reading the whole page, which must be a 200
//!    carrying the data table of every counted figure; one request in ten asks instead
//!    for one of the `--duck-views` views DuckDB computes below, and its page is kept
//!    (a sampled view the run did not ask for is asked for once after it);
//! 4. loads the same file into DuckDB and computes, for those views (drawn the same
//!    way), every figure of the view's year and the year before under its filter; checks
//!    that the figures Vigie computes in this process are DuckDB's, and reads the numbers
//!    out of each kept page's data tables (see [`served`]) to check that they are
//!    DuckDB's figures of that view, every row, label, year and year before.
//!
//! It prints the requests, errors, p50/p95/p99 latency against the issue's target (p95 ≤
//! 50 ms with concurrent readers) and beside them what a change costs before its figures
//! show (the snapshot rebuilt: every row read, the cube built), DuckDB's median per view
//! and the ratio of the medians, the pages checked and their mismatches, the report's
//! time against its target (under 2 s), and the peak memory of the server against 2 GB.
//! It fails when a request fails, a served page or Vigie's figures differ from DuckDB's,
//! the data is not the size asked for, or a step cannot run; missed performance targets
//! are reported, not failed.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail, ensure};
use jiff::{SignedDuration, Timestamp};
use vigie_access::{Role, Scope};
use vigie_auth::{SecretToken, TokenKind};
use vigie_observatory::{Disclosure, Observatory};
use vigie_service::observatory::{Clock, Snapshot};
use vigie_store::{NewUser, Store};

use crate::{
    declarations::{load::http, server::Server},
    duckdb, fmt_bytes, fmt_time, generate, median, memory, quantile, served,
    views::View,
    vigie, vigie_rows,
};

/// The p95 latency target of a dashboard request.
const P95_TARGET: Duration = Duration::from_millis(50);
/// The yearly report's target.
const REPORT_TARGET: Duration = Duration::from_secs(2);
/// Peak memory allowed to the server.
const MEMORY_TARGET: u64 = 2_000_000_000;
/// How long the server may take to answer its first dashboard (it reads every row).
const PATIENCE: Duration = Duration::from_secs(1_800);

/// Arguments of `vigie-bench dashboard`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Incidents to generate and import.
    #[arg(long, default_value_t = 10_000_000)]
    size: u64,
    /// Concurrent readers of the dashboards.
    #[arg(long, default_value_t = 8)]
    readers: usize,
    /// Seconds of the measured run (no request starts after).
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Seconds of warm-up before it (same readers, not measured).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// The year of the views (most are of this year, some of the four before).
    #[arg(long, default_value_t = generate::MEASURED_YEAR)]
    year: i16,
    /// Views DuckDB computes (and that are checked against Vigie's figures); 0 skips DuckDB.
    #[arg(long, default_value_t = 20)]
    duck_views: usize,
    /// Timed warm runs of each view in DuckDB (after one warm-up run).
    #[arg(long, default_value_t = 3)]
    duck_runs: usize,
    /// DuckDB's `threads` setting.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Timed renderings of the yearly report; the median is reported.
    #[arg(long, default_value_t = 5)]
    report_runs: usize,
    /// Seed of the generator and of the views.
    #[arg(long, default_value_t = 20_240_101)]
    seed: u64,
    /// Where the generated files and databases go (default: `bench-data/` at the repository root).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Import again even when the database already holds the incidents.
    #[arg(long)]
    fresh: bool,
    /// Use the existing `target/release/vigie` without running `cargo build` first.
    #[arg(long)]
    skip_build: bool,
}

/// The snapshot and the report, measured in this process.
struct Local {
    /// Reading every row and building the cube.
    snapshot: Duration,
    /// Of which reading the rows.
    read: Duration,
    rows: u64,
    cells: usize,
    cube_bytes: usize,
    /// Peak resident memory of this process over that step.
    peak: Option<u64>,
    /// Each rendering of the yearly report (figures, suppression, events and texts, HTML and PDF).
    report: Vec<Duration>,
    report_bytes: usize,
    pdf_bytes: usize,
    /// Vigie's figures of the views DuckDB computes (in this process, from the snapshot).
    expected: Vec<Observatory>,
}

/// What the readers saw.
#[derive(Default)]
struct Readers {
    latencies: Vec<Duration>,
    errors: usize,
    first_errors: Vec<String>,
    bytes: u64,
    wall: Duration,
    /// The pages kept of the sampled views (their index in the sample, the page), to be
    /// checked against DuckDB's figures once it computed them.
    pages: Vec<(usize, String)>,
}

/// One request in this many asks for a view of the sample DuckDB computes (the others for
/// a view drawn at random), and its page is kept, up to [`KEPT_PER_VIEW`] per view.
const SAMPLE_EVERY: usize = 10;
/// Pages kept per sampled view.
const KEPT_PER_VIEW: usize = 8;

/// The time the accounts are created at.
#[allow(clippy::disallowed_methods)]
fn now() -> Timestamp {
    Timestamp::now()
}

/// Builds the snapshot as a server does, and renders the report from it.
async fn local(store: &Store, args: &Args, views: &[View]) -> anyhow::Result<Local> {
    // The activity shares DuckDB is given, for figure 7 (only their ratios count).
    let shares: Vec<_> = generate::SHARES
        .iter()
        .map(|&(region, units)| (region, units as f64))
        .collect();
    store.load_activity(&shares).await?;
    let peak_is_own = memory::reset_own_peak();
    let clock: Clock = Arc::new(now);
    let start = Instant::now();
    let snapshot = Snapshot::build(store, &clock).await?;
    let took = start.elapsed();
    let peak = memory::own_peak().filter(|_| peak_is_own);
    let threshold = Disclosure::default().threshold;
    let mut report = Vec::with_capacity(args.report_runs);
    let mut report_bytes = 0;
    let mut pdf_bytes = 0;
    for _ in 0..args.report_runs.max(1) {
        // What a request for the published report does: the national figures from the
        // snapshot, suppressed; the events and analysts' texts from the database; the HTML
        // document and the PDF.
        let start = Instant::now();
        let public = snapshot.public(args.year, threshold);
        let parts = vigie_service::observatory::report_parts_of(store, public, threshold).await?;
        let report_of = parts.report("CERT Santé");
        let html = vigie_chart::report::html(&report_of);
        let pdf = vigie_pdf::typeset(&vigie_pdf::document(&report_of))?;
        report.push(start.elapsed());
        report_bytes = std::hint::black_box(html).len();
        pdf_bytes = std::hint::black_box(pdf.pdf).len();
    }
    let expected = views
        .iter()
        .map(|v| snapshot.compute(v.year, &v.filter))
        .collect();
    let cube = snapshot.cube();
    Ok(Local {
        snapshot: took,
        read: Duration::try_from(snapshot.read()).unwrap_or_default(),
        rows: cube.rows(),
        cells: cube.cells(),
        cube_bytes: cube.bytes(),
        peak,
        report,
        report_bytes,
        pdf_bytes,
        expected,
    })
}

/// An analyst account and a signed-in session (second factor done): the cookie to send.
async fn session(store: &Store) -> anyhow::Result<String> {
    let now = now();
    let user = store
        .create_user(
            &NewUser {
                email: format!(
                    "observatoire-{}-{}@bench.vigie.localhost",
                    std::process::id(),
                    fastrand::u32(..)
                ),
                display_name: "Analyste du banc d'essai".into(),
                role: Role::Analyst,
                scope: Scope::Cert,
                password_hash: None,
            },
            now,
        )
        .await?;
    let token = SecretToken::generate(TokenKind::Session)?;
    let csrf = SecretToken::generate(TokenKind::Session)?;
    let expires = now.checked_add(SignedDuration::from_hours(8))?;
    store
        .create_session(
            &token.hash().to_hex(),
            user,
            csrf.expose(),
            true,
            now,
            expires,
        )
        .await?;
    Ok(format!("vigie_session={}", token.expose()))
}

/// One dashboard: its latency and length (and the page, if `keep`), or why it failed: a
/// status other than 200, or a page without the data table of every counted figure.
async fn get(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
    keep: bool,
) -> (Duration, Result<(u64, Option<String>), String>) {
    let start = Instant::now();
    let sent = http
        .get(url)
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await;
    let result = match sent {
        Ok(response) => {
            let status = response.status();
            match response.bytes().await {
                Ok(body) if status == reqwest::StatusCode::OK => {
                    if served::is_whole(&body) {
                        let page = keep.then(|| String::from_utf8_lossy(&body).into_owned());
                        Ok((body.len() as u64, page))
                    } else {
                        Err("a page without the table of every figure".to_owned())
                    }
                }
                Ok(body) => Err(format!(
                    "{status}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                )),
                Err(e) => Err(format!("{e:#}")),
            }
        }
        Err(e) => Err(format!("{e:#}")),
    };
    (start.elapsed(), result)
}

/// `readers` readers, each asking for random views until `duration` has passed; one
/// request in [`SAMPLE_EVERY`] asks for a view of `sampled` instead, whose page is kept
/// (up to [`KEPT_PER_VIEW`] per view, spread over the readers).
async fn read(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    args: &Args,
    seed: u64,
    duration: Duration,
    sampled: &Arc<Vec<View>>,
) -> Readers {
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(args.readers);
    let readers = args.readers;
    let kept_per_reader = (sampled.len() * KEPT_PER_VIEW).div_ceil(readers);
    for reader in 0..readers {
        let (http, base, cookie) = (http.clone(), base.to_owned(), cookie.to_owned());
        let sampled = sampled.clone();
        let year = args.year;
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(seed ^ ((reader as u64 + 1) * 0x9E37_79B9));
            let mut seen = Readers::default();
            let mut n = 0usize;
            while start.elapsed() < duration {
                n += 1;
                let sample = (!sampled.is_empty() && n.is_multiple_of(SAMPLE_EVERY))
                    .then(|| (n / SAMPLE_EVERY * readers + reader) % sampled.len());
                let view = sample.map_or_else(|| View::random(&mut rng, year), |i| sampled[i]);
                let keep = sample.is_some() && seen.pages.len() < kept_per_reader;
                let url = format!("{base}/observatoire?{}", view.query());
                let (latency, result) = get(&http, &url, &cookie, keep).await;
                seen.latencies.push(latency);
                match result {
                    Ok((bytes, page)) => {
                        seen.bytes += bytes;
                        if let (Some(i), Some(page)) = (sample, page) {
                            seen.pages.push((i, page));
                        }
                    }
                    Err(e) => {
                        seen.errors += 1;
                        if seen.first_errors.len() < 3 {
                            seen.first_errors.push(format!("{}: {e}", view.describe()));
                        }
                    }
                }
            }
            seen
        }));
    }
    let mut all = Readers::default();
    for task in tasks {
        if let Ok(mut seen) = task.await {
            all.latencies.append(&mut seen.latencies);
            all.errors += seen.errors;
            all.bytes += seen.bytes;
            all.pages.append(&mut seen.pages);
            for e in seen.first_errors {
                if all.first_errors.len() < 5 {
                    all.first_errors.push(e);
                }
            }
        }
    }
    all.wall = start.elapsed();
    all
}

/// The served pages of the sampled views, checked against DuckDB's figures.
#[derive(Default)]
struct Checked {
    /// Pages checked.
    pages: usize,
    /// Of which served during the measured run (the others asked for after it, one per
    /// view the run did not sample).
    during_run: usize,
    /// Pages whose figures are not DuckDB's.
    mismatched: usize,
    /// The first differences.
    first: Vec<String>,
}

/// Everything the run measured.
struct Measured {
    local: Local,
    first: Duration,
    readers: Readers,
    server_peak: Option<u64>,
    duck: Option<duckdb::DuckViews>,
    differences: Vec<String>,
    checked: Checked,
    import: Option<vigie::ImportRun>,
}

fn summary(args: &Args, m: &Measured, views: &[View]) -> String {
    let mut s = String::new();
    let r = &m.readers;
    let rate = r.latencies.len() as f64 / r.wall.as_secs_f64().max(1e-9);
    let (p50, p95, p99) = (
        quantile(&r.latencies, 0.50),
        quantile(&r.latencies, 0.95),
        quantile(&r.latencies, 0.99),
    );
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    let _ = writeln!(
        s,
        "\n=== dashboards over HTTP: {} incidents, {} readers for {} s, views of {} (and before) ===",
        args.size, args.readers, args.seconds, args.year
    );
    if let Some(import) = &m.import {
        let _ = writeln!(
            s,
            "import: {} in {}",
            import.summary,
            fmt_time(import.elapsed)
        );
    }
    let _ = writeln!(
        s,
        "requests: {} ({:.0}/s, {:.1} MB of pages), errors: {}",
        r.latencies.len(),
        rate,
        r.bytes as f64 / 1e6,
        r.errors
    );
    for e in &r.first_errors {
        let _ = writeln!(s, "  error: {e}");
    }
    let _ = writeln!(
        s,
        "latency: p50 {}, p95 {}, p99 {}, max {}   target p95 <= {}: {}",
        fmt_time(p50),
        fmt_time(p95),
        fmt_time(p99),
        fmt_time(quantile(&r.latencies, 1.0)),
        fmt_time(P95_TARGET),
        verdict(p95 <= P95_TARGET)
    );
    let l = &m.local;
    // Beside the lookups, what they need first: after a change, the server answers with
    // the snapshot it has and rebuilds it in the background; the change shows once it is
    // rebuilt (every row read again, the cube built again).
    let _ = writeln!(
        s,
        "after a change, its figures show once the snapshot is rebuilt: {} (rows read {}, cube built {}, in this process); the first dashboard after start waited {}",
        fmt_time(l.snapshot),
        fmt_time(l.read),
        fmt_time(l.snapshot.saturating_sub(l.read)),
        fmt_time(m.first)
    );
    let report = median(&l.report);
    let _ = writeln!(
        s,
        "yearly report from the snapshot (figures, suppression, HTML of {} kB and PDF of {} kB): median {} of {}   target < {}: {}",
        l.report_bytes / 1000,
        l.pdf_bytes / 1000,
        fmt_time(report),
        l.report.len(),
        fmt_time(REPORT_TARGET),
        verdict(report < REPORT_TARGET)
    );
    let _ = writeln!(
        s,
        "snapshot: {} rows read and counted in {} (read {}, cube built {}; {} cells, {}); peak memory of that step {}",
        l.rows,
        fmt_time(l.snapshot),
        fmt_time(l.read),
        fmt_time(l.snapshot.saturating_sub(l.read)),
        l.cells,
        fmt_bytes(Some(l.cube_bytes as u64)),
        fmt_bytes(l.peak)
    );
    let _ = writeln!(
        s,
        "server peak memory: {}   target <= 2 GB: {}",
        fmt_bytes(m.server_peak),
        verdict(m.server_peak.is_some_and(|p| p <= MEMORY_TARGET))
    );
    match &m.duck {
        Some(duck) => {
            let medians: Vec<Duration> = duck.views.iter().map(|(runs, _)| median(runs)).collect();
            let duck_median = median(&medians);
            let _ = writeln!(
                s,
                "DuckDB {} ({} threads; read_json {}, Paris year, month and slot columns {}, peak {} in its own process): the same figures of {} views, median {} per view (range {} – {})",
                duck.version,
                args.threads,
                fmt_time(duck.load),
                fmt_time(duck.columns),
                fmt_bytes(duck.peak),
                views.len(),
                fmt_time(duck_median),
                fmt_time(quantile(&medians, 0.0)),
                fmt_time(quantile(&medians, 1.0)),
            );
            let _ = writeln!(
                s,
                "ratio of medians, Vigie over HTTP (a cube lookup and the page) / DuckDB in process (a scan): {:.4}; after a change, the rebuild / DuckDB's view: {:.2}",
                p50.as_secs_f64() / duck_median.as_secs_f64().max(1e-9),
                l.snapshot.as_secs_f64() / duck_median.as_secs_f64().max(1e-9)
            );
            if m.differences.is_empty() {
                let _ = writeln!(
                    s,
                    "same results in this process: yes ({} views, every figure)",
                    views.len()
                );
            } else {
                let _ = writeln!(
                    s,
                    "same results in this process: NO ({} differences)",
                    m.differences.len()
                );
                for d in m.differences.iter().take(20) {
                    let _ = writeln!(s, "  {d}");
                }
            }
            let c = &m.checked;
            let _ = writeln!(
                s,
                "served pages, their data tables read against DuckDB's figures of their view: {} pages of {} views ({} served during the run, {} after), mismatches: {}",
                c.pages,
                views.len(),
                c.during_run,
                c.pages - c.during_run,
                c.mismatched
            );
            for d in &c.first {
                let _ = writeln!(s, "  {d}");
            }
        }
        None => {
            let _ = writeln!(s, "DuckDB: skipped (--duck-views 0)");
        }
    }
    s
}

/// Runs the dashboard benchmark; `Ok(false)` when a request failed or the engines disagree.
pub fn run(args: &Args, workspace: &Path) -> anyhow::Result<bool> {
    ensure!(
        args.seconds > 0.0 && args.seconds <= 600.0,
        "--seconds must be within (0, 600]"
    );
    ensure!(
        (0.0..=60.0).contains(&args.warmup),
        "--warmup must be within [0, 60]"
    );
    ensure!(
        (1..=1_000).contains(&args.readers),
        "--readers must be within 1..=1000"
    );
    ensure!(args.size >= 1, "--size must be at least 1");
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| workspace.join("bench-data"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if args.duck_views > 0 {
        duckdb::ensure_installed()?;
    }
    let vigie_bin = vigie::binary(workspace, args.skip_build)?;
    let file = dir.join(format!("incidents-{}.jsonl", args.size));
    if generate::ensure(&file, args.size, args.seed)? {
        eprintln!("generated {}", file.display());
    } else {
        eprintln!("reusing {}", file.display());
    }
    let db = dir.join(format!("dashboard-{}.db", args.size));
    let url = format!("sqlite:{}", db.display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The database is reused only when it was imported from this very file (its sidecar
    // holds the file's) and still holds its incidents.
    let source = generate::read_meta(&file).context("the generated file has no sidecar")?;
    let stored = if db.exists() && !args.fresh && generate::read_meta(&db).as_ref() == Some(&source)
    {
        runtime.block_on(async {
            let store = Store::open(&url).await?;
            let n = store.count_incidents().await?;
            store.close().await;
            anyhow::Ok(n)
        })?
    } else {
        0
    };
    let import = if stored == args.size as i64 {
        eprintln!("reusing {} ({stored} incidents)", db.display());
        None
    } else {
        eprintln!("vigie import incidents {} …", file.display());
        let _ = std::fs::remove_file(generate::meta_path(&db));
        let import = vigie::import(&vigie_bin, &db, &file)?;
        eprintln!("  {} in {}", import.summary, fmt_time(import.elapsed));
        generate::write_meta(&db, &source)?;
        Some(import)
    };
    let views = View::sample(args.seed, args.year, args.duck_views);

    let (local, cookie) = runtime.block_on(async {
        let store = Store::open(&url).await?;
        eprintln!("building the snapshot in this process and rendering the report …");
        let local = local(&store, args, &views).await?;
        let cookie = session(&store).await?;
        store.close().await;
        anyhow::Ok((local, cookie))
    })?;
    ensure!(
        local.rows == args.size,
        "{} holds {} incidents, not the {} asked for",
        db.display(),
        local.rows,
        args.size
    );
    eprintln!(
        "  snapshot in {}, report in {}",
        fmt_time(local.snapshot),
        fmt_time(median(&local.report))
    );

    // The first dashboard waits for the server to read every row into its snapshot (tens of
    // seconds at 10M, more on a busy machine): its own client, as patient as the benchmark.
    let patient = http(1, PATIENCE)?;
    let http = http(args.readers, Duration::from_secs(60))?;
    let log = dir.join(format!("dashboard-{}-serve.log", args.size));
    let sampled = Arc::new(views.clone());
    let (first, readers, during_run, server_peak) = runtime.block_on(async {
        eprintln!("starting vigie serve on {} …", db.display());
        let server = Server::start(&vigie_bin, &url, &log, &http, Duration::from_secs(60)).await?;
        let watch = memory::Watch::start(server.pid());
        let first_url = format!("{}/observatoire?annee={}", server.base, args.year);
        let (first, result) =
            tokio::time::timeout(PATIENCE, get(&patient, &first_url, &cookie, false))
                .await
                .context("the first dashboard never came")?;
        if let Err(e) = result {
            bail!("the first dashboard failed: {e}");
        }
        eprintln!("  first dashboard in {}", fmt_time(first));
        if args.warmup > 0.0 {
            read(
                &http,
                &server.base,
                &cookie,
                args,
                args.seed ^ 1,
                Duration::from_secs_f64(args.warmup),
                &Arc::new(Vec::new()),
            )
            .await;
        }
        eprintln!("{} readers for {} s …", args.readers, args.seconds);
        let mut readers = read(
            &http,
            &server.base,
            &cookie,
            args,
            args.seed,
            Duration::from_secs_f64(args.seconds),
            &sampled,
        )
        .await;
        let during_run = readers.pages.len();
        // Every sampled view is checked: one the run did not ask for is asked for now.
        for (i, view) in sampled.iter().enumerate() {
            if readers.pages.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let url = format!("{}/observatoire?{}", server.base, view.query());
            match get(&http, &url, &cookie, true).await {
                (_, Ok((_, Some(page)))) => readers.pages.push((i, page)),
                (_, Ok((_, None))) => {}
                (_, Err(e)) => {
                    readers.errors += 1;
                    readers
                        .first_errors
                        .push(format!("{}: {e}", view.describe()));
                }
            }
        }
        server.stop().await?;
        anyhow::Ok((first, readers, during_run, watch.stop()))
    })?;

    let (duck, differences) = if views.is_empty() {
        (None, Vec::new())
    } else {
        let scratch = dir.join(format!("dashboard-{}-views.json", std::process::id()));
        let duck = duckdb::run_views(&file, &views, args.duck_runs, args.threads, &scratch)?;
        ensure!(
            duck.lines == args.size && duck.views.len() == views.len(),
            "DuckDB read {} incidents and computed {} views, not the {} and {} asked for",
            duck.lines,
            duck.views.len(),
            args.size,
            views.len()
        );
        let mut differences = Vec::new();
        for ((view, want), (_, got)) in views.iter().zip(&local.expected).zip(&duck.views) {
            for d in crate::compare(&vigie_rows(want), got) {
                differences.push(format!("{}: {d}", view.describe()));
            }
        }
        (Some(duck), differences)
    };
    // Each kept page against DuckDB's figures of its view, its keys labelled as Vigie does.
    let mut checked = Checked {
        during_run,
        ..Checked::default()
    };
    if let Some(duck) = &duck {
        for (i, page) in &readers.pages {
            checked.pages += 1;
            let differences = match served::figures(page) {
                Ok(shown) => served::compare(
                    &shown,
                    &duck.views[*i].1,
                    &served::labels(&local.expected[*i]),
                ),
                Err(e) => vec![format!("unreadable page: {e}")],
            };
            if !differences.is_empty() {
                checked.mismatched += 1;
                if checked.first.len() < 5 {
                    checked.first.push(format!(
                        "{}: {} ({} differences)",
                        views[*i].describe(),
                        differences[0],
                        differences.len()
                    ));
                }
            }
        }
    }
    let measured = Measured {
        local,
        first,
        readers,
        server_peak,
        duck,
        differences,
        checked,
        import,
    };
    let text = summary(args, &measured, &views);
    println!("\n##### vigie-bench dashboard #####{text}");
    Ok(measured.readers.errors == 0
        && measured.differences.is_empty()
        && measured.checked.mismatched == 0)
}
