//! The mapping table as CSV and JSON.

use vigie_model::{Category, Code};

#[test]
fn the_csv_and_the_json_hold_every_category() {
    let csv = vigie_exchange::taxonomy::csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("vigie_kind,vigie_code,vigie_label,scheme,code,name")
    );
    let json = vigie_exchange::taxonomy::json();
    let rows = json.as_array().unwrap();
    assert_eq!(lines.count(), rows.len());
    for c in Category::ALL {
        assert!(
            rows.iter()
                .any(|r| r["vigie_code"] == c.code() && r["scheme"] == "enisa_rsit"),
            "{c}"
        );
        assert!(
            rows.iter()
                .any(|r| r["vigie_code"] == c.code() && r["scheme"] == "veris_action"),
            "{c}"
        );
    }
    assert!(csv.contains(
        "category,ddos,Déni de service,enisa_rsit,availability/ddos,Availability / Distributed Denial of Service"
    ));
}
