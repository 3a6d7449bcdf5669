//! `vigie journal`: exports are journaled, the journal verifies, and a journal changed
//! directly in the database is reported at its first bad entry, with exit code 3.

use crate::Scratch;

/// Runs statements directly on the SQLite file, as someone with access to it would.
async fn tamper(s: &Scratch, statements: &[&str]) {
    let pool = sqlx::SqlitePool::connect(&s.db()).await.unwrap();
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

/// The `SEQ:HASH` head a successful verification prints.
fn printed_head(stdout: &str) -> String {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Tête : "))
        .unwrap_or_else(|| panic!("no head in {stdout}"));
    let (seq, hash) = line.split_once(':').unwrap();
    assert!(seq.parse::<u64>().is_ok(), "{line}");
    assert_eq!(hash.len(), 64, "{line}");
    line.to_owned()
}

#[tokio::test]
async fn verify_names_the_first_entry_changed_behind_vigies_back() {
    let s = Scratch::new();
    let empty = s.vigie(&["journal", "verify"]);
    assert!(empty.ok, "{}", empty.stderr);
    assert!(
        empty
            .stdout
            .contains("Journal intact : 0 entrées vérifiées.")
    );

    // An import is journaled with its counts, each export with who ran it and what left.
    let input = s.file(
        "in.jsonl",
        &crate::interchange::line("r1", "2024-01-15T10:00:00+01:00", "010000024", "none"),
    );
    let imported = s.vigie(&["import", "incidents", input.to_str().unwrap()]);
    assert!(imported.ok, "{}", imported.stderr);
    for year in ["2022", "2023", "2024"] {
        let out = s.vigie(&["export", "incidents", "--year", year]);
        assert!(out.ok, "{}", out.stderr);
    }
    let file = s.path("all.jsonl");
    assert!(
        s.vigie(&["export", "incidents", "--out", file.to_str().unwrap()])
            .ok
    );
    let show = s.vigie(&["journal", "show", "--subject", "incidents"]);
    assert!(show.ok, "{}", show.stderr);
    let lines: Vec<&str> = show.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", show.stdout);
    assert!(lines.iter().all(|l| l.contains("operator:")));
    assert!(lines[0].contains("data_imported"), "{}", lines[0]);
    assert!(
        lines[0].contains(r#""inserted":1"#) && lines[0].contains("in.jsonl"),
        "{}",
        lines[0]
    );
    assert!(lines[1..].iter().all(|l| l.contains("data_exported")));
    assert!(lines[2].contains(r#""year":2023"#), "{}", lines[2]);
    assert!(lines[4].contains("all.jsonl"), "{}", lines[4]);
    let last = s.vigie(&["journal", "show", "--limit", "1"]);
    assert_eq!(last.stdout.lines().count(), 1);
    assert!(
        last.stdout.trim_start().starts_with("5 "),
        "{}",
        last.stdout
    );

    let sound = s.vigie(&["journal", "verify"]);
    assert!(sound.ok, "{}", sound.stderr);
    assert!(
        sound.stdout.contains("5 entrées vérifiées"),
        "{}",
        sound.stdout
    );
    let head = printed_head(&sound.stdout);
    assert!(head.starts_with("5:"));
    assert!(s.vigie(&["journal", "verify", "--anchor", &head]).ok);
    let bad_anchor = s.vigie(&["journal", "verify", "--anchor", "5:beef"]);
    // A mistyped anchor is a usage error (2), not a tampered journal (3).
    assert_eq!(bad_anchor.code, Some(2), "{}", bad_anchor.stderr);
    assert!(
        bad_anchor.stderr.contains("SEQ:HASH"),
        "{}",
        bad_anchor.stderr
    );

    // The last entry cut, head included: only the anchor kept elsewhere tells.
    tamper(
        &s,
        &[
            "DROP TRIGGER journal_no_update",
            "DROP TRIGGER journal_no_delete",
            "CREATE TABLE journal_copy AS SELECT * FROM journal",
            "CREATE TABLE head_copy AS SELECT * FROM journal_head",
            "DELETE FROM journal WHERE seq = 5",
            "UPDATE journal_head SET seq = 4, hash = (SELECT hash FROM journal WHERE seq = 4)",
        ],
    )
    .await;
    assert!(s.vigie(&["journal", "verify"]).ok);
    let cut = s.vigie(&["journal", "verify", "--anchor", &head]);
    assert_eq!(cut.code, Some(3), "{}", cut.stderr);
    assert!(
        cut.stderr
            .contains("Journal altéré : l'entrée n° 5 a été supprimée (deleted)."),
        "{}",
        cut.stderr
    );

    // A payload changed in the middle.
    tamper(
        &s,
        &[
            "DELETE FROM journal",
            "INSERT INTO journal SELECT * FROM journal_copy",
            "DELETE FROM journal_head",
            "INSERT INTO journal_head SELECT * FROM head_copy",
        ],
    )
    .await;
    assert!(s.vigie(&["journal", "verify", "--anchor", &head]).ok);
    tamper(
        &s,
        &["UPDATE journal SET payload = replace(payload, '2023', '1999') WHERE seq = 3"],
    )
    .await;
    let changed = s.vigie(&["journal", "verify"]);
    assert!(!changed.ok);
    assert_eq!(changed.code, Some(3));
    assert!(
        changed
            .stderr
            .contains("l'entrée n° 3 a été modifiée (changed)"),
        "{}",
        changed.stderr
    );
    assert!(!changed.stdout.contains("intact"));
}

/// `verify --data`: a case opened to ANSSI, a message's text and an incident's column
/// changed behind Vigie's back pass the chain check, which cannot see them, and are named
/// by the data check, with exit code 3.
#[tokio::test]
async fn verify_data_names_rows_changed_behind_vigies_back() {
    let s = Scratch::new();
    let line = r#"{"declared_at":"2024-03-05T14:30:00+01:00","channel":"portal","structure":{"finess":"010000024","name":"Structure 010000024","type":"es_public","legal_status":"public","region":"76","ose":true},"state_at_declaration":"resolving","support_requested":false,"care_impact":"degraded","data_impact":["unavailable"],"patient_danger":"none","title":"Chiffrement","technical_support":false,"false_positive":false,"complements_requested":false,"complements_received":false}"#;
    let incident = vigie_model::interchange::v1::parse_line(line).unwrap();
    let now = jiff::Timestamp::from_second(1_733_000_000).unwrap();
    let (case, message) = {
        let store = vigie_service::open(&s.db()).await.unwrap();
        let structure = store.save_structure(&incident.structure).await.unwrap();
        let system = vigie_store::Actor::System;
        let texts = vigie_store::DeclarationTexts::default();
        let case = store
            .declare(
                structure,
                &incident,
                None,
                &system,
                &texts,
                &[],
                |_| vec![],
                now,
            )
            .await
            .unwrap();
        let author = store
            .create_user(
                &vigie_store::NewUser {
                    email: "alice@ch-exemple.fr".into(),
                    display_name: "Alice".into(),
                    role: vigie_access::Role::Declarant,
                    scope: vigie_access::Scope::Structure(structure),
                    password_hash: None,
                },
                now,
            )
            .await
            .unwrap();
        let message = store
            .add_message(case, author, "Sauvegardes restaurées", &system, now)
            .await
            .unwrap();
        store
            .route_case(
                case,
                vigie_access::Authority::DgsCorruss,
                "patients",
                &system,
                now,
            )
            .await
            .unwrap();
        store.close().await;
        (case, message)
    };

    let sound = s.vigie(&["journal", "verify", "--data"]);
    assert!(sound.ok, "{}{}", sound.stdout, sound.stderr);
    assert!(
        sound
            .stdout
            .contains("Données comparées au journal : 1 incidents, 1 messages, 1 transmissions."),
        "{}",
        sound.stdout
    );
    assert!(sound.stdout.contains("Données conformes au journal."));

    tamper(
        &s,
        &[
            &format!(
                "INSERT INTO routings (incident_id, authority, reason, routed_at_ns) \
                 VALUES ({}, 'anssi', 'x', 0)",
                case.id()
            ),
            &format!("UPDATE messages SET body = 'Rien à signaler' WHERE id = {message}"),
            &format!(
                "UPDATE incidents SET care_impact = 'none' WHERE id = {}",
                case.id()
            ),
        ],
    )
    .await;
    // The chain alone cannot see it.
    let chain = s.vigie(&["journal", "verify"]);
    assert!(chain.ok, "{}", chain.stderr);
    let head = s.vigie(&["journal", "head"]);
    assert!(head.ok, "{}", head.stderr);
    assert_eq!(head.stdout.trim(), printed_head(&chain.stdout));

    let data = s.vigie(&["journal", "verify", "--data"]);
    assert_eq!(data.code, Some(3), "{}{}", data.stdout, data.stderr);
    assert!(data.stdout.contains("Journal intact"), "{}", data.stdout);
    for expected in [
        format!("{case} → anssi est dans la base mais n'a jamais été journalisé (not_journaled)."),
        format!(
            "message {message} ({case}) ne correspond plus à son empreinte journalisée (changed)."
        ),
        format!("{case} ne correspond plus à son empreinte journalisée (changed)."),
        "Données altérées : 1 transmissions diffèrent du journal.".to_owned(),
    ] {
        assert!(
            data.stderr.contains(&expected),
            "{expected}\n{}",
            data.stderr
        );
    }
}
