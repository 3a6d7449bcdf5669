//! Sets of codes (multi-valued fields), stored as a bit mask of the codes' indexes.

use std::{fmt, marker::PhantomData};

use crate::codes::{Code, UnknownCode};

/// A set of values of one vocabulary; iterates in the vocabulary's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeSet<T> {
    bits: u32,
    _of: PhantomData<T>,
}

impl<T: Code> CodeSet<T> {
    /// The empty set.
    pub const fn empty() -> Self {
        Self {
            bits: 0,
            _of: PhantomData,
        }
    }

    /// The set holding the given values.
    pub fn of(values: &[T]) -> Self {
        values.iter().copied().collect()
    }

    /// Rebuilds a set from [`CodeSet::bits`]; `None` when a bit names no value.
    pub fn from_bits(bits: u32) -> Option<Self> {
        let all = if T::ALL.len() >= 32 {
            u32::MAX
        } else {
            (1u32 << T::ALL.len()) - 1
        };
        (bits & !all == 0).then_some(Self {
            bits,
            _of: PhantomData,
        })
    }

    /// The bit mask: bit `i` is set when the value of index `i` is in the set.
    pub const fn bits(self) -> u32 {
        self.bits
    }

    /// Adds a value; returns false if it was already there.
    pub fn insert(&mut self, value: T) -> bool {
        let bit = 1u32 << value.index();
        let fresh = self.bits & bit == 0;
        self.bits |= bit;
        fresh
    }

    /// Whether the value is in the set.
    pub fn contains(self, value: T) -> bool {
        self.bits & (1u32 << value.index()) != 0
    }

    /// Number of values in the set.
    pub const fn len(self) -> u32 {
        self.bits.count_ones()
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// The values, in the vocabulary's order.
    pub fn iter(self) -> impl Iterator<Item = T> {
        T::ALL.iter().copied().filter(move |v| self.contains(*v))
    }

    /// The codes, in the vocabulary's order.
    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(T::code).collect()
    }

    /// Parses a list of codes; a repeated code is reported as `Err(Ok(code))`.
    pub fn parse_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Self, SetError> {
        let mut set = Self::empty();
        for code in codes {
            let value = T::parse(code).map_err(SetError::Unknown)?;
            if !set.insert(value) {
                return Err(SetError::Repeated(value.code()));
            }
        }
        Ok(set)
    }
}

/// Why a list of codes is not a set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    /// A code is unknown.
    #[error(transparent)]
    Unknown(UnknownCode),
    /// A code appears twice.
    #[error("`{0}` is given twice")]
    Repeated(&'static str),
}

impl<T: Code> Default for CodeSet<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: Code> FromIterator<T> for CodeSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::empty();
        for v in iter {
            set.insert(v);
        }
        set
    }
}

impl<T: Code> fmt::Debug for CodeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(T::code)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DataKind;

    #[test]
    fn sets_keep_vocabulary_order_and_refuse_repeats() {
        let set = CodeSet::<DataKind>::parse_codes(["confidential", "health_personal"]).unwrap();
        assert_eq!(set.codes(), ["health_personal", "confidential"]);
        assert_eq!(CodeSet::<DataKind>::from_bits(set.bits()), Some(set));
        assert_eq!(CodeSet::<DataKind>::from_bits(1 << 4), None);
        assert_eq!(
            CodeSet::<DataKind>::parse_codes(["confidential", "confidential"]),
            Err(SetError::Repeated("confidential"))
        );
    }
}
