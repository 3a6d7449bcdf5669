//! Vertical columns: two per row (months, slots, quarters), or one per year in a series.

use std::fmt::Write as _;

use vigie_observatory::{Cell, PublicFigure};

use crate::{
    format::{escape, tenths, wrap},
    frame::{self, WIDTH, YEAR},
};

/// Left margin.
const LEFT: i64 = 12;
/// Top of the plot, below the legend and room for the values.
const TOP: i64 = 56;
/// Height of the plot.
const PLOT: i64 = 220;
/// Short month names, for the axis.
const MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// The axis label of a row: a short month name for figure 3, else the label.
fn axis_label(figure: &PublicFigure, i: usize, label: &str) -> String {
    if figure.number == 3 {
        MONTHS
            .get(i)
            .map_or_else(|| label.to_owned(), |m| (*m).to_owned())
    } else {
        label.to_owned()
    }
}

/// Writes the axis labels under each group, wrapped to the group's width.
fn axis(out: &mut String, figure: &PublicFigure, group: i64) -> i64 {
    let width = usize::try_from((group / 7).max(4)).unwrap_or(4);
    let mut lines_max = 1;
    for (i, row) in figure.rows.iter().enumerate() {
        let x = LEFT + i64::try_from(i).unwrap_or(0) * group + group / 2;
        let lines = wrap(&axis_label(figure, i, &row.label), width, 3);
        lines_max = lines_max.max(lines.len());
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">",
            TOP + PLOT + 16
        );
        for (l, line) in lines.iter().enumerate() {
            let dy = if l == 0 { 0 } else { 14 };
            let _ = write!(out, "<tspan x=\"{x}\" dy=\"{dy}\">{}</tspan>", escape(line));
        }
        out.push_str("</text>");
    }
    i64::try_from(lines_max).unwrap_or(3)
}

/// The baseline of the plot.
fn baseline(out: &mut String) {
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\"/>",
        WIDTH - LEFT,
        frame::INK,
        y = TOP + PLOT
    );
}

/// One column with its value above it (or the suppression text on the baseline).
fn column(out: &mut String, x: i64, width: i64, cell: Cell, scale: i64, fill: &str) {
    let h = cell.value().map_or(0, |v| frame::extent(v, scale, PLOT));
    let top = TOP + PLOT - h;
    if cell.value().is_some() {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{top}\" width=\"{width}\" height=\"{h}\" fill=\"{fill}\"/>"
        );
    }
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
        x + width / 2,
        top - 4,
        escape(&frame::text(cell))
    );
}

/// Finishes a chart whose height depends on the axis labels: the result is the SVG.
fn finish(figure: &PublicFigure, desc: &str, body: &str, lines: i64) -> String {
    let height = TOP + PLOT + 16 + lines * 14 + 8;
    let mut out = String::new();
    frame::open(&mut out, figure, height, desc);
    out.push_str(body);
    frame::close(&mut out);
    out
}

/// The figure as grouped columns, year and year before; with the monthly mean of the
/// year as a dashed line when `mean` (figure 3) and every month is published.
pub(crate) fn columns(figure: &PublicFigure, mean: bool) -> String {
    let n = i64::try_from(figure.rows.len()).unwrap_or(0).max(1);
    let group = (WIDTH - 2 * LEFT) / n;
    let bar = (group - 14) / 2;
    let scale = frame::scale(figure, true);
    let mut body = String::new();
    frame::legend(&mut body, figure, LEFT, 10);
    for (i, row) in figure.rows.iter().enumerate() {
        let x = LEFT + i64::try_from(i).unwrap_or(0) * group + 6;
        let _ = write!(
            body,
            "<g class=\"group\"><title>{}</title>",
            escape(&row.label)
        );
        column(&mut body, x, bar, row.count, scale, YEAR);
        column(
            &mut body,
            x + bar,
            bar,
            row.previous,
            scale,
            &frame::fill(figure, 1),
        );
        body.push_str("</g>");
    }
    baseline(&mut body);
    let mut desc = frame::describe(figure, "Colonnes groupées");
    let sum: Option<i64> = figure.rows.iter().map(|r| r.count.value()).sum();
    if let Some(sum) = sum.filter(|_| mean) {
        // The mean in tenths, rounded half up.
        let tenth = (sum * 20 + n) / (2 * n);
        let y = TOP + PLOT - frame::extent(sum, scale * n, PLOT);
        let text = format!("Moyenne mensuelle {} : {}", figure.year, tenths(tenth));
        let _ = write!(
            body,
            "<g class=\"mean\"><line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#b34700\" \
             stroke-width=\"2\" stroke-dasharray=\"6 4\"/><line x1=\"260\" y1=\"17\" x2=\"284\" y2=\"17\" \
             stroke=\"#b34700\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"290\" y=\"21\" \
             fill=\"#8a3700\">{}</text></g>",
            WIDTH - LEFT,
            escape(&text)
        );
        let _ = write!(desc, " {text}, en tirets orange.");
    }
    let lines = axis(&mut body, figure, group);
    finish(figure, &desc, &body, lines)
}

/// The figure as a series over years: one column per year.
pub(crate) fn series(figure: &PublicFigure) -> String {
    let n = i64::try_from(figure.rows.len()).unwrap_or(0).max(1);
    let group = (WIDTH - 2 * LEFT) / n;
    let bar = (group * 3 / 5).min(90);
    let scale = frame::scale(figure, false);
    let mut body = String::new();
    for (i, row) in figure.rows.iter().enumerate() {
        let x = LEFT + i64::try_from(i).unwrap_or(0) * group + (group - bar) / 2;
        let _ = write!(
            body,
            "<g class=\"group\"><title>{}</title>",
            escape(&row.label)
        );
        column(&mut body, x, bar, row.count, scale, YEAR);
        body.push_str("</g>");
    }
    baseline(&mut body);
    let mut desc = String::from("Colonnes, une par année.");
    let values: Vec<String> = figure
        .rows
        .iter()
        .map(|r| format!("{} : {}", r.label, frame::text(r.count)))
        .collect();
    let _ = write!(desc, " {}.", values.join(", "));
    frame::suppressions(&mut desc, figure);
    let lines = axis(&mut body, figure, group);
    finish(figure, &desc, &body, lines)
}
