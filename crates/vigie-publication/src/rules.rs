//! When a year may be published: pure rules, the date and what is already published given.

use jiff::civil::Date;

/// The lowest threshold of statistical secrecy accepted without `force`.
pub const MINIMUM_THRESHOLD: u32 = 3;

/// What an operator asks to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// The year.
    pub year: i16,
    /// Counts below this, in cells that could point to a structure, are suppressed.
    pub threshold: u32,
    /// Publish a year not yet ended, or with a threshold below [`MINIMUM_THRESHOLD`].
    pub force: bool,
    /// Publish again a year already published (its files are replaced).
    pub again: bool,
}

/// Why a publication is refused; each says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The year has not ended in Paris: its figures would still move.
    #[error(
        "{year} has not ended (today is {today} in Paris): its figures would still change; pass --force to publish it anyway"
    )]
    YearNotEnded {
        /// The year asked for.
        year: i16,
        /// Today, in Paris.
        today: Date,
    },
    /// A threshold of 0 suppresses nothing and is never accepted.
    #[error("the threshold must be at least 1")]
    NoThreshold,
    /// A threshold below the minimum could let a small count point to a structure.
    #[error(
        "a threshold of {threshold} could let a count point to one structure (the minimum is {minimum}); pass --force to publish anyway"
    )]
    ThresholdTooLow {
        /// The threshold asked for.
        threshold: u32,
        /// The lowest accepted without force.
        minimum: u32,
    },
    /// The year is published already: publishing it again replaces what people downloaded.
    #[error(
        "{year} is already published (edition {edition}); pass --again to publish it again and replace its files"
    )]
    AlreadyPublished {
        /// The year.
        year: i16,
        /// Its current edition.
        edition: u32,
    },
}

impl Request {
    /// Checks the request on `today` (in Paris), `edition` being the year's current edition
    /// if it is published.
    pub fn check(&self, today: Date, edition: Option<u32>) -> Result<(), Refusal> {
        if self.threshold == 0 {
            return Err(Refusal::NoThreshold);
        }
        if !self.force && today.year() <= self.year {
            return Err(Refusal::YearNotEnded {
                year: self.year,
                today,
            });
        }
        if !self.force && self.threshold < MINIMUM_THRESHOLD {
            return Err(Refusal::ThresholdTooLow {
                threshold: self.threshold,
                minimum: MINIMUM_THRESHOLD,
            });
        }
        match edition {
            Some(edition) if !self.again => Err(Refusal::AlreadyPublished {
                year: self.year,
                edition,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(year: i16, threshold: u32, force: bool, again: bool) -> Request {
        Request {
            year,
            threshold,
            force,
            again,
        }
    }

    #[test]
    fn only_ended_years_with_a_real_threshold_are_published_once() {
        let today = Date::constant(2025, 1, 2);
        let not_ended = |year| {
            Err(Refusal::YearNotEnded {
                year,
                today: Date::constant(2025, 1, 2),
            })
        };
        let low = |threshold| {
            Err(Refusal::ThresholdTooLow {
                threshold,
                minimum: 3,
            })
        };
        for (req, edition, expected) in [
            (request(2024, 5, false, false), None, Ok(())),
            (request(2024, 3, false, false), None, Ok(())),
            (request(2025, 5, false, false), None, not_ended(2025)),
            (request(2026, 5, false, false), None, not_ended(2026)),
            (request(2025, 5, true, false), None, Ok(())),
            (request(2024, 2, false, false), None, low(2)),
            (request(2024, 1, false, false), None, low(1)),
            (request(2024, 1, true, false), None, Ok(())),
            (
                request(2024, 0, true, false),
                None,
                Err(Refusal::NoThreshold),
            ),
            (
                request(2024, 5, false, false),
                Some(1),
                Err(Refusal::AlreadyPublished {
                    year: 2024,
                    edition: 1,
                }),
            ),
            // Force does not stand for again: republishing is always asked for by name.
            (
                request(2024, 5, true, false),
                Some(2),
                Err(Refusal::AlreadyPublished {
                    year: 2024,
                    edition: 2,
                }),
            ),
            (request(2024, 5, false, true), Some(2), Ok(())),
            (request(2024, 5, false, true), None, Ok(())),
        ] {
            assert_eq!(req.check(today, edition), expected, "{req:?} {edition:?}");
        }
    }
}
