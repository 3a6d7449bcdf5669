//! Vigie's authentication primitives, as ANSSI recommends them.
//!
//! - [`password`]: the password policy (12 characters and four classes for users, 16 for
//!   privileged accounts), checked by [`password::check`], and Argon2id hashes, with
//!   [`password::dummy_verify`] so that an unknown login costs as much as a known one;
//! - [`totp`]: RFC 6238 one-time codes (6 digits, 30 s) with replay refusal, `otpauth://` URLs
//!   and their QR code as SVG for enrolment;
//! - [`recovery`]: ten single-use recovery codes, stored hashed;
//! - [`token`]: random secret tokens (sessions, CSRF, API, invitations), stored hashed;
//! - [`lockout`]: the progressive lockout schedule after failed logins;
//! - [`sealing`]: secrets sealed at rest (TOTP keys) with the server's key.
//!
//! Everything here is pure except for the operating system's random generator: no database,
//! no network, no clock. Time is always a parameter ([`jiff::Timestamp`]); the caller stores
//! what these functions return (hashes, the last TOTP step, failure counters).

pub mod lockout;
pub mod password;
pub mod recovery;
pub mod sealing;
pub mod token;
pub mod totp;

pub use lockout::{Lockout, LoginThrottle};
pub use password::{CharClass, PasswordHash, PasswordPolicy, PasswordRejected, dummy_verify};
pub use recovery::{RecoveryCodes, RecoveryHash};
pub use sealing::{SealError, SealingKey};
pub use secrecy::{ExposeSecret, SecretString};
pub use token::{SecretToken, TokenHash, TokenKind};
pub use totp::{TotpError, TotpSecret};

/// A failure of the machinery, never of the user's input.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The operating system's random generator failed.
    #[error("the operating system's random generator failed: {0}")]
    Randomness(getrandom::Error),
    /// Argon2 refused to hash (parameters or memory).
    #[error("argon2 could not hash the password: {0}")]
    Hashing(argon2::password_hash::Error),
}

/// Fills `buf` from the operating system's random generator.
fn random_bytes(buf: &mut [u8]) -> Result<(), AuthError> {
    getrandom::fill(buf).map_err(AuthError::Randomness)
}
