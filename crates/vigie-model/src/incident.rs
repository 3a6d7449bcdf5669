//! An incident: the declaration, its structure, and what the CERT made of it.

use std::fmt;

use jiff::{Timestamp, fmt::temporal::Pieces, tz::Offset};

use crate::{
    declaration::{
        CareImpact, Channel, DataImpact, DegradedHours, PatientDanger, StateAtDeclaration,
    },
    qualification::Qualification,
    structure::Structure,
    text::BoundedText,
};

/// An instant with the UTC offset it was given in (RFC 3339), within 1678–2261 so that
/// it fits a 64-bit count of nanoseconds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    at: Timestamp,
    offset: Offset,
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDateTime {
    /// Not an RFC 3339 date-time with an offset.
    #[error("`{got}` is not an RFC 3339 date-time with an offset (like 2024-03-05T14:30:00+01:00)")]
    Syntax {
        /// What was given (cut to 60 characters).
        got: String,
    },
    /// Outside the years 1678–2261.
    #[error("`{got}` is outside the supported years 1678 to 2261")]
    OutOfRange {
        /// What was given.
        got: String,
    },
}

impl DateTime {
    /// Parses an RFC 3339 date-time; the offset is required and kept.
    pub fn parse(s: &str) -> Result<Self, InvalidDateTime> {
        let syntax = || InvalidDateTime::Syntax {
            got: s.chars().take(60).collect(),
        };
        let at: Timestamp = s.parse().map_err(|_| syntax())?;
        let offset = Pieces::parse(s)
            .ok()
            .and_then(|p| p.offset())
            .map(|o| o.to_numeric_offset())
            .ok_or_else(syntax)?;
        Self::new(at, offset).ok_or_else(|| InvalidDateTime::OutOfRange { got: s.to_owned() })
    }

    /// An instant seen with an offset; `None` outside the supported years.
    pub fn new(at: Timestamp, offset: Offset) -> Option<Self> {
        i64::try_from(at.as_nanosecond())
            .ok()
            .map(|_| Self { at, offset })
    }

    /// Rebuilds a date from [`DateTime::unix_nanos`] and [`DateTime::offset_seconds`].
    pub fn from_parts(unix_nanos: i64, offset_seconds: i32) -> Option<Self> {
        let at = Timestamp::from_nanosecond(i128::from(unix_nanos)).ok()?;
        let offset = Offset::from_seconds(offset_seconds).ok()?;
        Some(Self { at, offset })
    }

    /// The instant.
    pub fn timestamp(self) -> Timestamp {
        self.at
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub fn unix_nanos(self) -> i64 {
        // Checked at construction.
        i64::try_from(self.at.as_nanosecond()).unwrap_or(i64::MAX)
    }

    /// The UTC offset the date was given in, in seconds.
    pub fn offset_seconds(self) -> i32 {
        self.offset.seconds()
    }
}

impl fmt::Display for DateTime {
    /// RFC 3339 in the original offset (`Z` for UTC).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.offset.seconds() == 0 {
            fmt::Display::fmt(&self.at, f)
        } else {
            fmt::Display::fmt(&self.at.display_with_offset(self.offset), f)
        }
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

/// The source's own identifier of an incident (1 to 64 characters).
pub type IncidentRef = BoundedText<1, 64>;
/// A title, up to 300 characters.
pub type Title = BoundedText<0, 300>;
/// A description, up to 20,000 characters.
pub type Description = BoundedText<0, 20_000>;

/// What the CERT did for the incident, as counted by the observatory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Handling {
    /// Technical support was given.
    pub technical_support: bool,
    /// The support cleared a false positive (levée de doute).
    pub false_positive: bool,
    /// The CERT asked the structure for complements.
    pub complements_requested: bool,
    /// The structure answered.
    pub complements_received: bool,
}

/// One incident with every field of the interchange format.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The source's own identifier; re-importing it updates the incident.
    pub reference: Option<IncidentRef>,
    /// When the structure declared it.
    pub declared_at: DateTime,
    /// When the structure detected it, if known.
    pub detected_at: Option<DateTime>,
    /// How it reached the CERT.
    pub channel: Channel,
    /// The declaring structure.
    pub structure: Structure,
    /// State at declaration.
    pub state_at_declaration: StateAtDeclaration,
    /// The structure asked for support.
    pub support_requested: bool,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// Duration of the degraded mode.
    pub degraded_hours: Option<DegradedHours>,
    /// Impact on data and kinds of data hit.
    pub data_impact: DataImpact,
    /// Endangerment of patients.
    pub patient_danger: PatientDanger,
    /// Short title.
    pub title: Option<Title>,
    /// Free description.
    pub description: Option<Description>,
    /// The CERT's qualification, once made.
    pub qualification: Option<Qualification>,
    /// What the CERT did.
    pub handling: Handling,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_offset() {
        for s in [
            "2024-03-05T14:30:00+01:00",
            "2024-12-31T23:30:00-10:00",
            "2024-06-01T00:00:00.123456789+05:45",
        ] {
            assert_eq!(DateTime::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            DateTime::parse("2024-03-05T13:30:00+00:00")
                .unwrap()
                .to_string(),
            "2024-03-05T13:30:00Z"
        );
        let a = DateTime::parse("2024-03-05T14:30:00+01:00").unwrap();
        let b = DateTime::parse("2024-03-05T13:30:00Z").unwrap();
        assert_eq!(a.timestamp(), b.timestamp());
        assert_eq!(
            DateTime::from_parts(a.unix_nanos(), a.offset_seconds()),
            Some(a)
        );
        assert!(matches!(
            DateTime::parse("2024-03-05T14:30:00"),
            Err(InvalidDateTime::Syntax { .. })
        ));
        assert!(matches!(
            DateTime::parse("2024-02-30T14:30:00Z"),
            Err(InvalidDateTime::Syntax { .. })
        ));
        assert!(matches!(
            DateTime::parse("2300-01-01T00:00:00Z"),
            Err(InvalidDateTime::OutOfRange { .. })
        ));
    }
}
