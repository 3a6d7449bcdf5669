//! Recovery codes: ten single-use codes that replace a TOTP code when the phone is lost.
//!
//! A code is 16 characters of Crockford's base32 in lowercase, shown in groups of four
//! (`7kq2-m9xh-3tvd-p0ra`): 16 × 5 = 80 bits of entropy. The alphabet has no `i`, `l`, `o`
//! nor `u`, and [`find`](RecoveryCodes::find) reads `i` and `l` as `1`, `o` as `0`,
//! ignores case, dashes and spaces, so a code copied by hand still matches.
//!
//! Codes are shown once and stored as [`RecoveryHash`]es. The caller deletes (or marks) the
//! hash that [`RecoveryCodes::find`] returns, which makes each code single-use.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AuthError, random_bytes};

/// Crockford's base32 alphabet, lowercase: digits and letters but `i`, `l`, `o`, `u`.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Number of codes in a set.
pub const N_CODES: usize = 10;
/// Characters of a code, dashes excluded.
pub const CODE_CHARS: usize = 16;
/// Characters per dash-separated group.
const GROUP: usize = 4;
/// Prefix hashed with each code, so a recovery hash never equals another SHA-256 of ours.
const DOMAIN: &[u8] = b"vigie-recovery-v1:";

/// Generation and lookup of recovery codes.
pub struct RecoveryCodes;

/// The stored form of one recovery code: SHA-256 of the normalised code.
///
/// A fast, unsalted hash is enough here, unlike for passwords. Slow, salted hashes exist
/// because human passwords are guessable: a few billion guesses cover most of them. A
/// recovery code is 80 random bits: even at 10¹¹ SHA-256 a second, finding one code from a
/// stolen hash takes on average 2⁷⁹ / 10¹¹ s, some 190 million years; precomputed tables
/// cannot cover 2⁸⁰ values either. A fast hash also lets the login look a code up among
/// ten without spending ten Argon2 computations. Equality is constant-time.
#[derive(Clone)]
pub struct RecoveryHash([u8; 32]);

impl PartialEq for RecoveryHash {
    /// Constant-time.
    fn eq(&self, other: &RecoveryHash) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl Eq for RecoveryHash {}

/// A stored string that is not a recovery hash (64 lowercase hexadecimal characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a recovery hash is 64 hexadecimal characters, got {got:?}")]
pub struct InvalidRecoveryHash {
    /// The string read.
    pub got: String,
}

impl RecoveryCodes {
    /// Ten new codes: the codes to show once (`xxxx-xxxx-xxxx-xxxx`) and their hashes to store.
    pub fn generate() -> Result<(Vec<String>, Vec<RecoveryHash>), AuthError> {
        let mut codes = Vec::with_capacity(N_CODES);
        let mut hashes = Vec::with_capacity(N_CODES);
        for _ in 0..N_CODES {
            let mut random = [0u8; CODE_CHARS];
            random_bytes(&mut random)?;
            // 256 is a multiple of 32: the low 5 bits of a random byte are uniform.
            let chars: Vec<u8> = random
                .iter()
                .map(|b| ALPHABET[usize::from(b & 0x1f)])
                .collect();
            hashes.push(RecoveryHash::of_normalised(&chars));
            let groups: Vec<&str> = chars
                .chunks(GROUP)
                .map(|g| std::str::from_utf8(g).unwrap_or_default())
                .collect();
            codes.push(groups.join("-"));
        }
        Ok((codes, hashes))
    }

    /// The index in `hashes` of the hash of `code`, if any; the caller then removes it.
    ///
    /// Every hash is compared, in constant time each.
    pub fn find(code: &str, hashes: &[RecoveryHash]) -> Option<usize> {
        let normalised = normalise(code)?;
        let candidate = RecoveryHash::of_normalised(&normalised);
        let mut found = None;
        for (idx, hash) in hashes.iter().enumerate() {
            if *hash == candidate && found.is_none() {
                found = Some(idx);
            }
        }
        found
    }
}

/// The 16 alphabet characters of a typed code, or `None` if it cannot be one.
fn normalise(code: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(CODE_CHARS);
    for c in code.chars() {
        let c = match c.to_ascii_lowercase() {
            '-' | ' ' | '\t' => continue,
            'i' | 'l' => '1',
            'o' => '0',
            c => c,
        };
        let byte = u8::try_from(c).ok()?;
        if !ALPHABET.contains(&byte) || out.len() == CODE_CHARS {
            return None;
        }
        out.push(byte);
    }
    (out.len() == CODE_CHARS).then_some(out)
}

impl RecoveryHash {
    /// The hash of a normalised code.
    fn of_normalised(code: &[u8]) -> RecoveryHash {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update(code);
        RecoveryHash(hasher.finalize().into())
    }

    /// Reads a stored hash.
    pub fn parse(s: &str) -> Result<RecoveryHash, InvalidRecoveryHash> {
        let invalid = || InvalidRecoveryHash { got: s.to_owned() };
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(s.as_bytes())
            .map_err(|_| invalid())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| invalid())?;
        Ok(RecoveryHash(bytes))
    }

    /// The hash as 64 lowercase hexadecimal characters, to store.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }
}

impl fmt::Debug for RecoveryHash {
    /// Shows the first 8 hexadecimal characters, enough to tell hashes apart in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoveryHash({}…)", &self.to_hex()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes() {
        let (codes, hashes) = RecoveryCodes::generate().unwrap();
        assert_eq!(codes.len(), N_CODES);
        assert_eq!(hashes.len(), N_CODES);
        for (idx, code) in codes.iter().enumerate() {
            assert_eq!(code.len(), 19, "{code}");
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 4, "{code}");
            assert!(groups.iter().all(|g| g.len() == 4), "{code}");
            assert!(
                code.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)),
                "{code}"
            );
            assert_eq!(RecoveryCodes::find(code, &hashes), Some(idx), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), N_CODES);
    }

    #[test]
    fn single_use() {
        let (codes, mut hashes) = RecoveryCodes::generate().unwrap();
        let idx = RecoveryCodes::find(&codes[3], &hashes).unwrap();
        hashes.remove(idx);
        assert_eq!(RecoveryCodes::find(&codes[3], &hashes), None);
        assert_eq!(RecoveryCodes::find(&codes[4], &hashes), Some(3));
    }

    #[test]
    fn normalisation() {
        let stored = [RecoveryHash::of_normalised(b"7kq2m9xh3tvdp0r1")];
        let cases: &[(&str, Option<usize>)] = &[
            ("7kq2-m9xh-3tvd-p0r1", Some(0)),
            ("7KQ2-M9XH-3TVD-P0R1", Some(0)),
            ("7kq2 m9xh 3tvd p0r1", Some(0)),
            ("  7kq2m9xh3tvdp0r1\t", Some(0)),
            ("7kq2-m9xh-3tvd-pOrl", Some(0)),
            ("7kq2-m9xh-3tvd-pori", Some(0)),
            ("7kq2-m9xh-3tvd-p0r2", None),
            ("7kq2-m9xh-3tvd-p0r", None),
            ("7kq2-m9xh-3tvd-p0r11", None),
            ("7kq2-m9xh-3tvd-p0ru", None),
            ("7kq2-m9xh-3tvd-p0r!", None),
            ("7kq2-m9xh-3tvd-p0ré", None),
            ("", None),
        ];
        for &(typed, expected) in cases {
            assert_eq!(RecoveryCodes::find(typed, &stored), expected, "{typed:?}");
        }
    }

    #[test]
    fn hash_storage() {
        let hash = RecoveryHash::of_normalised(b"7kq2m9xh3tvdp0r1");
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(RecoveryHash::parse(&hex).unwrap(), hash);
        assert_eq!(RecoveryHash::parse(&hex.to_uppercase()).unwrap(), hash);
        assert!(RecoveryHash::parse(&hex[..62]).is_err());
        assert!(RecoveryHash::parse("not hex").is_err());
        assert_eq!(format!("{hash:?}"), format!("RecoveryHash({}…)", &hex[..8]));
    }
}
