//! Text written into Typst source, so that nothing a text holds is read as markup or code.
//!
//! Typst's markup gives a meaning to ASCII punctuation only (`#` code, `*` strong, `_`
//! emphasis, `$` math, `@` references, `<…>` labels, `[…]` content, `~` and `--`
//! shorthands, `'` and `"` smart quotes, `` ` `` raw text, `=`, `-`, `+`, `/` and `1.` at a
//! line's start, `//` comments, `http://` links, `\` escapes) and to line breaks (a blank
//! line ends a paragraph). [`text`] escapes every ASCII punctuation character with a
//! backslash, which Typst reads as that character and nothing else, and turns every line
//! break or control character into a space. [`string`] writes a string literal for code.
//!
//! Both also set French typography: an apostrophe becomes `’`, and the space before `:`,
//! `;`, `!`, `?`, `»` and after `«` becomes a no-break space, so that a line never starts
//! with one of them; so does the space after `<` and `>` (`< 5`).

/// No-break space, before `:` and inside guillemets.
const NBSP: char = '\u{a0}';
/// Narrow no-break space, before `;`, `!` and `?`.
const NNBSP: char = '\u{202f}';

/// The text with French spacing and apostrophes, every run of whitespace or control
/// characters as one space.
fn typography(text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            c if c.is_whitespace() || c.is_control() => ' ',
            '\'' => '’',
            c => c,
        };
        match c {
            ' ' if matches!(out.last(), Some(' ' | &NBSP | &NNBSP)) => {}
            ' ' if matches!(out.last(), Some('«' | '<' | '>')) => out.push(NBSP),
            ':' | '»' if out.last() == Some(&' ') => {
                out.pop();
                out.push(NBSP);
                out.push(c);
            }
            ';' | '!' | '?' if out.last() == Some(&' ') => {
                out.pop();
                out.push(NNBSP);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The text as Typst markup: read back as exactly its characters (French spacing
/// aside), on one line.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in typography(text) {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The text as a Typst string literal, quotes included, with French typography.
pub fn string(text: &str) -> String {
    literal(&typography(text).into_iter().collect::<String>())
}

/// The text as a Typst string literal, quotes included, character for character (for
/// code, link targets and metadata).
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            text("#let x = 1 *gras* _it_ $x$ @ref <lab> [c] ~ `r` \\ / : -- ..."),
            "\\#let x \\= 1 \\*gras\\* \\_it\\_ \\$x\\$ \\@ref \\<lab\\>\u{a0}\\[c\\] \\~ \\`r\\` \\\\ \\/\u{a0}\\: \\-\\- \\.\\.\\."
        );
        assert_eq!(text("= Titre"), "\\= Titre");
        assert_eq!(text("- point"), "\\- point");
        assert_eq!(text("+ point"), "\\+ point");
        assert_eq!(text("1. un"), "1\\. un");
        assert_eq!(text("// commentaire"), "\\/\\/ commentaire");
        assert_eq!(text("https://e.fr"), "https\\:\\/\\/e\\.fr");
        assert_eq!(text("\\u{41}"), "\\\\u\\{41\\}");
    }

    #[test]
    fn line_breaks_and_control_characters_become_one_space() {
        assert_eq!(
            text("un\n\ndeux\r\n= trois\tquatre\u{0}"),
            "un deux \\= trois quatre "
        );
        assert_eq!(text("a\u{2029}b"), "a b");
    }

    #[test]
    fn french_typography_is_set() {
        assert_eq!(
            text("l'année : « oui » ; non ! vraiment ?"),
            "l’année\u{a0}\\: «\u{a0}oui\u{a0}»\u{202f}\\; non\u{202f}\\! vraiment\u{202f}\\?"
        );
        assert_eq!(text("« < 5 »"), "«\u{a0}\\<\u{a0}5\u{a0}»");
        // Letters, digits and other scripts pass as they are.
        assert_eq!(text("Évènement 2024 ø 日本"), "Évènement 2024 ø 日本");
    }

    #[test]
    fn string_literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(literal("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u{1}\"");
        assert_eq!(literal("#[x]"), "\"#[x]\"");
        assert_eq!(string("l'an\n2024"), "\"l’an 2024\"");
    }
}
