//! Entries, who wrote them, what they record, and how they are chained.

use std::{collections::BTreeMap, fmt};

use sha2::{Digest, Sha256};
use vigie_model::vocabulary;

/// Domain tag opening every hashed entry, so that no other SHA-256 input of Vigie can be
/// mistaken for a journal entry (and a future encoding can change the tag).
const DOMAIN: &[u8] = b"vigie-journal-v1\0";

/// A SHA-256 value: the hash of an entry, chained into the next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

/// The hash before the first entry: 32 zero bytes.
pub const GENESIS: Hash = Hash([0; 32]);

impl Hash {
    /// The 64 lowercase hexadecimal characters, as stored.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Reads 64 lowercase hexadecimal characters; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Hash> {
        let bytes = data_encoding::HEXLOWER.decode(text.as_bytes()).ok()?;
        Some(Hash(bytes.try_into().ok()?))
    }
}

impl fmt::Display for Hash {
    /// The hexadecimal form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    /// The first 12 hexadecimal characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({}…)", &self.to_hex()[..12])
    }
}

/// SHA-256 of some bytes, in hexadecimal: how an entry refers to content it must not hold
/// (a message's text, a declaration's health data).
pub fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

vocabulary! {
    /// What an entry records.
    pub enum Action ("journal action") {
        /// A structure declared an incident (the subject is the case number).
        CaseDeclared = ("case_declared", "Déclaration d'un incident"),
        /// The CERT changed a case's qualification.
        CaseQualified = ("case_qualified", "Qualification d'un incident"),
        /// A case was routed to an authority.
        CaseRouted = ("case_routed", "Transmission à une autorité"),
        /// A message was written on a case.
        MessagePosted = ("message_posted", "Message sur un dossier"),
        /// Someone logged in (one entry per factor checked).
        LoginSucceeded = ("login_succeeded", "Connexion réussie"),
        /// A login was refused.
        LoginFailed = ("login_failed", "Connexion refusée"),
        /// Data left Vigie through an export.
        DataExported = ("data_exported", "Export de données"),
        /// Incidents were imported (added, or updated by their reference).
        DataImported = ("data_imported", "Import de données"),
        /// A new version of the routing rules was saved.
        RoutingRulesSaved = ("routing_rules_saved", "Règles d'orientation enregistrées"),
        /// A case was assigned to a member of the CERT, or to no one.
        CaseAssigned = ("case_assigned", "Attribution d'un dossier"),
        /// A case moved to another handling state.
        CaseStateChanged = ("case_state_changed", "Changement d'état d'un dossier"),
        /// A support action was recorded on a case.
        SupportRecorded = ("support_recorded", "Action d'accompagnement"),
        /// A NIS2 report was submitted on a case.
        Nis2Submitted = ("nis2_submitted", "Rapport NIS2 transmis"),
        /// A case was linked to a shared event, or unlinked.
        EventLinked = ("event_linked", "Rattachement à un événement"),
        /// An analyst saved a section's text of a year's report.
        ReportTextSaved = ("report_text_saved", "Texte du rapport annuel enregistré"),
        /// A threat was added to a year's timeline, or removed from it.
        ThreatRecorded = ("threat_recorded", "Menace de la chronologie enregistrée"),
        /// A year of the observatory was published, or published again, as frozen files.
        YearPublished = ("year_published", "Publication d'une année de l'observatoire"),
        /// An account's second factor (TOTP key and recovery codes) was replaced; its
        /// other sessions ended.
        SecondFactorReplaced = ("second_factor_replaced", "Vérification en deux étapes remplacée"),
        /// An account was disabled: its sessions ended, its API tokens revoked.
        AccountDisabled = ("account_disabled", "Compte désactivé"),
        /// An account was created (by an invitation accepted, or by an operator), with the
        /// role and scope it grants.
        AccountCreated = ("account_created", "Compte créé"),
        /// An invitation to open an account was sent, with the role and scope it offers.
        InvitationSent = ("invitation_sent", "Invitation envoyée"),
        /// An API token of a structure was created.
        ApiTokenCreated = ("api_token_created", "Jeton d'API créé"),
        /// An API token of a structure was revoked.
        ApiTokenRevoked = ("api_token_revoked", "Jeton d'API révoqué"),
        /// A user signed out.
        LoggedOut = ("logged_out", "Déconnexion"),
        /// A shared event was created.
        EventCreated = ("event_created", "Événement partagé créé"),
        /// A disabled account was enabled again (its lock and failure count cleared).
        AccountEnabled = ("account_enabled", "Compte réactivé"),
        /// An account's second factor was removed by an administrator (it enrols a new
        /// one at its next login); its sessions ended.
        SecondFactorReset = ("second_factor_reset", "Vérification en deux étapes réinitialisée"),
        /// An account changed its password after confirming the old one; its other
        /// sessions ended.
        PasswordChanged = ("password_changed", "Mot de passe changé"),
        /// A pending invitation was withdrawn before it was accepted.
        InvitationRevoked = ("invitation_revoked", "Invitation retirée"),
        /// A shared event was given a public title and summary for the yearly report.
        EventMadePublic = ("event_made_public", "Événement rendu public"),
        /// A shared event was withdrawn from the public report.
        EventMadePrivate = ("event_made_private", "Événement retiré du rapport public"),
    }
}

/// Who did what an entry records.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// An account of the portal (`user:42`).
    User(i64),
    /// A structure's API token (`api-token:7`).
    ApiToken(i64),
    /// Someone at the command line, by their system login (`operator:alice`).
    Operator(String),
    /// Nobody known: a login to an unknown account (`anonymous`).
    Anonymous,
    /// Vigie itself (`system`).
    System,
}

impl fmt::Display for Actor {
    /// The stored form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::ApiToken(id) => write!(f, "api-token:{id}"),
            Actor::Operator(name) => write!(f, "operator:{name}"),
            Actor::Anonymous => f.write_str("anonymous"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// The details of an entry: a flat JSON object written with its keys in byte order and no
/// spaces, so the same details always give the same text.
///
/// Never put a password, a second-factor code, a token, a message's text or a
/// declaration's description here: refer to content by [`sha256_hex`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Payload(BTreeMap<&'static str, serde_json::Value>);

impl Payload {
    /// No details.
    pub fn new() -> Payload {
        Payload::default()
    }

    /// Adds a detail (a string, a number, a boolean or null).
    pub fn with(mut self, key: &'static str, value: impl Into<serde_json::Value>) -> Payload {
        self.0.insert(key, value.into());
        self
    }

    /// The JSON text stored and hashed.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::Value::from(*key).to_string());
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push('}');
        out
    }
}

/// An entry to append: the journal gives it its number and its hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// When it happened, in nanoseconds since 1970 UTC.
    pub at_ns: i64,
    /// Who did it.
    pub actor: Actor,
    /// What was done.
    pub action: Action,
    /// To what: a case number (`VIG-2024-000042`), an account (`user:42`), a data set.
    pub subject: String,
    /// The details.
    pub payload: Payload,
}

/// An entry as stored: every field as text, so that a value changed behind Vigie's back
/// still reads, and fails its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Number in the journal, from 1, without gaps.
    pub seq: i64,
    /// When it happened, in nanoseconds since 1970 UTC.
    pub at_ns: i64,
    /// Who did it ([`Actor`]'s stored form).
    pub actor: String,
    /// What was done ([`Action`]'s code).
    pub action: String,
    /// To what.
    pub subject: String,
    /// The details (JSON).
    pub payload: String,
}

/// An entry with the hash it follows and its own, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The entry.
    pub entry: Entry,
    /// The hash of the previous entry (hexadecimal), [`GENESIS`] for the first.
    pub prev_hash: String,
    /// [`entry_hash`] of the previous hash and the entry (hexadecimal).
    pub hash: String,
}

/// The hash of an entry following `prev`: SHA-256 over, in order,
///
/// 1. the 17 bytes `vigie-journal-v1\0`;
/// 2. the 32 bytes of `prev`;
/// 3. `seq` and `at_ns`, each as 8 bytes, big-endian two's complement;
/// 4. `actor`, `action`, `subject` and `payload`, each as its UTF-8 length in 8 bytes
///    big-endian, then its bytes.
///
/// Every field has a fixed size or a length prefix, so no two different entries encode
/// to the same bytes.
pub fn entry_hash(prev: &Hash, entry: &Entry) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(prev.0);
    hasher.update(entry.seq.to_be_bytes());
    hasher.update(entry.at_ns.to_be_bytes());
    for text in [&entry.actor, &entry.action, &entry.subject, &entry.payload] {
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    Hash(hasher.finalize().into())
}

/// The end of the chain: the last entry's number and hash (0 and [`GENESIS`] when empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Number of the last entry.
    pub seq: i64,
    /// Its hash.
    pub hash: Hash,
}

impl Head {
    /// The head of an empty journal.
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: GENESIS,
    };

    /// Numbers and chains a new entry after this head, which moves to it.
    pub fn append(&mut self, new: NewEntry) -> Linked {
        let entry = Entry {
            seq: self.seq + 1,
            at_ns: new.at_ns,
            actor: new.actor.to_string(),
            action: vigie_model::Code::code(new.action).to_owned(),
            subject: new.subject,
            payload: new.payload.to_json(),
        };
        let hash = entry_hash(&self.hash, &entry);
        let prev_hash = self.hash.to_hex();
        *self = Head {
            seq: entry.seq,
            hash,
        };
        Linked {
            entry,
            prev_hash,
            hash: hash.to_hex(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64) -> Entry {
        Entry {
            seq,
            at_ns: 1_700_000_000_000_000_000,
            actor: "user:1".into(),
            action: "case_declared".into(),
            subject: "VIG-2024-000001".into(),
            payload: "{}".into(),
        }
    }

    #[test]
    fn every_field_counts_and_fields_do_not_run_into_each_other() {
        let base = entry(1);
        let h = entry_hash(&GENESIS, &base);
        let variants: Vec<(&str, Entry)> = vec![
            (
                "seq",
                Entry {
                    seq: 2,
                    ..base.clone()
                },
            ),
            (
                "at_ns",
                Entry {
                    at_ns: base.at_ns + 1,
                    ..base.clone()
                },
            ),
            (
                "actor",
                Entry {
                    actor: "user:2".into(),
                    ..base.clone()
                },
            ),
            (
                "action",
                Entry {
                    action: "case_routed".into(),
                    ..base.clone()
                },
            ),
            (
                "subject",
                Entry {
                    subject: "VIG-2024-000002".into(),
                    ..base.clone()
                },
            ),
            (
                "payload",
                Entry {
                    payload: "{ }".into(),
                    ..base.clone()
                },
            ),
            // The same bytes split differently between two fields.
            (
                "actor/action boundary",
                Entry {
                    actor: "user:1c".into(),
                    action: "ase_declared".into(),
                    ..base.clone()
                },
            ),
        ];
        for (what, changed) in variants {
            assert_ne!(entry_hash(&GENESIS, &changed), h, "{what}");
        }
        assert_ne!(entry_hash(&Hash([1; 32]), &base), h, "prev");
        assert_eq!(entry_hash(&GENESIS, &base), h, "deterministic");
    }

    #[test]
    fn hashes_read_back_only_from_their_own_form() {
        let h = entry_hash(&GENESIS, &entry(1));
        assert_eq!(Hash::from_hex(&h.to_hex()), Some(h));
        for bad in [
            "",
            "00",
            &h.to_hex().to_uppercase(),
            &format!("{}0", h.to_hex()),
        ] {
            assert_eq!(Hash::from_hex(bad), None, "{bad}");
        }
        assert_eq!(GENESIS.to_hex(), "0".repeat(64));
    }

    #[test]
    fn payloads_are_canonical() {
        let a = Payload::new()
            .with("reason", "structure \"OSE\"")
            .with("authority", "anssi")
            .with("count", 3)
            .with("none", serde_json::Value::Null);
        let b = Payload::new()
            .with("none", serde_json::Value::Null)
            .with("count", 3)
            .with("authority", "anssi")
            .with("reason", "structure \"OSE\"");
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(
            a.to_json(),
            r#"{"authority":"anssi","count":3,"none":null,"reason":"structure \"OSE\""}"#
        );
        assert_eq!(Payload::new().to_json(), "{}");
    }

    #[test]
    fn the_head_numbers_and_chains() {
        let mut head = Head::EMPTY;
        let new = |subject: &str| NewEntry {
            at_ns: 5,
            actor: Actor::Operator("alice".into()),
            action: Action::DataExported,
            subject: subject.into(),
            payload: Payload::new().with("year", 2024),
        };
        let first = head.append(new("incidents"));
        let second = head.append(new("incidents"));
        assert_eq!((first.entry.seq, second.entry.seq), (1, 2));
        assert_eq!(first.prev_hash, GENESIS.to_hex());
        assert_eq!(second.prev_hash, first.hash);
        assert_eq!(head.seq, 2);
        assert_eq!(head.hash.to_hex(), second.hash);
        assert_eq!(first.entry.actor, "operator:alice");
        assert_eq!(first.entry.action, "data_exported");
        assert_eq!(first.entry.payload, r#"{"year":2024}"#);
    }

    #[test]
    fn actors_have_one_stored_form() {
        for (actor, text) in [
            (Actor::User(42), "user:42"),
            (Actor::ApiToken(7), "api-token:7"),
            (Actor::Operator("root".into()), "operator:root"),
            (Actor::Anonymous, "anonymous"),
            (Actor::System, "system"),
        ] {
            assert_eq!(actor.to_string(), text);
        }
    }
}
