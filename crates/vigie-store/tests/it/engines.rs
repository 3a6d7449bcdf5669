//! Fresh databases on each engine: a SQLite file, or a new PostgreSQL database.

use vigie_store::Store;

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
    admin: sqlx::PgPool,
    name: String,
}

/// The server the PostgreSQL tests use; `VIGIE_TEST_POSTGRES` overrides it.
fn admin_url() -> String {
    std::env::var("VIGIE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl Postgres {
    /// A new, migrated database; `None` (with a visible SKIP) when no server answers.
    pub async fn new() -> Option<Postgres> {
        let admin_url = admin_url();
        let admin = match sqlx::PgPool::connect(&admin_url).await {
            Ok(pool) => pool,
            Err(e) => {
                eprintln!("SKIP postgres: no server at {admin_url} ({e})");
                return None;
            }
        };
        let name = format!("vigie_it_{}_{}", std::process::id(), fastrand::u32(..));
        let create = format!("CREATE DATABASE {name}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&admin)
            .await
            .unwrap();
        let slash = admin_url.rfind('/').unwrap();
        let store = Store::open(&format!("{}/{name}", &admin_url[..slash]))
            .await
            .unwrap();
        Some(Postgres { store, admin, name })
    }

    /// Closes the store and drops its database.
    pub async fn drop(self) {
        self.store.close().await;
        let drop_db = format!("DROP DATABASE {}", self.name);
        sqlx::query(sqlx::AssertSqlSafe(drop_db))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}
