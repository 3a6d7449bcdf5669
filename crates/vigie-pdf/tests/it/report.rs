//! The demo's 2024 report as a PDF: its pages, its text, its fonts; analysts' text and
//! names that look like Typst code come out as written.

use std::time::Instant;

use jiff::civil::date;
use vigie_chart::report::{NotableEvent, RECOMMENDATIONS, Report};
use vigie_model::Code;
use vigie_observatory::{Editorial, ReportSection, Threat, ThreatKind};

use crate::{demo, poppler};

/// Text that Typst would run, were it read as markup or code.
const HOSTILE: &str = r#"#panic("injecté") #set page(paper: "a5") #pagebreak() $x^2$ @fig <lab> \ ~ -- ... // fin /* c */ = Titre + - 1. https://e.fr [x] `r` *g* _i_ {y}"#;

/// The analysts' text of a section: a marker Typst never hyphenates, and a line a
/// Markdown reader leaves alone but Typst would run.
fn written(section: ReportSection) -> String {
    format!(
        "Texte R{} des analystes : *{}*.\n\n#panic(\"section\") $y$ @ref ~\n\n- premier point\n- second point",
        section.index(),
        section.label()
    )
}

fn editorial() -> Editorial {
    Editorial {
        texts: ReportSection::ALL
            .iter()
            .map(|s| (*s, written(*s)))
            .collect(),
        threats: vec![
            Threat {
                identified_on: date(2024, 2, 19),
                kind: ThreatKind::Ransomware,
                name: "LockBit 3.0".into(),
                reference: None,
                summary: "Démantèlement partiel, reprise des attaques en quelques jours.".into(),
            },
            Threat {
                identified_on: date(2024, 4, 12),
                kind: ThreatKind::Vulnerability,
                name: "Pare-feu PAN-OS".into(),
                reference: Some("CVE-2024-3400".into()),
                summary: "Exploitée avant la publication du correctif.".into(),
            },
            Threat {
                identified_on: date(2024, 4, 30),
                kind: ThreatKind::Campaign,
                name: HOSTILE.into(),
                reference: Some(r#"#panic("ref")"#.into()),
                summary: HOSTILE.into(),
            },
        ],
    }
}

#[test]
fn the_demo_2024_report_reads_back_from_the_pdf() {
    let Some(register) = demo::register() else {
        eprintln!("SKIP pdf: the SAE register is not in ../shared/data/fr-sae-2023");
        return;
    };
    let (observatory, mut events) = demo::observatory(&register, 2024);
    assert!(
        !events.is_empty(),
        "the demo's 2024 has the CrowdStrike event"
    );
    events.push(NotableEvent {
        name: HOSTILE.into(),
        description: HOSTILE.into(),
        declarations: 2,
        first_declared: Some("3 mars 2024".into()),
    });
    let editorial = editorial();
    let report = Report {
        observatory: &observatory,
        events: &events,
        editorial: &editorial,
        publisher: "CERT Santé",
        threshold: 5,
    };

    let started = Instant::now();
    let document = vigie_pdf::document(&report);
    let typeset = vigie_pdf::typeset(&document).expect("typesets");
    let elapsed = started.elapsed();
    eprintln!(
        "2024 demo report: {} pages, {} KiB, typeset and written in {} ms",
        typeset.pages,
        typeset.pdf.len() / 1024,
        elapsed.as_millis()
    );
    // No warning: every glyph found, and the document is PDF/UA-1.
    assert!(typeset.warnings.is_empty(), "{:?}", typeset.warnings);
    assert!(typeset.pdf.starts_with(b"%PDF-"));
    assert!(
        typeset.pdf.len() < 2 * 1024 * 1024,
        "{} bytes",
        typeset.pdf.len()
    );
    // The same report gives the same bytes.
    assert!(vigie_pdf::report(&report).unwrap() == typeset.pdf);

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("rapport-2024.pdf");
    std::fs::write(&pdf, &typeset.pdf).unwrap();
    // `VIGIE_PDF_KEEP=path` keeps the report, to look at it.
    if let Some(keep) = std::env::var_os("VIGIE_PDF_KEEP") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::write(&keep, &typeset.pdf).unwrap();
        std::fs::write(keep.with_extension("typ"), &document.source).unwrap();
        for (path, bytes) in &document.files {
            std::fs::write(keep.with_file_name(path), bytes).unwrap();
        }
    }

    // Every page is A4; the hostile `#set page(paper: "a5")` and `#pagebreak()` did nothing.
    let info = poppler::run("pdfinfo", &["-f", "1", "-l", "1000"], &pdf);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert_eq!(pages, typeset.pages);
    assert!(pages >= 20, "{pages} pages");
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .collect();
    assert_eq!(sizes.len(), pages, "{info}");
    assert!(
        sizes
            .iter()
            .all(|l| l.ends_with("595.276 x 841.89 pts (A4)")),
        "{info}"
    );
    assert!(
        info.contains("Title:") && info.contains("Observatoire 2024"),
        "{info}"
    );
    // Tagged for assistive technology, in French, declared PDF/UA-1.
    assert!(info.contains("Tagged:          yes"), "{info}");
    let meta = poppler::run("pdfinfo", &["-meta"], &pdf);
    assert!(meta.contains("<rdf:li>fr-FR</rdf:li>"), "{meta}");
    assert!(meta.contains("<pdfuaid:part>1</pdfuaid:part>"), "{meta}");

    let text = poppler::text(&pdf);
    let has = |needle: &str| text.contains(&poppler::normalize(needle));
    assert!(has("Observatoire 2024 des incidents de sécurité"));
    assert!(has("Rapport public 2024"));
    assert!(has("Sommaire") && has("Table des figures"));
    assert!(has("inférieurs à 5 qui pourraient la désigner"));
    for section in ReportSection::ALL {
        assert!(has(section.label()), "section {section:?}");
        let marker = format!(
            "Texte R{} des analystes : {}.",
            section.index(),
            section.label()
        );
        assert!(has(&marker), "analysts' text of {section:?}");
    }
    assert_eq!(
        text.matches("#panic(\"section\") $y$ @ref ~").count(),
        ReportSection::ALL.len(),
        "a Markdown line Typst would run is printed, once per section"
    );
    for n in [1u8, 2, 3, 6, 10, 13, 15, 17, 19, 21] {
        assert!(has(&format!("Figure {n} – ")), "figure {n}");
    }
    assert!(has("Chronologie des cybermenaces identifiées en 2024"));
    // The key figures of the demo are those of the published 2024 report.
    let key_figures = text
        .split("Figure 1 – Chiffres clés, 2024 et 2023")
        .nth(2)
        .and_then(|after| after.split("Figure 2 – ").next())
        .expect("figure 1, after its entry in the table of figures");
    for want in [
        "749",
        "558",
        "Signalements",
        "Structures déclarantes",
        "+168 (+28,9 %) par rapport à 2023",
    ] {
        assert!(key_figures.contains(want), "{want} in {key_figures}");
    }
    assert!(has("Données de la figure 6"));
    assert!(has("CrowdStrike"));
    assert!(has("12 avril 2024"));
    assert!(has("CVE-2024-3400"));
    // Hostile names, descriptions and summaries come out as written.
    assert!(has(HOSTILE), "hostile text printed literally");
    assert!(text.matches(&poppler::normalize(HOSTILE)).count() >= 4);
    assert!(has(r#"#panic("ref")"#));
    // Analysts wrote recommendations: the default ones are not printed.
    assert!(!has(RECOMMENDATIONS[3]));

    // Every font is embedded (as a subset).
    let fonts = poppler::run("pdffonts", &[], &pdf);
    let listed: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!listed.is_empty(), "{fonts}");
    for line in &listed {
        let columns: Vec<&str> = line.split_whitespace().collect();
        let emb = columns.len().checked_sub(5).map(|i| columns[i]);
        assert_eq!(emb, Some("yes"), "not embedded: {line}");
    }
    assert!(fonts.contains("LibertinusSerif"), "{fonts}");
}

#[test]
fn an_empty_year_still_makes_a_whole_report() {
    let observatory = vigie_observatory::compute(
        &[],
        2025,
        &vigie_observatory::Reference::none(),
        &vigie_observatory::Filter::default(),
    );
    let public = vigie_observatory::Disclosure::default()
        .apply(&observatory, &vigie_observatory::Filter::default());
    // Characters no embedded font has: printed as missing glyphs, and the PDF, still
    // tagged, is not PDF/UA-1.
    let editorial = Editorial {
        texts: vec![(ReportSection::Introduction, "Alerte 🔥 : 日本".into())],
        threats: Vec::new(),
    };
    let report = Report {
        observatory: &public,
        events: &[],
        editorial: &editorial,
        publisher: "CERT <Santé> & \"co\"",
        threshold: 5,
    };
    let typeset = vigie_pdf::typeset(&vigie_pdf::document(&report)).expect("typesets");
    assert!(
        matches!(typeset.warnings.as_slice(), [w] if w.starts_with("not PDF/UA-1") && w.contains("🔥")),
        "{:?}",
        typeset.warnings
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("rapport-2025.pdf");
    std::fs::write(&pdf, &typeset.pdf).unwrap();
    let meta = poppler::run("pdfinfo", &["-meta"], &pdf);
    assert!(!meta.contains("pdfuaid"), "{meta}");
    let text = poppler::text(&pdf);
    let has = |needle: &str| text.contains(&poppler::normalize(needle));
    assert!(has("CERT <Santé> & \"co\""));
    assert!(has("Alerte"));
    assert!(has(
        "Aucun évènement partagé n'a été enregistré cette année."
    ));
    assert!(has("Aucune menace n'a été enregistrée pour cette année."));
    // Without analysts' recommendations, the default ones close the report.
    for r in RECOMMENDATIONS {
        assert!(has(r), "{r}");
    }
}
