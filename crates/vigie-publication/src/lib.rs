//! Published years of the observatory, frozen as they were published.
//!
//! Publishing a year stores every public file of it (the public observatory as JSON, each
//! figure as CSV, JSON, SVG and HTML table, the yearly report as HTML and PDF) in one
//! transaction with its journal entry, which names each file's SHA-256. The public pages
//! serve these bytes: two downloads a day apart are the same file, so subtracting them
//! reveals nothing, and a request never recounts or typesets. Publishing again is asked
//! for by name, replaces the files and raises the year's edition.
//!
//! This crate owns its tables ([`SCHEMA`], tracked apart from the core's migrations) and
//! its queries, over `vigie-store`'s engine layer. The year's row itself
//! (`published_years`) predates it and stays in the core's migrations.
//!
//! **Invariant:** a file is public only through [`file`], which returns what
//! [`publish`] stored, byte for byte; nothing here computes a figure.

pub mod rules;

use data_encoding::HEXLOWER;
use jiff::{Timestamp, civil::Date};
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;
use vigie_store::{
    Action, Actor, NewEntry, Payload, Schema, Step, Store, StoreError, Transaction, engine::ns,
    on_pool,
};

pub use rules::{MINIMUM_THRESHOLD, Refusal, Request};

/// The tables of publication, on each engine.
pub const SCHEMA: Schema = Schema {
    owner: "publication",
    sqlite: &[Step {
        version: 1,
        name: "files",
        sql: include_str!("../migrations/sqlite/0001_files.sql"),
    }],
    postgres: &[Step {
        version: 1,
        name: "files",
        sql: include_str!("../migrations/postgres/0001_files.sql"),
    }],
};

/// A published year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedYear {
    /// The year.
    pub year: i16,
    /// Counts below this were suppressed in what was published.
    pub threshold: u32,
    /// When it was last published.
    pub at: Timestamp,
    /// Who last published it.
    pub by: String,
    /// How many times it was published (1 for the first).
    pub edition: u32,
}

/// A file to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name under `/donnees/{year}/` (`rapport.pdf`, `figure-6.csv`…).
    pub name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: Vec<u8>,
}

/// A published file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Its media type.
    pub content_type: String,
    /// Its bytes, as published.
    pub body: Vec<u8>,
    /// The SHA-256 of its bytes (lowercase hexadecimal), as journaled.
    pub sha256: String,
}

/// Why a publication did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PublicationError {
    /// The rules refuse it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A file name is empty, or holds a `/` or starts with `.`.
    #[error("`{0}` is not a file name for the open data")]
    BadName(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PublicationError {
    fn from(e: sqlx::Error) -> Self {
        PublicationError::Store(StoreError::Sql(e))
    }
}

/// A value read from `table` row `id` that does not parse.
fn corrupt(table: &'static str, id: i64, column: &'static str, reason: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        id,
        column,
        reason: reason.to_owned(),
    }
}

/// Creates the tables of publication if needed (each server and command does at start).
pub async fn migrate(store: &Store) -> Result<(), StoreError> {
    store.migrate(&SCHEMA).await
}

/// Publishes `request`'s year with `files` (replacing those of an earlier edition when
/// `again` is asked), journaled in the same transaction; `today` is the date in Paris.
/// Returns the year as published.
pub async fn publish(
    store: &Store,
    request: Request,
    files: Vec<File>,
    by: &Actor,
    now: Timestamp,
    today: Date,
) -> Result<PublishedYear, PublicationError> {
    if let Some(bad) = files
        .iter()
        .find(|f| f.name.is_empty() || f.name.contains('/') || f.name.starts_with('.'))
    {
        return Err(PublicationError::BadName(bad.name.clone()));
    }
    let edition = year(store, request.year).await?.map(|y| y.edition);
    request.check(today, edition)?;
    let year_code = i32::from(request.year);
    let threshold = i32::try_from(request.threshold).unwrap_or(i32::MAX);
    let hashes: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.name.clone(), HEXLOWER.encode(&Sha256::digest(&f.body))))
        .collect();
    let mut tx = store.begin().await?;
    // The first statement writes (SQLite then holds the write lock): the edition, which
    // also tells a concurrent first publication apart.
    let bump = "INSERT INTO publication_editions (year, edition) VALUES ($1, 1) \
                ON CONFLICT (year) DO UPDATE SET edition = publication_editions.edition + 1 \
                RETURNING edition";
    let upsert_year = "INSERT INTO published_years (year, threshold, published_at_ns, published_by) \
                VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO UPDATE SET threshold = excluded.threshold, \
                published_at_ns = excluded.published_at_ns, published_by = excluded.published_by";
    let clear = "DELETE FROM publication_files WHERE year = $1";
    let insert = "INSERT INTO publication_files (year, name, content_type, body, sha256) \
                  VALUES ($1, $2, $3, $4, $5)";
    macro_rules! write_on {
        ($tx:expr) => {{
            let edition: i32 = sqlx::query_scalar(bump)
                .bind(year_code)
                .fetch_one(&mut **$tx)
                .await?;
            sqlx::query(upsert_year)
                .bind(year_code)
                .bind(threshold)
                .bind(ns(now))
                .bind(by.to_string())
                .execute(&mut **$tx)
                .await?;
            sqlx::query(clear)
                .bind(year_code)
                .execute(&mut **$tx)
                .await?;
            for (file, (_, sha256)) in files.iter().zip(&hashes) {
                sqlx::query(insert)
                    .bind(year_code)
                    .bind(&file.name)
                    .bind(file.content_type)
                    .bind(&file.body)
                    .bind(sha256)
                    .execute(&mut **$tx)
                    .await?;
            }
            edition
        }};
    }
    let edition = match &mut tx {
        Transaction::Sqlite(tx) => write_on!(tx),
        Transaction::Postgres(tx) => write_on!(tx),
    };
    let edition = u32::try_from(edition).map_err(|_| {
        corrupt(
            "publication_editions",
            year_code.into(),
            "edition",
            "negative",
        )
    })?;
    if edition > 1 && !request.again {
        // Another publication of the same year committed since it was checked.
        return Err(Refusal::AlreadyPublished {
            year: request.year,
            edition: edition - 1,
        }
        .into());
    }
    // Each file by name and SHA-256, `name:sha256` separated by spaces, in name order.
    let mut listed: Vec<String> = hashes.iter().map(|(n, h)| format!("{n}:{h}")).collect();
    listed.sort();
    let entry = NewEntry {
        at_ns: ns(now),
        actor: by.clone(),
        action: Action::YearPublished,
        subject: format!("observatory:{}", request.year),
        payload: Payload::new()
            .with("threshold", i64::from(threshold))
            .with("edition", i64::from(edition))
            .with("forced", request.force)
            .with("files", listed.join(" ")),
    };
    tx.journal(vec![entry]).await?;
    tx.commit().await?;
    Ok(PublishedYear {
        year: request.year,
        threshold: request.threshold,
        at: now,
        by: by.to_string(),
        edition,
    })
}

/// The published years, newest first.
pub async fn years(store: &Store) -> Result<Vec<PublishedYear>, StoreError> {
    published(store, None).await
}

/// Year `year`, if it is published.
pub async fn year(store: &Store, year: i16) -> Result<Option<PublishedYear>, StoreError> {
    Ok(published(store, Some(year)).await?.pop())
}

/// The published years, or the one asked for.
async fn published(store: &Store, year: Option<i16>) -> Result<Vec<PublishedYear>, StoreError> {
    let sql = "SELECT y.year, y.threshold, y.published_at_ns, y.published_by, \
               COALESCE(e.edition, 1) AS edition \
               FROM published_years y LEFT JOIN publication_editions e ON e.year = y.year \
               WHERE $1 IS NULL OR y.year = $1 ORDER BY y.year DESC";
    let mut out = Vec::new();
    on_pool!(store, pool => {
        for row in sqlx::query(sql).bind(year.map(i32::from)).fetch_all(pool).await? {
            let year: i32 = row.try_get("year")?;
            let id = i64::from(year);
            let threshold: i32 = row.try_get("threshold")?;
            let at: i64 = row.try_get("published_at_ns")?;
            let edition: i32 = row.try_get("edition")?;
            out.push(PublishedYear {
                year: i16::try_from(year)
                    .map_err(|_| corrupt("published_years", id, "year", "out of range"))?,
                threshold: u32::try_from(threshold)
                    .map_err(|_| corrupt("published_years", id, "threshold", "negative"))?,
                at: Timestamp::from_nanosecond(i128::from(at))
                    .map_err(|_| corrupt("published_years", id, "published_at_ns", "out of range"))?,
                by: row.try_get("published_by")?,
                edition: u32::try_from(edition)
                    .map_err(|_| corrupt("publication_editions", id, "edition", "negative"))?,
            });
        }
    });
    Ok(out)
}

/// The file `name` of published year `year`, as published.
pub async fn file(store: &Store, year: i16, name: &str) -> Result<Option<StoredFile>, StoreError> {
    let sql =
        "SELECT content_type, body, sha256 FROM publication_files WHERE year = $1 AND name = $2";
    let row = on_pool!(store, pool => {
        match sqlx::query(sql).bind(i32::from(year)).bind(name).fetch_optional(pool).await? {
            Some(row) => Some(StoredFile {
                content_type: row.try_get("content_type")?,
                body: row.try_get("body")?,
                sha256: row.try_get("sha256")?,
            }),
            None => None,
        }
    });
    Ok(row)
}

/// The names and SHA-256 of the files of published year `year`, by name.
pub async fn files(store: &Store, year: i16) -> Result<Vec<(String, String)>, StoreError> {
    let sql = "SELECT name, sha256 FROM publication_files WHERE year = $1 ORDER BY name";
    let mut out = Vec::new();
    on_pool!(store, pool => {
        for row in sqlx::query(sql).bind(i32::from(year)).fetch_all(pool).await? {
            out.push((row.try_get("name")?, row.try_get("sha256")?));
        }
    });
    Ok(out)
}
