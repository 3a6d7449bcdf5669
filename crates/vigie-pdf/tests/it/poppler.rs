//! Poppler's command-line tools, which read a PDF as a viewer does.

use std::path::Path;
use std::process::Command;

/// Runs a poppler tool on `pdf` (then `after`) and returns its standard output; fails
/// the test with how to install the tools when they are missing.
pub fn run(tool: &str, args: &[&str], pdf: &Path) -> String {
    run_with(tool, args, pdf, &[])
}

fn run_with(tool: &str, args: &[&str], pdf: &Path, after: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(after)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{tool} could not run ({e}): the PDF tests read the report with poppler's tools; \
                 install them with `apt-get install poppler-utils`"
            )
        });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler writes UTF-8")
}

/// The text of the PDF as one line: words hyphenated at a line's end joined again,
/// every run of spaces (no-break ones included) as one space, typographic apostrophes
/// as straight ones.
pub fn text(pdf: &Path) -> String {
    let raw = run_with("pdftotext", &["-enc", "UTF-8"], pdf, &["-"]);
    let raw = raw.replace('’', "'");
    let mut out = String::with_capacity(raw.len());
    let mut lines = raw.lines().peekable();
    while let Some(line) = lines.next() {
        let line = line.trim_end();
        let next_lower = lines
            .peek()
            .and_then(|n| n.trim_start().chars().next())
            .is_some_and(char::is_lowercase);
        let mut chars = line.chars().rev();
        let hyphenated = chars.next() == Some('-')
            && chars.next().is_some_and(char::is_alphabetic)
            && next_lower;
        if hyphenated {
            out.push_str(&line[..line.len() - 1]);
        } else {
            out.push_str(line);
            out.push(' ');
        }
    }
    normalize(&out)
}

/// Every run of whitespace (no-break spaces included) as one space, typographic
/// apostrophes as straight ones.
pub fn normalize(text: &str) -> String {
    text.replace('’', "'")
        .split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
