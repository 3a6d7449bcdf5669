//! The yearly public report as a PDF, typeset by Typst from the same [`Report`] as the
//! HTML one: an A4 document in French with a cover, the contents and the table of
//! figures, the note on suppressed counts, then every section in the report's order with
//! the analysts' text, each figure's chart (its SVG, drawn by `vigie-chart`) and data
//! table, the threat timeline and the recommendations; page numbers in the footer.
//!
//! **Invariant:** pure: no database, no network, no clock, no file read at run time. The
//! layout and the fonts (Libertinus Serif and DejaVu Sans Mono, from `typst-assets`) are
//! compiled in and embedded in every PDF; Typst's package downloads are not built in, so
//! a document can import nothing. Every text of the report reaches Typst escaped
//! ([`markup`]): what analysts write, or what a declarant named an event, is never read
//! as markup or code. The same report gives the same bytes (no creation date is written).
//!
//! The PDF is tagged and declared PDF/UA-1 (every chart has its alternative text, every
//! table its header row). A character that no embedded font has (an emoji, a CJK
//! ideogram) is printed as a missing glyph, which PDF/UA-1 forbids: the report is then
//! written as a plain tagged PDF and [`Typeset::warnings`] says why.
//!
//! The demo's 2024 report (tests/it) makes 24 pages and 375 KiB, typeset and written in
//! about 0.2 s by a debug build.

mod document;
pub mod markup;

use std::sync::OnceLock;

use typst::diag::SourceDiagnostic;
use typst::text::Font;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;
use vigie_chart::report::Report;

pub use document::{Document, document, prose_markup};

/// Why a report could not be made into a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Typst refused the generated source (a bug of this crate, not of the data).
    #[error("the report could not be typeset: {0}")]
    Typeset(String),
    /// The typeset document could not be written as PDF.
    #[error("the typeset report could not be written as PDF: {0}")]
    Export(String),
}

/// A typeset report: the PDF and what Typst warned about.
#[derive(Debug, Clone)]
pub struct Typeset {
    /// The PDF document.
    pub pdf: Vec<u8>,
    /// Typst's warnings, and why the PDF is not PDF/UA-1 when it is not; empty when all
    /// went well.
    pub warnings: Vec<String>,
    /// The number of pages.
    pub pages: usize,
}

/// The report as a PDF document.
pub fn report(report: &Report<'_>) -> Result<Vec<u8>, PdfError> {
    Ok(typeset(&document(report))?.pdf)
}

/// Typesets a document and writes it as PDF.
pub fn typeset(document: &Document) -> Result<Typeset, PdfError> {
    let files: Vec<(&str, &[u8])> = document
        .files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let engine = TypstEngine::builder()
        .main_file(("rapport.typ", document.source.as_str()))
        .fonts(fonts().iter().cloned())
        .with_static_file_resolver(files)
        .build();
    let compiled = engine.compile::<PagedDocument>();
    let mut warnings: Vec<String> = compiled.warnings.iter().map(diagnostic).collect();
    let paged = compiled.output.map_err(|e| PdfError::Typeset(error(e)))?;
    let accessible = typst_pdf::PdfOptions {
        standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1])
            .map_err(|e| PdfError::Export(e.message().to_string()))?,
        ..typst_pdf::PdfOptions::default()
    };
    let pdf = match typst_pdf::pdf(&paged, &accessible) {
        Ok(pdf) => pdf,
        Err(diags) => {
            // A character no embedded font has (an emoji, a CJK ideogram) breaks PDF/UA-1;
            // the report is still published, tagged, with the reason in its warnings.
            warnings.push(format!("not PDF/UA-1: {}", joined(&diags)));
            typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
                .map_err(|diags| PdfError::Export(joined(&diags)))?
        }
    };
    Ok(Typeset {
        pdf,
        warnings,
        pages: paged.pages().len(),
    })
}

/// The fonts every report may use, parsed once.
fn fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        typst_assets::fonts()
            .flat_map(|data| Font::iter(typst::foundations::Bytes::new(data)))
            .collect()
    })
}

/// A diagnostic as one line: its message and hints.
fn diagnostic(d: &SourceDiagnostic) -> String {
    let mut line = d.message.to_string();
    for hint in &d.hints {
        line.push_str(" (");
        line.push_str(&hint.v);
        line.push(')');
    }
    line
}

/// Diagnostics as one line.
fn joined(diags: &[SourceDiagnostic]) -> String {
    diags.iter().map(diagnostic).collect::<Vec<_>>().join("; ")
}

/// An error of the Typst wrapper as one line.
fn error(e: TypstAsLibError) -> String {
    match e {
        TypstAsLibError::TypstSource(diags) => joined(&diags),
        other => other.to_string(),
    }
}
