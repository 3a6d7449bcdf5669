//! The storage stories, told once and run on SQLite and on PostgreSQL.

mod declarations;
mod demo_accounts;
mod durability;
mod editorial;
mod engines;
mod grants;
mod handling;
mod import;
mod journal;
mod parity;
mod portal;
mod readback;
mod revision;
mod secrets;
mod story;
