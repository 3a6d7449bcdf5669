//! Exports of incidents in the languages of other CERTs and authorities: MISP events,
//! STIX 2.1 bundles and VERIS records, with Vigie's categories mapped to the ENISA
//! taxonomy and to VERIS ([`vigie_model::taxonomy`]).
//!
//! Pure: model values in, JSON values out. No I/O, no clock: the time of an export is
//! [`Options::now`]. Identifiers are UUIDv5 derived from the producer and the case number,
//! so exporting the same case twice gives the same identifiers.
//!
//! Selections: [`misp::events`] gives a JSON array of `{"Event": …}` objects, one per
//! incident; [`stix::bundle`] one bundle holding every incident; VERIS gives one record per
//! incident, written as JSON Lines by [`render`].

pub mod misp;
pub mod stix;
pub mod summary;
pub mod taxonomy;
pub mod veris;

use jiff::Timestamp;
use uuid::Uuid;
use vigie_model::{CaseNumber, Incident};

/// One incident to export, with its case number.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// The case number.
    pub case: CaseNumber,
    /// The incident as declared and qualified.
    pub incident: &'a Incident,
}

/// What an export says, and when it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The CERT that produces the export (MISP `Orgc`, STIX `created_by_ref`).
    pub producer: String,
    /// When the export is made.
    pub now: Timestamp,
    /// Name the declaring structure (its name and FINESS); when false, it is described
    /// only by its kind and region.
    pub structure_name: bool,
    /// Include the declarant's title and description, which may hold health data; when
    /// false, the text is generated from the codes alone.
    pub free_text: bool,
}

impl Options {
    /// The defaults at `now`: the structure is named, the free text is left out.
    pub fn new(producer: impl Into<String>, now: Timestamp) -> Self {
        Self {
            producer: producer.into(),
            now,
            structure_name: true,
            free_text: false,
        }
    }

    /// The namespace of this producer's identifiers.
    fn namespace(&self) -> Uuid {
        let root = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:vigie:exchange");
        Uuid::new_v5(&root, self.producer.as_bytes())
    }

    /// The identifier of `what` (`incident`, `event`, …) for `case`: the same for the
    /// same producer, case and kind, every time.
    pub fn uuid(&self, what: &str, case: CaseNumber) -> Uuid {
        Uuid::new_v5(&self.namespace(), format!("{what}/{case}").as_bytes())
    }

    /// The identifier of a thing named by `key` alone (the producer, a structure).
    fn uuid_of(&self, key: &str) -> Uuid {
        Uuid::new_v5(&self.namespace(), key.as_bytes())
    }
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// MISP event JSON.
    Misp,
    /// STIX 2.1 bundle.
    Stix,
    /// VERIS 1.4 JSON.
    Veris,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Misp, Format::Stix, Format::Veris];

    /// The format's code (`misp`, `stix`, `veris`).
    pub fn code(self) -> &'static str {
        match self {
            Format::Misp => "misp",
            Format::Stix => "stix",
            Format::Veris => "veris",
        }
    }

    /// Parses a format's code.
    pub fn parse(code: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// A rendered export: what to send and how to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The media type (`application/json`, `application/stix+json;version=2.1`, …).
    pub media_type: &'static str,
    /// A file name for a download (`VIG-2024-000123.misp.json`, `vigie-2024.veris.jsonl`).
    pub file_name: String,
    /// The document.
    pub body: String,
}

/// Renders `cases` in `format`, for a download or a file; `name` is the base of the file
/// name. One case gives one document (a MISP event, a bundle, a VERIS record, pretty
/// printed); several give a JSON array of MISP events, one bundle, or VERIS JSON Lines.
pub fn render(format: Format, cases: &[Case<'_>], name: &str, options: &Options) -> Rendered {
    let single = cases.len() == 1;
    let pretty = |v: &serde_json::Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.push('\n');
        s
    };
    match format {
        Format::Misp => {
            let body = match cases {
                [one] => pretty(&misp::event(one, options)),
                _ => pretty(&misp::events(cases, options)),
            };
            Rendered {
                media_type: "application/json",
                file_name: format!("{name}.misp.json"),
                body,
            }
        }
        Format::Stix => Rendered {
            media_type: "application/stix+json;version=2.1",
            file_name: format!("{name}.stix.json"),
            body: pretty(&stix::bundle(cases, options)),
        },
        Format::Veris if single => Rendered {
            media_type: "application/json",
            file_name: format!("{name}.veris.json"),
            body: pretty(&veris::record(&cases[0], options)),
        },
        Format::Veris => {
            let mut body = String::new();
            for case in cases {
                body.push_str(&veris::record(case, options).to_string());
                body.push('\n');
            }
            Rendered {
                media_type: "application/jsonl",
                file_name: format!("{name}.veris.jsonl"),
                body,
            }
        }
    }
}
