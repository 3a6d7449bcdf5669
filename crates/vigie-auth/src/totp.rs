//! Time-based one-time passwords (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps.
//!
//! These are the parameters every authenticator application understands. A code is
//! accepted for the current step and the steps just before and after (±30 s of clock
//! drift), and never twice: [`verify`] returns the step it accepted, the caller stores it
//! with the account, and passes it back as `last_step` so that any step up to it is refused.
//!
//! The secret must be kept by the server in a recoverable form (it computes the codes), so
//! unlike passwords it cannot be hashed: store it encrypted or at least out of any export.
//!
//! Implemented here on `hmac` and `sha1` (about thirty lines) rather than with a TOTP crate,
//! which would bring a second generation of the same hash crates.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use qrcode::QrCode;
use qrcode::render::svg;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::{AuthError, random_bytes};

/// Length of a secret in bytes: 160 bits, as RFC 4226 recommends for HMAC-SHA-1.
pub const SECRET_LEN: usize = 20;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Duration of a step in seconds.
pub const STEP_SECS: i64 = 30;
/// Steps accepted on each side of the current one.
pub const WINDOW: u64 = 1;

/// A TOTP secret shared with the user's authenticator; zeroed on drop, redacted in `Debug`.
pub struct TotpSecret(SecretBox<[u8; SECRET_LEN]>);

/// Why a TOTP code or secret is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The code is not 6 digits (spaces are allowed between them).
    #[error("a TOTP code is {DIGITS} digits")]
    Malformed,
    /// The code matches no step of the window.
    #[error("wrong TOTP code")]
    Wrong,
    /// The code matches a step already used (or older than the last one used).
    #[error("TOTP code already used")]
    Replayed,
    /// `now` is before 1970, where no step exists.
    #[error("time {now} is before the Unix epoch")]
    BeforeEpoch {
        /// The time given.
        now: Timestamp,
    },
    /// A stored secret is not 32 base32 characters.
    #[error("a TOTP secret is {SECRET_LEN} bytes in base32 (32 characters)")]
    BadSecret,
    /// The otpauth URL does not fit in a QR code (an absurdly long account name).
    #[error("otpauth URL of {len} bytes does not fit in a QR code")]
    TooLongForQr {
        /// Length of the URL.
        len: usize,
    },
}

impl TotpError {
    /// The message shown to the user, in French.
    pub fn message_fr(&self) -> String {
        match self {
            TotpError::Malformed => "Le code doit comporter 6 chiffres.".to_owned(),
            TotpError::Wrong => "Ce code n'est pas valide. Vérifiez l'heure de votre \
                                 téléphone et saisissez le code affiché."
                .to_owned(),
            TotpError::Replayed => "Ce code a déjà été utilisé. Attendez le suivant.".to_owned(),
            TotpError::BeforeEpoch { .. }
            | TotpError::BadSecret
            | TotpError::TooLongForQr { .. } => {
                "Une erreur interne empêche la vérification du code.".to_owned()
            }
        }
    }
}

impl TotpSecret {
    /// A new random secret, for an enrolment.
    pub fn generate() -> Result<TotpSecret, AuthError> {
        let mut bytes = [0u8; SECRET_LEN];
        random_bytes(&mut bytes)?;
        let secret = TotpSecret(SecretBox::new(Box::new(bytes)));
        zeroize(&mut bytes);
        Ok(secret)
    }

    /// Reads a stored secret in base32 (RFC 4648, upper or lower case, no padding).
    pub fn from_base32(s: &str) -> Result<TotpSecret, TotpError> {
        let upper = SecretString::from(s.trim().to_ascii_uppercase());
        let decoded = data_encoding::BASE32_NOPAD
            .decode(upper.expose_secret().as_bytes())
            .map_err(|_| TotpError::BadSecret)?;
        let mut bytes: [u8; SECRET_LEN] = decoded.try_into().map_err(|mut wrong: Vec<u8>| {
            zeroize(&mut wrong);
            TotpError::BadSecret
        })?;
        let secret = TotpSecret(SecretBox::new(Box::new(bytes)));
        zeroize(&mut bytes);
        Ok(secret)
    }

    /// The secret in base32 (32 uppercase characters), to store or to type by hand.
    pub fn to_base32(&self) -> SecretString {
        SecretString::from(data_encoding::BASE32_NOPAD.encode(self.0.expose_secret()))
    }

    /// The `otpauth://` URL an authenticator scans: issuer, account, secret, SHA1, 6, 30.
    ///
    /// `issuer` is what the application shows as the service ("Vigie"), `account` the user's
    /// login. The URL contains the secret: serve it only on the enrolment page, uncached.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
             &algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            account = percent_encode(account),
            secret = self.to_base32().expose_secret(),
        )
    }

    /// The otpauth URL as an SVG QR code, for the enrolment page.
    ///
    /// The SVG carries the secret: serve it inline with `Cache-Control: no-store`.
    pub fn qr_svg(&self, issuer: &str, account: &str) -> Result<String, TotpError> {
        let url = SecretString::from(self.otpauth_url(issuer, account));
        let len = url.expose_secret().len();
        let code = QrCode::new(url.expose_secret().as_bytes())
            .map_err(|_| TotpError::TooLongForQr { len })?;
        Ok(code
            .render::<svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build())
    }

    /// The 6-digit code an authenticator shows at `now` (for tests and tooling).
    pub fn code(&self, now: Timestamp) -> Result<String, TotpError> {
        let step = step_at(now)?;
        Ok(format!(
            "{:0width$}",
            self.code_at(step, DIGITS),
            width = DIGITS as usize
        ))
    }

    /// The code of `step`, with `digits` digits (RFC 4226 dynamic truncation).
    fn code_at(&self, step: u64, digits: u32) -> u32 {
        hotp_sha1(self.0.expose_secret(), step, digits)
    }
}

impl fmt::Debug for TotpSecret {
    /// Never shows the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([REDACTED])")
    }
}

/// Overwrites a temporary copy of secret bytes.
fn zeroize(bytes: &mut [u8]) {
    secrecy::zeroize::Zeroize::zeroize(bytes);
}

/// The step containing `now`: seconds since the epoch divided by 30.
pub fn step_at(now: Timestamp) -> Result<u64, TotpError> {
    u64::try_from(now.as_second().div_euclid(STEP_SECS)).map_err(|_| TotpError::BeforeEpoch { now })
}

/// Checks `code` at `now`, refusing any step up to `last_step`; returns the step to store.
///
/// `code` is 6 ASCII digits; spaces are ignored, as applications display `123 456`. The
/// current step and one step on each side are tried. A code that matches only steps at or
/// before `last_step` is [`TotpError::Replayed`]. Each comparison is constant-time.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: Timestamp,
    last_step: Option<u64>,
) -> Result<u64, TotpError> {
    let given = parse_code(code)?;
    let current = step_at(now)?;
    let first = current.saturating_sub(WINDOW);
    let last = current.saturating_add(WINDOW);
    let mut replayed = false;
    for step in first..=last {
        let expected = secret.code_at(step, DIGITS);
        if bool::from(expected.ct_eq(&given)) {
            if last_step.is_some_and(|used| step <= used) {
                replayed = true;
            } else {
                return Ok(step);
            }
        }
    }
    Err(if replayed {
        TotpError::Replayed
    } else {
        TotpError::Wrong
    })
}

/// Reads 6 digits, skipping spaces.
fn parse_code(code: &str) -> Result<u32, TotpError> {
    let mut value = 0u32;
    let mut n_digits = 0;
    for c in code.chars().filter(|c| *c != ' ') {
        // `to_digit(10)` accepts ASCII digits only.
        let Some(digit) = c.to_digit(10) else {
            return Err(TotpError::Malformed);
        };
        n_digits += 1;
        if n_digits > DIGITS {
            return Err(TotpError::Malformed);
        }
        value = value * 10 + digit;
    }
    if n_digits == DIGITS {
        Ok(value)
    } else {
        Err(TotpError::Malformed)
    }
}

/// HOTP (RFC 4226) with HMAC-SHA-1: the `digits` low decimal digits of the truncated MAC.
fn hotp_sha1(key: &[u8], counter: u64, digits: u32) -> u32 {
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation: the low nibble of the last byte gives the offset of 4 bytes.
    let offset = usize::from(digest[19] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    word % 10u32.pow(digits)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_code_is_accepted() {
        let secret = TotpSecret::generate().unwrap();
        let now: Timestamp = "2024-11-28T08:00:00Z".parse().unwrap();
        let code = secret.code(now).unwrap();
        assert_eq!(code.len(), 6);
        assert_eq!(verify(&secret, &code, now, None), Ok(step_at(now).unwrap()));
    }

    /// The RFC 6238 appendix B key for SHA-1: "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        let base32 = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        TotpSecret::from_base32(&base32).unwrap()
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    #[test]
    fn rfc6238_appendix_b_sha1() {
        let secret = rfc_secret();
        let vectors: &[(i64, u32)] = &[
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for &(time, expected) in vectors {
            let step = step_at(at(time)).unwrap();
            assert_eq!(secret.code_at(step, 8), expected, "T = {time}");
        }
    }

    #[test]
    fn window_and_replay() {
        let secret = rfc_secret();
        let now = at(1_234_567_890);
        let current = step_at(now).unwrap();
        let code = |step: u64| format!("{:06}", secret.code_at(step, DIGITS));

        // (offset of the code's step from now, last step used relative to now, outcome)
        let cases: &[(i64, Option<i64>, Result<i64, TotpError>)] = &[
            (0, None, Ok(0)),
            (-1, None, Ok(-1)),
            (1, None, Ok(1)),
            (-2, None, Err(TotpError::Wrong)),
            (2, None, Err(TotpError::Wrong)),
            (0, Some(0), Err(TotpError::Replayed)),
            (-1, Some(0), Err(TotpError::Replayed)),
            (0, Some(-1), Ok(0)),
            (1, Some(0), Ok(1)),
            (0, Some(5), Err(TotpError::Replayed)),
        ];
        for &(offset, last, ref expected) in cases {
            let step = current.checked_add_signed(offset).unwrap();
            let last = last.map(|l| current.checked_add_signed(l).unwrap());
            let got = verify(&secret, &code(step), now, last);
            let expected = expected
                .clone()
                .map(|o| current.checked_add_signed(o).unwrap());
            assert_eq!(got, expected, "code of step {offset:+}, last {last:?}");
        }
    }

    #[test]
    fn accepted_step_is_refused_next_time() {
        let secret = TotpSecret::generate().unwrap();
        let now = at(1_700_000_000);
        let code = format!("{:06}", secret.code_at(step_at(now).unwrap(), DIGITS));
        let step = verify(&secret, &code, now, None).unwrap();
        let later = at(1_700_000_010);
        assert_eq!(
            verify(&secret, &code, later, Some(step)),
            Err(TotpError::Replayed)
        );
    }

    #[test]
    fn code_format() {
        let secret = rfc_secret();
        let now = at(59);
        let good = format!("{:06}", secret.code_at(step_at(now).unwrap(), DIGITS));
        let spaced = format!("{} {}", &good[..3], &good[3..]);
        assert_eq!(verify(&secret, &spaced, now, None), Ok(1));
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "١٢٣٤٥٦",
            "123-456",
            "+12345",
        ] {
            assert_eq!(
                verify(&secret, bad, now, None),
                Err(TotpError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn before_epoch() {
        let secret = rfc_secret();
        assert!(matches!(
            verify(&secret, "123456", at(-1), None),
            Err(TotpError::BeforeEpoch { .. })
        ));
    }

    #[test]
    fn secrets() {
        let a = TotpSecret::generate().unwrap();
        let b = TotpSecret::generate().unwrap();
        let a32 = a.to_base32();
        assert_eq!(a32.expose_secret().len(), 32);
        assert_ne!(a32.expose_secret(), b.to_base32().expose_secret());
        let back = TotpSecret::from_base32(&a32.expose_secret().to_lowercase()).unwrap();
        assert_eq!(back.to_base32().expose_secret(), a32.expose_secret());
        assert_eq!(format!("{a:?}"), "TotpSecret([REDACTED])");
        for bad in [
            "",
            "ABC",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE",
        ] {
            assert_eq!(
                TotpSecret::from_base32(bad).unwrap_err(),
                TotpError::BadSecret,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn otpauth_url_and_qr() {
        let secret = rfc_secret();
        assert_eq!(
            secret.otpauth_url("Vigie", "marie.curie+cert@chu-exemple.fr"),
            "otpauth://totp/Vigie:marie.curie%2Bcert%40chu-exemple.fr\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Vigie\
             &algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            secret.otpauth_url("Vigie (recette)", "a"),
            "otpauth://totp/Vigie%20%28recette%29:a\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Vigie%20%28recette%29\
             &algorithm=SHA1&digits=6&period=30"
        );
        let svg = secret
            .qr_svg("Vigie", "marie.curie@chu-exemple.fr")
            .unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(matches!(
            secret.qr_svg("Vigie", &"x".repeat(5000)),
            Err(TotpError::TooLongForQr { .. })
        ));
    }
}
