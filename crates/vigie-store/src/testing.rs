//! Fresh databases on each engine for tests: a SQLite file, or a new PostgreSQL database
//! on the server at `127.0.0.1:5432` (`VIGIE_TEST_POSTGRES` overrides it). Compiled with
//! the `testing` feature only, for the tests of this crate and of the service crates.
//!
//! Under continuous integration (`CI=true`) a PostgreSQL server that does not answer fails
//! the test; elsewhere the test says `SKIP postgres` and passes.

use crate::Store;

/// A store on a SQLite file of its own.
pub struct Sqlite {
    /// The store.
    pub store: Store,
    /// Its URL.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Sqlite {
    /// A new, migrated database.
    pub async fn new() -> Sqlite {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("vigie.db").display());
        let store = Store::open(&url).await.unwrap();
        Sqlite {
            store,
            url,
            _dir: dir,
        }
    }
}

/// A store on a database of its own on the PostgreSQL server.
pub struct Postgres {
    /// The store.
    pub store: Store,
    /// Its URL.
    pub url: String,
    admin: sqlx::PgPool,
    name: String,
}

/// The server the PostgreSQL tests use; `VIGIE_TEST_POSTGRES` overrides it.
fn admin_url() -> String {
    std::env::var("VIGIE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Whether PostgreSQL tests must run: under continuous integration they may not skip.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether a connection failed because no server listens there (nothing to test against),
/// as opposed to a server that answered and refused.
pub fn unreachable(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)
}

impl Postgres {
    /// A new, migrated database; `None` (with a visible SKIP) when no server answers,
    /// but under continuous integration (`CI=true`) a server that does not answer, or
    /// refuses the login, fails the test.
    pub async fn new() -> Option<Postgres> {
        let admin_url = admin_url();
        let admin = match sqlx::PgPool::connect(&admin_url).await {
            Ok(pool) => pool,
            Err(e) if required() => {
                panic!("CI=true: PostgreSQL must answer at {admin_url}, and it did not: {e}")
            }
            Err(e) if unreachable(&e) => {
                eprintln!("SKIP postgres: no server at {admin_url} ({e})");
                return None;
            }
            // A server that answers but refuses is a broken setup, not a missing one.
            Err(e) => panic!("PostgreSQL at {admin_url} answered but refused: {e}"),
        };
        let name = format!("vigie_it_{}_{}", std::process::id(), fastrand::u32(..));
        let create = format!("CREATE DATABASE {name}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&admin)
            .await
            .unwrap();
        let slash = admin_url.rfind('/').unwrap();
        let url = format!("{}/{name}", &admin_url[..slash]);
        let store = Store::open(&url).await.unwrap();
        Some(Postgres {
            store,
            url,
            admin,
            name,
        })
    }

    /// Sets a parameter for the sessions opened on this database from now on.
    pub async fn set_for_new_sessions(&self, parameter: &str, value: &str) {
        let sql = format!("ALTER DATABASE {} SET {parameter} = {value}", self.name);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&self.admin)
            .await
            .unwrap();
    }

    /// Closes the store and drops its database.
    pub async fn drop(self) {
        self.store.close().await;
        let drop_db = format!("DROP DATABASE {} WITH (FORCE)", self.name);
        sqlx::query(sqlx::AssertSqlSafe(drop_db))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}
