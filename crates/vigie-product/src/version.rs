//! Vendors' version strings and one total order over them.
//!
//! The rule, in order:
//!
//! 1. A version is cut into segments: runs of ASCII digits (numeric segments) and runs of
//!    letters (alphabetic segments, compared in lower case). Every other character (`.`,
//!    `-`, `_`, `+`, `(`, spaces…) separates segments and is otherwise ignored, and a
//!    letter next to a digit also starts a new segment: `22.7R2.3` is `22 7 r 2 3`,
//!    `9.1.0-h3` is `9 1 0 h 3`, `7.0(3)I7(5a)` is `7 0 3 i 7 5 a`.
//! 2. Two versions compare segment by segment; the shorter one is padded with `0`
//!    segments, so `1.0` equals `1.0.0` and `7.2.10` follows `7.2.9`.
//! 3. Numeric segments compare as numbers (of any length; leading zeros are ignored).
//! 4. Alphabetic segments that name a pre-release (`dev` < `alpha` < `beta` < `pre` =
//!    `preview` < `rc`) sort before every numeric segment, `0` included, so
//!    `1.0.0-rc1` < `1.0.0` < `1.0.0.1`. Other alphabetic segments (hotfixes, builds,
//!    trains: `h3`, `R2`, `p1`) sort after every numeric segment, so `9.1.0` <
//!    `9.1.0-h3` < `9.1.1`, and compare between themselves lexically.
//!
//! Equality follows the order: versions differing only by case, separators or trailing
//! zeros are equal (and hash alike). The original text is kept for display.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One segment of a version (see the module's rule).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Segment {
    /// A pre-release tag: its rank, then its text.
    Pre(u8, String),
    /// Digits without leading zeros (zero is the empty string): compared by length, then text.
    Num(String),
    /// Any other run of letters, lower case.
    Alpha(String),
}

/// The segment a shorter version is padded with.
static ZERO: Segment = Segment::Num(String::new());

impl Segment {
    fn cmp_with(&self, other: &Segment) -> Ordering {
        match (self, other) {
            (Segment::Num(a), Segment::Num(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            _ => self.cmp(other),
        }
    }
}

fn pre_release_rank(word: &str) -> Option<u8> {
    match word {
        "dev" => Some(0),
        "alpha" => Some(1),
        "beta" => Some(2),
        "pre" | "preview" => Some(3),
        "rc" => Some(4),
        _ => None,
    }
}

fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            out.push(Segment::Num(digits.trim_start_matches('0').to_owned()));
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&l) = chars.peek().filter(|l| l.is_alphabetic()) {
                word.extend(l.to_lowercase());
                chars.next();
            }
            out.push(match pre_release_rank(&word) {
                Some(rank) => Segment::Pre(rank, word),
                None => Segment::Alpha(word),
            });
        } else {
            chars.next();
        }
    }
    // Trailing zeros change nothing (rule 2): drop them so that equal versions hash alike.
    while out.last() == Some(&ZERO) {
        out.pop();
    }
    out
}

/// A vendor's version string, ordered by the rule of this module.
#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    segments: Vec<Segment>,
}

impl Version {
    /// A version from its text; every string is a version (one with no segment equals `0`).
    pub fn new(text: impl Into<String>) -> Version {
        let text = text.into();
        let segments = segments(&text);
        Version { text, segments }
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this version's segments begin with all of `prefix`'s (`7.2.6` starts with `7.2`).
    pub fn starts_with(&self, prefix: &Version) -> bool {
        prefix
            .segments
            .iter()
            .enumerate()
            .all(|(i, p)| self.segments.get(i).unwrap_or(&ZERO).cmp_with(p).is_eq())
    }

    /// Whether this version has a pre-release segment (`rc`, `beta`…).
    pub fn is_pre_release(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Pre(..)))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let len = self.segments.len().max(other.segments.len());
        for i in 0..len {
            let a = self.segments.get(i).unwrap_or(&ZERO);
            let b = other.segments.get(i).unwrap_or(&ZERO);
            match a.cmp_with(b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.segments.hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for Version {
    fn from(text: &str) -> Version {
        Version::new(text)
    }
}

impl From<String> for Version {
    fn from(text: String) -> Version {
        Version::new(text)
    }
}

impl std::str::FromStr for Version {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Version, Self::Err> {
        Ok(Version::new(s))
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        String::deserialize(deserializer).map(Version::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::new(s)
    }

    #[test]
    fn vendors_versions_order_as_released() {
        assert!(v("22.7R2.3") < v("22.7R2.10"));
        assert!(v("22.7R1.9") < v("22.7R2.1"));
        assert!(v("7.2.9") < v("7.2.10"));
        assert!(v("9.1.0") < v("9.1.0-h3"));
        assert!(v("9.1.0-h3") < v("9.1.0-h10"));
        assert!(v("9.1.0-h10") < v("9.1.1"));
        assert!(v("1.0.0-rc1") < v("1.0.0"));
        assert!(v("1.0.0-alpha") < v("1.0.0-beta.2"));
        assert!(v("1.0.0-beta.2") < v("1.0.0-beta.11"));
        assert!(v("1.0.0-beta.11") < v("1.0.0-rc.1"));
        assert!(v("1.0.0") < v("1.0.0.1"));
        assert!(v("13.1-49.14") < v("13.1-49.15"));
        assert!(v("r34p0") < v("r40p0"));
        assert!(v("10.2.0.5-d-29sv") > v("10.2.0.5"));
        assert!(v("7.0(3)I7(5)") < v("7.0(3)I7(5a)"));
        assert!(v("12345678901234567890123") > v("9999999999999999999999"));
    }

    #[test]
    fn equality_follows_the_order() {
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("1_0-RC1"), v("1.0.rc.1"));
        assert_eq!(v("007.2"), v("7.2"));
        assert_eq!(v(""), v("0"));
        assert_ne!(v("1.0"), v("1.0.1"));
        let set: std::collections::HashSet<Version> = [v("1.0"), v("1.0.0"), v("1")].into();
        assert_eq!(set.len(), 1);
        assert_eq!(v("22.7R2.3").to_string(), "22.7R2.3");
    }

    #[test]
    fn prefixes_and_pre_releases() {
        assert!(v("7.2.6").starts_with(&v("7.2")));
        assert!(v("7.2").starts_with(&v("7.2.0")));
        assert!(!v("7.20").starts_with(&v("7.2")));
        assert!(v("2.0.0-rc1").is_pre_release());
        assert!(!v("9.1.0-h3").is_pre_release());
    }

    fn dotted() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(0u32..30, 1..5),
            prop::option::of(prop::sample::select(vec![
                "-rc1", "-rc2", "-beta", "-alpha.3", "-h1", "-h12", "R2", "a",
            ])),
        )
            .prop_map(|(nums, suffix)| {
                let nums: Vec<String> = nums.iter().map(u32::to_string).collect();
                format!("{}{}", nums.join("."), suffix.unwrap_or(""))
            })
    }

    proptest! {
        #[test]
        fn the_order_is_total_and_antisymmetric(a in dotted(), b in dotted()) {
            let (a, b) = (v(&a), v(&b));
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a == b, a.cmp(&b).is_eq());
        }

        #[test]
        fn the_order_is_transitive(a in dotted(), b in dotted(), c in dotted()) {
            let mut all = [v(&a), v(&b), v(&c)];
            all.sort();
            prop_assert!(all[0] <= all[1] && all[1] <= all[2] && all[0] <= all[2]);
            let (a, b, c) = (v(&a), v(&b), v(&c));
            if a <= b && b <= c {
                prop_assert!(a <= c);
            }
        }

        #[test]
        fn numeric_order_is_tuple_order(x in (0u64..1000, 0u64..1000, 0u64..1000),
                                        y in (0u64..1000, 0u64..1000, 0u64..1000)) {
            let a = v(&format!("{}.{}.{}", x.0, x.1, x.2));
            let b = v(&format!("{}.{}.{}", y.0, y.1, y.2));
            prop_assert_eq!(a.cmp(&b), x.cmp(&y));
        }
    }
}
