//! French number formatting and escaping for SVG and HTML text.

/// Escapes text for an XML or HTML text node or attribute value.
pub use vigie_model::text::escape_html as escape;

/// A number the French way: groups of three digits apart by a narrow no-break space,
/// a minus sign `−`.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('\u{2212}');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(d);
    }
    out
}

/// A change with its sign: `+12`, `−3`, `0`.
pub fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", number(n))
    } else {
        number(n)
    }
}

/// A change in tenths of a percent, the French way: `+12,5 %`, `−3,0 %`.
pub fn percent(per_mille: i64) -> String {
    let sign = match per_mille {
        p if p > 0 => "+",
        p if p < 0 => "\u{2212}",
        _ => "",
    };
    let abs = per_mille.unsigned_abs();
    let whole = number(i64::try_from(abs / 10).unwrap_or(i64::MAX));
    format!("{sign}{whole},{}\u{202f}%", abs % 10)
}

/// Tenths as a French decimal: `624` → `62,4`.
pub(crate) fn tenths(n: i64) -> String {
    let sign = if n < 0 { "\u{2212}" } else { "" };
    let abs = n.unsigned_abs();
    let whole = number(i64::try_from(abs / 10).unwrap_or(i64::MAX));
    format!("{sign}{whole},{}", abs % 10)
}

/// Cuts a label into lines of at most `width` characters at spaces (a longer word
/// keeps its own line), at most `max_lines` lines, the last one ending in `…` if cut.
pub(crate) fn wrap(label: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_signed_the_french_way() {
        let cases: &[(i64, &str)] = &[
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1\u{202f}000"),
            (-1234567, "\u{2212}1\u{202f}234\u{202f}567"),
        ];
        for &(n, want) in cases {
            assert_eq!(number(n), want, "{n}");
        }
        assert_eq!(signed(12), "+12");
        assert_eq!(signed(-3), "\u{2212}3");
        assert_eq!(percent(125), "+12,5\u{202f}%");
        assert_eq!(percent(-30), "\u{2212}3,0\u{202f}%");
        assert_eq!(percent(0), "0,0\u{202f}%");
        assert_eq!(tenths(624), "62,4");
    }

    #[test]
    fn labels_wrap_at_spaces_and_are_cut_with_an_ellipsis() {
        assert_eq!(
            wrap("Jour ouvré, 18 h – 18 h 30", 12, 3),
            ["Jour ouvré,", "18 h – 18 h", "30"]
        );
        assert_eq!(wrap("un deux trois quatre", 5, 2), ["un", "deux…"]);
        assert_eq!(
            escape("<a href=\"x\">R&D 'ok'</a>"),
            "&lt;a href=&quot;x&quot;&gt;R&amp;D &#39;ok&#39;&lt;/a&gt;"
        );
    }
}
