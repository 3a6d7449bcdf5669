//! The one error of every reader: a line, a field and a reason.

use std::io::Read;

/// A refused input, e.g. `line 42, field share: "abc" is not a number`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, field {field}: {reason}")]
pub struct ReadError {
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// The column or field at fault.
    pub field: String,
    /// Why the value was refused.
    pub reason: String,
}

impl ReadError {
    /// An error at `line` in `field`.
    pub(crate) fn new(line: u64, field: &str, reason: impl Into<String>) -> Self {
        Self {
            line,
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// Converts an error of the CSV parser, which knows the line but not the field.
    pub(crate) fn csv(err: &csv::Error, header: Option<&csv::StringRecord>) -> Self {
        let line = err.position().map_or(1, |p| p.line().max(1));
        let (field, reason) = match err.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => (
                "record".to_owned(),
                format!("has {len} fields, the header has {expected_len}"),
            ),
            csv::ErrorKind::Utf8 { err, .. } => (
                header
                    .and_then(|h| h.get(err.field()))
                    .unwrap_or("record")
                    .to_owned(),
                "is not valid UTF-8".to_owned(),
            ),
            csv::ErrorKind::Io(io) => ("input".to_owned(), format!("cannot be read: {io}")),
            _ => ("record".to_owned(), err.to_string()),
        };
        Self {
            line,
            field,
            reason,
        }
    }
}

/// Reads all of `reader`, reporting a failure on line 1.
pub(crate) fn read_all(mut reader: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::new(1, "input", format!("cannot be read: {e}")))?;
    Ok(bytes)
}

/// A CSV table with named columns; errors name the column and the line.
pub(crate) struct Table<'a> {
    reader: csv::Reader<&'a [u8]>,
    header: csv::StringRecord,
}

impl<'a> Table<'a> {
    /// Opens a table with a header line, separated by `delimiter`.
    pub(crate) fn new(text: &'a str, delimiter: u8) -> Result<Self, ReadError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| ReadError::csv(&e, None))?
            .clone();
        Ok(Self { reader, header })
    }

    /// The header fields.
    pub(crate) fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    /// The index of column `name`, or an error on line 1 naming it.
    pub(crate) fn column(&self, name: &str) -> Result<usize, ReadError> {
        self.header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| ReadError::new(1, name, "the header has no such column"))
    }

    /// Every record with its 1-based line number.
    pub(crate) fn records(
        &mut self,
    ) -> impl Iterator<Item = Result<(u64, csv::StringRecord), ReadError>> + '_ {
        let header = &self.header;
        self.reader.records().map(move |r| match r {
            Ok(rec) => {
                let line = rec.position().map_or(0, csv::Position::line);
                Ok((line, rec))
            }
            Err(e) => Err(ReadError::csv(&e, Some(header))),
        })
    }
}

/// A field of a record (the record has as many fields as the header).
pub(crate) fn field(rec: &csv::StringRecord, index: usize) -> &str {
    rec.get(index).unwrap_or("").trim()
}

/// Shows a value in an error message, cut to 40 characters.
pub(crate) fn shown(value: &str) -> String {
    format!("{:?}", value.chars().take(40).collect::<String>())
}
