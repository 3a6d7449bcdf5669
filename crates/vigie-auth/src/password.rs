//! Passwords: the policy a new password must meet, and its Argon2id hash.
//!
//! The policy follows ANSSI's recommendations on authentication: at least 12 characters
//! drawn from the four classes (lowercase, uppercase, digit, special) for every account,
//! 16 for privileged accounts (CERT staff, administrators), which also have a second factor.
//! A password may not contain the local part of the account's e-mail address.
//!
//! Characters are Unicode scalar values counted as typed: `é` is one lowercase character.
//! Passwords are hashed as their UTF-8 bytes without normalisation, so a password typed in
//! decomposed form (`e` + combining accent) is a different password; browsers and keyboards
//! of our users produce the composed form.

use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::phc;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::{AuthError, random_bytes};

/// Which minimum length applies to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordPolicy {
    /// A declarant of a health structure: at least 12 characters.
    User,
    /// CERT staff and administrators: at least 16 characters.
    Privileged,
}

impl PasswordPolicy {
    /// The minimum number of characters under this policy.
    pub const fn min_chars(self) -> usize {
        match self {
            PasswordPolicy::User => 12,
            PasswordPolicy::Privileged => 16,
        }
    }
}

/// The longest password accepted, in characters: long passphrases fit, megabyte bodies do not.
pub const MAX_CHARS: usize = 256;

/// Shortest piece of the e-mail local part that a password may not contain.
///
/// Shorter pieces (`a`, `jd`) would forbid too many honest passwords.
const MIN_EMAIL_PIECE: usize = 4;

/// One of the four classes of characters a password must mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CharClass {
    /// A lowercase letter, accented or not (`a`, `é`).
    Lowercase,
    /// An uppercase letter, accented or not (`A`, `É`).
    Uppercase,
    /// A digit (`0`–`9` and other Unicode numerals).
    Digit,
    /// Anything else: punctuation, symbols, spaces, letters without case.
    Special,
}

impl CharClass {
    /// The four classes, in the order messages list them.
    pub const ALL: [CharClass; 4] = [
        CharClass::Lowercase,
        CharClass::Uppercase,
        CharClass::Digit,
        CharClass::Special,
    ];

    /// The class of one character.
    pub fn of(c: char) -> CharClass {
        if c.is_lowercase() {
            CharClass::Lowercase
        } else if c.is_uppercase() {
            CharClass::Uppercase
        } else if c.is_numeric() {
            CharClass::Digit
        } else {
            CharClass::Special
        }
    }

    /// The English name, for logs and errors.
    pub const fn name(self) -> &'static str {
        match self {
            CharClass::Lowercase => "lowercase letter",
            CharClass::Uppercase => "uppercase letter",
            CharClass::Digit => "digit",
            CharClass::Special => "special character",
        }
    }

    /// The French name with its article, as messages use it (« une majuscule »).
    pub const fn label_fr(self) -> &'static str {
        match self {
            CharClass::Lowercase => "une minuscule",
            CharClass::Uppercase => "une majuscule",
            CharClass::Digit => "un chiffre",
            CharClass::Special => "un caractère spécial",
        }
    }
}

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    /// Fewer characters than the policy requires.
    #[error("password has {got} characters, at least {min} are required")]
    TooShort {
        /// The policy's minimum.
        min: usize,
        /// The password's length in characters.
        got: usize,
    },
    /// More than [`MAX_CHARS`] characters.
    #[error("password has {got} characters, at most {max} are accepted")]
    TooLong {
        /// The maximum, [`MAX_CHARS`].
        max: usize,
        /// The password's length in characters.
        got: usize,
    },
    /// Some of the four classes are absent.
    #[error("password lacks {}", list_en(missing))]
    MissingClasses {
        /// The absent classes, in the order of [`CharClass::ALL`].
        missing: Vec<CharClass>,
    },
    /// The password contains the e-mail's local part or a piece of it.
    #[error("password contains the e-mail address or a part of it")]
    ContainsEmail,
}

impl PasswordRejected {
    /// The message shown to the user, in French.
    pub fn message_fr(&self) -> String {
        match self {
            PasswordRejected::TooShort { min, .. } => {
                format!("Le mot de passe doit comporter au moins {min} caractères.")
            }
            PasswordRejected::TooLong { max, .. } => {
                format!("Le mot de passe ne doit pas dépasser {max} caractères.")
            }
            PasswordRejected::MissingClasses { missing } => {
                let labels: Vec<&str> = missing.iter().map(|c| c.label_fr()).collect();
                format!("Le mot de passe doit aussi comporter {}.", join_fr(&labels))
            }
            PasswordRejected::ContainsEmail => "Le mot de passe ne doit pas contenir votre \
                 adresse électronique ni une partie de celle-ci."
                .to_owned(),
        }
    }
}

/// Joins `["a", "b", "c"]` as `a, b et c`.
fn join_fr(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} et {last}", init.join(", ")),
    }
}

/// Joins class names as `a, b and c`.
fn list_en(classes: &[CharClass]) -> String {
    let names: Vec<&str> = classes.iter().map(|c| c.name()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Checks a new password against `policy`; returns the first problem found.
///
/// `email` is the account's address, when known: the password may not contain its local
/// part, nor any piece of it of 4 characters or more (`jean.dupont@…` forbids `dupont`),
/// whatever the case.
pub fn check(
    password: &SecretString,
    policy: PasswordPolicy,
    email: Option<&str>,
) -> Result<(), PasswordRejected> {
    match check_all(password, policy, email).into_iter().next() {
        Some(rejected) => Err(rejected),
        None => Ok(()),
    }
}

/// Checks a new password against `policy`; returns every problem, so a form can list them all.
pub fn check_all(
    password: &SecretString,
    policy: PasswordPolicy,
    email: Option<&str>,
) -> Vec<PasswordRejected> {
    let password = password.expose_secret();
    let mut problems = Vec::new();

    let got = password.chars().count();
    let min = policy.min_chars();
    if got < min {
        problems.push(PasswordRejected::TooShort { min, got });
    }
    if got > MAX_CHARS {
        problems.push(PasswordRejected::TooLong {
            max: MAX_CHARS,
            got,
        });
    }

    let mut present = [false; 4];
    for c in password.chars() {
        // Discriminants follow `CharClass::ALL`: 0 to 3.
        present[CharClass::of(c) as usize] = true;
    }
    let missing: Vec<CharClass> = CharClass::ALL
        .into_iter()
        .zip(present)
        .filter(|&(_, seen)| !seen)
        .map(|(class, _)| class)
        .collect();
    if !missing.is_empty() {
        problems.push(PasswordRejected::MissingClasses { missing });
    }

    if let Some(email) = email
        && contains_email_part(password, email)
    {
        problems.push(PasswordRejected::ContainsEmail);
    }
    problems
}

/// Whether `password` contains the local part of `email` or a piece of it, ignoring case.
fn contains_email_part(password: &str, email: &str) -> bool {
    let local = email.rsplit_once('@').map_or(email, |(local, _)| local);
    let local = local.trim().to_lowercase();
    let password = password.to_lowercase();
    let long_enough = |piece: &&str| piece.chars().count() >= MIN_EMAIL_PIECE;
    std::iter::once(local.as_str())
        .chain(local.split(['.', '-', '_', '+']))
        .filter(long_enough)
        .any(|piece| password.contains(piece))
}

/// Argon2 memory cost in KiB (see [`PasswordHash`] for the choice).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Argon2 number of passes.
pub const T_COST: u32 = 2;
/// Argon2 degree of parallelism.
pub const P_COST: u32 = 1;

/// The parameters of every new hash.
const PARAMS: Params = match Params::new(M_COST_KIB, T_COST, P_COST, None) {
    Ok(params) => params,
    Err(_) => panic!("invalid Argon2 parameters"),
};

/// The hasher: Argon2id, version 0x13, [`PARAMS`].
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// An Argon2id hash in the PHC string format, as stored with the account.
///
/// Parameters of new hashes: Argon2id, m = 19 MiB, t = 2, p = 1, 16-byte random salt,
/// 32-byte output (`$argon2id$v=19$m=19456,t=2,p=1$…`): OWASP's minimum configuration for
/// Argon2id. Measured in a release build on the 2-core development machine, shared with
/// other builds: a verification takes 32 ms at best, 43 ms median. The next candidates
/// all exceed the 50 ms budget of a login (m = 32 MiB, t = 2: 90 ms; m = 46 MiB, t = 1:
/// 113 ms; m = 64 MiB, t = 2: 199 ms), so Vigie stays at OWASP's minimum. On a production
/// server, `cargo run -p vigie-auth --release --example argon2_cost` measures again.
///
/// A verification uses the parameters written in the stored hash, so raising them later
/// leaves existing hashes valid: after a successful login, [`PasswordHash::needs_rehash`]
/// tells the caller to store a fresh hash of the password just verified.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

/// A stored string that is not an Argon2id hash in the PHC format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPasswordHash {
    /// Not a PHC string at all.
    #[error("not a PHC string: {reason}")]
    NotPhc {
        /// What the PHC parser found wrong.
        reason: String,
    },
    /// A PHC string of another algorithm.
    #[error("hash uses {algorithm}, expected argon2id")]
    NotArgon2id {
        /// The algorithm named in the string.
        algorithm: String,
    },
    /// A PHC string without salt or output.
    #[error("hash has no salt or no output")]
    Incomplete,
}

impl PasswordHash {
    /// Hashes `password` with a fresh random salt and the current parameters.
    pub fn hash(password: &SecretString) -> Result<PasswordHash, AuthError> {
        let mut salt = [0u8; 16];
        random_bytes(&mut salt)?;
        let phc = argon2()
            .hash_password_with_salt(password.expose_secret().as_bytes(), &salt)
            .map_err(AuthError::Hashing)?;
        Ok(PasswordHash(phc.to_string()))
    }

    /// Reads a stored hash, refusing anything but a complete Argon2id PHC string.
    pub fn parse(s: &str) -> Result<PasswordHash, InvalidPasswordHash> {
        let phc = phc::PasswordHash::new(s).map_err(|e| InvalidPasswordHash::NotPhc {
            reason: e.to_string(),
        })?;
        if phc.algorithm != argon2::ARGON2ID_IDENT {
            return Err(InvalidPasswordHash::NotArgon2id {
                algorithm: phc.algorithm.to_string(),
            });
        }
        if phc.salt.is_none() || phc.hash.is_none() {
            return Err(InvalidPasswordHash::Incomplete);
        }
        Ok(PasswordHash(s.to_owned()))
    }

    /// Whether `password` is the one hashed; the comparison of outputs is constant-time.
    pub fn verify(&self, password: &SecretString) -> bool {
        let Ok(phc) = phc::PasswordHash::new(&self.0) else {
            return false;
        };
        argon2()
            .verify_password(password.expose_secret().as_bytes(), &phc)
            .is_ok()
    }

    /// Whether this hash was made with other parameters than new hashes use.
    pub fn needs_rehash(&self) -> bool {
        let Ok(phc) = phc::PasswordHash::new(&self.0) else {
            return true;
        };
        let Ok(params) = Params::try_from(&phc) else {
            return true;
        };
        phc.algorithm != argon2::ARGON2ID_IDENT
            || phc.version != Some(Version::V0x13.into())
            || params.m_cost() != M_COST_KIB
            || params.t_cost() != T_COST
            || params.p_cost() != P_COST
    }

    /// The PHC string, to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    /// Shows the algorithm and parameters, never the salt nor the output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<&str> = self.0.split('$').take(4).collect();
        write!(f, "PasswordHash({}$…)", shown.join("$"))
    }
}

/// A hash with the current parameters of a password nobody types, made once per process.
///
/// The salt is fixed: this hash guards nothing, it only costs time to verify against.
static DUMMY: LazyLock<Option<PasswordHash>> = LazyLock::new(|| {
    let phc = argon2()
        .hash_password_with_salt(b"vigie: no such account", b"vigie-dummy-salt")
        .ok()?;
    Some(PasswordHash(phc.to_string()))
});

/// Spends the time of a verification, for a login whose account does not exist.
///
/// Without it, "unknown account" answers in microseconds and "wrong password" in tens of
/// milliseconds, which tells an attacker which e-mail addresses have accounts. Always
/// returns `false`. The dummy hash is made at the first call: call [`warm_up`] at start-up
/// so that this first call is not twice as slow.
pub fn dummy_verify(password: &SecretString) -> bool {
    if let Some(dummy) = DUMMY.as_ref() {
        let _ = dummy.verify(password);
    }
    false
}

/// Makes the dummy hash of [`dummy_verify`] now, at start-up, rather than at the first
/// login for an unknown account.
pub fn warm_up() {
    LazyLock::force(&DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    /// Checks `password` and renders the outcome as one line.
    fn outcome(password: &str, policy: PasswordPolicy, email: Option<&str>) -> String {
        match check(&secret(password), policy, email) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn policy_edges() {
        use PasswordPolicy::{Privileged, User};
        let cases: &[(&str, PasswordPolicy, &str)] = &[
            (
                "Abcdefgh1!x",
                User,
                "password has 11 characters, at least 12 are required",
            ),
            ("Abcdefgh1!xy", User, "ok"),
            (
                "Abcdefgh1!xyzzz",
                Privileged,
                "password has 15 characters, at least 16 are required",
            ),
            ("Abcdefgh1!xyzzzz", Privileged, "ok"),
            ("abcdefgh1!xy", User, "password lacks uppercase letter"),
            ("ABCDEFGH1!XY", User, "password lacks lowercase letter"),
            ("Abcdefghij!x", User, "password lacks digit"),
            ("Abcdefgh12xy", User, "password lacks special character"),
            ("Abcdefgh 1xy", User, "ok"),
            (
                "abcdefghijkl",
                User,
                "password lacks uppercase letter, digit and special character",
            ),
            (
                "",
                User,
                "password has 0 characters, at least 12 are required",
            ),
            // Unicode: accented letters have a case, each counts as one character.
            ("Éléphant-rosé7", User, "ok"),
            ("éléphantrosé7!", User, "password lacks uppercase letter"),
            (
                "Ééééééééé1!",
                User,
                "password has 11 characters, at least 12 are required",
            ),
            // A letter without case and an emoji count as special characters.
            ("Motdepasse1漢", User, "ok"),
            ("Motdepasse1🔒", User, "ok"),
        ];
        for &(password, policy, expected) in cases {
            assert_eq!(
                outcome(password, policy, None),
                expected,
                "{password:?} {policy:?}"
            );
        }
    }

    #[test]
    fn too_long() {
        let long = format!("Aa1!{}", "x".repeat(MAX_CHARS));
        assert_eq!(
            outcome(&long, PasswordPolicy::User, None),
            "password has 260 characters, at most 256 are accepted"
        );
    }

    #[test]
    fn email_local_part() {
        let email = Some("Jean.Dupont@chu-exemple.fr");
        let cases: &[(&str, Option<&str>, &str)] = &[
            (
                "Jean.Dupont-2024",
                email,
                "password contains the e-mail address or a part of it",
            ),
            (
                "xxDUPONTxx42!!",
                email,
                "password contains the e-mail address or a part of it",
            ),
            (
                "Jeanne!Durand42",
                email,
                "password contains the e-mail address or a part of it",
            ),
            ("Chat-Noir-Perche9", email, "ok"),
            // Pieces under 4 characters do not count: "jd" is everywhere.
            ("Ajd-Perchoir-42", Some("jd@x.fr"), "ok"),
            ("Ajd-Perchoir-42", None, "ok"),
        ];
        for &(password, email, expected) in cases {
            assert_eq!(
                outcome(password, PasswordPolicy::User, email),
                expected,
                "{password:?}"
            );
        }
    }

    #[test]
    fn all_problems_and_french_messages() {
        let problems = check_all(&secret("dupont"), PasswordPolicy::User, Some("dupont@x.fr"));
        let messages: Vec<String> = problems.iter().map(PasswordRejected::message_fr).collect();
        assert_eq!(
            messages,
            [
                "Le mot de passe doit comporter au moins 12 caractères.",
                "Le mot de passe doit aussi comporter une majuscule, un chiffre et un caractère spécial.",
                "Le mot de passe ne doit pas contenir votre adresse électronique ni une partie de celle-ci.",
            ]
        );
        let missing_one = PasswordRejected::MissingClasses {
            missing: vec![CharClass::Digit],
        };
        assert_eq!(
            missing_one.message_fr(),
            "Le mot de passe doit aussi comporter un chiffre."
        );
        let privileged = PasswordRejected::TooShort { min: 16, got: 3 };
        assert_eq!(
            privileged.message_fr(),
            "Le mot de passe doit comporter au moins 16 caractères."
        );
    }

    #[test]
    fn hash_and_verify() {
        let password = secret("Tr0ub4dour&3-cheval");
        let hash = PasswordHash::hash(&password).unwrap();
        assert!(
            hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_str()
        );
        assert!(hash.verify(&password));
        assert!(!hash.verify(&secret("Tr0ub4dour&3-chevaL")));
        assert!(!hash.verify(&secret("")));
        assert!(!hash.needs_rehash());

        // Same password, fresh salt: another string, both valid.
        let again = PasswordHash::hash(&password).unwrap();
        assert_ne!(hash, again);
        assert!(again.verify(&password));

        // Read back from storage.
        let stored = PasswordHash::parse(hash.as_str()).unwrap();
        assert!(stored.verify(&password));

        // Debug hides the salt and the output.
        let debug = format!("{hash:?}");
        assert_eq!(debug, "PasswordHash($argon2id$v=19$m=19456,t=2,p=1$…)");
    }

    #[test]
    fn parse_refuses_other_strings() {
        let cases: &[(&str, &str)] = &[
            ("", "not a PHC string"),
            ("hunter2", "not a PHC string"),
            (
                "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
                "hash uses argon2i, expected argon2id",
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=1",
                "hash has no salt or no output",
            ),
        ];
        for &(input, expected) in cases {
            let err = PasswordHash::parse(input).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{input:?}: {err}");
        }
    }

    #[test]
    fn weaker_hash_still_verifies_and_asks_for_rehash() {
        let password = secret("Ancien-Param3tres!");
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password_with_salt(password.expose_secret().as_bytes(), b"0123456789abcdef")
        .unwrap()
        .to_string();
        let weak = PasswordHash::parse(&weak).unwrap();
        assert!(weak.verify(&password));
        assert!(weak.needs_rehash());
    }

    #[test]
    fn dummy_verify_is_false() {
        warm_up();
        assert!(!dummy_verify(&secret("anything")));
        assert!(!DUMMY.as_ref().unwrap().needs_rehash());
    }
}
