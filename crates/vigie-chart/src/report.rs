//! The yearly public report as one standalone French HTML document: key figures, notable
//! events, every figure with its chart and table grouped as the report groups them, and
//! the recommendations. It reads only a [`PublicObservatory`], so what it shows has been
//! through small-cell suppression.

use std::fmt::Write as _;

use vigie_model::Code;
use vigie_model::calendar::{MONTHS_FR, french_date};
use vigie_observatory::{Editorial, PublicObservatory, ReportSection};

use crate::{escape, number, percent, prose, signed, svg, table};

/// A notable event of the year (figure 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotableEvent {
    /// Its name.
    pub name: String,
    /// What happened.
    pub description: String,
    /// Declarations linked to it that year.
    pub declarations: i64,
    /// Date of the first of them, as people read it.
    pub first_declared: Option<String>,
}

/// What the report is made of.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// The figures, suppressed for publication.
    pub observatory: &'a PublicObservatory,
    /// The year's notable events.
    pub events: &'a [NotableEvent],
    /// The analysts' texts and the threat timeline.
    pub editorial: &'a Editorial,
    /// Who publishes it, like `CERT Santé`.
    pub publisher: &'a str,
    /// The small-cell threshold applied.
    pub threshold: u32,
}

/// The recommendations that close the report when analysts wrote none, in the CERT's words.
pub const RECOMMENDATIONS: [&str; 6] = [
    "Tenir à jour la cartographie du système d'information et des prestataires qui y ont accès : c'est elle qui permet de décider vite en situation de crise.",
    "Protéger les accès distants (VPN, messagerie, bureaux à distance) par une authentification à plusieurs facteurs, et réagir sans délai aux alertes de fuite d'identifiants transmises par le CERT.",
    "Appliquer les correctifs de sécurité des équipements exposés sur Internet dès leur publication, en priorité ceux dont l'exploitation est constatée.",
    "Disposer de sauvegardes déconnectées du réseau et vérifier régulièrement qu'elles se restaurent.",
    "Préparer et exercer le fonctionnement en mode dégradé de la prise en charge des patients, y compris face à la défaillance d'un prestataire.",
    "Déclarer tout incident au CERT sans attendre : l'accompagnement est d'autant plus efficace qu'il commence tôt.",
];

/// The default recommendations as the Markdown an analyst starts from.
pub fn default_recommendations() -> String {
    RECOMMENDATIONS
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}. {r}\n", i + 1))
        .collect()
}

/// The report's title.
pub fn title(year: i16) -> String {
    format!("Observatoire {year} des incidents de sécurité des systèmes d'information en santé")
}

/// The paragraph that opens the report: who publishes it, what it counts, and how small
/// counts are suppressed (plain text, to be escaped by each renderer).
pub fn lead(report: &Report<'_>) -> String {
    let year = report.observatory.year;
    let threshold = report.threshold;
    format!(
        "Publié par {publisher}. Toutes les déclarations de l'année {year}, à côté de \
         l'année {previous}. Pour qu'aucune structure ne puisse être reconnue, les effectifs \
         inférieurs à {threshold} qui pourraient la désigner sont masqués («\u{a0}<\u{a0}{threshold}\u{a0}»), \
         ainsi que ceux qui permettraient de les retrouver par différence («\u{a0}n.d.\u{a0}»).",
        publisher = report.publisher,
        previous = year - 1,
    )
}

/// The caption of figure 2, without its number.
pub const EVENTS_CAPTION: &str = "Évènements marquants de l'année";
/// What figure 2 says when no shared event was recorded.
pub const NO_EVENTS: &str = "Aucun évènement partagé n'a été enregistré cette année.";
/// What figure 17 says when no threat was recorded.
pub const NO_THREATS: &str = "Aucune menace n'a été enregistrée pour cette année.";

/// The caption of figure 17, without its number.
pub fn threats_caption(year: i16) -> String {
    format!("Chronologie des cybermenaces identifiées en {year}")
}

/// One tile of the key figures (figure 1), as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFigure {
    /// The value, or `< 5` / `n.d.` when suppressed.
    pub value: String,
    /// What is counted.
    pub label: String,
    /// The change from the year before, in words; empty when unknown.
    pub change: String,
}

/// The key figures of the year (figure 1), each with its change from the year before.
pub fn key_figures(obs: &PublicObservatory) -> Vec<KeyFigure> {
    let year = obs.year;
    let Some(key) = obs.figure(1) else {
        return Vec::new();
    };
    key.rows
        .iter()
        .zip(key.deltas())
        .map(|(row, delta)| KeyFigure {
            value: crate::cell_text(row.count),
            label: row.label.clone(),
            change: delta
                .map(|d| match d.per_mille {
                    Some(p) => format!(
                        "{} ({}) par rapport à {}",
                        signed(d.change),
                        percent(p),
                        year - 1
                    ),
                    None => format!("{} par rapport à {}", signed(d.change), year - 1),
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// How many declarations an event gathered: `1 déclaration`, `20 déclarations`.
pub fn declarations(n: i64) -> String {
    format!("{} déclaration{}", number(n), if n > 1 { "s" } else { "" })
}

/// The report as one HTML document, with its styles inline.
pub fn html(report: &Report<'_>) -> String {
    let obs = report.observatory;
    let year = obs.year;
    let mut out = String::with_capacity(256 * 1024);
    let title = escape(&title(year));
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>{title}</h1>\n<p class=\"lead\">{}</p>\n",
        escape(&lead(report)),
    );
    for section in ReportSection::ALL.iter().copied() {
        let _ = writeln!(
            out,
            "<h2 id=\"{}\">{}</h2>",
            section.code().replace('_', "-"),
            escape(section.label())
        );
        if let Some(text) = report.editorial.text(section) {
            let _ = writeln!(
                out,
                "<div class=\"prose\">\n{}</div>",
                prose::html(&prose::parse(text))
            );
        }
        match section {
            ReportSection::KeyFigures => key_figures_html(&mut out, obs),
            ReportSection::Events => events(&mut out, report.events),
            ReportSection::Threats => threats(&mut out, report.editorial, year),
            ReportSection::Recommendations if report.editorial.text(section).is_none() => {
                out.push_str("<ol>\n");
                for r in RECOMMENDATIONS {
                    let _ = writeln!(out, "<li>{}</li>", escape(r));
                }
                out.push_str("</ol>\n");
            }
            _ => {}
        }
        for n in section.figures() {
            if section == ReportSection::KeyFigures {
                break;
            }
            let Some(figure) = obs.figure(*n) else {
                continue;
            };
            let _ = write!(
                out,
                "<section class=\"figure\" id=\"figure-{n}\">\n<h3>Figure {n} – {}</h3>\n",
                escape(figure.title)
            );
            if let Some(note) = figure.note {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
            }
            out.push_str(&svg(figure));
            out.push('\n');
            out.push_str(&table(figure));
            out.push_str("\n</section>\n");
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Figure 1 as tiles, each with its change from the year before.
fn key_figures_html(out: &mut String, obs: &PublicObservatory) {
    let tiles = key_figures(obs);
    if tiles.is_empty() {
        return;
    }
    out.push_str("<ul class=\"tiles\">\n");
    for tile in tiles {
        let _ = writeln!(
            out,
            "<li><span class=\"value\">{}</span> <span class=\"label\">{}</span> <span class=\"change\">{}</span></li>",
            escape(&tile.value),
            escape(&tile.label),
            escape(&tile.change)
        );
    }
    out.push_str("</ul>\n");
}

/// Figure 2: the shared events of the year.
fn events(out: &mut String, events: &[NotableEvent]) {
    let _ = writeln!(out, "<p class=\"caption\">Figure 2 – {EVENTS_CAPTION}</p>");
    if events.is_empty() {
        let _ = writeln!(out, "<p>{NO_EVENTS}</p>");
        return;
    }
    out.push_str("<ul>\n");
    for e in events {
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>{} : {} ({})</li>",
            escape(&e.name),
            e.first_declared
                .as_deref()
                .map(|d| format!(", à partir du {}", escape(d)))
                .unwrap_or_default(),
            escape(&e.description),
            declarations(e.declarations),
        );
    }
    out.push_str("</ul>\n");
}

/// Figure 17: the threat timeline, month by month.
fn threats(out: &mut String, editorial: &Editorial, year: i16) {
    let _ = writeln!(
        out,
        "<section class=\"figure\" id=\"figure-17\">\n<h3>Figure 17 – {}</h3>",
        threats_caption(year)
    );
    if editorial.threats.is_empty() {
        let _ = writeln!(out, "<p>{NO_THREATS}</p>\n</section>");
        return;
    }
    out.push_str("<ol class=\"timeline\">\n");
    for (m, name) in MONTHS_FR.iter().enumerate() {
        let month = i8::try_from(m + 1).unwrap_or(12);
        let mut entries = editorial.threats_in(month).peekable();
        if entries.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "<li><span class=\"month\">{name}</span>\n<ul>");
        for t in entries {
            let _ = writeln!(
                out,
                "<li><time datetime=\"{}\">{}</time> <span class=\"kind kind-{}\">{}</span> <strong>{}</strong>{} : {}</li>",
                t.identified_on,
                escape(&french_date(t.identified_on)),
                t.kind.code(),
                escape(t.kind.label()),
                escape(&t.name),
                t.reference
                    .as_deref()
                    .map(|r| format!(" (<code>{}</code>)", escape(r)))
                    .unwrap_or_default(),
                escape(&t.summary)
            );
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ol>\n</section>\n");
}

/// The report's style sheet, inline in the document (pages serving it allow it by hash).
pub const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;\
color:#161616;margin:0;line-height:1.5}main{max-width:60rem;margin:0 auto;padding:2rem 1rem}\
h1{font-size:2rem;line-height:1.25}h2{margin-top:3rem;border-bottom:3px solid #000091}\
.lead{font-size:1.125rem;color:#3a3a3a}.tiles{list-style:none;padding:0;display:grid;\
grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}.tiles li{border:1px solid #ddd;\
padding:1rem}.tiles .value{display:block;font-size:2rem;font-weight:700;color:#000091}\
.tiles .change{display:block;font-size:.875rem;color:#666}.figure{margin:2rem 0;break-inside:avoid}\
.figure svg{max-width:100%;height:auto}table{border-collapse:collapse;width:100%;margin:1rem 0;\
font-size:.875rem}caption{text-align:left;font-weight:700}th,td{text-align:left;padding:.25rem .5rem;\
border-bottom:1px solid #ddd}.note{color:#666;font-size:.875rem}.caption{font-weight:700}\
.timeline{list-style:none;padding:0 0 0 1rem;border-left:3px solid #000091}.timeline>li{margin:1rem 0}\
.timeline .month{font-weight:700;text-transform:capitalize}.timeline ul{padding-left:1.25rem}\
.kind{display:inline-block;padding:0 .375rem;border:1px solid #3a3a3a;font-size:.8125rem}\
.kind-ransomware{background:#fee9e9}.kind-vulnerability{background:#fef7da}.kind-campaign{background:#e8edff}";

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_observatory::{Disclosure, Filter, Reference, Threat, ThreatKind, compute};

    fn page(editorial: &Editorial, events: &[NotableEvent]) -> String {
        let observatory = compute(&[], 2024, &Reference::none(), &Filter::default());
        let public = Disclosure::default().apply(&observatory, &Filter::default());
        html(&Report {
            observatory: &public,
            events,
            editorial,
            publisher: "CERT Santé",
            threshold: 5,
        })
    }

    #[test]
    fn the_report_holds_every_section_figure_and_event_escaped() {
        let events = [NotableEvent {
            name: "Panne <X> & co".into(),
            description: "Hébergeur \"indisponible\"".into(),
            declarations: 20,
            first_declared: Some("19 juillet 2024".into()),
        }];
        let page = page(&Editorial::default(), &events);
        assert!(page.starts_with("<!doctype html>\n<html lang=\"fr\">"));
        assert!(page.contains("Observatoire 2024 des incidents"));
        for section in ReportSection::ALL {
            assert!(
                page.contains(&format!(">{}</h2>", escape(section.label()))),
                "{section:?}"
            );
        }
        assert!(page.contains("Panne &lt;X&gt; &amp; co"));
        assert!(
            page.contains("Hébergeur &quot;indisponible&quot;")
                || page.contains("Hébergeur &#34;indisponible&#34;")
        );
        for n in ReportSection::ALL
            .iter()
            .flat_map(|s| s.figures())
            .filter(|n| **n != 1)
        {
            assert!(page.contains(&format!("id=\"figure-{n}\"")), "figure {n}");
        }
        assert_eq!(page.matches("<svg").count(), 18);
        // Without analysts' recommendations, the default ones close the report.
        assert!(page.contains(&escape(RECOMMENDATIONS[3])));
        assert!(page.contains("Aucune menace n'a été enregistrée"));
        assert!(!page.contains("<script"));
    }

    #[test]
    fn analysts_texts_and_the_timeline_appear_in_their_sections() {
        let editorial = Editorial {
            texts: vec![
                (ReportSection::Introduction, "Une année *dense*.".into()),
                (
                    ReportSection::Recommendations,
                    "1. Sauvegarder hors ligne.\n2. <b>Former</b>.".into(),
                ),
            ],
            threats: vec![Threat {
                identified_on: jiff::civil::date(2024, 4, 12),
                kind: ThreatKind::Vulnerability,
                name: "Pare-feu <A>".into(),
                reference: Some("CVE-2024-3400".into()),
                summary: "Exploitée avant correctif.".into(),
            }],
        };
        let page = page(&editorial, &[]);
        let intro = page
            .find("Une année <em>dense</em>.")
            .expect("introduction");
        let key = page.find(">Chiffres clés</h2>").expect("key figures");
        assert!(intro < key, "the introduction opens the report");
        assert!(page.contains("<li>Sauvegarder hors ligne.</li>"));
        assert!(page.contains("&lt;b&gt;Former&lt;/b&gt;"));
        assert!(
            !page.contains(&escape(RECOMMENDATIONS[3])),
            "analysts' text replaces the default"
        );
        assert!(page.contains("<time datetime=\"2024-04-12\">12 avril 2024</time>"));
        assert!(page.contains("Pare-feu &lt;A&gt;"));
        assert!(page.contains("<code>CVE-2024-3400</code>"));
        assert!(page.contains("Aucun évènement partagé"));
    }

    #[test]
    fn default_recommendations_read_back_as_the_same_list() {
        let blocks = prose::parse(&default_recommendations());
        let [
            prose::Block::List {
                ordered: true,
                items,
            },
        ] = blocks.as_slice()
        else {
            panic!("{blocks:?}");
        };
        assert_eq!(items.len(), RECOMMENDATIONS.len());
    }
}
