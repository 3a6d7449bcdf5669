//! The CVE JSON 5 `affected[]` model and its version status algorithm.
//!
//! [`Affected::status_of`] follows the CVE 5 schema's description of `versions[]`: the
//! first entry that matches a version gives its status; a single-version entry matches
//! that version only; a range entry matches from `version` (inclusive) up to `lessThan`
//! (exclusive) or `lessThanOrEqual` (inclusive), and its `changes` then flip the status at
//! each `at` reached, in increasing order. When no entry matches, `defaultStatus` decides,
//! else the status is unknown.
//!
//! Conventions: a start of `0` means no lower bound (so do the placeholders CNAs write
//! instead: `*`, `-`, `n/a`, `unspecified`); an upper bound of `*` means no upper bound and
//! `2.*` the whole 2 series included. Versions order by [`versionType`](VersionType):
//! `semver` by semantic-versioning precedence, `git` not at all (commits are only ever
//! equal or not, so a version strictly inside a git range is undecidable and the answer
//! is unknown), every other type (`custom`, vendors' own) by [`Version`].

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::cpe::Cpe;
use crate::version::Version;

/// Whether a version is affected by a vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The version is affected.
    Affected,
    /// The version is not affected.
    Unaffected,
    /// Nobody said, or it cannot be decided.
    Unknown,
}

/// How the versions of a range are ordered (`versionType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum VersionType {
    /// Semantic versioning precedence.
    Semver,
    /// The vendor's own scheme, ordered by [`Version`].
    Custom,
    /// Git commits: not ordered, only equal or not.
    Git,
    /// Any other type (`maven`, `rpm`, `patch`…), ordered by [`Version`].
    Other(String),
}

impl From<String> for VersionType {
    fn from(s: String) -> VersionType {
        match s.as_str() {
            "semver" => VersionType::Semver,
            "custom" => VersionType::Custom,
            "git" => VersionType::Git,
            _ => VersionType::Other(s),
        }
    }
}

impl From<VersionType> for String {
    fn from(t: VersionType) -> String {
        match t {
            VersionType::Semver => "semver".into(),
            VersionType::Custom => "custom".into(),
            VersionType::Git => "git".into(),
            VersionType::Other(s) => s,
        }
    }
}

/// A contradiction in a `versions[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// Both `lessThan` and `lessThanOrEqual` are given.
    #[error("the range from {version:?} has both lessThan and lessThanOrEqual")]
    BothBounds {
        /// The entry's `version`.
        version: String,
    },
    /// `changes` are given on a single version, not a range.
    #[error("the entry {version:?} has changes but no lessThan or lessThanOrEqual")]
    ChangesWithoutRange {
        /// The entry's `version`.
        version: String,
    },
    /// A version, a bound or a change's `at` is empty.
    #[error("the entry {version:?} has an empty {field}")]
    EmptyField {
        /// The entry's `version`.
        version: String,
        /// The field's JSON name.
        field: &'static str,
    },
}

/// A status change inside a range (`changes[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The version from which the status applies.
    pub at: String,
    /// The status from `at` on.
    pub status: Status,
}

/// One `versions[]` entry: a single version, or a range with optional status changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRange", rename_all = "camelCase")]
pub struct VersionRange {
    /// The single version, or the start of the range (inclusive).
    pub version: String,
    /// The status of the version, or of the range's start.
    pub status: Status,
    /// How versions are ordered; a range without one is ordered as `custom`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_type: Option<VersionType>,
    /// The end of the range, exclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub less_than: Option<String>,
    /// The end of the range, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub less_than_or_equal: Option<String>,
    /// Status changes inside the range.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// A `versions[]` entry as read, before [`VersionRange::validate`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRange {
    version: String,
    status: Status,
    #[serde(default)]
    version_type: Option<VersionType>,
    #[serde(default)]
    less_than: Option<String>,
    #[serde(default)]
    less_than_or_equal: Option<String>,
    #[serde(default)]
    changes: Vec<Change>,
}

impl TryFrom<RawRange> for VersionRange {
    type Error = RangeError;

    fn try_from(raw: RawRange) -> Result<VersionRange, RangeError> {
        let range = VersionRange {
            version: raw.version,
            status: raw.status,
            version_type: raw.version_type,
            less_than: raw.less_than,
            less_than_or_equal: raw.less_than_or_equal,
            changes: raw.changes,
        };
        range.validate()?;
        Ok(range)
    }
}

/// How an entry compares versions.
#[derive(Clone, Copy)]
enum Order {
    Version,
    Semver,
    Git,
}

impl Order {
    /// `Some(ordering)`, or `None` when the two cannot be ordered (distinct git commits).
    fn cmp(self, a: &str, b: &str) -> Option<Ordering> {
        match self {
            Order::Version => Some(Version::new(a).cmp(&Version::new(b))),
            Order::Semver => Some(semver_cmp(a, b)),
            Order::Git => a.eq_ignore_ascii_case(b).then_some(Ordering::Equal),
        }
    }
}

/// Semantic-versioning precedence: the core by [`Version`], then a release after its
/// pre-releases, pre-release identifiers numerically or lexically (numeric first); build
/// metadata is ignored.
fn semver_cmp(a: &str, b: &str) -> Ordering {
    fn split(s: &str) -> (&str, Option<&str>) {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let s = s.split_once('+').map_or(s, |(core, _)| core);
        match s.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (s, None),
        }
    }
    fn identifier(a: &str, b: &str) -> Ordering {
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        match (numeric(a), numeric(b)) {
            (true, true) => Version::new(a).cmp(&Version::new(b)),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => a.cmp(b),
        }
    }
    let ((core_a, pre_a), (core_b, pre_b)) = (split(a), split(b));
    Version::new(core_a)
        .cmp(&Version::new(core_b))
        .then_with(|| match (pre_a, pre_b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(pa), Some(pb)) => {
                let (mut ia, mut ib) = (pa.split('.'), pb.split('.'));
                loop {
                    match (ia.next(), ib.next()) {
                        (None, None) => break Ordering::Equal,
                        (None, Some(_)) => break Ordering::Less,
                        (Some(_), None) => break Ordering::Greater,
                        (Some(x), Some(y)) => match identifier(x, y) {
                            Ordering::Equal => {}
                            unequal => break unequal,
                        },
                    }
                }
            }
        })
}

/// What an entry says about a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The entry matches the version and gives this status.
    Decided(Status),
    /// The entry does not match the version.
    NoMatch,
    /// Whether the entry matches cannot be decided (a git range).
    Undecidable,
}

/// Whether a start means "no lower bound".
fn is_open_start(version: &str) -> bool {
    matches!(
        version.trim().to_ascii_lowercase().as_str(),
        "0" | "*" | "-" | "n/a" | "unspecified"
    )
}

impl VersionRange {
    /// Rejects contradictions: both bounds, changes on a single version, empty fields.
    pub fn validate(&self) -> Result<(), RangeError> {
        let version = || self.version.clone();
        if self.less_than.is_some() && self.less_than_or_equal.is_some() {
            return Err(RangeError::BothBounds { version: version() });
        }
        if !self.is_range() && !self.changes.is_empty() {
            return Err(RangeError::ChangesWithoutRange { version: version() });
        }
        let empty = |field| RangeError::EmptyField {
            version: version(),
            field,
        };
        if self.version.is_empty() {
            return Err(empty("version"));
        }
        if self.less_than.as_deref() == Some("") {
            return Err(empty("lessThan"));
        }
        if self.less_than_or_equal.as_deref() == Some("") {
            return Err(empty("lessThanOrEqual"));
        }
        if self.changes.iter().any(|c| c.at.is_empty()) {
            return Err(empty("changes[].at"));
        }
        Ok(())
    }

    /// Whether the entry is a range (it has `lessThan` or `lessThanOrEqual`).
    pub fn is_range(&self) -> bool {
        self.less_than.is_some() || self.less_than_or_equal.is_some()
    }

    fn order(&self) -> Order {
        match self.version_type {
            Some(VersionType::Semver) => Order::Semver,
            Some(VersionType::Git) => Order::Git,
            _ => Order::Version,
        }
    }

    /// What this entry says about `version`.
    pub fn verdict(&self, version: &Version) -> Verdict {
        let order = self.order();
        let v = version.as_str();
        if !self.is_range() {
            return match order.cmp(v, &self.version) {
                Some(Ordering::Equal) => Verdict::Decided(self.status),
                Some(_) => Verdict::NoMatch,
                // A distinct commit is not this one.
                None => Verdict::NoMatch,
            };
        }
        if let Order::Git = order {
            return self.git_verdict(v);
        }
        let above_start =
            is_open_start(&self.version) || order.cmp(v, &self.version) != Some(Ordering::Less);
        let (bound, inclusive) = match (&self.less_than, &self.less_than_or_equal) {
            (Some(b), _) => (b.as_str(), false),
            (None, Some(b)) => (b.as_str(), true),
            (None, None) => unreachable!("is_range"),
        };
        if !above_start || !below_end(order, v, bound, inclusive) {
            return Verdict::NoMatch;
        }
        let mut changes: Vec<&Change> = self.changes.iter().collect();
        changes.sort_by(|a, b| order.cmp(&a.at, &b.at).unwrap_or(Ordering::Equal));
        let status = changes
            .iter()
            .rev()
            .find(|c| order.cmp(&c.at, v) != Some(Ordering::Greater))
            .map_or(self.status, |c| c.status);
        Verdict::Decided(status)
    }

    /// A git range decides only for its start, its end and its changes' commits.
    fn git_verdict(&self, v: &str) -> Verdict {
        let same = |commit: &str| commit.eq_ignore_ascii_case(v);
        if let Some(change) = self.changes.iter().rev().find(|c| same(&c.at)) {
            return Verdict::Decided(change.status);
        }
        if self.less_than.as_deref().is_some_and(same) {
            return Verdict::NoMatch;
        }
        if same(&self.version) {
            return Verdict::Decided(self.status);
        }
        Verdict::Undecidable
    }
}

/// Whether `v` is below the upper bound (`*` = none, `2.*` = the 2 series included).
fn below_end(order: Order, v: &str, bound: &str, inclusive: bool) -> bool {
    let bound = bound.trim();
    if bound == "*" {
        return true;
    }
    if let Some(prefix) = bound.strip_suffix('*') {
        let prefix = Version::new(prefix);
        let version = Version::new(v);
        return version < prefix || version.starts_with(&prefix);
    }
    match order.cmp(v, bound) {
        Some(Ordering::Less) => true,
        Some(Ordering::Equal) => inclusive,
        _ => false,
    }
}

/// One `affected[]` entry of a CVE JSON 5 record: a product and its versions' status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affected {
    /// The vendor, as the CNA or ADP wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The product, as the CNA or ADP wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The package collection's URL (`collectionURL`), for packaged software.
    #[serde(
        default,
        rename = "collectionURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub collection_url: Option<String>,
    /// The package's name in its collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    /// CPE 2.3 names of the product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<Cpe>,
    /// The platforms the entry is restricted to (none: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// The status of versions no entry matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_status: Option<Status>,
    /// The versions and ranges, first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionRange>,
}

impl Affected {
    /// The status of `version` of this product (see the module's algorithm).
    pub fn status_of(&self, version: &Version) -> Status {
        let mut undecidable = false;
        for entry in &self.versions {
            match entry.verdict(version) {
                Verdict::Decided(status) => return status,
                Verdict::NoMatch => {}
                Verdict::Undecidable => undecidable = true,
            }
        }
        if undecidable {
            Status::Unknown
        } else {
            self.default_status.unwrap_or(Status::Unknown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affected(json: &str) -> Affected {
        serde_json::from_str(json).unwrap()
    }

    fn status(a: &Affected, v: &str) -> Status {
        a.status_of(&Version::new(v))
    }

    #[test]
    fn single_versions_and_default() {
        let a = affected(
            r#"{"vendor":"W","product":"F","defaultStatus":"unaffected","versions":[
                {"version":"2.4","status":"affected"},{"version":"2.5","status":"affected"}]}"#,
        );
        assert_eq!(status(&a, "2.4"), Status::Affected);
        assert_eq!(status(&a, "2.4.0"), Status::Affected);
        assert_eq!(status(&a, "2.5"), Status::Affected);
        assert_eq!(status(&a, "2.4.1"), Status::Unaffected);
        let no_default = affected(r#"{"versions":[{"version":"2.4","status":"affected"}]}"#);
        assert_eq!(status(&no_default, "3.0"), Status::Unknown);
    }

    #[test]
    fn ranges_with_bounds_and_changes() {
        let a = affected(
            r#"{"versions":[{"version":"2.0.0","versionType":"semver","lessThan":"2.*",
                "status":"affected","changes":[{"at":"2.6.3","status":"unaffected"},
                {"at":"2.5.2","status":"unaffected"},{"at":"2.6.0","status":"affected"}]}]}"#,
        );
        assert_eq!(status(&a, "1.9.9"), Status::Unknown);
        assert_eq!(status(&a, "2.0.0"), Status::Affected);
        assert_eq!(status(&a, "2.5.1"), Status::Affected);
        assert_eq!(status(&a, "2.5.2"), Status::Unaffected);
        assert_eq!(status(&a, "2.6.0-rc1"), Status::Unaffected);
        assert_eq!(status(&a, "2.6.0"), Status::Affected);
        assert_eq!(status(&a, "2.6.2"), Status::Affected);
        assert_eq!(status(&a, "2.6.3"), Status::Unaffected);
        assert_eq!(status(&a, "2.99"), Status::Unaffected);
        assert_eq!(status(&a, "3.0.0"), Status::Unknown);
        let le = affected(
            r#"{"defaultStatus":"unaffected","versions":[{"version":"0","versionType":"custom",
                "lessThanOrEqual":"23.9.7","status":"affected"}]}"#,
        );
        assert_eq!(status(&le, "1.0"), Status::Affected);
        assert_eq!(status(&le, "23.9.7"), Status::Affected);
        assert_eq!(status(&le, "23.9.8"), Status::Unaffected);
        let open = affected(
            r#"{"versions":[{"version":"5.0","versionType":"custom","lessThan":"*","status":"affected"}]}"#,
        );
        assert_eq!(status(&open, "4.9"), Status::Unknown);
        assert_eq!(status(&open, "5.0"), Status::Affected);
        assert_eq!(status(&open, "999"), Status::Affected);
    }

    #[test]
    fn semver_puts_every_pre_release_first() {
        assert_eq!(semver_cmp("1.0.0-foo", "1.0.0"), Ordering::Less);
        assert_eq!(
            semver_cmp("1.0.0-alpha.1", "1.0.0-alpha.beta"),
            Ordering::Less
        );
        assert_eq!(
            semver_cmp("1.0.0-beta.11", "1.0.0-beta.2"),
            Ordering::Greater
        );
        assert_eq!(semver_cmp("v1.2.3+build5", "1.2.3"), Ordering::Equal);
        assert_eq!(semver_cmp("1.10.0", "1.9.0"), Ordering::Greater);
        let a = affected(
            r#"{"versions":[{"version":"1.0.0","versionType":"semver","lessThan":"1.1.0","status":"affected"}]}"#,
        );
        assert_eq!(status(&a, "1.1.0-foo"), Status::Affected);
        assert_eq!(status(&a, "1.0.0-foo"), Status::Unknown);
    }

    #[test]
    fn git_ranges_decide_only_on_named_commits() {
        let a = affected(
            r#"{"defaultStatus":"unaffected","versions":[{"version":"a87cb3e48ee8","versionType":"git",
                "lessThan":"051c0bde9f04","status":"affected"}]}"#,
        );
        assert_eq!(status(&a, "a87cb3e48ee8"), Status::Affected);
        assert_eq!(status(&a, "051c0bde9f04"), Status::Unaffected);
        assert_eq!(status(&a, "deadbeef0000"), Status::Unknown);
        let changes = affected(
            r#"{"versions":[{"version":"0","versionType":"git","lessThan":"*","status":"unaffected",
                "changes":[{"at":"123abc","status":"affected"},{"at":"234bcd","status":"unaffected"}]}]}"#,
        );
        assert_eq!(status(&changes, "123ABC"), Status::Affected);
        assert_eq!(status(&changes, "234bcd"), Status::Unaffected);
        assert_eq!(status(&changes, "999999"), Status::Unknown);
    }

    #[test]
    fn contradictions_are_rejected() {
        let both = serde_json::from_str::<VersionRange>(
            r#"{"version":"1.0","status":"affected","versionType":"custom","lessThan":"2","lessThanOrEqual":"2"}"#,
        )
        .unwrap_err();
        assert!(
            both.to_string()
                .contains("both lessThan and lessThanOrEqual"),
            "{both}"
        );
        let changes = serde_json::from_str::<VersionRange>(
            r#"{"version":"1.0","status":"affected","changes":[{"at":"1.1","status":"unaffected"}]}"#,
        )
        .unwrap_err();
        assert!(
            changes.to_string().contains("has changes but no lessThan"),
            "{changes}"
        );
        let range = VersionRange {
            version: String::new(),
            status: Status::Affected,
            version_type: None,
            less_than: None,
            less_than_or_equal: None,
            changes: vec![],
        };
        assert_eq!(
            range.validate(),
            Err(RangeError::EmptyField {
                version: String::new(),
                field: "version"
            })
        );
    }

    #[test]
    fn serializes_with_the_cve_names() {
        let json = r#"{"version":"8.1","status":"affected","versionType":"custom","lessThan":"8.1.23-h1","changes":[{"at":"8.1.23-h1","status":"unaffected"}]}"#;
        let range: VersionRange = serde_json::from_str(json).unwrap();
        assert_eq!(range.version_type, Some(VersionType::Custom));
        assert_eq!(serde_json::to_string(&range).unwrap(), json);
    }
}
