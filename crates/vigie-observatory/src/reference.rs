//! Reference data of figure 7: each region's share of national hospital activity.
//!
//! Shares are kept as exact fixed-point integers (units of 10⁻¹²) so that the index of
//! figure 7 is computed with integer arithmetic only and a tie (`x.5`) is a real tie,
//! never `x.4999…` from a float. Only ratios matter: shares may be fractions (`0.183`)
//! or percentages (`18.3`).

use vigie_model::{Code, Region, UnknownCode};

/// Number of decimals a share may carry.
const DECIMALS: u32 = 12;
/// Fixed-point scale of a share: one unit is 10⁻¹².
const SCALE: u64 = 10u64.pow(DECIMALS);

/// A region's share of national hospital activity, as an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Share(u64);

/// Why a share is not a decimal number the observatory can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{got}` is not a non-negative decimal number below 10,000,000 with at most 12 decimals (like 0.1834)"
)]
pub struct InvalidShare {
    /// What was given (cut to 40 characters).
    pub got: String,
}

impl Share {
    /// A share from its fixed-point units (one unit is 10⁻¹²).
    pub const fn from_units(units: u64) -> Share {
        Share(units)
    }

    /// The fixed-point units of the share (one unit is 10⁻¹²).
    pub const fn units(self) -> u64 {
        self.0
    }

    /// Parses a plain decimal such as `0.1834`, `18.34` or `3`; no sign, no exponent.
    pub fn parse(text: &str) -> Result<Share, InvalidShare> {
        let invalid = || InvalidShare {
            got: text.chars().take(40).collect(),
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits_only(whole)
            || !digits_only(fraction)
            || fraction.len() > DECIMALS as usize
            || whole.len() > 7
        {
            return Err(invalid());
        }
        let number = |s: &str| -> u64 { s.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0')) };
        // At most 7 whole digits and 12 decimals: below 10^19, so no overflow.
        let padding = 10u64.pow(DECIMALS - fraction.len() as u32);
        Ok(Share(number(whole) * SCALE + number(fraction) * padding))
    }
}

/// Why reference data was refused; each error names the line and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The first line is not `region,share`.
    #[error("line 1: expected the header `region,share`, got `{got}`")]
    Header {
        /// The first line (cut to 80 characters).
        got: String,
    },
    /// A line does not have exactly two fields.
    #[error("line {line}: expected 2 fields `region,share`, got {fields}")]
    Fields {
        /// Line number, from 1.
        line: usize,
        /// Number of fields found.
        fields: usize,
    },
    /// The region is not an INSEE region code.
    #[error("line {line}, field `region`: {source}")]
    Region {
        /// Line number, from 1.
        line: usize,
        /// The parse error.
        source: UnknownCode,
    },
    /// The share is not a decimal number.
    #[error("line {line}, field `share`: {source}")]
    Share {
        /// Line number, from 1.
        line: usize,
        /// The parse error.
        source: InvalidShare,
    },
    /// A region is given twice.
    #[error("line {line}, field `region`: region {region} is given twice")]
    Repeated {
        /// Line number, from 1.
        line: usize,
        /// The region.
        region: Region,
    },
    /// A metropolitan region has no share, or a share of 0 (its index would be infinite).
    #[error("no positive share for the metropolitan region {region} ({})", region.label())]
    Missing {
        /// The region.
        region: Region,
    },
}

/// Reference data for the observatory: the activity shares of figure 7, or nothing.
///
/// [`Reference::default`] is "not loaded": figure 7 is then listed with zeros and a
/// note, and [`crate::Observatory::figure`] refuses it with
/// [`crate::FigureError::MissingReference`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reference {
    /// Shares by [`Region`] index; `None` when no reference data is loaded.
    shares: Option<[u64; Region::ALL.len()]>,
}

impl Reference {
    /// No reference data: figure 7 cannot be computed.
    pub const fn none() -> Reference {
        Reference { shares: None }
    }

    /// Checks shares given in code: each region once, every metropolitan region positive.
    pub fn from_shares(
        shares: impl IntoIterator<Item = (Region, Share)>,
    ) -> Result<Reference, ReferenceError> {
        let mut table = [None; Region::ALL.len()];
        for (i, (region, share)) in shares.into_iter().enumerate() {
            let slot = &mut table[usize::from(region.index())];
            if slot.is_some() {
                return Err(ReferenceError::Repeated {
                    line: i + 1,
                    region,
                });
            }
            *slot = Some(share.units());
        }
        Self::complete(table)
    }

    /// Parses a `region,share` CSV (INSEE region codes; overseas regions allowed and unused).
    pub fn from_csv(text: &str) -> Result<Reference, ReferenceError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
        let header = lines.next().map(|(_, l)| l).unwrap_or_default();
        if header.replace(['"', ' '], "") != "region,share" {
            return Err(ReferenceError::Header {
                got: header.chars().take(80).collect(),
            });
        }
        let mut table = [None; Region::ALL.len()];
        for (line, text) in lines.filter(|(_, l)| !l.is_empty()) {
            let fields: Vec<&str> = text
                .split(',')
                .map(|f| f.trim().trim_matches('"'))
                .collect();
            let &[region, share] = fields.as_slice() else {
                return Err(ReferenceError::Fields {
                    line,
                    fields: fields.len(),
                });
            };
            let region =
                Region::parse(region).map_err(|source| ReferenceError::Region { line, source })?;
            let share =
                Share::parse(share).map_err(|source| ReferenceError::Share { line, source })?;
            let slot = &mut table[usize::from(region.index())];
            if slot.is_some() {
                return Err(ReferenceError::Repeated { line, region });
            }
            *slot = Some(share.units());
        }
        Self::complete(table)
    }

    fn complete(table: [Option<u64>; Region::ALL.len()]) -> Result<Reference, ReferenceError> {
        if let Some(&region) = Region::METROPOLITAN
            .iter()
            .find(|r| table[usize::from(r.index())].unwrap_or(0) == 0)
        {
            return Err(ReferenceError::Missing { region });
        }
        Ok(Reference {
            shares: Some(table.map(|s| s.unwrap_or(0))),
        })
    }

    /// Whether activity shares are loaded.
    pub fn is_loaded(&self) -> bool {
        self.shares.is_some()
    }

    /// The share of a region, if loaded and given.
    pub fn share(&self, region: Region) -> Option<Share> {
        self.shares
            .map(|s| Share(s[usize::from(region.index())]))
            .filter(|s| s.0 > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(shares: &[(&str, &str)]) -> String {
        let mut text = String::from("region,share\n");
        for (region, share) in shares {
            text.push_str(&format!("{region},{share}\n"));
        }
        text
    }

    fn metropolitan(share: &str) -> Vec<(&'static str, &str)> {
        Region::METROPOLITAN
            .iter()
            .map(|r| (r.code(), share))
            .collect()
    }

    #[test]
    fn shares_are_exact_decimals() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0.1834", Some(183_400_000_000)),
            ("18.34", Some(18_340_000_000_000)),
            ("3", Some(3_000_000_000_000)),
            (".5", Some(500_000_000_000)),
            ("7.", Some(7_000_000_000_000)),
            ("0.000000000001", Some(1)),
            ("9999999.999999999999", Some(9_999_999_999_999_999_999)),
            ("0.0000000000001", None),
            ("10000000", None),
            ("-1", None),
            ("1e-3", None),
            ("", None),
            (".", None),
            ("1,5", None),
        ];
        for &(text, want) in cases {
            assert_eq!(Share::parse(text).ok().map(Share::units), want, "{text}");
        }
    }

    #[test]
    fn csv_needs_every_metropolitan_region_once() {
        let mut shares = metropolitan("0.07");
        shares.push(("04", "0"));
        let reference = Reference::from_csv(&csv_of(&shares)).unwrap();
        assert!(reference.is_loaded());
        assert_eq!(
            reference.share(Region::Corse).map(Share::units),
            Some(70_000_000_000)
        );
        assert_eq!(reference.share(Region::LaReunion), None);

        let crlf = csv_of(&shares).replace('\n', "\r\n");
        assert_eq!(
            Reference::from_csv(&format!("\u{feff}{crlf}")),
            Ok(reference)
        );

        let missing = &metropolitan("0.07")[1..];
        assert_eq!(
            Reference::from_csv(&csv_of(missing)),
            Err(ReferenceError::Missing {
                region: Region::IleDeFrance
            })
        );
        let mut zero = metropolitan("0.07");
        zero[12].1 = "0";
        assert_eq!(
            Reference::from_csv(&csv_of(&zero)),
            Err(ReferenceError::Missing {
                region: Region::Corse
            })
        );
    }

    #[test]
    fn csv_errors_name_the_line_and_field() {
        let check = |text: &str, want: &str| {
            assert_eq!(Reference::from_csv(text).unwrap_err().to_string(), want);
        };
        check(
            "code,part\n",
            "line 1: expected the header `region,share`, got `code,part`",
        );
        check(
            "region,share\n11,0.2,x\n",
            "line 2: expected 2 fields `region,share`, got 3",
        );
        check(
            "region,share\n11,0.2\n2A,0.1\n",
            "line 3, field `region`: unknown region `2A` (expected one of: 11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94, 01, 02, 03, 04, 06, 975, 977, 978, 984, 986, 987, 988)",
        );
        check(
            "region,share\n11,18%\n",
            "line 2, field `share`: `18%` is not a non-negative decimal number below 10,000,000 with at most 12 decimals (like 0.1834)",
        );
        check(
            "region,share\n11,0.2\n11,0.3\n",
            "line 3, field `region`: region 11 is given twice",
        );
        assert_eq!(
            Reference::from_shares([
                (Region::Corse, Share::from_units(1)),
                (Region::Corse, Share::from_units(2))
            ]),
            Err(ReferenceError::Repeated {
                line: 2,
                region: Region::Corse
            })
        );
    }
}
