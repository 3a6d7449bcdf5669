//! Figure 6 as a tile map: one square per region placed like France, the overseas
//! regions apart, each shaded by its count, with its count and the year before's.

use std::fmt::Write as _;

use vigie_model::{Code, Region};
use vigie_observatory::{Cell, PublicFigure, PublicRow};

use crate::{
    format::{escape, number},
    frame::{self, INK},
};

/// Size of a metropolitan tile and of the step between tiles.
const TILE: (i64, i64) = (84, 64);
/// Step between metropolitan tiles.
const STEP: (i64, i64) = (90, 70);
/// Size of an overseas tile.
const OVERSEAS_TILE: (i64, i64) = (104, 52);
/// Step between overseas tiles.
const OVERSEAS_STEP: (i64, i64) = (110, 58);
/// Left of the overseas panel.
const OVERSEAS_LEFT: i64 = 480;
/// Top of the tiles, below the title line.
const TOP: i64 = 40;

/// Abbreviation and grid place (column, row) of a region; overseas places are in their panel.
fn place(region: Region) -> (&'static str, i64, i64) {
    use Region::*;
    match region {
        HautsDeFrance => ("HDF", 2, 0),
        Normandie => ("NOR", 1, 1),
        IleDeFrance => ("IDF", 2, 1),
        GrandEst => ("GES", 3, 1),
        Bretagne => ("BRE", 0, 2),
        PaysDeLaLoire => ("PDL", 1, 2),
        CentreValDeLoire => ("CVL", 2, 2),
        BourgogneFrancheComte => ("BFC", 3, 2),
        NouvelleAquitaine => ("NAQ", 1, 3),
        AuvergneRhoneAlpes => ("ARA", 2, 3),
        Occitanie => ("OCC", 2, 4),
        ProvenceAlpesCoteDAzur => ("PACA", 3, 4),
        Corse => ("COR", 4, 5),
        Guadeloupe => ("GLP", 0, 0),
        Martinique => ("MTQ", 1, 0),
        Guyane => ("GUF", 0, 1),
        LaReunion => ("REU", 1, 1),
        Mayotte => ("MYT", 0, 2),
        SaintPierreEtMiquelon => ("SPM", 1, 2),
        SaintBarthelemy => ("BLM", 0, 3),
        SaintMartin => ("MAF", 1, 3),
        Taaf => ("TAAF", 0, 4),
        WallisEtFutuna => ("WLF", 1, 4),
        PolynesieFrancaise => ("PYF", 0, 5),
        NouvelleCaledonie => ("NCL", 1, 5),
    }
}

/// The shades of the classes, lightest first, with the colour of text on each.
const SHADES: [(&str, &str); 5] = [
    ("#f2f2f2", INK),
    ("#dce8f4", INK),
    ("#a9c8e8", INK),
    ("#2f6aa6", "#ffffff"),
    ("#173f66", "#ffffff"),
];

/// The class of a published count: 0 for none, then quarters of the largest count.
fn class(value: i64, max: i64) -> usize {
    if value <= 0 {
        return 0;
    }
    // ceil(4 v / max), between 1 and 4.
    let max = i128::from(max.max(1));
    let k = (4 * i128::from(value) + max - 1) / max;
    usize::try_from(k.clamp(1, 4)).unwrap_or(4)
}

/// The upper bound of class `k` (1–4).
fn upper(k: i64, max: i64) -> i64 {
    (k * max) / 4
}

/// The figure as a tile map.
pub(crate) fn map(figure: &PublicFigure) -> String {
    let max = frame::scale(figure, false);
    let height = TOP + 6 * STEP.1 + 70;
    let mut out = String::new();
    let mut desc = format!(
        "Carte en tuiles des régions, l'outre-mer à droite : chaque tuile porte l'abréviation \
         de la région, son nombre en {} et, en dessous, celui de {} ; plus la tuile est foncée, \
         plus le nombre de {} est élevé.",
        figure.year,
        figure.year - 1,
        figure.year
    );
    let abbreviations: Vec<String> = figure
        .rows
        .iter()
        .filter_map(|r| Region::parse(&r.key).ok())
        .map(|r| format!("{} {}", place(r).0, r.label()))
        .collect();
    let _ = write!(desc, " Abréviations : {}.", abbreviations.join(", "));
    frame::suppressions(&mut desc, figure);
    desc.push_str(" Chaque valeur est détaillée dans le tableau de données.");
    frame::open(&mut out, figure, height, &desc);
    let _ = write!(
        out,
        "<defs><pattern id=\"{}-secret\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" \
         patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#b0b0b0\" stroke-width=\"3\"/></pattern></defs>",
        frame::id(figure)
    );
    let _ = write!(
        out,
        "<text x=\"12\" y=\"24\" font-weight=\"bold\">France métropolitaine</text>\
         <text x=\"{OVERSEAS_LEFT}\" y=\"24\" font-weight=\"bold\">Outre-mer</text>"
    );
    for row in &figure.rows {
        let Ok(region) = Region::parse(&row.key) else {
            continue;
        };
        let (abbr, col, line) = place(region);
        let (x, y, size) = if region.is_metropolitan() {
            (12 + col * STEP.0, TOP + line * STEP.1, TILE)
        } else {
            (
                OVERSEAS_LEFT + col * OVERSEAS_STEP.0,
                TOP + line * OVERSEAS_STEP.1,
                OVERSEAS_TILE,
            )
        };
        tile(&mut out, figure, row, abbr, (x, y), size, max);
    }
    legend(&mut out, figure, max, TOP + 6 * STEP.1 + 16);
    frame::close(&mut out);
    out
}

/// One region's tile.
fn tile(
    out: &mut String,
    figure: &PublicFigure,
    row: &PublicRow,
    abbr: &str,
    (x, y): (i64, i64),
    (w, h): (i64, i64),
    max: i64,
) {
    let (fill, ink) = match row.count {
        Cell::Value(v) => {
            let (fill, ink) = SHADES[class(v, max)];
            (fill.to_owned(), ink)
        }
        _ => (format!("url(#{}-secret)", frame::id(figure)), INK),
    };
    let cx = x + w / 2;
    let _ = write!(
        out,
        "<g class=\"region\" data-region=\"{}\"><title>{} : {}</title>\
         <rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"4\" fill=\"{fill}\" stroke=\"#7a7a7a\"/>\
         <text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{ink}\">{}</text>\
         <text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"{ink}\">{}</text>\
         <text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{ink}\">{} : {}</text></g>",
        escape(&row.key),
        escape(&row.label),
        escape(&frame::text(row.count)),
        y + 14,
        escape(abbr),
        y + h / 2 + 6,
        escape(&frame::text(row.count)),
        y + h - 6,
        figure.year - 1,
        escape(&frame::text(row.previous)),
    );
}

/// The legend of the shades (and of the hatching of suppressed values).
fn legend(out: &mut String, figure: &PublicFigure, max: i64, y: i64) {
    let mut classes = vec![("0".to_owned(), SHADES[0].0.to_owned())];
    let mut low = 1;
    for k in 1..=4 {
        let high = upper(k, max);
        if high >= low {
            let text = if high == low {
                number(low)
            } else {
                format!("{} à {}", number(low), number(high))
            };
            classes.push((text, SHADES[usize::try_from(k).unwrap_or(4)].0.to_owned()));
            low = high + 1;
        }
    }
    if figure.rows.iter().any(|r| r.count.is_suppressed()) {
        classes.push((
            "non publié".to_owned(),
            format!("url(#{}-secret)", frame::id(figure)),
        ));
    }
    let _ = write!(
        out,
        "<text x=\"12\" y=\"{}\" font-weight=\"bold\">Signalements en {}</text>",
        y + 11,
        figure.year
    );
    for (i, (text, fill)) in classes.iter().enumerate() {
        let x = 12 + i64::try_from(i).unwrap_or(0) * 110;
        let _ = write!(
            out,
            "<g class=\"legend\"><rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{fill}\" \
             stroke=\"#7a7a7a\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            y + 22,
            x + 18,
            y + 33,
            escape(text)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_quarters_of_the_largest_count() {
        let cases: &[(i64, i64, usize)] = &[
            (0, 100, 0),
            (1, 100, 1),
            (25, 100, 1),
            (26, 100, 2),
            (75, 100, 3),
            (76, 100, 4),
            (100, 100, 4),
            (3, 3, 4),
            (1, 3, 2),
        ];
        for &(v, max, want) in cases {
            assert_eq!(class(v, max), want, "{v}/{max}");
        }
    }

    #[test]
    fn every_region_has_its_own_place() {
        let mut seen = std::collections::HashSet::new();
        for &r in Region::ALL {
            let (abbr, col, line) = place(r);
            assert!(
                seen.insert((r.is_metropolitan(), col, line)),
                "{abbr} shares a tile"
            );
        }
    }
}
