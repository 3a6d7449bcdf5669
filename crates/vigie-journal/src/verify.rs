//! Verification of a stored journal: entries in order of their numbers, then the head.
//!
//! The number of the first bad entry is exact; what happened to it is the most likely
//! explanation the chain allows:
//!
//! - a number is missing, or the entry that should follow is nowhere: [`Kind::Deleted`];
//! - the entry links to its predecessor but its hash no longer matches it, or it matches
//!   with the stored link changed: [`Kind::Changed`];
//! - the entry that should follow sits further on, and this one is linked to by a later
//!   entry (or the head): [`Kind::Reordered`]; linked to by nothing: [`Kind::Inserted`];
//! - the chain is sound but the head names another last entry: [`Kind::Deleted`] (the tail
//!   was cut), [`Kind::Inserted`] (entries beyond the head) or [`Kind::HeadMismatch`].
//!
//! Whoever can rewrite the database can also recompute every hash after the entry they
//! change, and the head: only a head hash kept elsewhere ([`Anchor`]) catches that.

use std::{collections::BTreeMap, fmt, str::FromStr};

use vigie_model::vocabulary;

use crate::entry::{Hash, Head, Linked, entry_hash};

vocabulary! {
    /// What happened to the first bad entry.
    pub enum Kind ("journal tampering") {
        /// Its content (or a stored hash) was changed.
        Changed = ("changed", "a été modifiée"),
        /// It was deleted.
        Deleted = ("deleted", "a été supprimée"),
        /// It was moved to another place in the chain.
        Reordered = ("reordered", "a été déplacée"),
        /// It was added outside Vigie.
        Inserted = ("inserted", "a été ajoutée hors de Vigie"),
        /// It, or the head that records it as the last entry, was rewritten.
        HeadMismatch = (
            "head_mismatch",
            "ne correspond plus à la tête du journal (l'une ou l'autre a été réécrite)"
        ),
        /// The head of the journal is gone.
        HeadMissing = ("head_missing", "n'est plus suivie de la tête du journal, supprimée"),
        /// Its hash is not the one an operator recorded elsewhere.
        AnchorMismatch = ("anchor_mismatch", "ne correspond pas à l'ancre donnée"),
    }
}

/// The first bad entry of a journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("journal entry {seq}: {kind}")]
pub struct Tamper {
    /// Its number.
    pub seq: i64,
    /// What happened to it.
    pub kind: Kind,
}

/// A sound journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// Entries checked.
    pub entries: u64,
    /// Its head: keep `seq:hash` elsewhere to anchor later verifications.
    pub head: Head,
}

/// The head row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHead {
    /// Number of the last entry.
    pub seq: i64,
    /// Its hash (hexadecimal).
    pub hash: String,
}

/// A head recorded outside the database (`seq:hash`), which the chain must still hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    /// Number of the entry.
    pub seq: i64,
    /// Its hash.
    pub hash: Hash,
}

/// An anchor that does not read as `seq:hash`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an anchor is written SEQ:HASH (a number, a colon, 64 hexadecimal characters), got `{0}`")]
pub struct BadAnchor(String);

impl FromStr for Anchor {
    type Err = BadAnchor;

    fn from_str(s: &str) -> Result<Anchor, BadAnchor> {
        let bad = || BadAnchor(s.chars().take(100).collect());
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq = seq.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        let hash = Hash::from_hex(&hash.to_ascii_lowercase()).ok_or_else(bad)?;
        Ok(Anchor { seq, hash })
    }
}

impl fmt::Display for Anchor {
    /// `seq:hash`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl From<Head> for Anchor {
    fn from(head: Head) -> Anchor {
        Anchor {
            seq: head.seq,
            hash: head.hash,
        }
    }
}

/// An entry that breaks the chain and needs the rest of the journal to be explained.
#[derive(Debug)]
struct Suspect {
    seq: i64,
    /// The hash its predecessor really has.
    expected_prev: String,
    /// Its own stored hash.
    hash: String,
    /// A later entry links to `expected_prev`: the rightful successor is further on.
    successor_later: bool,
    /// A later entry links to `hash`: this entry belongs somewhere in the chain.
    linked_later: bool,
}

/// Where verification stands.
#[derive(Debug)]
enum State {
    Sound,
    Suspect(Suspect),
    Bad(Tamper),
}

/// Checks a journal fed entry by entry in increasing `seq`, then its head.
#[derive(Debug)]
pub struct Verifier {
    head: Head,
    entries: u64,
    anchors: BTreeMap<i64, Hash>,
    state: State,
}

impl Verifier {
    /// A verifier that also checks these anchors.
    pub fn new(anchors: &[Anchor]) -> Verifier {
        Verifier {
            head: Head::EMPTY,
            entries: 0,
            anchors: anchors.iter().map(|a| (a.seq, a.hash)).collect(),
            state: State::Sound,
        }
    }

    /// Checks the next stored entry.
    pub fn push(&mut self, row: &Linked) {
        match &mut self.state {
            State::Bad(_) => {}
            State::Suspect(suspect) => {
                suspect.successor_later |= row.prev_hash == suspect.expected_prev;
                suspect.linked_later |= row.prev_hash == suspect.hash;
            }
            State::Sound => self.state = self.check(row),
        }
    }

    fn check(&mut self, row: &Linked) -> State {
        let expected = self.head.seq + 1;
        let seq = row.entry.seq;
        if seq != expected {
            // Read in order of their numbers, so a smaller one is a duplicate.
            let kind = if seq > expected {
                Kind::Deleted
            } else {
                Kind::Inserted
            };
            return State::Bad(Tamper {
                seq: expected.min(seq),
                kind,
            });
        }
        let prev = self.head.hash.to_hex();
        let hash = entry_hash(&self.head.hash, &row.entry);
        let hash_matches = hash.to_hex() == row.hash;
        let links = row.prev_hash == prev;
        match (hash_matches, links) {
            (true, true) => {}
            (true, false) | (false, true) => {
                return State::Bad(Tamper {
                    seq,
                    kind: Kind::Changed,
                });
            }
            (false, false) => {
                return State::Suspect(Suspect {
                    seq,
                    expected_prev: prev,
                    hash: row.hash.clone(),
                    successor_later: false,
                    linked_later: false,
                });
            }
        }
        if self.anchors.get(&seq).is_some_and(|a| *a != hash) {
            return State::Bad(Tamper {
                seq,
                kind: Kind::AnchorMismatch,
            });
        }
        self.head = Head { seq, hash };
        self.entries += 1;
        State::Sound
    }

    /// The verdict, once every entry was pushed; `head` is the stored head row.
    pub fn finish(self, head: Option<&StoredHead>) -> Result<Verified, Tamper> {
        match self.state {
            State::Bad(tamper) => return Err(tamper),
            State::Suspect(suspect) => {
                let linked = suspect.linked_later || head.is_some_and(|h| h.hash == suspect.hash);
                let beyond_head = head.is_some_and(|h| suspect.seq > h.seq);
                let kind = match (suspect.successor_later, linked) {
                    _ if beyond_head => Kind::Inserted,
                    (true, true) => Kind::Reordered,
                    (true, false) => Kind::Inserted,
                    (false, _) => Kind::Deleted,
                };
                return Err(Tamper {
                    seq: suspect.seq,
                    kind,
                });
            }
            State::Sound => {}
        }
        let last = self.head.seq;
        let Some(head) = head else {
            return Err(Tamper {
                seq: last,
                kind: Kind::HeadMissing,
            });
        };
        if head.seq > last {
            return Err(Tamper {
                seq: last + 1,
                kind: Kind::Deleted,
            });
        }
        if head.seq < last {
            return Err(Tamper {
                seq: head.seq + 1,
                kind: Kind::Inserted,
            });
        }
        if head.hash != self.head.hash.to_hex() {
            return Err(Tamper {
                seq: last,
                kind: Kind::HeadMismatch,
            });
        }
        // An anchor beyond the end: the tail it covered was cut, head included.
        if self.anchors.range(last + 1..).next().is_some() {
            return Err(Tamper {
                seq: last + 1,
                kind: Kind::Deleted,
            });
        }
        Ok(Verified {
            entries: self.entries,
            head: self.head,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Action, Actor, GENESIS, NewEntry, Payload};

    /// A sound journal of `n` entries and its head.
    fn journal(n: i64) -> (Vec<Linked>, StoredHead) {
        let mut head = Head::EMPTY;
        let rows = (1..=n)
            .map(|i| {
                head.append(NewEntry {
                    at_ns: i * 1_000,
                    actor: Actor::User(i % 3),
                    action: Action::MessagePosted,
                    subject: format!("VIG-2024-{i:06}"),
                    payload: Payload::new().with("n", i),
                })
            })
            .collect();
        (
            rows,
            StoredHead {
                seq: head.seq,
                hash: head.hash.to_hex(),
            },
        )
    }

    fn verify(
        rows: &[Linked],
        head: Option<&StoredHead>,
        anchors: &[Anchor],
    ) -> Result<Verified, Tamper> {
        let mut v = Verifier::new(anchors);
        for row in rows {
            v.push(row);
        }
        v.finish(head)
    }

    /// Renumbers the rows from `from` on, as an UPDATE of `seq` would.
    fn renumber(rows: &mut [Linked], from: usize, by: i64) {
        for row in &mut rows[from..] {
            row.entry.seq += by;
        }
    }

    #[test]
    fn sound_journals_verify() {
        for n in [0, 1, 2, 10] {
            let (rows, head) = journal(n);
            let verified = verify(&rows, Some(&head), &[]).unwrap();
            assert_eq!(verified.entries, u64::try_from(n).unwrap());
            assert_eq!(verified.head.seq, n);
            assert_eq!(verified.head.hash.to_hex(), head.hash);
        }
    }

    /// Each tampering, applied to a sound journal of 6 entries, and the report it must give.
    #[test]
    fn the_first_bad_entry_is_named() {
        type Tampering = fn(&mut Vec<Linked>, &mut Option<StoredHead>);
        let cases: &[(&str, Tampering, i64, Kind)] = &[
            (
                "payload changed",
                |r, _| r[2].entry.payload = r#"{"n":99}"#.into(),
                3,
                Kind::Changed,
            ),
            (
                "time changed",
                |r, _| r[0].entry.at_ns += 1,
                1,
                Kind::Changed,
            ),
            (
                "actor changed",
                |r, _| r[5].entry.actor = "user:9".into(),
                6,
                Kind::Changed,
            ),
            (
                "stored hash changed",
                |r, _| r[3].hash = GENESIS.to_hex(),
                4,
                Kind::Changed,
            ),
            (
                "link changed",
                |r, _| r[3].prev_hash = GENESIS.to_hex(),
                4,
                Kind::Changed,
            ),
            ("middle deleted", |r, _| drop(r.remove(2)), 3, Kind::Deleted),
            ("first deleted", |r, _| drop(r.remove(0)), 1, Kind::Deleted),
            (
                "middle deleted and the rest renumbered",
                |r, _| {
                    r.remove(2);
                    renumber(r, 2, -1);
                },
                3,
                Kind::Deleted,
            ),
            (
                "two swapped",
                |r, _| {
                    r.swap(1, 2);
                    r[1].entry.seq = 2;
                    r[2].entry.seq = 3;
                },
                2,
                Kind::Reordered,
            ),
            (
                "last two swapped",
                |r, _| {
                    r.swap(4, 5);
                    r[4].entry.seq = 5;
                    r[5].entry.seq = 6;
                },
                5,
                Kind::Reordered,
            ),
            (
                "one inserted and the rest renumbered",
                |r, _| {
                    let mut forged = r[2].clone();
                    forged.entry.subject = "VIG-2024-999999".into();
                    forged.prev_hash = "f".repeat(64);
                    forged.hash = "e".repeat(64);
                    r.insert(2, forged);
                    renumber(r, 3, 1);
                },
                3,
                Kind::Inserted,
            ),
            ("last deleted", |r, _| drop(r.pop()), 6, Kind::Deleted),
            (
                "appended outside Vigie",
                |r, _| {
                    let mut extra = r[5].clone();
                    extra.entry.seq = 7;
                    r.push(extra);
                },
                7,
                Kind::Inserted,
            ),
            (
                "head rewound",
                |_, h| h.as_mut().unwrap().seq = 5,
                6,
                Kind::Inserted,
            ),
            (
                "head changed",
                |_, h| h.as_mut().unwrap().hash = GENESIS.to_hex(),
                6,
                Kind::HeadMismatch,
            ),
            ("head deleted", |_, h| *h = None, 6, Kind::HeadMissing),
            (
                "last changed with its hash recomputed",
                |r, _| {
                    let prev = Hash::from_hex(&r[4].hash).unwrap();
                    r[5].entry.payload = "{}".into();
                    r[5].hash = entry_hash(&prev, &r[5].entry).to_hex();
                },
                6,
                Kind::HeadMismatch,
            ),
        ];
        for (what, tamper, seq, kind) in cases {
            let (mut rows, head) = journal(6);
            let mut head = Some(head);
            tamper(&mut rows, &mut head);
            assert_eq!(
                verify(&rows, head.as_ref(), &[]),
                Err(Tamper {
                    seq: *seq,
                    kind: *kind
                }),
                "{what}"
            );
        }
    }

    #[test]
    fn anchors_catch_a_rewritten_chain() {
        let (rows, head) = journal(6);
        let anchor = Anchor {
            seq: 4,
            hash: Hash::from_hex(&rows[3].hash).unwrap(),
        };
        assert!(verify(&rows, Some(&head), &[anchor]).is_ok());

        // Entry 2 changed and every hash after it recomputed, head included.
        let mut rewritten = rows.clone();
        rewritten[1].entry.payload = r#"{"n":0}"#.into();
        let mut chain = Hash::from_hex(&rewritten[0].hash).unwrap();
        for row in &mut rewritten[1..] {
            row.prev_hash = chain.to_hex();
            chain = entry_hash(&chain, &row.entry);
            row.hash = chain.to_hex();
        }
        let forged_head = StoredHead {
            seq: 6,
            hash: chain.to_hex(),
        };
        assert!(verify(&rewritten, Some(&forged_head), &[]).is_ok());
        assert_eq!(
            verify(&rewritten, Some(&forged_head), &[anchor]),
            Err(Tamper {
                seq: 4,
                kind: Kind::AnchorMismatch
            })
        );

        // The tail cut back to entry 3, head included.
        let cut = &rows[..3];
        let cut_head = StoredHead {
            seq: 3,
            hash: rows[2].hash.clone(),
        };
        assert_eq!(
            verify(cut, Some(&cut_head), &[anchor]),
            Err(Tamper {
                seq: 4,
                kind: Kind::Deleted
            })
        );
    }

    #[test]
    fn anchors_read_as_they_print() {
        let (rows, _) = journal(2);
        let anchor = Anchor {
            seq: 2,
            hash: Hash::from_hex(&rows[1].hash).unwrap(),
        };
        assert_eq!(anchor.to_string().parse::<Anchor>(), Ok(anchor));
        assert_eq!(
            anchor.to_string().to_uppercase().parse::<Anchor>(),
            Ok(anchor)
        );
        for bad in [
            "",
            "2",
            "2:",
            "x:00",
            "0:",
            &format!("0:{}", rows[1].hash),
            &format!("-1:{}", rows[1].hash),
        ] {
            assert!(bad.parse::<Anchor>().is_err(), "{bad}");
        }
    }
}
