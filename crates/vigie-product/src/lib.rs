//! Products and their vulnerable versions, shared by the advisories service and the
//! proactive watch: what a member exposes is matched against what an advisory names.
//!
//! - [`cpe`]: CPE 2.3 names (NISTIR 7695) and their matching (NISTIR 7696);
//! - [`version`]: a total order over vendors' version strings;
//! - [`range`]: the CVE JSON 5 `affected[]` model and its version status algorithm;
//! - [`nvd`]: NVD 2.0 configurations (`cpeMatch` with version bounds, AND/OR nodes).
//!
//! Pure: no I/O, no clock. Every parse error names what is wrong.

pub mod cpe;
pub mod nvd;
pub mod range;
pub mod version;

pub use cpe::{Component, Cpe, CpeError};
pub use nvd::{Configuration, CpeMatch, Node, Operator};
pub use range::{Affected, Change, RangeError, Status, Verdict, VersionRange, VersionType};
pub use version::Version;
