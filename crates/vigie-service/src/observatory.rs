//! The observatory as the pages and the command line read it: the stored rows and
//! reference data turned into figures.
//!
//! A server keeps a [`Snapshot`]: the counted data of the whole database as one
//! pre-aggregated [`Cube`] with the reference data, shared by every request through an
//! [`Arc`]. [`Snapshots::current`] builds the first one (its callers wait for it) and from
//! then on never waits: when the data changed it answers with the snapshot it has and
//! builds the next one in the background, then swaps it in. The data changed when the
//! store counted a write of counted data in this process since the snapshot was read
//! (checked at every call, for free), or when the revision stored in the database moved
//! (checked at most every [`RECHECK_EVERY`], for the other processes sharing the
//! database). Rebuilds never overlap, and one starts no sooner after the last one ended
//! than that one took: under a stream of writes, a server spends at most half its time on
//! one core rebuilding.
//!
//! The command line computes directly from the rows (`compute_year`, `public_year`): it
//! runs once, where a cube would cost as much as the one scan it saves.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use vigie_observatory::{
    Cube, CubeError, Disclosure, Filter, Observatory, PublicObservatory, Reference, Share, compute,
};
use vigie_store::{Store, StoreError};

/// How often a server asks the database whether another process changed the counted data.
pub const RECHECK_EVERY: SignedDuration = SignedDuration::from_secs(5);

/// Where the time comes from: the system in a server, a fixed instant in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Why the observatory could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ObservatoryError {
    /// A stored activity share is not a usable share.
    #[error("the stored activity share of region {region} is not usable: {share}")]
    BadShare {
        /// The region.
        region: vigie_model::Region,
        /// The value stored.
        share: f64,
    },
    /// The stored activity shares do not make a reference.
    #[error("the stored activity shares are incomplete: {0}")]
    Reference(#[from] vigie_observatory::ReferenceError),
    /// The stored rows do not make a cube.
    #[error("the stored incidents cannot be counted: {0}")]
    Cube(#[from] CubeError),
    /// The task building the cube stopped (the runtime is shutting down).
    #[error("the observatory's figures were being counted when the service stopped")]
    Interrupted,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The activity shares stored, as the observatory's reference data (none stored: none).
pub async fn reference(store: &Store) -> Result<Reference, ObservatoryError> {
    let stored = store.activity_shares().await?;
    if stored.is_empty() {
        return Ok(Reference::none());
    }
    let mut shares = Vec::with_capacity(stored.len());
    for (region, share) in stored {
        let value = Share::from_f64(share).ok_or(ObservatoryError::BadShare { region, share })?;
        shares.push((region, value));
    }
    Ok(Reference::from_shares(shares)?)
}

/// Every counted figure of `year` over the stored incidents the filter admits, read and
/// counted now (for the command line; a server reads its [`Snapshot`]).
pub async fn compute_year(
    store: &Store,
    year: i16,
    filter: &Filter,
) -> Result<Observatory, ObservatoryError> {
    let rows = store.observatory_rows().await?;
    let reference = reference(store).await?;
    Ok(compute(&rows, year, &reference, filter))
}

/// A published year as the public reads it, read and counted now (for the command line;
/// a server reads [`Snapshot::public`]).
pub async fn public_year(
    store: &Store,
    year: i16,
    threshold: u32,
) -> Result<PublicObservatory, ObservatoryError> {
    let filter = Filter::default();
    let observatory = compute_year(store, year, &filter).await?;
    Ok(Disclosure { threshold }.apply(&observatory, &filter))
}

/// The counted data of the whole database at one moment, pre-aggregated.
#[derive(Debug)]
pub struct Snapshot {
    cube: Cube,
    reference: Reference,
    /// The store's count of changes before the data was read.
    changes: u64,
    /// The stored revision before the data was read.
    revision: i64,
    built_at: Timestamp,
    took: SignedDuration,
    /// Of which reading the rows.
    read: SignedDuration,
}

impl Snapshot {
    /// Reads every row and the reference data, and builds the cube (on a blocking thread).
    pub async fn build(store: &Store, clock: &Clock) -> Result<Snapshot, ObservatoryError> {
        let started = clock();
        // Read first: a change made while the rows are read makes this snapshot stale.
        let changes = store.observatory_changes();
        let revision = store.observatory_revision().await?;
        let reference = reference(store).await?;
        let rows = store.observatory_rows().await?;
        let read = clock().duration_since(started);
        let cube = tokio::task::spawn_blocking(move || Cube::build(&rows))
            .await
            .map_err(|_| ObservatoryError::Interrupted)??;
        let built_at = clock();
        Ok(Snapshot {
            cube,
            reference,
            changes,
            revision,
            built_at,
            took: built_at.duration_since(started),
            read,
        })
    }

    /// Every counted figure of `year` over the incidents the filter admits.
    pub fn compute(&self, year: i16, filter: &Filter) -> Observatory {
        self.cube.compute(year, &self.reference, filter)
    }

    /// A year as the public reads it: every figure, national, with the small counts that
    /// could point to a structure suppressed at `threshold`.
    pub fn public(&self, year: i16, threshold: u32) -> PublicObservatory {
        let filter = Filter::default();
        Disclosure { threshold }.apply(&self.compute(year, &filter), &filter)
    }

    /// The cube.
    pub fn cube(&self) -> &Cube {
        &self.cube
    }

    /// When the snapshot was ready.
    pub fn built_at(&self) -> Timestamp {
        self.built_at
    }

    /// How long reading the data and building the cube took.
    pub fn took(&self) -> SignedDuration {
        self.took
    }

    /// Of that, how long reading the rows took.
    pub fn read(&self) -> SignedDuration {
        self.read
    }
}

/// A server's snapshot, kept current in the background (see the module's docs).
pub struct Snapshots {
    clock: Clock,
    state: Mutex<State>,
    /// Held while the first snapshot is built, so that it is built once.
    first: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Snapshot>>,
    /// A rebuild is running.
    rebuilding: bool,
    /// A check of the stored revision is running.
    checking: bool,
    /// When the stored revision was last checked.
    checked_at: Option<Timestamp>,
    /// No rebuild starts before this.
    next_build: Option<Timestamp>,
}

impl State {
    /// Makes `snapshot` current unless the current one read later data; the current one.
    fn swap_in(&mut self, snapshot: Arc<Snapshot>) -> Arc<Snapshot> {
        match &self.current {
            Some(current)
                if current.changes > snapshot.changes || current.revision > snapshot.revision =>
            {
                current.clone()
            }
            _ => {
                self.current = Some(snapshot.clone());
                snapshot
            }
        }
    }
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots").finish_non_exhaustive()
    }
}

impl Snapshots {
    /// No snapshot yet; `clock` tells the time of checks and rebuilds.
    pub fn new(clock: Clock) -> Arc<Snapshots> {
        Arc::new(Snapshots {
            clock,
            state: Mutex::new(State::default()),
            first: tokio::sync::Mutex::new(()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The snapshot to answer with. The first call builds it and waits; later calls
    /// return at once, starting a rebuild in the background when the data changed.
    pub async fn current(
        self: &Arc<Self>,
        store: &Store,
    ) -> Result<Arc<Snapshot>, ObservatoryError> {
        let current = self.state().current.clone();
        let Some(snapshot) = current else {
            let _first = self.first.lock().await;
            if let Some(snapshot) = self.state().current.clone() {
                return Ok(snapshot);
            }
            return self.refresh(store).await;
        };
        let now = (self.clock)();
        let changed_here = store.observatory_changes() != snapshot.changes;
        let mut state = self.state();
        if changed_here {
            self.start_rebuild(&mut state, store, now);
        } else if !state.checking
            && !state.rebuilding
            && state
                .checked_at
                .is_none_or(|at| now.duration_since(at) >= RECHECK_EVERY)
        {
            state.checking = true;
            state.checked_at = Some(now);
            let (this, store, seen) = (self.clone(), store.clone(), snapshot.revision);
            tokio::spawn(async move {
                let moved = match store.observatory_revision().await {
                    Ok(revision) => revision != seen,
                    Err(e) => {
                        eprintln!("observatory: cannot read the stored revision: {e}");
                        false
                    }
                };
                let mut state = this.state();
                state.checking = false;
                if moved {
                    let now = (this.clock)();
                    this.start_rebuild(&mut state, &store, now);
                }
            });
        }
        Ok(snapshot)
    }

    /// Builds a snapshot now, waits for it and makes it current.
    pub async fn refresh(&self, store: &Store) -> Result<Arc<Snapshot>, ObservatoryError> {
        let snapshot = Arc::new(Snapshot::build(store, &self.clock).await?);
        let mut state = self.state();
        state.checked_at = Some(snapshot.built_at);
        Ok(state.swap_in(snapshot))
    }

    /// Starts a rebuild in the background, unless one runs or the last one ended too
    /// recently (a later call starts it).
    fn start_rebuild(self: &Arc<Self>, state: &mut State, store: &Store, now: Timestamp) {
        if state.rebuilding || state.next_build.is_some_and(|at| now < at) {
            return;
        }
        state.rebuilding = true;
        let (this, store) = (self.clone(), store.clone());
        tokio::spawn(async move {
            let built = Snapshot::build(&store, &this.clock).await;
            let ended = (this.clock)();
            let mut state = this.state();
            state.rebuilding = false;
            match built {
                Ok(snapshot) => {
                    state.next_build = Some(ended.saturating_add(snapshot.took).unwrap_or(ended));
                    state.checked_at = Some(snapshot.built_at);
                    state.swap_in(Arc::new(snapshot));
                }
                Err(e) => {
                    eprintln!("observatory: cannot recount the figures: {e}");
                    state.next_build = Some(ended.saturating_add(RECHECK_EVERY).unwrap_or(ended));
                }
            }
        });
    }
}

/// Everything a year's public report is made of: its figures with small counts
/// suppressed, its notable events, and what analysts wrote.
#[derive(Debug, Clone)]
pub struct ReportParts {
    /// The figures, national, suppressed at the threshold.
    pub observatory: vigie_observatory::PublicObservatory,
    /// The shared events with declarations that year.
    pub events: Vec<vigie_chart::report::NotableEvent>,
    /// The analysts' texts and the threat timeline.
    pub editorial: vigie_observatory::Editorial,
    /// The small-cell threshold applied.
    pub threshold: u32,
}

impl ReportParts {
    /// The report, as the renderers take it.
    pub fn report<'a>(&'a self, publisher: &'a str) -> vigie_chart::report::Report<'a> {
        vigie_chart::report::Report {
            observatory: &self.observatory,
            events: &self.events,
            editorial: &self.editorial,
            publisher,
            threshold: self.threshold,
        }
    }
}

/// Gathers a year's report at a small-cell `threshold`, its figures computed from the rows.
pub async fn report_parts(
    store: &Store,
    year: i16,
    threshold: u32,
) -> Result<ReportParts, ObservatoryError> {
    let observatory = public_year(store, year, threshold).await?;
    report_parts_of(store, observatory, threshold).await
}

/// Gathers a year's report around figures already suppressed at `threshold` (a server
/// takes them from its [`Snapshot`]).
pub async fn report_parts_of(
    store: &Store,
    observatory: PublicObservatory,
    threshold: u32,
) -> Result<ReportParts, ObservatoryError> {
    let year = observatory.year;
    // Only what the CERT wrote for the public, and only above the threshold.
    let events = store
        .public_events(i32::from(year), threshold)
        .await?
        .into_iter()
        .filter_map(|e| Some((e.public?, e.cases, e.first_declared)))
        .map(
            |(text, cases, first_declared)| vigie_chart::report::NotableEvent {
                name: text.title,
                description: text.summary,
                declarations: cases,
                first_declared: first_declared.map(|at| {
                    vigie_model::calendar::french_date(vigie_model::calendar::paris_time(at).date())
                }),
            },
        )
        .collect();
    let editorial = store.editorial(year).await?;
    Ok(ReportParts {
        observatory,
        events,
        editorial,
        threshold,
    })
}
