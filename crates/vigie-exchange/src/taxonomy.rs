//! The mapping of Vigie's categories to ENISA and VERIS as a table: CSV or JSON, for
//! `vigie export taxonomy` and the pages that show it.

use serde_json::{Value, json};
use vigie_model::taxonomy::{Row, rows};

/// The mapping as CSV: `vigie_kind,vigie_code,vigie_label,scheme,code,name`.
pub fn csv() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record([
        "vigie_kind",
        "vigie_code",
        "vigie_label",
        "scheme",
        "code",
        "name",
    ]);
    for r in rows() {
        let _ = w.write_record([
            r.vigie_kind,
            r.vigie_code,
            r.vigie_label,
            r.scheme.code(),
            &r.code,
            &r.name,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The mapping as a JSON array of objects with the CSV's columns.
pub fn json() -> Value {
    Value::Array(rows().iter().map(row_json).collect())
}

fn row_json(r: &Row) -> Value {
    json!({
        "vigie_kind": r.vigie_kind,
        "vigie_code": r.vigie_code,
        "vigie_label": r.vigie_label,
        "scheme": r.scheme.code(),
        "code": r.code,
        "name": r.name,
    })
}
