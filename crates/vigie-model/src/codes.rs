//! Closed vocabularies: each a Rust enum with a stable code and a French label.

use std::fmt;

/// A closed vocabulary: every value has a stable code, a French label and a small index.
pub trait Code: Copy + Eq + fmt::Debug + 'static {
    /// Every value, in the order of the contracts (schema enum, observatory keys).
    const ALL: &'static [Self];
    /// What the vocabulary names, in English, for error messages.
    const WHAT: &'static str;
    /// The stable code used in data, APIs and exports.
    fn code(self) -> &'static str;
    /// The French label shown to people.
    fn label(self) -> &'static str;
    /// The position of the value in [`Code::ALL`]; stable, used for compact storage.
    fn index(self) -> u8;
    /// The value at `index` in [`Code::ALL`].
    fn from_index(index: u8) -> Option<Self> {
        Self::ALL.get(usize::from(index)).copied()
    }
    /// Parses a code, naming the vocabulary and the accepted codes when it is unknown.
    fn parse(code: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code() == code)
            .ok_or_else(|| UnknownCode {
                what: Self::WHAT,
                got: code.chars().take(80).collect(),
                expected: Self::ALL.iter().map(|v| v.code()).collect(),
            })
    }
}

/// A code that is not part of its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}` (expected one of: {})", expected.join(", "))]
pub struct UnknownCode {
    /// The vocabulary.
    pub what: &'static str,
    /// The code that was given (cut to 80 characters).
    pub got: String,
    /// The codes the vocabulary accepts.
    pub expected: Vec<&'static str>,
}

/// Defines a closed vocabulary: `Variant = ("code", "Libellé")`, in contract order.
///
/// The defining crate must depend on `serde`.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::codes::Code for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const WHAT: &'static str = $what;
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            fn index(self) -> u8 {
                self as u8
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::codes::Code::code(*self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::codes::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::codes::Code>::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::codes::Code::code(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                <Self as $crate::codes::Code>::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, DataImpactCode, Region, StructureType};

    fn check_vocabulary<T: Code>() {
        for (i, v) in T::ALL.iter().enumerate() {
            assert_eq!(usize::from(v.index()), i, "{} index", T::WHAT);
            assert_eq!(T::parse(v.code()), Ok(*v));
            assert!(!v.label().is_empty());
            assert_eq!(T::from_index(v.index()), Some(*v));
        }
    }

    #[test]
    fn every_vocabulary_round_trips_its_codes() {
        check_vocabulary::<Region>();
        check_vocabulary::<StructureType>();
        check_vocabulary::<Category>();
        check_vocabulary::<DataImpactCode>();
    }

    #[test]
    fn unknown_code_names_the_vocabulary_and_the_choices() {
        let err = StructureType::parse("hospital").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("unknown structure type `hospital`"),
            "{msg}"
        );
        assert!(msg.contains("es_public, es_prive"), "{msg}");
    }
}
