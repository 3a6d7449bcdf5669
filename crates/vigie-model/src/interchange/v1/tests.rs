//! Table-driven tests of the v1 reader and writer.

use super::*;

const GOOD: &str = r#"{"ref":"A-1","declared_at":"2024-03-05T14:30:00+01:00","channel":"portal","structure":{"finess":"2A0000030","name":"Centre hospitalier Exemple","type":"es_public","legal_status":"public","region":"94","ose":true,"ght":"GHT de Corse"},"state_at_declaration":"needs_cert","support_requested":true,"care_impact":"degraded","degraded_hours":12.5,"data_impact":["unavailable","altered"],"data_kind":["health_personal"],"patient_danger":"potential","title":"Chiffrement","description":"Serveurs chiffrés","qualification":{"origin":"malicious","categories":["ransomware","phishing"],"ransomware_reach":"single_server","event":"Campagne X"},"technical_support":true,"false_positive":false,"complements_requested":true,"complements_received":false}"#;

fn with(replace: &str, by: &str) -> String {
    assert!(GOOD.contains(replace), "{replace}");
    GOOD.replacen(replace, by, 1)
}

#[test]
fn a_full_line_reads_and_writes_back_identically() {
    let incident = parse_line(GOOD).unwrap();
    assert_eq!(incident.structure.finess.as_str(), "2A0000030");
    assert_eq!(to_line(&incident), GOOD);
    assert_eq!(parse_line(&to_line(&incident)).unwrap(), incident);
}

#[test]
fn defaults_apply_to_missing_optional_fields() {
    let line = r#"{"declared_at":"2024-01-01T00:00:00Z","structure":{"finess":"010000024","name":"X","type":"ehpad","legal_status":"public","region":"84"},"state_at_declaration":"unknown","support_requested":false,"care_impact":"none","data_impact":["none"],"patient_danger":"none"}"#;
    let incident = parse_line(line).unwrap();
    assert_eq!(incident.channel, crate::Channel::Portal);
    assert!(!incident.structure.ose);
    assert!(incident.qualification.is_none());
    assert_eq!(incident.handling, Handling::default());
}

#[test]
fn bad_lines_name_their_field() {
    let cases: Vec<(String, &str, &str)> = vec![
        ("not json".into(), "line", "not valid JSON"),
        ("[1]".into(), "line", "must be a JSON object"),
        (
            with(r#""title":"Chiffrement""#, r#""title":null"#),
            "title",
            "must be a string",
        ),
        (
            with(r#""ose":true"#, r#""ose":null"#),
            "structure.ose",
            "must be true or false",
        ),
        (
            with(
                r#""care_impact":"degraded""#,
                r#""care_impact":"degraded","care_impact":"none""#,
            ),
            "care_impact",
            "is given twice",
        ),
        (
            with(r#""ref":"A-1","#, r#""ref":"A-1","colour":"red","#),
            "colour",
            "unknown field",
        ),
        (
            with(r#""ose":true"#, r#""ose":true,"beds":3"#),
            "structure.beds",
            "unknown field",
        ),
        (
            with(
                r#""origin":"malicious""#,
                r#""origin":"malicious","severity":1"#,
            ),
            "qualification.severity",
            "unknown field",
        ),
        (
            with(r#""declared_at":"2024-03-05T14:30:00+01:00","#, ""),
            "declared_at",
            "is required",
        ),
        (
            with(
                r#""support_requested":true"#,
                r#""support_requested":"yes""#,
            ),
            "support_requested",
            "must be true or false",
        ),
        (
            with(r#""degraded_hours":12.5"#, r#""degraded_hours":"12""#),
            "degraded_hours",
            "must be a number",
        ),
        (
            with(r#""degraded_hours":12.5"#, r#""degraded_hours":-1"#),
            "degraded_hours",
            "0 or more",
        ),
        (
            with(r#""care_impact":"degraded""#, r#""care_impact":"severe""#),
            "care_impact",
            "unknown care impact `severe`",
        ),
        (
            with(r#""region":"94""#, r#""region":"2A""#),
            "structure.region",
            "unknown region `2A`",
        ),
        (
            with(r#""finess":"2A0000030""#, r#""finess":"2A0000031""#),
            "structure.finess",
            "check digit",
        ),
        (
            with(r#""finess":"2A0000030""#, r#""finess":"12345""#),
            "structure.finess",
            "9 characters",
        ),
        (
            with(
                r#""declared_at":"2024-03-05T14:30:00+01:00""#,
                r#""declared_at":"2024-03-05 14h30""#,
            ),
            "declared_at",
            "RFC 3339",
        ),
        (
            with(
                r#""categories":["ransomware","phishing"]"#,
                r#""categories":["ransomware","app_bug"]"#,
            ),
            "qualification.categories",
            "does not belong to origin `malicious`",
        ),
        (
            with(
                r#""categories":["ransomware","phishing"]"#,
                r#""categories":["phishing"]"#,
            ),
            "qualification.ransomware_reach",
            "needs the category `ransomware`",
        ),
        (
            with(
                r#""ransomware_reach":"single_server""#,
                r#""ransomware_reach":"single_server","infra_side":"local""#,
            ),
            "qualification.infra_side",
            "needs the category `infra_failure`",
        ),
        (
            with(
                r#""data_impact":["unavailable","altered"]"#,
                r#""data_impact":["none"]"#,
            ),
            "data_kind",
            "cannot be given when `data_impact` is `none`",
        ),
        (
            with(
                r#""data_impact":["unavailable","altered"]"#,
                r#""data_impact":["none","altered"]"#,
            ),
            "data_impact",
            "`none` cannot stand beside",
        ),
        (
            with(
                r#""data_impact":["unavailable","altered"]"#,
                r#""data_impact":[]"#,
            ),
            "data_impact",
            "at least one",
        ),
        (
            with(
                r#""data_impact":["unavailable","altered"]"#,
                r#""data_impact":["altered","altered"]"#,
            ),
            "data_impact",
            "given twice",
        ),
        (
            with(r#""name":"Centre hospitalier Exemple""#, r#""name":"""#),
            "structure.name",
            "must not be empty",
        ),
        (
            with(
                r#""origin":"malicious""#,
                r#""origin":"out_of_scope","out_of_scope_reason":"exercise""#,
            ),
            "qualification.categories",
            "does not belong",
        ),
    ];
    for (line, field, reason) in cases {
        let err = parse_line(&line).expect_err(&line);
        assert_eq!(err.field, field, "{line}\n→ {err}");
        assert!(err.reason.contains(reason), "{line}\n→ {err}");
    }
}
