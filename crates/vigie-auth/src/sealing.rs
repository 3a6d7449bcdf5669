//! Secrets sealed at rest with the server's key: ChaCha20-Poly1305 (RFC 8439) with a
//! random 96-bit nonce per value, and the value's place (`totp:user:42`) as associated
//! data, so that a sealed value copied onto another account's row does not open.
//!
//! A sealed value reads `v1.` followed by the unpadded base64url of nonce ‖ ciphertext ‖
//! tag. The key is 32 random bytes, kept outside the database (a file readable by the
//! service alone, or the environment), written as 64 hexadecimal digits.

use data_encoding::{BASE64URL_NOPAD, HEXLOWER_PERMISSIVE};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use secrecy::SecretString;

use crate::{AuthError, random_bytes};

/// What prefixes a value sealed by this version.
const PREFIX: &str = "v1.";

/// Why a key or a sealed value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key is not 64 hexadecimal digits (32 bytes).
    #[error("the secret key must be 64 hexadecimal digits (32 bytes), got {got} characters")]
    BadKey {
        /// Characters read (surrounding spaces removed).
        got: usize,
    },
    /// The value is not one this version seals (no `v1.` prefix, or not base64url).
    #[error("not a sealed value")]
    NotSealed,
    /// The value does not open with this key and place: another key, another row, or
    /// altered.
    #[error("the sealed value does not open with this key (another key, another row, or altered)")]
    WrongKey,
}

/// The server's key for secrets at rest.
pub struct SealingKey {
    key: LessSafeKey,
    /// A fingerprint that names the key without revealing it (first bytes of its SHA-256).
    fingerprint: String,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl SealingKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> SealingKey {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(bytes);
        // 32 bytes always make a ChaCha20-Poly1305 key.
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes)
            .unwrap_or_else(|_| unreachable!("32 bytes make a ChaCha20-Poly1305 key"));
        SealingKey {
            key: LessSafeKey::new(unbound),
            fingerprint: HEXLOWER_PERMISSIVE.encode(&digest[..6]),
        }
    }

    /// A key from its text form: 64 hexadecimal digits, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<SealingKey, SealError> {
        let text = text.trim();
        let bad = || SealError::BadKey {
            got: text.chars().count(),
        };
        let bytes = HEXLOWER_PERMISSIVE
            .decode(text.as_bytes())
            .map_err(|_| bad())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
        Ok(SealingKey::from_bytes(&bytes))
    }

    /// A new random key, and its text form (to store in a file).
    pub fn generate() -> Result<(SealingKey, SecretString), AuthError> {
        let mut bytes = [0u8; 32];
        random_bytes(&mut bytes)?;
        let text = HEXLOWER_PERMISSIVE.encode(&bytes);
        Ok((SealingKey::from_bytes(&bytes), SecretString::from(text)))
    }

    /// Names the key without revealing it (12 hexadecimal digits).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Seals `secret` for `place` (what it is and whose: `totp:user:42`).
    pub fn seal(&self, secret: &str, place: &str) -> Result<String, AuthError> {
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let mut data = secret.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(place.as_bytes()),
                &mut data,
            )
            .unwrap_or_else(|_| unreachable!("a secret of a few bytes always seals"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{PREFIX}{}", BASE64URL_NOPAD.encode(&out)))
    }

    /// Opens a value sealed for `place`.
    pub fn open(&self, sealed: &str, place: &str) -> Result<SecretString, SealError> {
        let body = sealed.strip_prefix(PREFIX).ok_or(SealError::NotSealed)?;
        let mut data = BASE64URL_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| SealError::NotSealed)?;
        if data.len() < NONCE_LEN {
            return Err(SealError::NotSealed);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&data[..NONCE_LEN]);
        let opened = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(place.as_bytes()),
                &mut data[NONCE_LEN..],
            )
            .map_err(|_| SealError::WrongKey)?;
        let text = String::from_utf8(opened.to_vec()).map_err(|_| SealError::WrongKey)?;
        Ok(SecretString::from(text))
    }

    /// Whether a stored value is sealed (older databases hold secrets in clear).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_and_place_only() {
        let (key, text) = SealingKey::generate().unwrap();
        let sealed = key.seal("JBSWY3DPEHPK3PXP", "totp:user:1").unwrap();
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key.open(&sealed, "totp:user:1").unwrap().expose_secret(),
            "JBSWY3DPEHPK3PXP"
        );
        // The same key read back from its text form opens it too.
        let again = SealingKey::parse(text.expose_secret()).unwrap();
        assert_eq!(again.fingerprint(), key.fingerprint());
        assert_eq!(
            again.open(&sealed, "totp:user:1").unwrap().expose_secret(),
            "JBSWY3DPEHPK3PXP"
        );
        // Another row, another key, an altered value: refused.
        assert_eq!(
            key.open(&sealed, "totp:user:2").unwrap_err(),
            SealError::WrongKey
        );
        let (other, _) = SealingKey::generate().unwrap();
        assert_ne!(other.fingerprint(), key.fingerprint());
        assert_eq!(
            other.open(&sealed, "totp:user:1").unwrap_err(),
            SealError::WrongKey
        );
        // One character of the ciphertext changed (inside the text, so it stays base64url).
        let mut altered = sealed.clone().into_bytes();
        let inside = PREFIX.len() + 20;
        altered[inside] = if altered[inside] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            key.open(std::str::from_utf8(&altered).unwrap(), "totp:user:1")
                .unwrap_err(),
            SealError::WrongKey
        );
        assert_eq!(
            key.open("JBSWY3DPEHPK3PXP", "totp:user:1").unwrap_err(),
            SealError::NotSealed
        );
    }

    #[test]
    fn two_seals_of_one_secret_differ() {
        let (key, _) = SealingKey::generate().unwrap();
        let a = key.seal("JBSWY3DPEHPK3PXP", "totp:user:1").unwrap();
        let b = key.seal("JBSWY3DPEHPK3PXP", "totp:user:1").unwrap();
        assert_ne!(a, b, "a fresh nonce each time");
    }

    #[test]
    fn keys_are_64_hexadecimal_digits() {
        assert_eq!(
            SealingKey::parse("abc").unwrap_err(),
            SealError::BadKey { got: 3 }
        );
        assert_eq!(
            SealingKey::parse(&"zz".repeat(32)).unwrap_err(),
            SealError::BadKey { got: 64 }
        );
        assert!(SealingKey::parse(&format!("  {}\n", "0a".repeat(32))).is_ok());
    }
}
