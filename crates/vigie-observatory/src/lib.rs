//! The yearly observatory: every counted figure of the report, computed from plain rows.
//!
//! **Invariant:** this crate never reads the database: `&[Row]` in, figures out. One
//! computation feeds CSV, JSON and charts alike.

mod row;

pub use row::Row;
