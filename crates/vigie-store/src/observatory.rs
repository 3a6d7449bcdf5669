//! The observatory's rows, read fast: a server reads every incident each time it recounts.
//!
//! Most of the time of reading a row goes to the driver, per column. So the query packs
//! the numbers and flags into one integer and the ten codes into one text (`|` between
//! them), four columns instead of twenty-three, and the incidents are read in a few ranges
//! of identifiers at once, each on its own connection. On SQLite each range is read through
//! SQLite's C API (rusqlite) on a blocking thread, on a read-only connection of its own,
//! the codes borrowed from SQLite without a copy; on PostgreSQL each range is a task on the
//! pool. The integer is `NULL` when a number is out of its field's range, and a row that
//! does not read back (a value changed behind Vigie's back) is read again column by column,
//! so that the error names its column as everywhere else.

use futures_util::StreamExt as _;
use vigie_model::{Category, Code, CodeSet, DataImpactCode, DataKind, Handling};
use vigie_observatory::Row;

use crate::{Pool, Store, StoreError, decode, on_pool};

/// The packed row of every incident with an identifier from `$1` to `$2`: identifier,
/// structure, the packed integer (bits from the lowest: data impacts 5, kinds of data 4,
/// categories 19, flags 6, month 4, year + 32768 16), the codes. Every product is
/// computed in 64 bits: PostgreSQL types a literal below 2³¹ as a 32-bit `INTEGER`.
const SELECT_PACKED: &str = "SELECT i.id, i.structure_id, \
    CASE WHEN i.data_impact BETWEEN 0 AND 31 AND i.data_kind BETWEEN 0 AND 15 \
    AND i.categories BETWEEN 0 AND 524287 AND i.local_month BETWEEN 0 AND 15 \
    AND i.local_year BETWEEN -32768 AND 32767 THEN \
    CAST(i.data_impact AS BIGINT) + 32 * CAST(i.data_kind AS BIGINT) + 512 * CAST(i.categories AS BIGINT) \
    + CAST(268435456 AS BIGINT) * (CASE WHEN s.ose THEN 1 ELSE 0 END + CASE WHEN i.support_requested THEN 2 ELSE 0 END \
    + CASE WHEN i.technical_support THEN 4 ELSE 0 END + CASE WHEN i.false_positive THEN 8 ELSE 0 END \
    + CASE WHEN i.complements_requested THEN 16 ELSE 0 END \
    + CASE WHEN i.complements_received THEN 32 ELSE 0 END) \
    + 17179869184 * CAST(i.local_month AS BIGINT) \
    + 274877906944 * (CAST(i.local_year AS BIGINT) + 32768) END, \
    i.deposit_slot || '|' || s.region || '|' || s.kind || '|' || s.legal_status || '|' \
    || i.state_at_declaration || '|' || i.care_impact || '|' || i.patient_danger || '|' \
    || COALESCE(i.origin, '') || '|' || COALESCE(i.ransomware_reach, '') || '|' \
    || COALESCE(i.infra_side, '') \
    FROM incidents i JOIN structures s ON s.id = i.structure_id WHERE i.id BETWEEN $1 AND $2";

const _: () = assert!(
    DataImpactCode::ALL.len() == 5 && DataKind::ALL.len() == 4 && Category::ALL.len() == 19,
    "SELECT_PACKED gives data impacts 5 bits, kinds of data 4, categories 19"
);

/// Ranges read at once on SQLite (its pool has four connections: two stay for requests).
const SQLITE_RANGES: i64 = 2;
/// Ranges read at once on PostgreSQL (its pool has eight connections).
const POSTGRES_RANGES: i64 = 4;

/// One packed row as read.
struct Packed<'r> {
    id: i64,
    structure: i64,
    numbers: Option<i64>,
    codes: &'r str,
}

/// Reads a packed row (any engine).
macro_rules! packed {
    ($row:expr) => {{
        use sqlx::Row as _;
        let row = &$row;
        Packed {
            id: row.try_get(0)?,
            structure: row.try_get(1)?,
            numbers: row.try_get(2)?,
            codes: row.try_get(3)?,
        }
    }};
}

/// A code among the packed ones; `None` when it does not parse.
fn code<T: Code>(text: Option<&str>) -> Option<T> {
    T::parse(text?).ok()
}

/// An optional code: empty is none.
fn optional<T: Code>(text: Option<&str>) -> Option<Option<T>> {
    match text? {
        "" => Some(None),
        t => T::parse(t).ok().map(Some),
    }
}

/// The bits `from..from + width` of `n`, as a set.
fn bits<T: Code>(n: i64, from: u32, width: u32) -> Option<CodeSet<T>> {
    CodeSet::from_bits(field(n, from, width) as u32)
}

/// The bits `from..from + width` of `n`.
fn field(n: i64, from: u32, width: u32) -> i64 {
    (n >> from) & ((1 << width) - 1)
}

impl Packed<'_> {
    /// The row, or `None` when a value does not read back.
    fn row(&self) -> Option<Row> {
        let n = self.numbers?;
        let mut codes = self.codes.split('|');
        let mut next = || codes.next();
        let flag = |bit: u32| field(n, 28 + bit, 1) == 1;
        let row = Row {
            year: i16::try_from(field(n, 38, 16) - 32768).ok()?,
            month: field(n, 34, 4) as u8,
            structure: u32::try_from(self.structure).ok()?,
            slot: code(next())?,
            region: code(next())?,
            kind: code(next())?,
            legal_status: code(next())?,
            state: code(next())?,
            care_impact: code(next())?,
            patient_danger: code(next())?,
            origin: optional(next())?,
            ransomware_reach: optional(next())?,
            infra_side: optional(next())?,
            ose: flag(0),
            support_requested: flag(1),
            data_impacts: bits(n, 0, 5)?,
            data_kinds: bits(n, 5, 4)?,
            categories: bits(n, 9, 19)?,
            handling: Handling {
                technical_support: flag(2),
                false_positive: flag(3),
                complements_requested: flag(4),
                complements_received: flag(5),
            },
        };
        next().is_none().then_some(row)
    }
}

impl Store {
    /// Every incident reduced to what the observatory counts, in no particular order.
    pub async fn observatory_rows(&self) -> Result<Vec<Row>, StoreError> {
        let sql = "SELECT MIN(id), MAX(id) FROM incidents";
        let (lo, hi): (Option<i64>, Option<i64>) = on_pool!(self, pool => {
            sqlx::query_as(sql).fetch_one(pool).await?
        });
        let Some((lo, hi)) = lo.zip(hi) else {
            return Ok(Vec::new());
        };
        let ranges = match self.pool() {
            Pool::Sqlite(_) => SQLITE_RANGES,
            Pool::Postgres(_) => POSTGRES_RANGES,
        };
        let step = ((hi - lo) / ranges).max(1);
        let mut reads = Vec::new();
        let mut from = lo;
        while from <= hi {
            let to = if hi - from < 2 * step {
                hi
            } else {
                from + step - 1
            };
            let store = self.clone();
            reads.push(tokio::spawn(
                async move { store.rows_between(from, to).await },
            ));
            from = to + 1;
        }
        let mut out = Vec::new();
        for read in reads {
            let rows = read
                .await
                .map_err(|e| StoreError::Unconfirmed(format!("reading the rows stopped: {e}")))??;
            if out.is_empty() {
                out = rows;
            } else {
                out.extend(rows);
            }
        }
        Ok(out)
    }

    /// The rows of the incidents with an identifier from `from` to `to`.
    async fn rows_between(&self, from: i64, to: i64) -> Result<Vec<Row>, StoreError> {
        if let Some(file) = self.sqlite_file.clone() {
            let (mut out, unread) =
                tokio::task::spawn_blocking(move || sqlite_rows_between(&file, from, to))
                    .await
                    .map_err(|e| {
                        StoreError::Unconfirmed(format!("reading the rows stopped: {e}"))
                    })??;
            for id in unread {
                out.push(self.row_of(id).await?);
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        on_pool!(self, pool => {
            let mut rows = sqlx::query(SELECT_PACKED).bind(from).bind(to).fetch(pool);
            while let Some(row) = rows.next().await {
                let row = row?;
                let packed = packed!(row);
                match packed.row() {
                    Some(r) => out.push(r),
                    None => out.push(self.row_of(packed.id).await?),
                }
            }
        });
        Ok(out)
    }

    /// One incident's row read column by column: the error names the column at fault.
    async fn row_of(&self, id: i64) -> Result<Row, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{} WHERE i.id = $1", decode::SELECT_ROWS));
        Ok(on_pool!(self, pool => {
            let row = sqlx::query(sql).bind(id).fetch_one(pool).await?;
            decode::observatory_row!(row)
        }))
    }
}

/// SQLite: the rows of the incidents with an identifier from `from` to `to`, and the
/// identifiers of those that do not read back, on a read-only connection of its own.
fn sqlite_rows_between(
    file: &std::path::Path,
    from: i64,
    to: i64,
) -> Result<(Vec<Row>, Vec<i64>), StoreError> {
    use rusqlite::{Connection, OpenFlags};
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut statement = conn.prepare(SELECT_PACKED)?;
    let mut rows = statement.query([from, to])?;
    let (mut out, mut unread) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let packed = match (r.get(1), r.get(2), r.get_ref(3)?.as_str()) {
            (Ok(structure), Ok(numbers), Ok(codes)) => Packed {
                id,
                structure,
                numbers,
                codes,
            },
            _ => {
                unread.push(id);
                continue;
            }
        };
        match packed.row() {
            Some(row) => out.push(row),
            None => unread.push(packed.id),
        }
    }
    Ok((out, unread))
}
