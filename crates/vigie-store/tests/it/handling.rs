//! The handling story: a declaration routed at once, qualified twice with its history, the
//! routings that qualification adds, the analyst queue's filters, assignment, and the
//! routing rules kept as versions.

use jiff::{Timestamp, ToSpan};
use vigie_access::{Authority, Role, Scope};
use vigie_model::{
    CareImpact, Category, Code, CodeSet, Origin, PatientDanger, Qualification, RansomwareReach,
    Region, interchange::v1,
};
use vigie_store::{
    DeclarationTexts, Judgement, NewUser, OutboxMail, QualificationChange, QueueFilter, QueueSort,
    Store,
};
use vigie_workflow::{
    nis2::Report,
    routing::{Recipient, Routing, RoutingFacts, Rules},
};

pub(crate) fn incident(
    finess: &str,
    region: &str,
    care: &str,
    danger: &str,
    at: &str,
) -> vigie_model::Incident {
    let line = format!(
        r#"{{"declared_at":"{at}","structure":{{"finess":"{finess}","name":"Structure {finess}","type":"es_public","legal_status":"public","region":"{region}","ose":true}},"state_at_declaration":"needs_cert","support_requested":true,"care_impact":"{care}","data_impact":["unavailable"],"patient_danger":"{danger}","title":"Incident {finess}"}}"#
    );
    v1::parse_line(&line).unwrap()
}

fn facts(i: &vigie_model::Incident, j: Judgement) -> RoutingFacts {
    RoutingFacts {
        origin: i.qualification.as_ref().map(|q| q.origin()),
        categories: i
            .qualification
            .as_ref()
            .map(|q| q.categories().iter().collect())
            .unwrap_or_default(),
        care_impact: i.care_impact,
        patient_danger: i.patient_danger,
        structure_type: i.structure.kind,
        ose: i.structure.ose,
        major: j.major,
        significant: j.significant,
    }
}

fn alert(to: &Recipient) -> OutboxMail {
    OutboxMail {
        recipients: vec![format!("{}@autorite.example", to.code())],
        subject: format!("routed to {}", to.code()),
        text: "t".into(),
        html: "<p>t</p>".into(),
        message_id: format!("<{}@vigie>", to.code()),
    }
}

fn codes(routings: &[Recipient]) -> Vec<&'static str> {
    routings.iter().map(|r| r.code()).collect()
}

async fn handling_story(store: &Store) {
    let now: Timestamp = "2024-11-28T08:15:00Z".parse().unwrap();
    let rules = Rules::default_rules();
    let first = incident(
        "010000024",
        "76",
        "interrupted",
        "none",
        "2024-11-28T09:15:00+01:00",
    );
    let second = incident(
        "010000032",
        "53",
        "none",
        "potential",
        "2024-11-27T09:15:00+01:00",
    );
    let mut cases = Vec::new();
    for i in [&first, &second] {
        let s = store.save_structure(&i.structure).await.unwrap();
        let routings = rules.route(&facts(i, Judgement::default()));
        let case = store
            .declare(
                s,
                i,
                None,
                &vigie_store::Actor::System,
                &DeclarationTexts::default(),
                &routings,
                |_| vec![],
                now,
            )
            .await
            .unwrap();
        cases.push(case);
    }
    let (c1, c2) = (cases[0], cases[1]);

    // Declared: routed at once, with the rules that fired; ARS routings do not open the
    // case to national authorities.
    let h = store.handling(c1).await.unwrap().unwrap();
    let routed: Vec<(&str, &str)> = h
        .routings
        .iter()
        .map(|r| (r.to.code(), r.rules.as_str()))
        .collect();
    assert_eq!(
        routed,
        [
            ("anssi", "anssi-ose"),
            ("ars", "ars-region"),
            ("dgs_corruss", "dgs-care-impact")
        ]
    );
    assert!(h.history.is_empty());
    let record = store.case(c1).await.unwrap().unwrap();
    assert_eq!(
        record.facts.routed_to,
        CodeSet::of(&[Authority::DgsCorruss, Authority::Anssi])
    );

    // An analyst qualifies: malicious ransomware, significant. FSSI and DNS are added,
    // their alerts queued in the same transaction; nothing is routed twice.
    let analyst = store
        .create_user(
            &NewUser {
                email: "analyste@cert.example".into(),
                display_name: "Ana Lyste".into(),
                role: Role::Analyst,
                scope: Scope::Cert,
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
    let q = Qualification::new(
        Origin::Malicious,
        CodeSet::of(&[Category::Ransomware, Category::Phishing]),
        Some(RansomwareReach::MultiServer),
        None,
        None,
        None,
    )
    .unwrap();
    let judgement = Judgement {
        significant: true,
        major: false,
    };
    let mut qualified = first.clone();
    qualified.qualification = Some(q.clone());
    let routings: Vec<Routing> = rules.route(&facts(&qualified, judgement));
    let later = now + 1.hour();
    let fresh = store
        .qualify(
            c1,
            &QualificationChange {
                qualification: &q,
                judgement,
                by: analyst,
            },
            &routings,
            |fresh| fresh.iter().map(alert).collect(),
            later,
        )
        .await
        .unwrap();
    assert_eq!(codes(&fresh), ["dns", "fssi"]);
    let due = store.due_mails(later, 10).await.unwrap();
    let subjects: Vec<&str> = due.iter().map(|m| m.mail.subject.as_str()).collect();
    assert_eq!(subjects, ["routed to dns", "routed to fssi"]);

    // Qualified again (not significant any more): a second version, no routing withdrawn.
    let q2 = Qualification::new(
        Origin::Malicious,
        CodeSet::of(&[Category::Ransomware]),
        None,
        None,
        None,
        None,
    )
    .unwrap();
    let fresh = store
        .qualify(
            c1,
            &QualificationChange {
                qualification: &q2,
                judgement: Judgement::default(),
                by: analyst,
            },
            &routings,
            |f| f.iter().map(alert).collect(),
            later + 1.hour(),
        )
        .await
        .unwrap();
    assert!(fresh.is_empty());
    let h = store.handling(c1).await.unwrap().unwrap();
    assert_eq!(h.routings.len(), 5);
    assert_eq!(h.history.len(), 2);
    assert_eq!(h.history[0].qualification, q);
    assert!(h.history[0].judgement.significant);
    assert_eq!(h.history[1].qualification, q2);
    assert_eq!(h.history[1].by.as_deref(), Some("Ana Lyste"));
    assert_eq!(h.judgement, Judgement::default());
    let record = store.case(c1).await.unwrap().unwrap();
    assert_eq!(record.incident.qualification, Some(q2.clone()));
    assert_eq!(record.state, vigie_workflow::case::CaseState::Qualifying);

    // The journal holds the declaration with the routings made with it (in the order the
    // rules gave them, in its entry), each qualification with the routings it added, and
    // nothing for routings already there.
    let journaled: Vec<String> = store
        .journal_entries(Some(&c1.to_string()), 20)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let payload: serde_json::Value = serde_json::from_str(&r.entry.payload).unwrap();
            let detail = payload
                .get("authority")
                .or_else(|| payload.get("categories"))
                .or_else(|| payload.get("routed"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            format!("{} {} {detail}", r.entry.actor, r.entry.action)
        })
        .collect();
    let analyst_actor = format!("user:{}", analyst.0);
    assert_eq!(
        journaled,
        [
            "system case_declared dgs_corruss:dgs-care-impact;anssi:anssi-ose;ars:ars-region"
                .to_owned(),
            format!("{analyst_actor} case_qualified ransomware,phishing"),
            "system case_routed dns".to_owned(),
            "system case_routed fssi".to_owned(),
            format!("{analyst_actor} case_qualified ransomware"),
        ]
    );
    assert!(store.verify_journal(&[]).await.unwrap().is_ok());

    // The queue: oldest first by default, filters narrow, closed cases leave it.
    let all = store.queue(&QueueFilter::default(), 50, 0).await.unwrap();
    assert_eq!(all.iter().map(|l| l.case).collect::<Vec<_>>(), [c2, c1]);
    assert_eq!(all[1].origin, Some(Origin::Malicious));
    let severity = QueueFilter {
        sort: QueueSort::Severity,
        ..Default::default()
    };
    assert_eq!(store.queue(&severity, 50, 0).await.unwrap()[0].case, c1);
    let checks: Vec<(QueueFilter, Vec<_>)> = vec![
        (
            QueueFilter {
                origin: Some(None),
                ..Default::default()
            },
            vec![c2],
        ),
        (
            QueueFilter {
                origin: Some(Some(Origin::Malicious)),
                ..Default::default()
            },
            vec![c1],
        ),
        (
            QueueFilter {
                care_impact: Some(CareImpact::Interrupted),
                ..Default::default()
            },
            vec![c1],
        ),
        (
            QueueFilter {
                patient_danger: Some(PatientDanger::Potential),
                ..Default::default()
            },
            vec![c2],
        ),
        (
            QueueFilter {
                region: Some(Region::parse("53").unwrap()),
                ..Default::default()
            },
            vec![c2],
        ),
        (
            QueueFilter {
                states: vec![vigie_workflow::case::CaseState::Received],
                ..Default::default()
            },
            vec![c2],
        ),
        (
            QueueFilter {
                declared_before: Some("2024-11-28T00:00:00Z".parse().unwrap()),
                ..Default::default()
            },
            vec![c2],
        ),
        (
            QueueFilter {
                assignee: Some(Some(analyst)),
                ..Default::default()
            },
            vec![],
        ),
    ];
    for (filter, expected) in checks {
        let got: Vec<_> = store
            .queue(&filter, 50, 0)
            .await
            .unwrap()
            .iter()
            .map(|l| l.case)
            .collect();
        assert_eq!(got, expected, "{filter:?}");
    }
    assert!(store.assign(c2, Some(analyst), analyst, now).await.unwrap());
    let mine = QueueFilter {
        assignee: Some(Some(analyst)),
        ..Default::default()
    };
    let lines = store.queue(&mine, 50, 0).await.unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].assignee.as_deref(), Some("Ana Lyste"));
    let unassigned = QueueFilter {
        assignee: Some(None),
        ..Default::default()
    };
    assert_eq!(store.queue(&unassigned, 50, 0).await.unwrap().len(), 1);
    assert_eq!(store.staff().await.unwrap().len(), 1);
    assert!(
        store
            .set_case_state(c2, vigie_workflow::case::CaseState::Closed, analyst, now)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .queue(&QueueFilter::default(), 50, 0)
            .await
            .unwrap()
            .len(),
        1
    );

    // NIS2 reports: each submission kept as a version; the queue knows the first of each.
    let v = store
        .submit_nis2(
            c1,
            Report::EarlyWarning,
            analyst,
            "Alerte précoce",
            now + 2.hours(),
        )
        .await
        .unwrap();
    assert_eq!(v, 1);
    let v = store
        .submit_nis2(
            c1,
            Report::EarlyWarning,
            analyst,
            "Alerte précoce, corrigée",
            now + 3.hours(),
        )
        .await
        .unwrap();
    assert_eq!(v, 2);
    store
        .submit_nis2(
            c1,
            Report::Notification,
            analyst,
            "Notification",
            now + 4.hours(),
        )
        .await
        .unwrap();
    let subs = store.nis2_submissions(c1).await.unwrap();
    let got: Vec<(Report, i32, &str)> = subs
        .iter()
        .map(|s| (s.report, s.version, s.body.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Report::EarlyWarning, 1, "Alerte précoce"),
            (Report::EarlyWarning, 2, "Alerte précoce, corrigée"),
            (Report::Notification, 1, "Notification"),
        ]
    );
    assert_eq!(subs[0].by.as_deref(), Some("Ana Lyste"));
    let line = store
        .queue(&QueueFilter::default(), 50, 0)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.case == c1)
        .unwrap();
    assert_eq!(
        line.nis2_first,
        [Some(now + 2.hours()), Some(now + 4.hours()), None]
    );
    assert_eq!(
        line.aware_at,
        "2024-11-28T08:15:00Z".parse::<Timestamp>().unwrap()
    );

    // A shared event links declarations; one message reaches every linked case.
    let outage = store
        .create_event(
            "Panne du prestataire X",
            "Hébergeur de DPI indisponible",
            Some(analyst),
            now,
        )
        .await
        .unwrap();
    assert!(outage.is_some());
    assert_eq!(
        store
            .create_event("Panne du prestataire X", "doublon", Some(analyst), now)
            .await
            .unwrap(),
        None
    );
    assert!(
        !store
            .link_event(c1, Some("Événement inconnu"), analyst, now)
            .await
            .unwrap()
    );
    for c in [c1, c2] {
        assert!(
            store
                .link_event(c, Some("Panne du prestataire X"), analyst, now)
                .await
                .unwrap()
        );
    }
    let linked: Vec<_> = store
        .event_cases("Panne du prestataire X")
        .await
        .unwrap()
        .iter()
        .map(|e| e.case)
        .collect();
    assert_eq!(linked, [c2, c1]);
    let events = store.events(None).await.unwrap();
    assert_eq!((events[0].cases, events[0].structures), (2, 2));
    assert_eq!(store.notable_events(2024).await.unwrap().len(), 1);
    assert!(store.notable_events(2023).await.unwrap().is_empty());
    let n = store
        .message_event(
            "Panne du prestataire X",
            analyst,
            "Le prestataire annonce un retour à 18 h.",
            &[],
            now,
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(
        store
            .messages(c2)
            .await
            .unwrap()
            .iter()
            .any(|m| m.body.contains("retour à 18 h"))
    );
    assert!(store.link_event(c2, None, analyst, now).await.unwrap());
    assert_eq!(
        store
            .event_cases("Panne du prestataire X")
            .await
            .unwrap()
            .len(),
        1
    );

    // Handling is journaled too, and the chain holds.
    let actions = |case: vigie_model::CaseNumber| {
        let store = store.clone();
        async move {
            store
                .journal_entries(Some(&case.to_string()), 50)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.entry.action.to_string())
                .collect::<Vec<_>>()
        }
    };
    let c2_actions = actions(c2).await;
    for wanted in [
        "case_assigned",
        "case_state_changed",
        "event_linked",
        "message_posted",
    ] {
        assert!(
            c2_actions.iter().any(|a| a == wanted),
            "{wanted} in {c2_actions:?}"
        );
    }
    assert_eq!(
        actions(c1)
            .await
            .iter()
            .filter(|a| *a == "nis2_submitted")
            .count(),
        3
    );
    assert!(store.verify_journal(&[]).await.unwrap().is_ok());

    // Routing rules are versions: none saved means the defaults apply.
    assert!(store.routing_rules().await.unwrap().is_none());
    let v1 = store
        .save_routing_rules("# v1", Some(analyst), now)
        .await
        .unwrap();
    let v2 = store
        .save_routing_rules(vigie_workflow::routing::DEFAULT_RULES, None, later)
        .await
        .unwrap();
    assert!(v2 > v1);
    let current = store.routing_rules().await.unwrap().unwrap();
    assert_eq!(current.version, v2);
    assert_eq!(store.routing_rules_history(10).await.unwrap().len(), 2);

    // The alert directory: authority accounts, and the ARS of the case's region only.
    for (email, role, scope) in [
        (
            "anssi@autorite.example",
            Role::Authority,
            Scope::Authority(Authority::Anssi),
        ),
        (
            "ars76@ars.example",
            Role::Ars,
            Scope::Region(Region::parse("76").unwrap()),
        ),
        (
            "ars53@ars.example",
            Role::Ars,
            Scope::Region(Region::parse("53").unwrap()),
        ),
    ] {
        let user = NewUser {
            email: email.into(),
            display_name: email.into(),
            role,
            scope,
            password_hash: None,
        };
        store.create_user(&user, now).await.unwrap();
    }
    let directory = store
        .alert_directory(Region::parse("76").unwrap())
        .await
        .unwrap();
    let got: Vec<(&str, &str)> = directory
        .iter()
        .map(|(r, e)| (r.code(), e.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("anssi", "anssi@autorite.example"),
            ("ars", "ars76@ars.example")
        ]
    );
}

#[tokio::test]
async fn handling_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    handling_story(&db.store).await;
}

#[tokio::test]
async fn handling_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    handling_story(&db.store).await;
    db.drop().await;
}
