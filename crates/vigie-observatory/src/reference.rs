//! Reference data of figure 7: each region's share of national hospital activity.
//!
//! Shares are kept as exact fixed-point integers (units of 10⁻¹²) so that the index of
//! figure 7 is computed with integer arithmetic only and a tie (`x.5`) is a real tie,
//! never `x.4999…` from a float. Only ratios matter: shares may be fractions (`0.183`)
//! or percentages (`18.3`).

use vigie_model::{Code, Region};

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

    /// A share from a float (a fraction or a percentage), rounded to 12 decimals;
    /// `None` unless finite, not negative and below 10,000,000.
    pub fn from_f64(value: f64) -> Option<Share> {
        let units = (value * SCALE as f64).round();
        (0.0..1e7).contains(&value).then_some(Share(units as u64))
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

/// Why reference data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// A region is given twice.
    #[error("region {region} ({}) is given twice", region.label())]
    Repeated {
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

    /// Checks shares: each region once, every metropolitan region positive (overseas
    /// regions are allowed and unused).
    pub fn from_shares(
        shares: impl IntoIterator<Item = (Region, Share)>,
    ) -> Result<Reference, ReferenceError> {
        let mut table = [None; Region::ALL.len()];
        for (region, share) in shares {
            let slot = &mut table[usize::from(region.index())];
            if slot.is_some() {
                return Err(ReferenceError::Repeated { region });
            }
            *slot = Some(share.units());
        }
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

    fn metropolitan(share: &str) -> Vec<(Region, Share)> {
        Region::METROPOLITAN
            .iter()
            .map(|r| (*r, Share::parse(share).unwrap()))
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
    fn every_metropolitan_region_needs_a_share_once() {
        let mut shares = metropolitan("0.07");
        shares.push((Region::LaReunion, Share::from_units(0)));
        let reference = Reference::from_shares(shares.clone()).unwrap();
        assert!(reference.is_loaded());
        assert_eq!(
            reference.share(Region::Corse).map(Share::units),
            Some(70_000_000_000)
        );
        assert_eq!(reference.share(Region::LaReunion), None);
        assert_eq!(
            Reference::from_shares(metropolitan("0.07").into_iter().skip(1)),
            Err(ReferenceError::Missing {
                region: Region::IleDeFrance
            })
        );
        let mut zero = metropolitan("0.07");
        zero[12].1 = Share::from_units(0);
        assert_eq!(
            Reference::from_shares(zero),
            Err(ReferenceError::Missing {
                region: Region::Corse
            })
        );
        shares.push((Region::Corse, Share::from_units(1)));
        assert_eq!(
            Reference::from_shares(shares),
            Err(ReferenceError::Repeated {
                region: Region::Corse
            })
        );
    }

    #[test]
    fn shares_from_floats() {
        assert_eq!(
            Share::from_f64(0.051).map(Share::units),
            Some(51_000_000_000)
        );
        assert_eq!(Share::from_f64(-0.1), None);
        assert_eq!(Share::from_f64(f64::NAN), None);
        assert_eq!(Share::from_f64(1e8), None);
    }
}
