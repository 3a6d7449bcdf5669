//! The editorial story: analysts write a section of a year's report, a second writer who
//! read an older version is refused without losing the current text, threats are added to
//! the timeline and removed, and every change is journaled.

use jiff::{Timestamp, ToSpan, civil::date};
use vigie_access::{Role, Scope};
use vigie_observatory::{ReportSection, Threat, ThreatKind};
use vigie_store::{NewUser, SavedText, Store};

async fn editorial_story(store: &Store) {
    let now: Timestamp = "2025-02-03T09:00:00Z".parse().unwrap();
    let analyst = store
        .create_user(
            &NewUser {
                email: "redaction@cert.example".into(),
                display_name: "Ré Daction".into(),
                role: Role::Analyst,
                scope: Scope::Cert,
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    assert!(store.report_texts(2024).await.unwrap().is_empty());

    // First version, then a second over it.
    let saved = store
        .save_report_text(
            2024,
            ReportSection::Impacts,
            "Premier jet.",
            0,
            Some(analyst),
            now,
        )
        .await
        .unwrap();
    assert_eq!(saved, SavedText::Saved(1));
    let saved = store
        .save_report_text(
            2024,
            ReportSection::Impacts,
            "Les soins ont *tenu*.",
            1,
            Some(analyst),
            now + 1.minute(),
        )
        .await
        .unwrap();
    assert_eq!(saved, SavedText::Saved(2));

    // A writer who read version 1 is refused; the current text stays.
    let stale = store
        .save_report_text(
            2024,
            ReportSection::Impacts,
            "Écrasé ?",
            1,
            None,
            now + 2.minutes(),
        )
        .await
        .unwrap();
    assert_eq!(stale, SavedText::Conflict { current: 2 });
    let texts = store.report_texts(2024).await.unwrap();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].section, ReportSection::Impacts);
    assert_eq!(texts[0].version, 2);
    assert_eq!(texts[0].body, "Les soins ont *tenu*.");
    assert_eq!(
        texts[0].written_by.as_deref(),
        Some("redaction@cert.example")
    );
    // Years are apart.
    assert!(store.report_texts(2023).await.unwrap().is_empty());

    // Threats, listed in date order whatever the order they were added in.
    let later = Threat {
        identified_on: date(2024, 4, 12),
        kind: ThreatKind::Vulnerability,
        name: "Pare-feu exposé".into(),
        reference: Some("CVE-2024-3400".into()),
        summary: "Exploitée avant correctif.".into(),
    };
    let earlier = Threat {
        identified_on: date(2024, 1, 10),
        kind: ThreatKind::Ransomware,
        name: "Groupe A".into(),
        reference: None,
        summary: "Chiffrement de serveurs.".into(),
    };
    let id_later = store
        .record_threat(&later, Some(analyst), now)
        .await
        .unwrap();
    store
        .record_threat(&earlier, Some(analyst), now)
        .await
        .unwrap();
    let other_year = Threat {
        identified_on: date(2023, 12, 31),
        ..earlier.clone()
    };
    store.record_threat(&other_year, None, now).await.unwrap();
    let editorial = store.editorial(2024).await.unwrap();
    assert_eq!(editorial.threats, vec![earlier.clone(), later.clone()]);
    assert_eq!(
        editorial.text(ReportSection::Impacts),
        Some("Les soins ont *tenu*.")
    );

    // Not from another year's timeline.
    assert!(
        !store
            .remove_threat(2023, id_later, Some(analyst), now)
            .await
            .unwrap()
    );
    assert!(
        store
            .remove_threat(2024, id_later, Some(analyst), now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_threat(2024, id_later, Some(analyst), now)
            .await
            .unwrap()
    );
    assert_eq!(store.editorial(2024).await.unwrap().threats, vec![earlier]);

    // The journal holds two texts saved (not the refused one), two threats added, one removed.
    let journaled: Vec<String> = store
        .journal_entries(Some("report:2024"), 20)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let p: serde_json::Value = serde_json::from_str(&r.entry.payload).unwrap();
            let detail = p
                .get("op")
                .or_else(|| p.get("section"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            format!("{} {detail}", r.entry.action)
        })
        .collect();
    assert_eq!(
        journaled,
        [
            "report_text_saved impacts",
            "report_text_saved impacts",
            "threat_recorded added",
            "threat_recorded added",
            "threat_recorded removed",
        ]
    );
    assert!(store.verify_journal(&[]).await.unwrap().is_ok());
}

#[tokio::test]
async fn editorial_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    editorial_story(&db.store).await;
}

#[tokio::test]
async fn editorial_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    editorial_story(&db.store).await;
    db.drop().await;
}
