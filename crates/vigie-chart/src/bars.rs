//! Horizontal bars: per row, its label above a bar for the year and one for the year before.

use std::fmt::Write as _;

use vigie_observatory::PublicFigure;

use crate::{
    format::escape,
    frame::{self, WIDTH},
};

/// Left margin.
const LEFT: i64 = 12;
/// Room kept right of the longest bar for its value.
const VALUE_ROOM: i64 = 90;
/// Height of one row: label, two bars, gap.
const ROW: i64 = 58;
/// Height of one bar.
const BAR: i64 = 15;
/// Top of the first row, below the legend.
const TOP: i64 = 36;

/// The figure as horizontal bars.
pub(crate) fn bars(figure: &PublicFigure) -> String {
    let n = i64::try_from(figure.rows.len()).unwrap_or(0);
    let height = TOP + n * ROW + 8;
    let scale = frame::scale(figure, true);
    let length = WIDTH - LEFT - VALUE_ROOM;
    let mut out = String::new();
    frame::open(
        &mut out,
        figure,
        height,
        &frame::describe(figure, "Barres horizontales"),
    );
    frame::legend(&mut out, figure, LEFT, 10);
    for (i, row) in figure.rows.iter().enumerate() {
        let y = TOP + i64::try_from(i).unwrap_or(0) * ROW;
        let _ = write!(
            out,
            "<g class=\"row\"><text x=\"{LEFT}\" y=\"{}\" font-weight=\"bold\">{}</text>",
            y + 12,
            escape(&row.label)
        );
        for (column, cell) in [row.count, row.previous].into_iter().enumerate() {
            let top = y + 18 + i64::try_from(column).unwrap_or(0) * (BAR + 3);
            let w = cell.value().map_or(0, |v| frame::extent(v, scale, length));
            if cell.value().is_some() {
                let _ = write!(
                    out,
                    "<rect x=\"{LEFT}\" y=\"{top}\" width=\"{w}\" height=\"{BAR}\" fill=\"{}\"/>",
                    frame::fill(figure, column)
                );
            }
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                LEFT + w + 6,
                top + 12,
                escape(&frame::text(cell))
            );
        }
        out.push_str("</g>");
    }
    frame::close(&mut out);
    out
}
