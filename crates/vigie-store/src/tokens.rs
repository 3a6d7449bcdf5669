//! Live API tokens recently looked up, so that a tool posting many declarations does not
//! cost a query each.
//!
//! An entry is trusted for [`TRUSTED_FOR`] after it was read; this store forgets every
//! entry at once when it revokes a token, saves a structure or commits an import. Another
//! process sharing the database (a second server on PostgreSQL) sees a revocation within
//! [`TRUSTED_FOR`]. Unknown or revoked tokens are never kept: each costs a query.

use std::{collections::HashMap, sync::Mutex};

use jiff::{SignedDuration, Timestamp};

use crate::ApiTokenHolder;

/// How long a token read from the database is trusted without reading it again.
pub const TRUSTED_FOR: SignedDuration = SignedDuration::from_secs(5);

/// Entries kept at most; beyond, the cache starts afresh.
const MOST: usize = 10_000;

/// Token hash → the holder read, and when.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, (Timestamp, ApiTokenHolder)>>,
}

impl TokenCache {
    /// The holder of `hash` if it was read within [`TRUSTED_FOR`] before `now`.
    pub(crate) fn get(&self, hash: &str, now: Timestamp) -> Option<ApiTokenHolder> {
        let entries = self.entries.lock().ok()?;
        let (read_at, holder) = entries.get(hash)?;
        let age = now.duration_since(*read_at);
        (age >= SignedDuration::ZERO && age < TRUSTED_FOR).then(|| holder.clone())
    }

    /// Keeps what was read of `hash` at `now`.
    pub(crate) fn put(&self, hash: &str, now: Timestamp, holder: &ApiTokenHolder) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MOST {
                entries.clear();
            }
            entries.insert(hash.to_owned(), (now, holder.clone()));
        }
    }

    /// Forgets everything (a token was revoked, a structure changed).
    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
