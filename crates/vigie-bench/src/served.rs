//! The figures a served dashboard carries: read out of the data table that follows each
//! chart of `/observatoire` (`<table class="figure-table" id="figure-N-table">`, one row
//! per key: its label, the year's count, the year before's, then the changes), to be
//! checked against another engine's figures for the same view.

use std::collections::HashMap;

use vigie_observatory::{COUNTED_FIGURES, Observatory};

use crate::duckdb::Rows;

/// One figure as a page shows it: its number and its rows `(label, count, previous)`
/// (`previous` is `None` for a series, whose table has no such column).
pub type Shown = Vec<(u8, Vec<(String, i64, Option<i64>)>)>;

/// What opens each figure's data table.
const TABLE: &str = "<table class=\"figure-table\" id=\"figure-";

/// Whether a page carries the data table of every counted figure (a cheap check of
/// every response; [`figures`] reads them).
pub fn is_whole(page: &[u8]) -> bool {
    let tables = page
        .windows(TABLE.len())
        .filter(|w| *w == TABLE.as_bytes())
        .count();
    tables == COUNTED_FIGURES.len()
}

/// The text between `open` and the next `close` after `from`, and where it ends.
fn between<'a>(text: &'a str, from: usize, open: &str, close: &str) -> Option<(&'a str, usize)> {
    let start = from + text[from..].find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some((&text[start..start + len], start + len + close.len()))
}

/// Undoes the escapes of the page's text (`vigie_chart`'s five).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A number as the page writes it: digits in groups apart by narrow no-break spaces, a
/// minus sign `−`.
fn number(text: &str) -> Option<i64> {
    let plain: String = text
        .chars()
        .filter(|c| *c != '\u{202f}')
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    plain.parse().ok()
}

/// Every figure's data table of a served dashboard, in the page's order.
pub fn figures(page: &str) -> Result<Shown, String> {
    let mut out = Shown::new();
    let mut at = 0;
    while let Some(found) = page[at..].find(TABLE) {
        let start = at + found;
        let (number, _) = between(page, start, TABLE, "-table\"").ok_or("a table without id")?;
        let number: u8 = number
            .parse()
            .map_err(|_| format!("a table id figure-{number}"))?;
        let (body, end) = between(page, start, "<tbody>", "</tbody>")
            .ok_or_else(|| format!("figure {number}: no table body"))?;
        let mut rows = Vec::new();
        let mut row_at = 0;
        while let Some((row, next)) = between(body, row_at, "<tr>", "</tr>") {
            row_at = next;
            let (label, cells_at) = between(row, 0, "<th scope=\"row\">", "</th>")
                .ok_or_else(|| format!("figure {number}: a row without label"))?;
            let mut cells = Vec::new();
            let mut cell_at = cells_at;
            while let Some((cell, next)) = between(row, cell_at, "<td>", "</td>") {
                cells.push(cell);
                cell_at = next;
            }
            let value = |i: usize| {
                number_of(cells.get(i).copied()).ok_or_else(|| {
                    format!("figure {number}, {label}: cell {i} is {:?}", cells.get(i))
                })
            };
            // Count, previous, change, change in % — or, for a series, count and changes.
            let (count, previous) = match cells.len() {
                4 => (value(0)?, Some(value(1)?)),
                3 => (value(0)?, None),
                n => return Err(format!("figure {number}, {label}: {n} cells")),
            };
            rows.push((unescape(label), count, previous));
        }
        out.push((number, rows));
        at = end;
    }
    Ok(out)
}

fn number_of(cell: Option<&str>) -> Option<i64> {
    number(cell?)
}

/// The French label of each `(figure, key)` of an observatory's figures.
pub fn labels(observatory: &Observatory) -> HashMap<(u8, String), String> {
    observatory
        .figures
        .iter()
        .flat_map(|f| {
            f.rows
                .iter()
                .map(move |r| ((f.number, r.key.clone()), r.label.clone()))
        })
        .collect()
}

/// Every difference between the figures a page shows and `expected` (keyed rows, their
/// keys labelled by `labels`); empty when the page shows exactly those figures.
pub fn compare(
    shown: &Shown,
    expected: &Rows,
    labels: &HashMap<(u8, String), String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let shown_numbers: Vec<u8> = shown.iter().map(|(n, _)| *n).collect();
    let expected_numbers: Vec<u8> = expected.iter().map(|(n, _)| *n).collect();
    if shown_numbers != expected_numbers {
        out.push(format!(
            "figures: the page shows {shown_numbers:?}, expected {expected_numbers:?}"
        ));
    }
    for (number, rows) in expected {
        let Some((_, page)) = shown.iter().find(|(n, _)| n == number) else {
            continue;
        };
        if rows.len() != page.len() {
            out.push(format!(
                "figure {number}: {} rows on the page, {} expected",
                page.len(),
                rows.len()
            ));
        }
        for ((key, count, previous), (label, shown_count, shown_previous)) in rows.iter().zip(page)
        {
            let want = labels.get(&(*number, key.clone()));
            // A series shows no year before (its rows are years).
            let previous_ok = shown_previous.is_none_or(|p| p == *previous);
            if want != Some(label) || count != shown_count || !previous_ok {
                out.push(format!(
                    "figure {number}: the page shows {label:?} {shown_count} / {shown_previous:?}, expected {key} ({}) {count} / {previous}",
                    want.map_or("no label", String::as_str)
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use vigie_observatory::{Filter, PublicObservatory};

    use super::*;

    /// A page as `/observatoire` renders it: every counted figure's chart and table.
    fn page(observatory: &Observatory) -> String {
        let public = PublicObservatory::unrestricted(observatory);
        let mut page = String::from("<html><main><h1>Observatoire</h1>");
        for n in COUNTED_FIGURES {
            let f = public.figure(n).unwrap();
            page.push_str(&vigie_chart::svg(f));
            page.push_str("<details><summary>Données</summary>");
            page.push_str(&vigie_chart::table(f));
            page.push_str("</details>");
        }
        page.push_str("</main></html>");
        page
    }

    #[test]
    fn the_tables_of_a_page_read_back_as_its_figures() {
        let mut observatory = vigie_observatory::compute_on(
            &[],
            2024,
            &crate::vigie::reference().unwrap(),
            &Filter::default(),
            NonZeroUsize::MIN,
        );
        // Large, varied counts, the year before larger or smaller.
        for (i, f) in observatory.figures.iter_mut().enumerate() {
            for (j, r) in f.rows.iter_mut().enumerate() {
                r.count = (i as i64 + 1) * 1_234_567 + j as i64;
                r.previous = if f.number == 15 || f.number == 20 {
                    0
                } else {
                    (j as i64) * 1_001
                };
            }
        }
        let html = page(&observatory);
        assert!(is_whole(html.as_bytes()));
        assert!(!is_whole(b"<html>Observatoire</html>"));
        let shown = figures(&html).unwrap();
        let expected = crate::vigie_rows(&observatory);
        assert_eq!(
            compare(&shown, &expected, &labels(&observatory)),
            Vec::<String>::new()
        );
        // One count off, one row missing: both seen.
        let mut wrong = expected.clone();
        wrong[3].1[1].1 += 1;
        wrong[5].1.pop();
        let differences = compare(&shown, &wrong, &labels(&observatory));
        assert_eq!(differences.len(), 2, "{differences:?}");
    }
}
