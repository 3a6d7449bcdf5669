//! Storage of Vigie: one behaviour on embedded SQLite (the default) and on PostgreSQL.
//!
//! It holds the engine layer ([`engine`]: pools, migrations, transactions, the journal
//! appended in them), the core tables (structures, incidents and their handling, accounts,
//! the journal, the outbox) and their queries. Service crates own their tables through a
//! [`Schema`] of their own and write their queries over [`Store::pool`], [`on_pool!`]
//! and [`Store::begin`].
//!
//! **Invariant:** SQL lives here and in the service crates' own query modules, never in
//! the web or the command line. Statements are written once for both engines where the
//! dialects agree (placeholders `$n`, `ON CONFLICT`, `RETURNING`), per engine where they
//! do not (the writers of declarations and of imports). A declaration's case number is
//! returned only once the transaction that holds it has committed (synced to disk).

mod declare;
mod decode;
mod durability;
mod editorial;
pub mod engine;
mod handling;
mod import;
mod journal;
mod observatory;
mod portal;
mod reference;
mod revision;
mod secret_key;
#[cfg(feature = "testing")]
pub mod testing;
mod tokens;

use std::str::FromStr;

use futures_util::{StreamExt, stream::BoxStream};
use sqlx::{
    PgPool, Row as _, SqlSafeStr, SqlitePool,
    migrate::{Migration, MigrationType, Migrator},
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use vigie_model::{CaseNumber, Incident};

pub use declare::NewDeclaration;
pub use durability::{Durability, UnsafeSetting};
pub use editorial::{ReportText, SavedText, StoredThreat};
pub use engine::{Schema, Step, Transaction};
pub use handling::*;
pub use import::{Import, ImportCounts};
pub use journal::{
    DataCheck, DataReport, Difference, Discrepancy, JournalRecord, Login, LoginFactor, LoginRefusal,
};
pub use portal::*;
pub use reference::Holdings;
pub use tokens::TRUSTED_FOR as TOKEN_TRUSTED_FOR;
pub use vigie_journal::{
    Action, Actor, Anchor, Head, Kind as TamperKind, NewEntry, Payload, StoredHead, Tamper,
    Verified,
};

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_URL: &str = "sqlite:./vigie.db";

/// Runs the same code against whichever pool the store holds: `$pool` is a
/// `&SqlitePool` in one arm and a `&PgPool` in the other (service crates use it for
/// their own queries).
#[macro_export]
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.pool() {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}

/// Vigie's database, migrated to the current schema: a connection pool, and the writer
/// that commits declarations in groups (see [`Store::declare`]).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// The SQLite file, which imports open a connection of their own to (see [`Import`]).
    sqlite_file: Option<std::path::PathBuf>,
    declarations: declare::Writer,
    tokens: std::sync::Arc<tokens::TokenCache>,
    changes: revision::Changes,
    /// Seals the accounts' TOTP secrets at rest.
    sealing: std::sync::Arc<vigie_auth::SealingKey>,
    /// Where that key came from.
    key_source: secret_key::KeySource,
}

/// The connection pool of one engine.
#[derive(Debug, Clone)]
pub enum Pool {
    /// Embedded SQLite file (WAL).
    Sqlite(SqlitePool),
    /// PostgreSQL server.
    Postgres(PgPool),
}

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported engine.
    #[error("unsupported database URL `{0}` (expected sqlite:PATH or postgres://…)")]
    BadUrl(String),
    /// The database could not be opened or reached.
    #[error("cannot open the database {url}: {source}")]
    Open {
        /// The URL, without password.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// A statement of an import's own SQLite connection failed.
    #[error("database error during the import: {0}")]
    Import(#[from] rusqlite::Error),
    /// The thread writing an import stopped before it could say how the import ended.
    #[error("the import's writer stopped unexpectedly; nothing was imported")]
    ImportStopped,
    /// A declaration was not confirmed: its group's commit failed (it may have landed,
    /// whole), or the writer of declarations stopped.
    #[error("the declaration could not be confirmed: {0}")]
    Unconfirmed(String),
    /// A stored value does not parse back (changed outside Vigie).
    #[error("{table} row {id} holds an invalid {column}: {reason}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Row id.
        id: i64,
        /// Column.
        column: &'static str,
        /// Why.
        reason: String,
    },
    /// A service's schema is malformed (its owner's name, or migrations missing on one
    /// engine).
    #[error(
        "the schema of `{0}` is malformed: owner in lowercase letters and `_`, the same migrations on both engines"
    )]
    BadSchema(&'static str),
    /// The object of an update does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The key that seals secrets at rest is missing, unreadable, malformed, or not the
    /// one this database's secrets were sealed with.
    #[error("secret key {0}")]
    SecretKey(String),
}

/// The migrations of one engine, in order.
fn migrator<const N: usize>(steps: [(i64, &'static str, &'static str); N]) -> Migrator {
    let migrations = steps
        .into_iter()
        .map(|(version, name, sql)| {
            Migration::new(
                version,
                name.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

/// Runs `migrator` on PostgreSQL, unless exactly its migrations are applied already, each
/// with the same checksum: then nothing is written, so a role that may use the tables but
/// owns nothing (it cannot `CREATE` even the tracking table `IF NOT EXISTS`, nor drop the
/// journal's triggers) opens the database; the owner's role migrates it.
pub(crate) async fn migrate_pg(migrator: &Migrator, pool: &PgPool) -> Result<(), StoreError> {
    use sqlx::Row as _;
    let sql = format!(
        "SELECT version, checksum FROM {} WHERE success",
        migrator.table_name
    );
    if let Ok(rows) = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await {
        let mut applied = std::collections::HashMap::new();
        for row in rows {
            let version: i64 = row.try_get("version")?;
            let checksum: Vec<u8> = row.try_get("checksum")?;
            applied.insert(version, checksum);
        }
        let current = applied.len() == migrator.iter().count()
            && migrator
                .iter()
                .all(|m| applied.get(&m.version).is_some_and(|c| **c == *m.checksum));
        if current {
            return Ok(());
        }
    }
    migrator.run(pool).await?;
    Ok(())
}

/// Makes the SQLite file and its WAL and shared-memory files readable and writable by their
/// owner only (`0600`): they hold accounts, second-factor secrets and health data. SQLite
/// creates them with the process's umask, usually world-readable.
fn owner_only(file: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut paths = vec![file.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        paths.push(name.into());
    }
    for path in paths {
        match std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// Hides the password of a URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// Opens (creating it if needed) and migrates the database at `url`:
    /// `sqlite:PATH` or `postgres://…`. Starts the writer of declarations, which needs a
    /// Tokio runtime and connects on first use.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            url: redact(url),
            source,
        };
        let (pool, writer, sqlite_file) = if url.starts_with("sqlite:") {
            // `synchronous = FULL`: a commit is on disk (WAL synced) when it returns, so
            // what was acknowledged survives a power loss, not only a crash. Declarations
            // are committed in groups, so this costs one sync per group.
            let options = SqliteConnectOptions::from_str(url).map_err(open_err)?;
            // Several connections share the database (the pool, the writer of
            // declarations, imports): it must be a file.
            if options.get_filename() == std::path::Path::new(":memory:") {
                return Err(StoreError::BadUrl(url.to_owned()));
            }
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // Large imports keep their working set in memory: up to 128 MiB of page
                // cache per connection, and temporary (statement) journals in memory.
                .pragma("cache_size", "-131072")
                .pragma("temp_store", "memory")
                .busy_timeout(std::time::Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone())
                .await
                .map_err(open_err)?;
            owner_only(options.get_filename()).map_err(|e| open_err(sqlx::Error::Io(e)))?;
            migrator([
                (
                    1,
                    "foundation",
                    include_str!("../migrations/sqlite/0001_foundation.sql"),
                ),
                (
                    2,
                    "portal",
                    include_str!("../migrations/sqlite/0002_portal.sql"),
                ),
                (
                    3,
                    "journal",
                    include_str!("../migrations/sqlite/0003_journal.sql"),
                ),
                (
                    4,
                    "handling",
                    include_str!("../migrations/sqlite/0004_handling.sql"),
                ),
                (
                    5,
                    "editorial",
                    include_str!("../migrations/sqlite/0005_editorial.sql"),
                ),
                (
                    6,
                    "observatory",
                    include_str!("../migrations/sqlite/0006_observatory.sql"),
                ),
                (
                    7,
                    "complements pending",
                    include_str!("../migrations/sqlite/0007_complements_pending.sql"),
                ),
                (
                    8,
                    "login names",
                    include_str!("../migrations/sqlite/0008_login_names.sql"),
                ),
                (
                    9,
                    "demo accounts",
                    include_str!("../migrations/sqlite/0009_demo_accounts.sql"),
                ),
                (
                    10,
                    "public events",
                    include_str!("../migrations/sqlite/0010_public_events.sql"),
                ),
            ])
            .run(&pool)
            .await?;
            // The writer of declarations: a smaller page cache (SQLite walks all of it at
            // each commit), and checkpoints left to the pool (see `declare`).
            let file = options.get_filename().to_owned();
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_lazy_with(
                    options
                        .pragma("cache_size", "-8192")
                        .pragma("wal_autocheckpoint", declare::WRITER_AUTOCHECKPOINT),
                );
            (Pool::Sqlite(pool), Pool::Sqlite(writer), Some(file))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(std::time::Duration::from_secs(5))
                .connect(url)
                .await
                .map_err(open_err)?;
            let migrator = migrator([
                (
                    1,
                    "foundation",
                    include_str!("../migrations/postgres/0001_foundation.sql"),
                ),
                (
                    2,
                    "portal",
                    include_str!("../migrations/postgres/0002_portal.sql"),
                ),
                (
                    3,
                    "journal",
                    include_str!("../migrations/postgres/0003_journal.sql"),
                ),
                (
                    4,
                    "handling",
                    include_str!("../migrations/postgres/0004_handling.sql"),
                ),
                (
                    5,
                    "editorial",
                    include_str!("../migrations/postgres/0005_editorial.sql"),
                ),
                (
                    6,
                    "observatory",
                    include_str!("../migrations/postgres/0006_observatory.sql"),
                ),
                (
                    7,
                    "complements pending",
                    include_str!("../migrations/postgres/0007_complements_pending.sql"),
                ),
                (
                    8,
                    "login names",
                    include_str!("../migrations/postgres/0008_login_names.sql"),
                ),
                (
                    9,
                    "demo accounts",
                    include_str!("../migrations/postgres/0009_demo_accounts.sql"),
                ),
                (
                    10,
                    "public events",
                    include_str!("../migrations/postgres/0010_public_events.sql"),
                ),
            ]);
            migrate_pg(&migrator, &pool).await?;
            let writer = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(std::time::Duration::from_secs(5))
                .connect_lazy(url)
                .map_err(open_err)?;
            (Pool::Postgres(pool), Pool::Postgres(writer), None)
        } else {
            return Err(StoreError::BadUrl(url.to_owned()));
        };
        let checkpoints = match &pool {
            Pool::Sqlite(pool) => Some(pool.clone()),
            Pool::Postgres(_) => None,
        };
        let changes = revision::Changes::default();
        let (sealing, key_source) = secret_key::resolve(sqlite_file.as_deref())?;
        let store = Store {
            pool,
            sqlite_file,
            declarations: declare::Writer::start(writer, checkpoints, changes.clone()),
            tokens: Default::default(),
            changes,
            sealing: std::sync::Arc::new(sealing),
            key_source,
        };
        store.seal_clear_secrets().await?;
        Ok(store)
    }

    /// Where the key that seals secrets at rest comes from (`VIGIE_SECRET_KEY`, or a file),
    /// and its fingerprint, for the operator.
    pub fn secret_key(&self) -> (String, &str) {
        (self.key_source.to_string(), self.sealing.fingerprint())
    }

    /// The connection pool (for tests and tools that must reach behind the store).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The engine's name: `sqlite` or `postgres`.
    pub fn engine(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection (SQLite checkpoints its WAL), once the declarations being
    /// written are committed; declarations made afterwards fail.
    pub async fn close(&self) {
        self.declarations.close().await;
        on_pool!(self, pool => pool.close().await)
    }

    /// Starts an import: everything written through it lands together or not at all. The
    /// incidents it adds are new cases, `received` for the CERT to handle.
    pub async fn begin_import(&self) -> Result<Import, StoreError> {
        Import::begin(self, vigie_workflow::case::CaseState::Received).await
    }

    /// Starts an import whose new incidents are cases in state `cases` (`closed` for the
    /// history of incidents handled before Vigie). An incident already stored keeps its
    /// case's state.
    pub async fn begin_import_as(
        &self,
        cases: vigie_workflow::case::CaseState,
    ) -> Result<Import, StoreError> {
        Import::begin(self, cases).await
    }

    /// Number of incidents stored.
    pub async fn count_incidents(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM incidents";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
    }

    /// Every incident (of one Paris year, if given), in the order they were first stored.
    pub fn export(&self, year: Option<i16>) -> BoxStream<'_, Result<Incident, StoreError>> {
        let year = year.map(i32::from);
        match (&self.pool, year) {
            (Pool::Sqlite(pool), None) => sqlx::query(decode::SELECT_ALL)
                .fetch(pool)
                .map(decode::incident_sqlite)
                .boxed(),
            (Pool::Sqlite(pool), Some(y)) => sqlx::query(decode::SELECT_YEAR)
                .bind(y)
                .fetch(pool)
                .map(decode::incident_sqlite)
                .boxed(),
            (Pool::Postgres(pool), None) => sqlx::query(decode::SELECT_ALL)
                .fetch(pool)
                .map(decode::incident_pg)
                .boxed(),
            (Pool::Postgres(pool), Some(y)) => sqlx::query(decode::SELECT_YEAR)
                .bind(y)
                .fetch(pool)
                .map(decode::incident_pg)
                .boxed(),
        }
    }

    /// Every incident (of one Paris year, if given) with its case number, in the order
    /// they were first stored: what the exports to other CERTs read.
    pub fn export_cases(
        &self,
        year: Option<i16>,
    ) -> BoxStream<'_, Result<(CaseNumber, Incident), StoreError>> {
        let year = year.map(i32::from);
        match (self.pool(), year) {
            (Pool::Sqlite(pool), None) => sqlx::query(decode::SELECT_ALL)
                .fetch(pool)
                .map(decode::case_sqlite)
                .boxed(),
            (Pool::Sqlite(pool), Some(y)) => sqlx::query(decode::SELECT_YEAR)
                .bind(y)
                .fetch(pool)
                .map(decode::case_sqlite)
                .boxed(),
            (Pool::Postgres(pool), None) => sqlx::query(decode::SELECT_ALL)
                .fetch(pool)
                .map(decode::case_pg)
                .boxed(),
            (Pool::Postgres(pool), Some(y)) => sqlx::query(decode::SELECT_YEAR)
                .bind(y)
                .fetch(pool)
                .map(decode::case_pg)
                .boxed(),
        }
    }

    /// The first and last Paris years holding incidents.
    pub async fn year_range(&self) -> Result<Option<(i16, i16)>, StoreError> {
        let sql = "SELECT MIN(local_year), MAX(local_year) FROM incidents";
        let (lo, hi): (Option<i32>, Option<i32>) = on_pool!(self, pool => {
            let row = sqlx::query(sql).fetch_one(pool).await?;
            (row.try_get(0)?, row.try_get(1)?)
        });
        Ok(lo
            .zip(hi)
            .and_then(|(lo, hi)| Some((i16::try_from(lo).ok()?, i16::try_from(hi).ok()?))))
    }
}
