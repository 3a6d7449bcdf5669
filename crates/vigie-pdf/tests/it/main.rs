//! The PDF report as a reader gets it: typeset from the demo data set, then read back
//! with poppler's tools (`pdfinfo`, `pdftotext`, `pdffonts`).

mod demo;
mod poppler;
mod report;
