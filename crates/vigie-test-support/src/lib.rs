//! Helpers for Vigie's tests, used only as a dev-dependency.
//!
//! [`SmtpServer`] is a real SMTP server on loopback: code under test sends to it over
//! TCP as it would to a relay, and the test reads what was delivered.

mod smtp;

pub use smtp::{Received, SmtpServer};
