//! Import and export of the v1 interchange format.

use std::process::Command;

use crate::{Scratch, run};

/// A canonical v1 line (as `vigie export` writes it).
pub fn line(reference: &str, declared_at: &str, finess: &str, care: &str) -> String {
    format!(
        r#"{{"ref":"{reference}","declared_at":"{declared_at}","channel":"portal","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"76","ose":false}},"state_at_declaration":"resolving","support_requested":false,"care_impact":"{care}","data_impact":["none"],"patient_danger":"none","technical_support":false,"false_positive":false,"complements_requested":false,"complements_received":false}}"#
    )
}

fn good_lines() -> Vec<String> {
    vec![
        line("r1", "2024-01-15T10:00:00+01:00", "010000024", "none"),
        line("r2", "2024-02-15T10:00:00+01:00", "010000032", "degraded"),
        line(
            "r3",
            "2024-03-15T10:00:00+01:00",
            "010000024",
            "interrupted",
        ),
    ]
}

#[test]
fn a_bad_file_is_reported_line_by_line_and_nothing_is_written() {
    let s = Scratch::new();
    let good = good_lines();
    let text = [
        good[0].clone(),
        good[1].replacen(r#""ref":"r2","#, r#""ref":"r2","colour":"red","#, 1),
        good[2].clone(),
        line(
            "r4",
            "2024-04-15T10:00:00+02:00",
            "010000024",
            "catastrophic",
        ),
        String::new(),
        line("r5", "2024-05-15T10:00:00+02:00", "01000002", "none"),
    ]
    .join("\n");
    let file = s.file("bad.jsonl", &text);
    let out = s.vigie(&["import", "incidents", file.to_str().unwrap()]);
    assert!(!out.ok);
    assert!(
        out.stderr.contains("line 2, field colour: unknown field"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("line 4, field care_impact: unknown care impact `catastrophic`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("line 6, field structure.finess: a FINESS number has 9 characters, got 8"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("3 bad lines out of 5; nothing was imported"),
        "{}",
        out.stderr
    );
    let export = s.vigie(&["export", "incidents"]);
    assert!(export.ok, "{}", export.stderr);
    assert_eq!(export.stdout, "");

    // With --skip-invalid the good lines go in, and the bad ones are still reported.
    let out = s.vigie(&[
        "import",
        "incidents",
        "--skip-invalid",
        file.to_str().unwrap(),
    ]);
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stderr.contains("line 4, field care_impact"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("2 incidents imported (2 new, 0 updated), 3 bad lines skipped"),
        "{}",
        out.stdout
    );
    let export = s.vigie(&["export", "incidents"]);
    assert_eq!(export.stdout, format!("{}\n{}\n", good[0], good[2]));
}

#[test]
fn export_then_import_reproduces_the_data_exactly() {
    let s = Scratch::new();
    let mut lines = good_lines();
    // A ref repeated in a file: the later line wins.
    lines.push(line(
        "r1",
        "2024-01-16T09:30:00.25+01:00",
        "010000024",
        "degraded",
    ));
    let file = s.file("in.jsonl", &(lines.join("\n") + "\n"));
    let out = s.vigie(&["import", "incidents", file.to_str().unwrap()]);
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("4 incidents imported (3 new, 1 updated)"),
        "{}",
        out.stdout
    );

    // Importing the same file again updates and never duplicates.
    let again = s.vigie(&["import", "incidents", file.to_str().unwrap()]);
    assert!(
        again
            .stdout
            .contains("4 incidents imported (0 new, 4 updated)"),
        "{}",
        again.stdout
    );

    let out_path = s.path("out.jsonl");
    let export = s.vigie(&["export", "incidents", "--out", out_path.to_str().unwrap()]);
    assert!(export.ok, "{}", export.stderr);
    let exported = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(
        exported,
        format!("{}\n{}\n{}\n", lines[3], lines[1], lines[2])
    );

    // Into a fresh database, through VIGIE_DATABASE_URL this time: the same bytes come out.
    let t = Scratch::new();
    let import = run(Command::new(env!("CARGO_BIN_EXE_vigie"))
        .env("VIGIE_DATABASE_URL", t.db())
        .args(["import", "incidents", out_path.to_str().unwrap()]));
    assert!(import.ok, "{}", import.stderr);
    let export = run(Command::new(env!("CARGO_BIN_EXE_vigie"))
        .env("VIGIE_DATABASE_URL", t.db())
        .args(["export", "incidents"]));
    assert_eq!(export.stdout, exported);

    // A year filter in Paris time.
    let y2023 = t.vigie(&["export", "incidents", "--year", "2023"]);
    assert_eq!(y2023.stdout, "");
}

#[test]
fn history_is_imported_as_closed_cases_when_asked() {
    let s = Scratch::new();
    let file = s.file("history.jsonl", &(good_lines().join("\n") + "\n"));
    let out = s.vigie(&["import", "incidents", "--closed", file.to_str().unwrap()]);
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("3 incidents imported (3 new, as closed cases, 0 updated)"),
        "{}",
        out.stdout
    );
    // The journal keeps the state the new cases were given.
    let journal = s.vigie(&["journal", "show", "--subject", "incidents"]);
    assert!(journal.ok, "{}", journal.stderr);
    assert!(
        journal.stdout.contains(r#""new_cases":"closed""#),
        "{}",
        journal.stdout
    );
}
