//! The FINESS number, key of the national register of health and social establishments.

use std::fmt;

/// A FINESS number: 9 characters, the last a Luhn check digit over the first 8.
///
/// In Corsica's numbers (departments 2A and 2B) the letter counts as 1 (A) or 2 (B).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Finess([u8; 9]);

/// Why a FINESS number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidFiness {
    /// Not 9 characters.
    #[error("a FINESS number has 9 characters, got {got}")]
    BadLength {
        /// Characters given.
        got: usize,
    },
    /// A character that cannot stand at its position.
    #[error("character {position} of a FINESS number cannot be `{found}`")]
    BadCharacter {
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The check digit does not match.
    #[error("the check digit of FINESS number {number} is wrong (expected {expected})")]
    BadCheckDigit {
        /// The number given.
        number: String,
        /// The digit the first 8 characters call for.
        expected: u8,
    },
}

impl Finess {
    /// Parses a FINESS number (`^[0-9][0-9AB][0-9]{7}$`, letters only after a 2, valid check digit).
    pub fn parse(s: &str) -> Result<Self, InvalidFiness> {
        let n = s.chars().count();
        if n != 9 {
            return Err(InvalidFiness::BadLength { got: n });
        }
        let bytes: [u8; 9] = s
            .as_bytes()
            .try_into()
            .map_err(|_| InvalidFiness::BadLength { got: n })?;
        for (i, &b) in bytes.iter().enumerate() {
            let ok = b.is_ascii_digit() || (i == 1 && bytes[0] == b'2' && (b == b'A' || b == b'B'));
            if !ok {
                return Err(InvalidFiness::BadCharacter {
                    position: i + 1,
                    found: char::from(b),
                });
            }
        }
        let expected = Self::check_digit(&bytes[..8]);
        if bytes[8] - b'0' != expected {
            return Err(InvalidFiness::BadCheckDigit {
                number: s.to_owned(),
                expected,
            });
        }
        Ok(Self(bytes))
    }

    /// Builds the number made of these 8 characters and their check digit.
    pub fn with_check_digit(first8: &str) -> Result<Self, InvalidFiness> {
        let n = first8.chars().count();
        if n != 8 || !first8.is_ascii() {
            return Err(InvalidFiness::BadLength { got: n + 1 });
        }
        let digit = Self::check_digit(first8.as_bytes());
        Self::parse(&format!("{first8}{digit}"))
    }

    /// The Luhn check digit of the first 8 characters (A counts as 1, B as 2).
    fn check_digit(first8: &[u8]) -> u8 {
        let sum: u32 = first8
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &b)| {
                let d = match b {
                    b'A' => 1,
                    b'B' => 2,
                    _ => u32::from(b.wrapping_sub(b'0') % 10),
                };
                if i % 2 == 0 {
                    let dd = d * 2;
                    if dd > 9 { dd - 9 } else { dd }
                } else {
                    d
                }
            })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and A/B are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The department part of the number (2 characters: `75`, `2A`, `97` for overseas).
    pub fn department(&self) -> &str {
        &self.as_str()[..2]
    }
}

impl fmt::Debug for Finess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Finess({})", self.as_str())
    }
}

impl fmt::Display for Finess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Finess {
    type Err = InvalidFiness;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finess_table() {
        let cases: &[(&str, Result<&str, InvalidFiness>)] = &[
            ("010000024", Ok("010000024")),
            ("2A0000030", Ok("2A0000030")),
            ("2A0000139", Ok("2A0000139")),
            ("750712184", Ok("750712184")),
            ("01000002", Err(InvalidFiness::BadLength { got: 8 })),
            ("0100000245", Err(InvalidFiness::BadLength { got: 10 })),
            (
                "1A0000030",
                Err(InvalidFiness::BadCharacter {
                    position: 2,
                    found: 'A',
                }),
            ),
            (
                "2C0000030",
                Err(InvalidFiness::BadCharacter {
                    position: 2,
                    found: 'C',
                }),
            ),
            (
                "01000002x",
                Err(InvalidFiness::BadCharacter {
                    position: 9,
                    found: 'x',
                }),
            ),
            (
                "010000025",
                Err(InvalidFiness::BadCheckDigit {
                    number: "010000025".into(),
                    expected: 4,
                }),
            ),
        ];
        for (input, want) in cases {
            let got = Finess::parse(input).map(|f| f.to_string());
            assert_eq!(
                got.as_deref().map_err(Clone::clone),
                want.clone(),
                "input {input}"
            );
        }
    }

    #[test]
    fn check_digit_is_computed_for_corsica() {
        assert_eq!(
            Finess::with_check_digit("2A000003").unwrap().as_str(),
            "2A0000030"
        );
        assert_eq!(Finess::parse("2A0000030").unwrap().department(), "2A");
    }
}
