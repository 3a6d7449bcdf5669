//! Vigie's tamper-evident journal: every declaration, qualification change, routing,
//! message, login and export becomes an [`Entry`] chained to the previous one by SHA-256,
//! and [`Verifier`] names the first entry that was changed, deleted, reordered or inserted
//! behind Vigie's back.
//!
//! **Invariant:** pure: no I/O, no clock (the time of an entry is its caller's). The hash of
//! an entry covers the previous hash and every field of the entry, in the unambiguous
//! encoding described by [`entry_hash`]; stored text is hashed byte for byte.

mod entry;
mod verify;

pub use entry::{
    Action, Actor, Entry, GENESIS, Hash, Head, Linked, NewEntry, Payload, entry_hash, sha256_hex,
};
pub use verify::{Anchor, BadAnchor, Kind, StoredHead, Tamper, Verified, Verifier};
