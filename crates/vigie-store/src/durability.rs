//! Whether the engine really syncs a commit to disk before it returns.
//!
//! A case number is given once its declaration's transaction has committed; that promise
//! holds across a power loss only if the engine syncs its log at each commit. SQLite must
//! run in WAL mode with `synchronous = FULL`, PostgreSQL with `fsync = on` and
//! `synchronous_commit = on` (or stronger). `kill -9` cannot reveal a missing sync, so the
//! settings are read back from the engine itself, not assumed from what Vigie asked for.

use sqlx::Row as _;

use crate::{Pool, Store, StoreError};

/// A setting of the engine that weakens durability: its name, its value, what it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeSetting {
    /// The setting, as the engine names it (`synchronous`, `fsync`…).
    pub name: &'static str,
    /// Its value, as the engine reports it.
    pub value: String,
    /// What durable commits need.
    pub expected: &'static str,
}

impl std::fmt::Display for UnsafeSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {} (expected {})",
            self.name, self.value, self.expected
        )
    }
}

/// The durability settings of an engine, as read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durability {
    /// Each setting read, with its value.
    pub settings: Vec<(&'static str, String)>,
}

impl Durability {
    /// The settings that do not make a commit durable; empty when all do.
    pub fn unsafe_settings(&self) -> Vec<UnsafeSetting> {
        self.settings
            .iter()
            .filter_map(|(name, value)| {
                let v = value.to_ascii_lowercase();
                let (ok, expected) = match *name {
                    "journal_mode" => (v == "wal", "wal"),
                    // 2 is FULL, 3 is EXTRA.
                    "synchronous" => (v == "2" || v == "3", "2 (FULL) or 3 (EXTRA)"),
                    "fsync" => (v == "on", "on"),
                    "synchronous_commit" => (
                        // `local` waits for the local flush as `on` does on a lone server.
                        matches!(v.as_str(), "on" | "local" | "remote_write" | "remote_apply"),
                        "on, local, remote_write or remote_apply",
                    ),
                    _ => (true, ""),
                };
                (!ok).then(|| UnsafeSetting {
                    name,
                    value: value.clone(),
                    expected,
                })
            })
            .collect()
    }
}

impl Store {
    /// Reads the settings that decide whether a commit is on disk when it returns, from
    /// a connection of the pool and from the writer of declarations.
    pub async fn durability(&self) -> Result<Durability, StoreError> {
        let mut settings = Vec::new();
        for pool in [&self.pool, self.declarations.pool()] {
            match pool {
                Pool::Sqlite(pool) => {
                    let mut conn = pool.acquire().await?;
                    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                        .fetch_one(&mut *conn)
                        .await?;
                    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                        .fetch_one(&mut *conn)
                        .await?;
                    settings.push(("journal_mode", mode));
                    settings.push(("synchronous", sync.to_string()));
                }
                Pool::Postgres(pool) => {
                    let row = sqlx::query(
                        "SELECT current_setting('fsync'), current_setting('synchronous_commit')",
                    )
                    .fetch_one(pool)
                    .await?;
                    settings.push(("fsync", row.try_get(0)?));
                    settings.push(("synchronous_commit", row.try_get(1)?));
                }
            }
        }
        Ok(Durability { settings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsafe_names(settings: &[(&'static str, &str)]) -> Vec<&'static str> {
        Durability {
            settings: settings.iter().map(|(n, v)| (*n, v.to_string())).collect(),
        }
        .unsafe_settings()
        .into_iter()
        .map(|s| s.name)
        .collect()
    }

    #[test]
    fn only_synced_commits_are_durable() {
        let none: Vec<&str> = Vec::new();
        for (settings, expected) in [
            (
                vec![("journal_mode", "wal"), ("synchronous", "2")],
                none.clone(),
            ),
            (
                vec![("journal_mode", "WAL"), ("synchronous", "3")],
                none.clone(),
            ),
            (
                vec![("journal_mode", "delete"), ("synchronous", "2")],
                vec!["journal_mode"],
            ),
            (
                vec![("journal_mode", "wal"), ("synchronous", "1")],
                vec!["synchronous"],
            ),
            (
                vec![("journal_mode", "memory"), ("synchronous", "0")],
                vec!["journal_mode", "synchronous"],
            ),
            (
                vec![("fsync", "on"), ("synchronous_commit", "on")],
                none.clone(),
            ),
            (
                vec![("fsync", "on"), ("synchronous_commit", "remote_apply")],
                none.clone(),
            ),
            (
                vec![("fsync", "off"), ("synchronous_commit", "on")],
                vec!["fsync"],
            ),
            (
                vec![("fsync", "on"), ("synchronous_commit", "local")],
                none.clone(),
            ),
            (
                vec![("fsync", "on"), ("synchronous_commit", "off")],
                vec!["synchronous_commit"],
            ),
        ] {
            assert_eq!(unsafe_names(&settings), expected, "{settings:?}");
        }
    }
}
