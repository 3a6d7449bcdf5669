//! The charts and tables of every figure: structure, accessibility, escaping and values.

use vigie_chart::{Kind, kind, svg, table};
use vigie_model::{
    CareImpact, Category, Code, CodeSet, DataImpactCode, DataKind, DepositSlot, Handling,
    LegalStatus, Origin, PatientDanger, Region, StateAtDeclaration, StructureType,
};
use vigie_observatory::{
    COUNTED_FIGURES, Cell, Disclosure, Filter, PublicFigure, PublicObservatory, PublicRow,
    Reference, Row, compute,
};

/// A small deterministic generator (xorshift), so that data is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).unwrap()
    }

    fn pick<T: Code>(&mut self) -> T {
        T::ALL[self.below(T::ALL.len())]
    }
}

/// `n` rows over 2022–2024; overseas regions are rare, as in real data.
fn sample(seed: u64, n: usize) -> Vec<Row> {
    let mut rng = Rng(seed | 1);
    (0..n)
        .map(|i| {
            let region = if rng.below(40) == 0 {
                rng.pick::<Region>()
            } else {
                Region::METROPOLITAN[rng.below(13)]
            };
            let origin = [None, Some(rng.pick::<Origin>())][usize::from(rng.below(10) != 0)];
            let categories = match origin {
                Some(o) => {
                    let all: Vec<Category> = Category::of_origin(o).collect();
                    if all.is_empty() {
                        CodeSet::empty()
                    } else {
                        CodeSet::from_iter([all[rng.below(all.len())]])
                    }
                }
                None => CodeSet::empty(),
            };
            Row {
                year: [2022, 2023, 2024][rng.below(3)],
                month: u8::try_from(1 + rng.below(12)).unwrap(),
                slot: rng.pick::<DepositSlot>(),
                structure: u32::try_from(i % (n / 3 + 1)).unwrap(),
                region,
                kind: rng.pick::<StructureType>(),
                legal_status: rng.pick::<LegalStatus>(),
                ose: rng.below(5) == 0,
                state: rng.pick::<StateAtDeclaration>(),
                support_requested: rng.below(2) == 0,
                care_impact: rng.pick::<CareImpact>(),
                data_impacts: CodeSet::from_iter([rng.pick::<DataImpactCode>()]),
                data_kinds: CodeSet::from_iter([rng.pick::<DataKind>()]),
                patient_danger: rng.pick::<PatientDanger>(),
                origin,
                categories,
                ransomware_reach: None,
                infra_side: None,
                handling: Handling {
                    technical_support: rng.below(4) == 0,
                    ..Handling::default()
                },
            }
        })
        .collect()
}

/// A hand-made figure of structure types with a label to escape and one suppressed cell.
fn small() -> PublicFigure {
    let row = |key: &str, label: &str, count, previous| PublicRow {
        key: key.to_owned(),
        label: label.to_owned(),
        count,
        previous,
    };
    PublicFigure {
        number: 8,
        year: 2024,
        title: "Signalements par type de structure",
        note: None,
        threshold: Some(5),
        rows: vec![
            row("chu", "CHU <R&D>", Cell::Value(1234), Cell::Value(1000)),
            row(
                "ehpad",
                "EHPAD \"Les Pins\"",
                Cell::Value(0),
                Cell::Value(7),
            ),
            row("lab", "Laboratoire", Cell::Below(5), Cell::Withheld),
        ],
    }
}

/// Checks that tags open and close in order (no parser in the dependencies).
#[track_caller]
fn assert_well_formed(xml: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("an unclosed tag");
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "closing {name}");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
    // Text between tags holds no raw `&` that is not an entity.
    for (i, _) in xml.match_indices('&') {
        let entity = &xml[i..xml[i..].find(';').map_or(xml.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
            "raw & at {i}: {entity}"
        );
    }
}

/// The text of the first element `<name …>…</name>` after `from`.
fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = xml
        .find(&format!("<{name}"))
        .unwrap_or_else(|| panic!("no <{name}>"));
    let body = open + xml[open..].find('>').unwrap() + 1;
    let close = body + xml[body..].find(&format!("</{name}>")).unwrap();
    &xml[body..close]
}

#[test]
fn a_chart_is_an_accessible_svg_with_every_value_as_text() {
    let figure = small();
    let chart = svg(&figure);
    assert_well_formed(&chart);
    assert!(chart.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(chart.contains("role=\"img\""));
    assert!(chart.contains("aria-labelledby=\"figure-8-title figure-8-desc\""));
    assert!(chart.contains("<title id=\"figure-8-title\">"));
    assert!(chart.contains("<desc id=\"figure-8-desc\">"));
    assert_eq!(
        element(&chart, "title"),
        "Figure 8 – Signalements par type de structure, 2024 et 2023"
    );
    let desc = element(&chart, "desc");
    assert!(
        desc.contains("2024 en bleu plein, 2023 en gris hachuré"),
        "{desc}"
    );
    assert!(
        desc.contains("CHU &lt;R&amp;D&gt; (1\u{202f}234)"),
        "{desc}"
    );
    assert!(desc.contains("« &lt; 5 » : moins de 5"), "{desc}");
    assert!(desc.contains("« n.d. » : non diffusé"), "{desc}");
    // Labels escaped, never raw.
    assert!(chart.contains(">CHU &lt;R&amp;D&gt;</text>"));
    assert!(chart.contains(">EHPAD &quot;Les Pins&quot;</text>"));
    assert!(!chart.contains("<R&D>"));
    // Every value as text; the suppressed ones as their text, with no bar.
    for value in [
        "1\u{202f}234",
        "1\u{202f}000",
        ">0<",
        ">7<",
        "&lt; 5",
        "n.d.",
    ] {
        assert!(chart.contains(value), "missing {value}");
    }
    // Two bars per published value: 1234, 1000, 0, 7; none for the suppressed ones.
    assert_eq!(
        chart.matches("<rect x=").count(),
        4 + 2,
        "bars and legend swatches"
    );
    // The year before is hatched, and the legend says so.
    assert!(chart.contains("fill=\"url(#figure-8-hatch)\""));
    assert!(chart.contains(">2023 (hachuré)</text>"));
    // Self-contained and deterministic.
    for banned in ["<script", "@import", "href=", "<image", "font-face"] {
        assert!(!chart.contains(banned), "{banned}");
    }
    assert_eq!(chart, svg(&small()));
}

#[test]
fn a_table_has_a_caption_row_headers_and_year_over_year_changes() {
    let html = table(&small());
    assert_well_formed(&html);
    assert_eq!(
        element(&html, "caption"),
        "Figure 8 – Signalements par type de structure, 2024 et 2023"
    );
    assert!(html.contains(
        "<tr><th scope=\"col\">Libellé</th><th scope=\"col\">2024</th><th scope=\"col\">2023</th>\
         <th scope=\"col\">Évolution</th><th scope=\"col\">Évolution (%)</th></tr>"
    ));
    let rows: Vec<&str> = element(&html, "tbody")
        .split("</tr>")
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(
        rows,
        [
            "<tr><th scope=\"row\">CHU &lt;R&amp;D&gt;</th><td>1\u{202f}234</td><td>1\u{202f}000</td>\
             <td>+234</td><td>+23,4\u{202f}%</td>",
            "<tr><th scope=\"row\">EHPAD &quot;Les Pins&quot;</th><td>0</td><td>7</td>\
             <td>\u{2212}7</td><td>\u{2212}100,0\u{202f}%</td>",
            "<tr><th scope=\"row\">Laboratoire</th><td>&lt; 5</td><td>n.d.</td><td>–</td><td>–</td>",
        ]
    );
    assert!(element(&html, "tfoot").contains("moins de 5"));
}

#[test]
fn a_series_runs_over_years_with_changes_from_one_year_to_the_next() {
    let row = |year: &str, count| PublicRow {
        key: year.to_owned(),
        label: year.to_owned(),
        count: Cell::Value(count),
        previous: Cell::Value(0),
    };
    let figure = PublicFigure {
        number: 15,
        year: 2024,
        title: "Incidents d'origine malveillante par année",
        note: None,
        threshold: None,
        rows: vec![row("2022", 200), row("2023", 250), row("2024", 0)],
    };
    let chart = svg(&figure);
    assert_well_formed(&chart);
    assert_eq!(
        element(&chart, "title"),
        "Figure 15 – Incidents d&#39;origine malveillante par année"
    );
    assert!(element(&chart, "desc").contains("2022 : 200, 2023 : 250, 2024 : 0"));
    assert_eq!(chart.matches("<rect x=").count(), 3, "one column per year");
    let html = table(&figure);
    assert_well_formed(&html);
    let body = element(&html, "tbody");
    assert!(body.contains("<th scope=\"row\">2022</th><td>200</td><td>–</td><td>–</td>"));
    assert!(
        body.contains("<th scope=\"row\">2023</th><td>250</td><td>+50</td><td>+25,0\u{202f}%</td>")
    );
    assert!(body.contains(
        "<th scope=\"row\">2024</th><td>0</td><td>\u{2212}250</td><td>\u{2212}100,0\u{202f}%</td>"
    ));
}

#[test]
fn months_show_the_monthly_mean_of_the_year() {
    let rows = sample(7, 3000);
    let obs = compute(&rows, 2024, &Reference::none(), &Filter::default());
    let figure = PublicFigure::unrestricted(obs.figure(3).unwrap());
    let total: i64 = figure.rows.iter().filter_map(|r| r.count.value()).sum();
    let chart = svg(&figure);
    assert_well_formed(&chart);
    let tenths = (total * 20 + 12) / 24;
    let want = format!("Moyenne mensuelle 2024 : {},{}", tenths / 10, tenths % 10);
    assert!(chart.contains(&format!(">{want}</text>")), "{want}");
    assert!(element(&chart, "desc").contains(&want));
    for month in ["janv.", "févr.", "août", "déc."] {
        assert!(chart.contains(&format!(">{month}</tspan>")), "{month}");
    }
}

#[test]
fn the_map_has_a_tile_per_region_overseas_apart_and_hides_suppressed_counts() {
    let rows = sample(11, 4000);
    let obs = compute(&rows, 2024, &Reference::none(), &Filter::default());
    let public = Disclosure::default().apply(&obs, &Filter::default());
    let figure = public.figure(6).unwrap();
    let chart = svg(figure);
    assert_well_formed(&chart);
    assert_eq!(kind(6), Kind::Map);
    assert_eq!(
        chart.matches("<g class=\"region\"").count(),
        Region::ALL.len()
    );
    assert!(chart.contains(">Outre-mer</text>"));
    for row in &figure.rows {
        let tile = &chart[chart.find(&format!("data-region=\"{}\"", row.key)).unwrap()..];
        let tile = &tile[..tile.find("</g>").unwrap()];
        let shown = match row.count {
            Cell::Value(v) => vigie_chart::number(v),
            other => vigie_chart::escape(&other.suppressed_text().unwrap()),
        };
        assert!(
            tile.contains(&format!(">{shown}</text>")),
            "{}: {tile}",
            row.key
        );
        if row.count.is_suppressed() {
            assert!(tile.contains("url(#figure-6-secret)"), "{tile}");
        }
    }
    assert!(
        figure.rows.iter().any(|r| r.count.is_suppressed()),
        "the sample has small overseas counts"
    );
    assert!(element(&chart, "desc").contains("MYT Mayotte"));
}

/// Every published value of a figure appears in its chart and its table.
#[track_caller]
fn check_figure(figure: &PublicFigure) {
    let chart = svg(figure);
    assert_well_formed(&chart);
    let id = format!("figure-{}", figure.number);
    assert!(chart.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    assert!(!element(&chart, "desc").is_empty());
    let html = table(figure);
    assert_well_formed(&html);
    assert_eq!(
        element(&html, "tbody").matches("<tr>").count(),
        figure.rows.len(),
        "figure {}",
        figure.number
    );
    for row in &figure.rows {
        // A series has no `previous` column.
        let cells = if figure.is_series() {
            vec![row.count]
        } else {
            vec![row.count, row.previous]
        };
        for cell in cells {
            let text = match cell.value() {
                Some(v) => vigie_chart::number(v),
                None => vigie_chart::escape(&cell.suppressed_text().unwrap()),
            };
            assert!(
                html.contains(&format!("<td>{text}</td>")),
                "figure {} {}",
                figure.number,
                row.key
            );
            assert!(
                chart.contains(&text),
                "figure {} {} {text}",
                figure.number,
                row.key
            );
        }
        assert!(html.contains(&format!(
            "<th scope=\"row\">{}</th>",
            vigie_chart::escape(&row.label)
        )));
    }
}

#[test]
fn every_counted_figure_renders_unrestricted_and_public_national_and_filtered() {
    let rows = sample(3, 6000);
    let views = [
        Filter::default(),
        Filter {
            region: Some(Region::Mayotte),
            ..Filter::default()
        },
        Filter {
            kind: Some(StructureType::ALL[0]),
            ..Filter::default()
        },
    ];
    for filter in views {
        let obs = compute(&rows, 2024, &Reference::none(), &filter);
        let unrestricted = PublicObservatory::unrestricted(&obs);
        let public = Disclosure::default().apply(&obs, &filter);
        for number in COUNTED_FIGURES {
            check_figure(unrestricted.figure(number).unwrap());
            check_figure(public.figure(number).unwrap());
        }
    }
}
