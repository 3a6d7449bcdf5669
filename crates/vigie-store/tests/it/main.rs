//! The storage stories, told once and run on SQLite and on PostgreSQL.

mod declarations;
mod editorial;
mod engines;
mod handling;
mod import;
mod journal;
mod portal;
mod readback;
mod revision;
mod story;
