//! Secret tokens: session ids, CSRF tokens, API tokens, invitation links.
//!
//! A token is 256 random bits in base64url without padding, after a prefix naming its kind
//! (`vgs_…` for a session, `vga_…` for an API token): a token pasted in the wrong place is
//! refused before any lookup, and a leaked one is recognisable by secret scanners.
//!
//! The server stores only the [`TokenHash`] (SHA-256) of session, API and invitation
//! tokens: a copy of the database opens no session. Looking a hash up through a database
//! index is not constant-time, which is harmless: timing can reveal at most a prefix of a
//! hash, and a hash does not give back its token. Where a secret itself is compared (a CSRF
//! token against the one kept in the session), [`SecretToken::matches`] is constant-time.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AuthError, random_bytes};

/// Random bytes of a token: 256 bits.
pub const TOKEN_BYTES: usize = 32;
/// Length of the base64url part: 43 characters for 32 bytes.
const ENCODED_LEN: usize = 43;

/// What a token is for; each kind has its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A server-side session id, in the session cookie (`vgs_`).
    Session,
    /// A structure's API token (`vga_`).
    Api,
    /// A CSRF token, in forms (`vgc_`).
    Csrf,
    /// An invitation or password-reset link (`vgi_`).
    Invitation,
}

impl TokenKind {
    /// Every kind.
    pub const ALL: [TokenKind; 4] = [
        TokenKind::Session,
        TokenKind::Api,
        TokenKind::Csrf,
        TokenKind::Invitation,
    ];

    /// The prefix of tokens of this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            TokenKind::Session => "vgs_",
            TokenKind::Api => "vga_",
            TokenKind::Csrf => "vgc_",
            TokenKind::Invitation => "vgi_",
        }
    }
}

/// A token as given to its holder; zeroed on drop, redacted in `Debug`.
pub struct SecretToken {
    /// The kind, from the prefix.
    kind: TokenKind,
    /// The whole token, prefix included.
    value: SecretString,
}

/// A string received where a token of some kind was expected, and that cannot be one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {expected:?} token: {reason}")]
pub struct InvalidToken {
    /// The kind expected.
    pub expected: TokenKind,
    /// What is wrong (never the token itself).
    pub reason: &'static str,
}

impl SecretToken {
    /// A new random token of `kind`.
    pub fn generate(kind: TokenKind) -> Result<SecretToken, AuthError> {
        let mut random = [0u8; TOKEN_BYTES];
        random_bytes(&mut random)?;
        let mut value = String::with_capacity(kind.prefix().len() + ENCODED_LEN);
        value.push_str(kind.prefix());
        data_encoding::BASE64URL_NOPAD.encode_append(&random, &mut value);
        secrecy::zeroize::Zeroize::zeroize(&mut random);
        Ok(SecretToken {
            kind,
            value: SecretString::from(value),
        })
    }

    /// Reads a token received from a client, checking its kind and shape (not its validity:
    /// look its [`hash`](SecretToken::hash) up for that).
    pub fn parse(expected: TokenKind, s: &str) -> Result<SecretToken, InvalidToken> {
        let invalid = |reason| InvalidToken { expected, reason };
        let body = s
            .strip_prefix(expected.prefix())
            .ok_or(invalid("wrong prefix"))?;
        if body.len() != ENCODED_LEN {
            return Err(invalid("wrong length"));
        }
        if !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid("not base64url"));
        }
        Ok(SecretToken {
            kind: expected,
            value: SecretString::from(s),
        })
    }

    /// The kind of this token.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The token itself, to hand to its holder (cookie, form field, e-mail, API response).
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }

    /// The hash to store or to look up.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(self.expose())
    }

    /// Whether `candidate` is this token, compared in constant time (for CSRF tokens).
    pub fn matches(&self, candidate: &str) -> bool {
        // Lengths are public (every token of a kind has the same), contents are not.
        bool::from(self.expose().as_bytes().ct_eq(candidate.as_bytes()))
    }
}

impl fmt::Debug for SecretToken {
    /// Shows the prefix only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretToken({}[REDACTED])", self.kind.prefix())
    }
}

/// SHA-256 of a token, the form in which the server stores it; equality is constant-time.
#[derive(Clone, Copy)]
pub struct TokenHash([u8; 32]);

/// A stored string that is not a token hash (64 hexadecimal characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a token hash is 64 hexadecimal characters, got {got:?}")]
pub struct InvalidTokenHash {
    /// The string read.
    pub got: String,
}

impl TokenHash {
    /// The hash of `token` (the whole token, prefix included).
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }

    /// Reads a stored hash.
    pub fn from_hex(s: &str) -> Result<TokenHash, InvalidTokenHash> {
        let invalid = || InvalidTokenHash { got: s.to_owned() };
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(s.as_bytes())
            .map_err(|_| invalid())?;
        Ok(TokenHash(bytes.try_into().map_err(|_| invalid())?))
    }

    /// The hash as 64 lowercase hexadecimal characters, to store.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// The 32 bytes, for a binary column.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl PartialEq for TokenHash {
    /// Constant-time.
    fn eq(&self, other: &TokenHash) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl Eq for TokenHash {}

impl std::hash::Hash for TokenHash {
    /// Hashes the bytes, as equality compares them.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Display for TokenHash {
    /// The hexadecimal form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for TokenHash {
    /// The first 8 hexadecimal characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn shape_of_each_kind() {
        for kind in TokenKind::ALL {
            let token = SecretToken::generate(kind).unwrap();
            let s = token.expose();
            assert!(s.starts_with(kind.prefix()), "{s}");
            assert_eq!(s.len(), 4 + 43, "{s}");
            assert!(!s.contains('='), "{s}");
            assert_eq!(token.kind(), kind);
            assert_eq!(
                format!("{token:?}"),
                format!("SecretToken({}[REDACTED])", kind.prefix())
            );
            let back = SecretToken::parse(kind, s).unwrap();
            assert_eq!(back.hash(), token.hash());
        }
    }

    #[test]
    fn unique() {
        let n = 1000;
        let tokens: HashSet<String> = (0..n)
            .map(|_| {
                SecretToken::generate(TokenKind::Session)
                    .unwrap()
                    .expose()
                    .to_owned()
            })
            .collect();
        assert_eq!(tokens.len(), n);
    }

    #[test]
    fn parse_refuses() {
        let api = SecretToken::generate(TokenKind::Api).unwrap();
        let s = api.expose();
        let cases: &[(TokenKind, String, &str)] = &[
            (TokenKind::Session, s.to_owned(), "wrong prefix"),
            (TokenKind::Api, s[..s.len() - 1].to_owned(), "wrong length"),
            (TokenKind::Api, format!("{s}A"), "wrong length"),
            (
                TokenKind::Api,
                format!("{}+", &s[..s.len() - 1]),
                "not base64url",
            ),
            (TokenKind::Api, String::new(), "wrong prefix"),
        ];
        for (kind, input, reason) in cases {
            let err = SecretToken::parse(*kind, input).unwrap_err();
            assert_eq!(err.reason, *reason, "{input:?}");
        }
    }

    #[test]
    fn hashing() {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            TokenHash::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = SecretToken::generate(TokenKind::Invitation).unwrap();
        let hash = token.hash();
        assert_eq!(hash, TokenHash::of(token.expose()));
        assert_eq!(TokenHash::from_hex(&hash.to_hex()).unwrap(), hash);
        assert_eq!(hash.to_string(), hash.to_hex());
        assert_ne!(hash, TokenHash::of("vgi_other"));
        assert!(TokenHash::from_hex("abc").is_err());
        assert!(TokenHash::from_hex(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn csrf_match() {
        let csrf = SecretToken::generate(TokenKind::Csrf).unwrap();
        let same = csrf.expose().to_owned();
        let mut other = same.clone();
        other.pop();
        other.push(if same.ends_with('A') { 'B' } else { 'A' });
        assert!(csrf.matches(&same));
        assert!(!csrf.matches(&other));
        assert!(!csrf.matches(""));
        assert!(!csrf.matches(&same[..same.len() - 1]));
    }
}
