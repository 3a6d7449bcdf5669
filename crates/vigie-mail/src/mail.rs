//! A message to send, and the identity the caller gives it.

use std::fmt;

use jiff::Timestamp;
use lettre::message::Mailbox;

/// A message: recipients, subject, and the same content as plain text and as HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipients; a single refused one makes the whole message fail.
    pub to: Vec<Mailbox>,
    /// The subject, in plain text.
    pub subject: String,
    /// The plain text part.
    pub text: String,
    /// The HTML part, a whole document.
    pub html: String,
}

/// The date and `Message-ID` of a message, chosen by the caller.
///
/// An outbox keeps the same stamp across retries, so that a message delivered twice
/// can be recognised as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The `Message-ID`.
    pub message_id: MessageId,
    /// The `Date` (written in UTC).
    pub date: Timestamp,
}

/// A `Message-ID` (RFC 5322 `msg-id`): `<left@right>`, both sides dot-atoms.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId {
    left: String,
    right: String,
}

/// Why a `Message-ID` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the Message-ID's {side} `{got}` is not a dot-atom (letters, digits, !#$%&'*+-/=?^_`{{|}}~ and inner dots)"
)]
pub struct InvalidMessageId {
    /// `left part` or `domain`.
    pub side: &'static str,
    /// What was given (cut to 60 characters).
    pub got: String,
}

impl MessageId {
    /// Builds `<left@domain>`, such as `<outbox-42@vigie.cert.example.org>`.
    pub fn new(left: &str, domain: &str) -> Result<MessageId, InvalidMessageId> {
        for (side, value) in [("left part", left), ("domain", domain)] {
            if !is_dot_atom(value) {
                return Err(InvalidMessageId {
                    side,
                    got: value.chars().take(60).collect(),
                });
            }
        }
        Ok(MessageId {
            left: left.to_owned(),
            right: domain.to_owned(),
        })
    }
}

impl fmt::Display for MessageId {
    /// With its angle brackets, as written in the header.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}@{}>", self.left, self.right)
    }
}

/// RFC 5322 `dot-atom-text`, at most 200 characters.
fn is_dot_atom(s: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    !s.is_empty()
        && s.len() <= 200
        && s.split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}
