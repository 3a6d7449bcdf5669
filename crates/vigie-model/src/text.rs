//! Free text with a bounded length, counted in characters as JSON Schema does, and text
//! escaped for HTML and XML.

use std::fmt;

/// A string of `MIN..=MAX` characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoundedText<const MIN: usize, const MAX: usize>(String);

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Shorter than allowed (an empty text when one is required).
    #[error("must not be empty")]
    Empty,
    /// Longer than allowed.
    #[error("is {got} characters long, the maximum is {max}")]
    TooLong {
        /// Characters given.
        got: usize,
        /// The maximum.
        max: usize,
    },
}

impl<const MIN: usize, const MAX: usize> BoundedText<MIN, MAX> {
    /// Accepts `text` if its length in characters is within bounds.
    pub fn parse(text: impl Into<String>) -> Result<Self, TextError> {
        let text = text.into();
        let n = text.chars().count();
        if n < MIN {
            Err(TextError::Empty)
        } else if n > MAX {
            Err(TextError::TooLong { got: n, max: MAX })
        } else {
            Ok(Self(text))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Debug for BoundedText<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Display for BoundedText<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MIN: usize, const MAX: usize> AsRef<str> for BoundedText<MIN, MAX> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The text with `&`, `<`, `>`, `"` and `'` escaped, for an HTML or XML text node or
/// attribute value.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        type Short = BoundedText<1, 3>;
        assert!(Short::parse("éàü").is_ok());
        assert_eq!(
            Short::parse("abcd"),
            Err(TextError::TooLong { got: 4, max: 3 })
        );
        assert_eq!(Short::parse(""), Err(TextError::Empty));
    }
}
