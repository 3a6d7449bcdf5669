//! A figure as an accessible HTML data table, with the change of each row.

use std::fmt::Write as _;

use vigie_observatory::{Cell, PublicFigure};

use crate::{
    format::{escape, percent, signed},
    frame,
};

/// The figure as an HTML `<table>`: a caption, one row per key with its label as row
/// header, the year, the year before, the change and the change in percent. A series
/// (figures 15 and 20) has one value column and its change from the year before.
pub fn table(figure: &PublicFigure) -> String {
    let series = figure.is_series();
    let mut out = String::new();
    let _ = write!(
        out,
        "<table class=\"figure-table\" id=\"figure-{}-table\"><caption>{}</caption><thead><tr>\
         <th scope=\"col\">{}</th>",
        figure.number,
        escape(&frame::title(figure)),
        if series { "Année" } else { "Libellé" },
    );
    if series {
        out.push_str("<th scope=\"col\">Nombre</th><th scope=\"col\">Évolution sur un an</th>");
    } else {
        let _ = write!(
            out,
            "<th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">Évolution</th>",
            figure.year,
            figure.year - 1
        );
    }
    out.push_str("<th scope=\"col\">Évolution (%)</th></tr></thead><tbody>");
    let cell = |c: Cell| escape(&frame::text(c));
    for (row, delta) in figure.rows.iter().zip(figure.deltas()) {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td>",
            escape(&row.label),
            cell(row.count)
        );
        if !series {
            let _ = write!(out, "<td>{}</td>", cell(row.previous));
        }
        let change = delta.map_or_else(|| "–".to_owned(), |d| signed(d.change));
        let ratio = delta
            .and_then(|d| d.per_mille)
            .map_or_else(|| "–".to_owned(), percent);
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            escape(&change),
            escape(&ratio)
        );
    }
    out.push_str("</tbody>");
    let notes = crate::notes(figure);
    if !notes.is_empty() {
        let columns = if series { 4 } else { 5 };
        let _ = write!(
            out,
            "<tfoot><tr><td colspan=\"{columns}\">{}</td></tr></tfoot>",
            escape(&notes)
        );
    }
    out.push_str("</table>");
    out
}
