//! The yearly public report as one standalone French HTML document: key figures, notable
//! events, every figure with its chart and table grouped as the report groups them, and
//! the recommendations. It reads only a [`PublicObservatory`], so what it shows has been
//! through small-cell suppression.

use std::fmt::Write as _;

use vigie_observatory::PublicObservatory;

use crate::{escape, number, percent, signed, svg, table};

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
    /// Who publishes it, like `CERT Santé`.
    pub publisher: &'a str,
    /// The small-cell threshold applied.
    pub threshold: u32,
}

/// The sections of the report and the figures each holds, in the report's order.
const SECTIONS: [(&str, &[u8]); 4] = [
    ("Les signalements", &[3, 4, 5, 6, 7, 8, 9]),
    ("Les impacts", &[10, 11, 12]),
    (
        "Les incidents d'origine malveillante",
        &[13, 14, 15, 16, 18],
    ),
    ("Les incidents d'origine non malveillante", &[19, 20, 21]),
];

/// The recommendations that close the report, in the CERT's words.
const RECOMMENDATIONS: [&str; 6] = [
    "Tenir à jour la cartographie du système d'information et des prestataires qui y ont accès : c'est elle qui permet de décider vite en situation de crise.",
    "Protéger les accès distants (VPN, messagerie, bureaux à distance) par une authentification à plusieurs facteurs, et réagir sans délai aux alertes de fuite d'identifiants transmises par le CERT.",
    "Appliquer les correctifs de sécurité des équipements exposés sur Internet dès leur publication, en priorité ceux dont l'exploitation est constatée.",
    "Disposer de sauvegardes déconnectées du réseau et vérifier régulièrement qu'elles se restaurent.",
    "Préparer et exercer le fonctionnement en mode dégradé de la prise en charge des patients, y compris face à la défaillance d'un prestataire.",
    "Déclarer tout incident au CERT sans attendre : l'accompagnement est d'autant plus efficace qu'il commence tôt.",
];

/// The report as one HTML document, with its styles inline.
pub fn html(report: &Report<'_>) -> String {
    let obs = report.observatory;
    let year = obs.year;
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Observatoire {year} des incidents de sécurité des systèmes d'information en santé</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>Observatoire {year} des incidents de sécurité des systèmes d'information en santé</h1>\n\
         <p class=\"lead\">Publié par {publisher}. Toutes les déclarations de l'année {year}, à côté de \
         l'année {previous}. Pour qu'aucune structure ne puisse être reconnue, les effectifs inférieurs \
         à {threshold} qui pourraient la désigner sont masqués (« &lt; {threshold} »), ainsi que ceux qui \
         permettraient de les retrouver par différence (« n.d. »).</p>\n",
        publisher = escape(report.publisher),
        previous = year - 1,
        threshold = report.threshold,
    );
    // Key figures: figure 1, as tiles.
    if let Some(key) = obs.figure(1) {
        out.push_str("<h2 id=\"chiffres-cles\">Chiffres clés</h2>\n<ul class=\"tiles\">\n");
        for (row, delta) in key.rows.iter().zip(key.deltas()) {
            let value = row
                .count
                .value()
                .map(number)
                .unwrap_or_else(|| row.count.suppressed_text().unwrap_or_default());
            let change = delta
                .map(|d| match d.per_mille {
                    Some(p) => format!(
                        "{} ({}) par rapport à {}",
                        signed(d.change),
                        percent(p),
                        year - 1
                    ),
                    None => format!("{} par rapport à {}", signed(d.change), year - 1),
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<li><span class=\"value\">{value}</span> <span class=\"label\">{}</span> <span class=\"change\">{change}</span></li>",
                escape(&row.label)
            );
        }
        out.push_str("</ul>\n");
    }
    // Notable events (figure 2).
    out.push_str("<h2 id=\"faits-marquants\">Faits marquants</h2>\n");
    if report.events.is_empty() {
        out.push_str("<p>Aucun événement partagé n'a été enregistré cette année.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for e in report.events {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong>{} : {} ({} déclaration{})</li>",
                escape(&e.name),
                e.first_declared
                    .as_deref()
                    .map(|d| format!(", à partir du {}", escape(d)))
                    .unwrap_or_default(),
                escape(&e.description),
                number(e.declarations),
                if e.declarations > 1 { "s" } else { "" }
            );
        }
        out.push_str("</ul>\n");
    }
    for (title, numbers) in SECTIONS {
        let _ = writeln!(out, "<h2>{}</h2>", escape(title));
        for n in numbers {
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
    out.push_str("<h2 id=\"recommandations\">Recommandations</h2>\n<ol>\n");
    for r in RECOMMENDATIONS {
        let _ = writeln!(out, "<li>{}</li>", escape(r));
    }
    out.push_str("</ol>\n</main>\n</body>\n</html>\n");
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;\
color:#161616;margin:0;line-height:1.5}main{max-width:60rem;margin:0 auto;padding:2rem 1rem}\
h1{font-size:2rem;line-height:1.25}h2{margin-top:3rem;border-bottom:3px solid #000091}\
.lead{font-size:1.125rem;color:#3a3a3a}.tiles{list-style:none;padding:0;display:grid;\
grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}.tiles li{border:1px solid #ddd;\
padding:1rem}.tiles .value{display:block;font-size:2rem;font-weight:700;color:#000091}\
.tiles .change{display:block;font-size:.875rem;color:#666}.figure{margin:2rem 0;break-inside:avoid}\
.figure svg{max-width:100%;height:auto}table{border-collapse:collapse;width:100%;margin:1rem 0;\
font-size:.875rem}caption{text-align:left;font-weight:700}th,td{text-align:left;padding:.25rem .5rem;\
border-bottom:1px solid #ddd}.note{color:#666;font-size:.875rem}";

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_observatory::{Disclosure, Filter, Reference, compute};

    #[test]
    fn the_report_holds_every_section_figure_and_event_escaped() {
        let observatory = compute(&[], 2024, &Reference::none(), &Filter::default());
        let public = Disclosure::default().apply(&observatory, &Filter::default());
        let events = [NotableEvent {
            name: "Panne <X> & co".into(),
            description: "Hébergeur \"indisponible\"".into(),
            declarations: 20,
            first_declared: Some("19 juillet 2024".into()),
        }];
        let page = html(&Report {
            observatory: &public,
            events: &events,
            publisher: "CERT Santé",
            threshold: 5,
        });
        assert!(page.starts_with("<!doctype html>\n<html lang=\"fr\">"));
        assert!(page.contains("Observatoire 2024 des incidents"));
        assert!(page.contains("Chiffres clés"));
        assert!(page.contains("Panne &lt;X&gt; &amp; co"));
        assert!(
            page.contains("Hébergeur &quot;indisponible&quot;")
                || page.contains("Hébergeur &#34;indisponible&#34;")
        );
        for (_, numbers) in SECTIONS {
            for n in numbers {
                assert!(page.contains(&format!("id=\"figure-{n}\"")), "figure {n}");
            }
        }
        assert_eq!(page.matches("<svg").count(), 18);
        assert!(page.contains("Recommandations"));
        assert!(!page.contains("<script"));
    }
}
