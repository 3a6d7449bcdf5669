//! What every chart shares: the `<svg>` element with its title and description, the
//! patterns, the legend of the two years, and how a value is written.

use std::fmt::Write as _;

use vigie_observatory::{Cell, PublicFigure};

use crate::format::{escape, number};

/// Width of every chart, in SVG units.
pub(crate) const WIDTH: i64 = 720;
/// Colour of the year's bars (8.8:1 on white).
pub(crate) const YEAR: &str = "#1f4e79";
/// Colour of the year before's bars, hatched with white (5.6:1 on white).
pub(crate) const BEFORE: &str = "#5f6b7a";
/// Colour of text.
pub(crate) const INK: &str = "#1a1a1a";

/// The id prefix of a figure's chart.
pub(crate) fn id(figure: &PublicFigure) -> String {
    format!("figure-{}", figure.number)
}

/// The chart's accessible title: number, title and years.
pub(crate) fn title(figure: &PublicFigure) -> String {
    format!("Figure {} – {}", figure.number, caption(figure))
}

/// The figure's title and years, without its number.
pub(crate) fn caption(figure: &PublicFigure) -> String {
    if figure.is_series() {
        figure.title.to_owned()
    } else {
        format!("{}, {} et {}", figure.title, figure.year, figure.year - 1)
    }
}

/// Opens the SVG: size, role, title, description and the hatch pattern of the year before.
pub(crate) fn open(out: &mut String, figure: &PublicFigure, height: i64, desc: &str) {
    let id = id(figure);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"sans-serif\" font-size=\"12\" fill=\"{INK}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <defs><pattern id=\"{id}-hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{BEFORE}\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"2\"/></pattern></defs>\
         <rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>",
        escape(&title(figure)),
        escape(desc),
    );
}

/// Closes the SVG.
pub(crate) fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// The fill of a bar: solid for the year (`column` 0), hatched for the year before.
pub(crate) fn fill(figure: &PublicFigure, column: usize) -> String {
    if column == 0 {
        YEAR.to_owned()
    } else {
        format!("url(#{}-hatch)", id(figure))
    }
}

/// The legend of the two years at `(x, y)` (top of the swatches).
pub(crate) fn legend(out: &mut String, figure: &PublicFigure, x: i64, y: i64) {
    for (column, year) in [(0, figure.year), (1, figure.year - 1)] {
        let x = x + 110 * i64::try_from(column).unwrap_or(0);
        let what = if column == 0 { "plein" } else { "hachuré" };
        let _ = write!(
            out,
            "<g class=\"legend\"><rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{year} ({what})</text></g>",
            fill(figure, column),
            x + 20,
            y + 11,
        );
    }
}

/// A cell as text: the number, or `< 5` / `n.d.` when suppressed.
pub(crate) fn text(cell: Cell) -> String {
    match cell {
        Cell::Value(v) => number(v),
        suppressed => suppressed.suppressed_text().unwrap_or_default(),
    }
}

/// The largest published value of both columns, at least 1 (the scale of the bars).
pub(crate) fn scale(figure: &PublicFigure, both: bool) -> i64 {
    figure
        .rows
        .iter()
        .flat_map(|r| [Some(r.count), both.then_some(r.previous)])
        .flatten()
        .filter_map(Cell::value)
        .max()
        .unwrap_or(0)
        .max(1)
}

/// `length × value / scale`, rounded down, for a published value.
pub(crate) fn extent(value: i64, scale: i64, length: i64) -> i64 {
    let v = i128::from(value.max(0)) * i128::from(length) / i128::from(scale.max(1));
    i64::try_from(v).unwrap_or(length)
}

/// The description shared by two-year charts: what the marks are, the largest value,
/// the note and suppressions, and where the numbers are.
pub(crate) fn describe(figure: &PublicFigure, shape: &str) -> String {
    let mut desc = format!(
        "{shape} : {} en bleu plein, {} en gris hachuré.",
        figure.year,
        figure.year - 1
    );
    let top = figure
        .rows
        .iter()
        .filter_map(|r| r.count.value().map(|v| (v, r)))
        .max_by_key(|(v, _)| *v);
    if let Some((v, row)) = top.filter(|(v, _)| *v > 0) {
        let _ = write!(
            desc,
            " Valeur la plus élevée en {} : {} ({}).",
            figure.year,
            row.label,
            number(v)
        );
    }
    suppressions(&mut desc, figure);
    desc.push_str(
        " Chaque valeur est écrite sur le graphique et détaillée dans le tableau de données.",
    );
    desc
}

/// Appends the figure's note and what its suppressed values mean.
pub(crate) fn suppressions(desc: &mut String, figure: &PublicFigure) {
    if let Some(note) = figure.note {
        let _ = write!(desc, " {note}.");
    }
    let cells = || figure.rows.iter().flat_map(|r| [r.count, r.previous]);
    if let Some(t) = cells().find_map(|c| match c {
        Cell::Below(t) => Some(t),
        _ => None,
    }) {
        let _ = write!(
            desc,
            " « < {t} » : moins de {t}, non publié pour qu'aucune structure ne soit identifiable."
        );
    }
    if cells().any(|c| c == Cell::Withheld) {
        desc.push_str(
            " « n.d. » : non diffusé, pour qu'une valeur masquée ne puisse être recalculée.",
        );
    }
}
