//! The engine layer that service crates build on: their own migrations, transactions on
//! either engine, and the journal appended inside them.
//!
//! Each service crate (publication, and the advisories, watch and audits to come) owns
//! its tables: it declares a [`Schema`] (its migrations for SQLite and for PostgreSQL,
//! numbered from 1, tracked in a table of its own, `_vigie_migrations_{owner}`), migrates
//! it with [`Store::migrate`], and runs its own queries on [`Store::pool`] or inside a
//! [`Transaction`] from [`Store::begin`], which appends to the journal in the same
//! transaction as what it records; instants are stored as nanoseconds with [`ns`] and read
//! back with [`instant`]. This crate keeps the pools, the core migrations, the
//! journal, the outbox and the declarations' writer; it knows nothing of a service's
//! tables.

use sqlx::{
    SqlSafeStr as _,
    migrate::{Migration, MigrationType, Migrator},
};
use vigie_journal::{Head, NewEntry};

pub use crate::decode::{instant, ns};
use crate::{Pool, Store, StoreError, journal::Append as _};

/// One migration of a service: its version (from 1, in order), its name, its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// The version, unique within its schema.
    pub version: i64,
    /// What it does, in a few words.
    pub name: &'static str,
    /// The statements.
    pub sql: &'static str,
}

/// The tables of one service crate, as migrations for each engine.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// The service's name (lowercase letters and `_`): its migrations are tracked in
    /// `_vigie_migrations_{owner}`.
    pub owner: &'static str,
    /// The migrations on SQLite.
    pub sqlite: &'static [Step],
    /// The same migrations on PostgreSQL.
    pub postgres: &'static [Step],
}

impl Schema {
    /// The tracking table's name, once the owner's name is checked.
    fn table(&self) -> Result<String, StoreError> {
        let valid = !self.owner.is_empty()
            && self
                .owner
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_');
        if !valid || self.sqlite.len() != self.postgres.len() {
            return Err(StoreError::BadSchema(self.owner));
        }
        Ok(format!("_vigie_migrations_{}", self.owner))
    }
}

/// The migrator of a list of steps, tracked in `table`.
fn migrator(steps: &[Step], table: String) -> Migrator {
    let migrations = steps
        .iter()
        .map(|s| {
            Migration::new(
                s.version,
                s.name.into(),
                MigrationType::Simple,
                s.sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(table);
    migrator
}

/// A transaction on either engine. Dropped without [`Transaction::commit`], it rolls back.
#[derive(Debug)]
pub enum Transaction {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Transaction {
    /// Appends `entries` to the journal in this transaction; they are durable exactly
    /// when the transaction commits.
    pub async fn journal(&mut self, entries: Vec<NewEntry>) -> Result<Head, StoreError> {
        match self {
            Transaction::Sqlite(tx) => tx.append_journal(entries).await,
            Transaction::Postgres(tx) => tx.append_journal(entries).await,
        }
    }

    /// Commits (synced to disk when it returns).
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Transaction::Sqlite(tx) => tx.commit().await?,
            Transaction::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Applies the migrations of `schema` not applied yet (each in its own transaction);
    /// a migration already applied whose text changed is refused.
    pub async fn migrate(&self, schema: &Schema) -> Result<(), StoreError> {
        let table = schema.table()?;
        match self.pool() {
            Pool::Sqlite(pool) => migrator(schema.sqlite, table).run(pool).await?,
            Pool::Postgres(pool) => {
                crate::migrate_pg(&migrator(schema.postgres, table), pool).await?
            }
        }
        Ok(())
    }

    /// Starts a transaction. On SQLite, one that journals must write before it reads (see
    /// the journal's invariant): start with the journal, or with a write.
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        Ok(match self.pool() {
            Pool::Sqlite(pool) => Transaction::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Transaction::Postgres(pool.begin().await?),
        })
    }
}
