//! The storage story, told once and run on SQLite and on PostgreSQL.

mod story;
