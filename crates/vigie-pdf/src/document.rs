//! The report as Typst source: the layout (`report.typ`), then the cover, the contents,
//! the note on suppressed counts and every section in the report's order, with each
//! chart as a virtual SVG file beside the source.
//!
//! Every text from the report (labels, analysts' prose, events, threats, the publisher)
//! goes through [`markup::text`] or a string literal: the generated part calls the
//! layout's functions and nothing else.

use std::fmt::Write as _;

use vigie_chart::prose::{self, Block, Inline};
use vigie_chart::report::{self, NotableEvent, RECOMMENDATIONS, Report};
use vigie_chart::{caption, cell_text, notes, percent, signed, svg};
use vigie_model::Code;
use vigie_model::calendar::{MONTHS_FR, french_date};
use vigie_observatory::{Editorial, PublicFigure, ReportSection};

use crate::markup::{literal, string, text};

/// The layout the generated part calls.
const LAYOUT: &str = include_str!("report.typ");

/// Width of the text on an A4 page with the layout's margins, in points.
const TEXT_WIDTH_PT: f64 = 481.9;
/// The tallest a chart may be drawn, in points (22.5 cm: a page's text less a caption).
const CHART_MAX_PT: f64 = 640.0;

/// The Typst source of a report and the files it reads.
#[derive(Debug, Clone)]
pub struct Document {
    /// The main source.
    pub source: String,
    /// Virtual files beside it (`figure-N.svg`), by path.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Writes the report as Typst source.
pub fn document(report: &Report<'_>) -> Document {
    let obs = report.observatory;
    let year = obs.year;
    let title = report::title(year);
    let mut out = String::with_capacity(128 * 1024);
    let mut files = Vec::new();
    out.push_str(LAYOUT);
    let _ = write!(
        out,
        "\n#show: setup.with(title: {}, short: {}, publisher: {})\n\n\
         #cover([{}], [{}], [{year}])\n\n\
         #outline(title: [Sommaire], depth: 1)\n\n\
         #lead[{}]\n\n\
         #outline(title: [Table des figures], target: figure.where(kind: \"vigie\"))\n\n",
        literal(&title),
        string(&format!("Observatoire {year}")),
        string(report.publisher),
        text(report.publisher),
        text(&title),
        text(&report::lead(report)),
    );
    for section in ReportSection::ALL.iter().copied() {
        let _ = writeln!(out, "= {}\n", text(section.label()));
        if let Some(written) = report.editorial.text(section) {
            out.push_str(&prose_markup(&prose::parse(written)));
        }
        match section {
            ReportSection::KeyFigures => key_figures(&mut out, report),
            ReportSection::Events => events(&mut out, report.events),
            ReportSection::Threats => threats(&mut out, report.editorial, year),
            ReportSection::Recommendations if report.editorial.text(section).is_none() => {
                for r in RECOMMENDATIONS {
                    let _ = writeln!(out, "+ {}", text(r));
                }
                out.push('\n');
            }
            _ => {}
        }
        for n in section.figures() {
            if section == ReportSection::KeyFigures {
                break;
            }
            if let Some(figure) = obs.figure(*n) {
                chart(&mut out, &mut files, figure);
            }
        }
    }
    Document { source: out, files }
}

/// Analysts' blocks as markup: paragraphs, bulleted and numbered lists.
pub fn prose_markup(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(runs) => {
                inline(&mut out, runs);
                out.push_str("\n\n");
            }
            Block::List { ordered, items } => {
                let marker = if *ordered { '+' } else { '-' };
                for item in items {
                    let _ = write!(out, "{marker} ");
                    inline(&mut out, item);
                    out.push('\n');
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Inline runs as markup, on one line.
fn inline(out: &mut String, runs: &[Inline]) {
    for run in runs {
        match run {
            Inline::Text(t) => out.push_str(&text(t)),
            Inline::Emphasis(inner) => {
                out.push_str("#emph[");
                inline(out, inner);
                out.push(']');
            }
            Inline::Strong(inner) => {
                out.push_str("#strong[");
                inline(out, inner);
                out.push(']');
            }
            Inline::Code(code) => {
                let _ = write!(out, "#raw({})", literal(code));
            }
            Inline::Link { href, text } => {
                let _ = write!(out, "#link({})[", literal(href));
                inline(out, text);
                out.push(']');
            }
            Inline::Break => out.push_str("#linebreak()"),
        }
    }
}

/// Figure 1 as tiles.
fn key_figures(out: &mut String, report: &Report<'_>) {
    let obs = report.observatory;
    let Some(figure) = obs.figure(1) else {
        return;
    };
    let _ = writeln!(out, "#vfigure(1, [{}], tiles(", text(&caption(figure)));
    for tile in report::key_figures(obs) {
        let _ = writeln!(
            out,
            "  tile([{}], [{}], [{}]),",
            text(&tile.value),
            text(&tile.label),
            text(&tile.change)
        );
    }
    out.push_str("))\n\n");
    note(out, figure);
}

/// Figure 2: the shared events of the year.
fn events(out: &mut String, events: &[NotableEvent]) {
    let _ = writeln!(
        out,
        "#vfigure(2, breakable: true, [{}], flow[",
        text(report::EVENTS_CAPTION)
    );
    if events.is_empty() {
        let _ = writeln!(out, "#par[{}]", text(report::NO_EVENTS));
    }
    for e in events {
        let since = e
            .first_declared
            .as_deref()
            .map(|d| format!(", à partir du {d}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- #strong[{}]{}~: {} ({})",
            text(&e.name),
            text(&since),
            text(&e.description),
            text(&report::declarations(e.declarations)),
        );
    }
    out.push_str("])\n\n");
}

/// Figure 17: the threat timeline, month by month.
fn threats(out: &mut String, editorial: &Editorial, year: i16) {
    let _ = writeln!(
        out,
        "#vfigure(17, breakable: true, [{}], flow[",
        text(&report::threats_caption(year))
    );
    if editorial.threats.is_empty() {
        let _ = writeln!(out, "#par[{}]", text(report::NO_THREATS));
    }
    for (m, name) in MONTHS_FR.iter().enumerate() {
        let month = i8::try_from(m + 1).unwrap_or(12);
        let mut entries = editorial.threats_in(month).peekable();
        if entries.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "#month([{}], {{", text(&capitalized(name)));
        for t in entries {
            let reference = t
                .reference
                .as_deref()
                .map(|r| format!(" (#raw({}))", literal(r)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  threat([{}], {}, [{}], [#strong[{}]{reference}~: {}])",
                text(&french_date(t.identified_on)),
                literal(t.kind.code()),
                text(t.kind.label()),
                text(&t.name),
                text(&t.summary),
            );
        }
        out.push_str("})\n");
    }
    out.push_str("])\n\n");
}

/// A word with its first letter upper case.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A counted figure: its chart, its note and its data table.
fn chart(out: &mut String, files: &mut Vec<(String, Vec<u8>)>, figure: &PublicFigure) {
    let n = figure.number;
    let drawing = svg(figure);
    let size = match svg_aspect(&drawing) {
        Some(ratio) if TEXT_WIDTH_PT * ratio > CHART_MAX_PT => format!("height: {CHART_MAX_PT}pt"),
        _ => "width: 100%".to_owned(),
    };
    let path = format!("figure-{n}.svg");
    let alt = format!(
        "Graphique de la figure {n} : {}. Ses valeurs figurent dans le tableau de données qui suit.",
        caption(figure)
    );
    let _ = writeln!(
        out,
        "#vfigure({n}, [{}], image({}, {size}, alt: {}))\n",
        text(&caption(figure)),
        literal(&path),
        string(&alt),
    );
    files.push((path, drawing.into_bytes()));
    note(out, figure);
    data_table(out, figure);
}

/// The figure's note and suppressions, when it has any.
fn note(out: &mut String, figure: &PublicFigure) {
    let notes = notes(figure);
    if !notes.is_empty() {
        let _ = writeln!(out, "#note[{}]\n", text(&notes));
    }
}

/// The figure's data as a table, suppressed cells written `< 5` or `n.d.`.
fn data_table(out: &mut String, figure: &PublicFigure) {
    let series = figure.is_series();
    let header: Vec<String> = if series {
        vec![
            "Année".into(),
            "Nombre".into(),
            "Évolution sur un an".into(),
            "Évolution (%)".into(),
        ]
    } else {
        vec![
            "Libellé".into(),
            figure.year.to_string(),
            (figure.year - 1).to_string(),
            "Évolution".into(),
            "Évolution (%)".into(),
        ]
    };
    let _ = write!(out, "#data-table({}, (", figure.number);
    for h in &header {
        let _ = write!(out, "[{}], ", text(h));
    }
    out.push_str("), (\n");
    for (row, delta) in figure.rows.iter().zip(figure.deltas()) {
        let change = delta.map_or_else(|| "–".to_owned(), |d| signed(d.change));
        let ratio = delta
            .and_then(|d| d.per_mille)
            .map_or_else(|| "–".to_owned(), percent);
        let mut cells = vec![row.label.clone(), cell_text(row.count)];
        if !series {
            cells.push(cell_text(row.previous));
        }
        cells.push(change);
        cells.push(ratio);
        out.push_str("  (");
        for c in &cells {
            let _ = write!(out, "[{}], ", text(c));
        }
        out.push_str("),\n");
    }
    out.push_str("))\n\n");
}

/// Height over width of an SVG drawing, from its `viewBox`.
fn svg_aspect(svg: &str) -> Option<f64> {
    let start = svg.find("viewBox=\"")? + "viewBox=\"".len();
    let end = start + svg[start..].find('"')?;
    let numbers: Vec<f64> = svg[start..end]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers.as_slice() {
        [_, _, width, height] if *width > 0.0 => Some(height / width),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_becomes_paragraphs_and_lists() {
        let markup = prose_markup(&prose::parse(
            "Une *hausse* **nette** de `CVE-1` [ici](https://e.fr).\n\n- un\n- deux\n\n1. premier",
        ));
        assert_eq!(
            markup,
            "Une #emph[hausse] #strong[nette] de #raw(\"CVE-1\") #link(\"https://e.fr\")[ici]\\.\n\n\
             - un\n- deux\n\n+ premier\n\n"
        );
    }

    #[test]
    fn hostile_prose_stays_text() {
        let markup = prose_markup(&prose::parse(
            "#import \"x\": *\n\n= Titre\n\n$x$ @a <b> \\ ~ `#eval(\"1\")` [l](javascript:alert(1))",
        ));
        let code = "#raw(\"#eval(\\\"1\\\")\")";
        assert!(markup.contains(code), "{markup}");
        // Every other `#` is the analyst's, escaped.
        let rest = markup.replace(code, "");
        for (i, _) in rest.match_indices('#') {
            assert!(rest[..i].ends_with('\\'), "unescaped # at {i} in {rest}");
        }
        assert!(
            rest.starts_with("\\#import \\\"x\\\"\\: \\*\n\n\\= Titre\n\n"),
            "{rest}"
        );
        assert!(!markup.contains("javascript"), "{markup}");
    }

    #[test]
    fn aspect_is_read_from_the_view_box() {
        assert_eq!(
            svg_aspect("<svg viewBox=\"0 0 720 360\" width=\"720\">"),
            Some(0.5)
        );
        assert_eq!(svg_aspect("<svg>"), None);
        assert_eq!(capitalized("février"), "Février");
    }
}
