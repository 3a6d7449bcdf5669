//! Case numbers: what a structure quotes when it talks to the CERT about an incident.

use std::fmt;

/// A case number, `VIG-2024-000123`: the Paris year of the declaration and the
/// incident's identifier (so it is unique without a counter to contend on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    year: i16,
    id: i64,
}

/// A text that is not a case number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a case number (like VIG-2024-000123)")]
pub struct InvalidCaseNumber(pub String);

impl CaseNumber {
    /// The case number of incident `id` declared in `year`.
    pub fn new(year: i16, id: i64) -> Option<CaseNumber> {
        ((1000..=9999).contains(&year) && id > 0).then_some(CaseNumber { year, id })
    }

    /// Parses `VIG-YYYY-NNNNNN` (case-insensitive, surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<CaseNumber, InvalidCaseNumber> {
        let invalid = || InvalidCaseNumber(text.chars().take(40).collect());
        let upper = text.trim().to_ascii_uppercase();
        let mut parts = upper.splitn(3, '-');
        let (Some("VIG"), Some(year), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || id.len() < 6 || !digits(id) {
            return Err(invalid());
        }
        let year = year.parse().map_err(|_| invalid())?;
        let id = id.parse().map_err(|_| invalid())?;
        CaseNumber::new(year, id).ok_or_else(invalid)
    }

    /// The Paris year of the declaration.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The incident's identifier.
    pub fn id(self) -> i64 {
        self.id
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VIG-{}-{:06}", self.year, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers() {
        let n = CaseNumber::new(2024, 123).unwrap();
        assert_eq!(n.to_string(), "VIG-2024-000123");
        assert_eq!(CaseNumber::parse(" vig-2024-000123 "), Ok(n));
        assert_eq!(
            CaseNumber::parse("VIG-2024-1234567").map(CaseNumber::id),
            Ok(1_234_567)
        );
        for bad in [
            "VIG-2024-123",
            "VIG-24-000123",
            "ABC-2024-000123",
            "VIG-2024-00012a",
            "VIG-2024-000000",
            "",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
