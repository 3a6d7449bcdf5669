//! What the CERT does with a declaration: the queue, qualification with its history,
//! routing by the rules in force with alerts to the authorities, and the rules edited by
//! an administrator.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use vigie_access::{Authority, Role, Scope};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::Region;

use crate::app::TestApp;

#[tokio::test]
async fn the_cert_qualifies_routes_and_alerts_by_rules_an_administrator_edits() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let fssi = app
        .user(
            "fssi@social.fr",
            Role::Authority,
            Scope::Authority(Authority::Fssi),
            false,
        )
        .await;
    let dns = app
        .user(
            "dns@sante.fr",
            Role::Authority,
            Scope::Authority(Authority::Dns),
            false,
        )
        .await;
    app.user(
        "ars@occitanie.fr",
        Role::Ars,
        Scope::Region(Region::Occitanie),
        false,
    )
    .await;
    app.user(
        "corruss@sante.fr",
        Role::Authority,
        Scope::Authority(Authority::DgsCorruss),
        false,
    )
    .await;
    let admin = app
        .user("admin@cert.fr", Role::Admin, Scope::Platform, false)
        .await;

    // A declaration with care interrupted, through the API: routed at once to the DGS via
    // the CORRUSS and to the region's ARS, each alerted by e-mail.
    let author = app
        .store
        .user_by_email(&alice.email)
        .await
        .unwrap()
        .unwrap();
    let token = SecretToken::generate(TokenKind::Api).unwrap();
    app.store
        .create_api_token(
            s1,
            &token.hash().to_hex(),
            "SIEM",
            Some(author.id),
            app.now(),
        )
        .await
        .unwrap();
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/declarations", app.base))
        .bearer_auth(token.expose())
        .json(&json!({
            "title": "Chiffrement du serveur de fichiers",
            "description": "Rançon affichée sur les postes du bloc.",
            "state_at_declaration": "needs_cert",
            "support_requested": true,
            "care_impact": "interrupted",
            "data_impact": ["unavailable"],
            "patient_danger": "none"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.unwrap();
    let case = body["case_number"].as_str().unwrap().to_owned();
    assert_eq!(app.deliver_mail().await.sent, 3);
    let mails = app.smtp.wait_for(3, Duration::from_secs(5)).await;
    let mut to: Vec<&str> = mails.iter().map(|m| m.to[0].as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "alice@ch-exemple.fr",
            "ars@occitanie.fr",
            "corruss@sante.fr"
        ]
    );
    let alert = mails
        .iter()
        .find(|m| m.to[0] == "corruss@sante.fr")
        .unwrap();
    let raw = String::from_utf8_lossy(&alert.data);
    assert!(raw.contains(&case), "{raw}");
    assert!(
        !raw.contains("Rançon affichée"),
        "the description must not travel by e-mail"
    );

    // The analyst finds it in the queue, unqualified and urgent.
    let mut a = app.signed_in(&analyst).await;
    let queue = a.get("/traitement?origine=none").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&case), "{}", queue.body);
    assert!(queue.body.contains("Urgent"));
    assert!(
        !a.get("/traitement?origine=malicious")
            .await
            .body
            .contains(&case)
    );

    // A refused qualification keeps what was typed and names the field.
    let path = format!("/declarations/{case}/qualification");
    let bad = a
        .post(
            &path,
            &[
                ("origin", "malicious"),
                ("categories", "phishing"),
                ("ransomware_reach", "multi_server"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("ransomware_reach-error"), "{}", bad.body);
    assert!(
        bad.body
            .contains(r#"id="cat-phishing" name="categories" value="phishing" checked"#)
    );

    // The FSSI cannot see the case before it is routed to it.
    let mut f = app.signed_in(&fssi).await;
    assert_eq!(
        f.get(&format!("/declarations/{case}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Qualified malicious ransomware: the FSSI is added, and alerted.
    let ok = a
        .post(
            &path,
            &[
                ("origin", "malicious"),
                ("categories", "ransomware"),
                ("categories", "phishing"),
                ("ransomware_reach", "multi_server"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.wait_for(4, Duration::from_secs(5)).await;
    assert_eq!(mails[3].to, ["fssi@social.fr"]);
    let page = a.get(&format!("/declarations/{case}")).await;
    assert!(page.body.contains("fssi-malicious"));
    assert!(page.body.contains("dgs-care-impact"));
    assert!(
        page.body.contains("Incident d&#39;origine malveillante")
            || page.body.contains("Incident d'origine malveillante")
    );
    assert!(
        page.body.contains("Rançongiciel, Hameçonnage / harponnage"),
        "{}",
        page.body
    );
    let shown = f.get(&format!("/declarations/{case}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    // Authorities read; they do not handle.
    assert!(!shown.body.contains("Enregistrer la qualification"));
    assert_eq!(
        f.post(&path, &[("origin", "malicious")]).await.status,
        StatusCode::FORBIDDEN
    );
    let mut d = app.signed_in(&dns).await;
    assert_eq!(
        d.get(&format!("/declarations/{case}")).await.status,
        StatusCode::NOT_FOUND
    );

    // An administrator edits the rules: a bad document is refused and kept...
    let mut b = app.signed_in(&admin).await;
    let rules = b.get("/administration/acheminement").await;
    assert_eq!(rules.status, StatusCode::OK);
    assert!(rules.body.contains("dgs-care-impact"));
    let broken =
        "[[rule]]\nid = \"dns-all\"\nto = \"dns\"\nreason = \"Tout\"\nwhen.origin = [\"evil\"]\n";
    let refused = b
        .post("/administration/acheminement", &[("document", broken)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("when.origin"), "{}", refused.body);
    assert!(refused.body.contains("dns-all"));
    // ... a good one applies to the next qualification: now the DNS hears of every
    // malicious incident, and the change is a new version.
    let document = "[[rule]]\nid = \"dns-malicious\"\nto = \"dns\"\nreason = \"Tout incident malveillant\"\nwhen.origin = [\"malicious\"]\n";
    let saved = b
        .post("/administration/acheminement", &[("document", document)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let after = b.get("/administration/acheminement?enregistre=1").await;
    assert!(after.body.contains("Tout incident malveillant"));
    assert!(after.body.contains("Versions enregistrées"));
    let again = a
        .post(
            &path,
            &[
                ("origin", "malicious"),
                ("categories", "ransomware"),
                ("significant", "on"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        d.get(&format!("/declarations/{case}")).await.status,
        StatusCode::OK
    );
    let page = a.get(&format!("/declarations/{case}")).await;
    assert!(page.body.contains("dns-malicious"));
    // Two versions of the qualification, the latest first.
    let history = page
        .body
        .split("Historique de la qualification")
        .nth(1)
        .unwrap();
    let latest = history.find("significatif (NIS2)").unwrap();
    let first = history.find("Hameçonnage").unwrap();
    assert!(latest < first);

    // Assignment and state show in the queue; closed cases leave it.
    let me = app
        .store
        .user_by_email(&analyst.email)
        .await
        .unwrap()
        .unwrap();
    let assigned = a
        .post(
            &format!("/declarations/{case}/attribution"),
            &[("assignee", &me.id.0.to_string())],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    assert!(
        a.get("/traitement?attribution=moi")
            .await
            .body
            .contains(&case)
    );
    assert!(
        !a.get("/traitement?attribution=personne")
            .await
            .body
            .contains(&case)
    );
    let closed = a
        .post(
            &format!("/declarations/{case}/etat"),
            &[("state", "closed")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert!(!a.get("/traitement").await.body.contains(&case));
    assert!(a.get("/traitement?etat=tous").await.body.contains(&case));

    // The declarant sees the state, not the CERT's handling.
    let mut al = app.signed_in(&alice).await;
    let own = al.get(&format!("/declarations/{case}")).await;
    assert!(own.body.contains("Clos"));
    assert!(!own.body.contains("Traitement par le CERT"));
    assert_eq!(al.get("/traitement").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn complements_are_asked_reminded_and_answered_on_the_portal() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let case = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let mut a = app.signed_in(&analyst).await;
    let path = format!("/declarations/{case}/complements");

    // An empty question is refused; a real one waits for the structure's answer.
    let empty = a.post(&path, &[("question", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("question-error"));
    let question = "Quels serveurs sont chiffrés ? Les sauvegardes sont-elles intactes ?";
    assert_eq!(
        a.post(&path, &[("question", question)]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mails[0].to, ["alice@ch-exemple.fr"]);
    let raw = String::from_utf8_lossy(&mails[0].data);
    assert!(raw.contains("Demande de compl"), "{raw}");
    assert!(
        !raw.contains("sauvegardes"),
        "the question stays on the portal"
    );

    // The declarant reads the question on the portal.
    let mut d = app.signed_in(&alice).await;
    let page = d.get(&format!("/declarations/{case}")).await;
    assert!(page.body.contains("En attente de compléments"));
    assert!(
        page.body
            .contains("Le CERT attend des compléments de votre part")
    );
    assert!(page.body.contains("Les sauvegardes sont-elles intactes ?"));

    // Silence: reminders after the delay, numbered, at most `max`.
    let portal = vigie_service::accounts::Portal {
        public_url: &app.base,
        cert_name: "CERT Santé",
    };
    let quiet = jiff::SignedDuration::from_hours(72);
    let remind =
        || vigie_service::handling::remind_complements(&app.store, portal, quiet, 2, app.now());
    assert_eq!(remind().await.unwrap(), 0, "not yet");
    for n in 1..=3 {
        app.advance(jiff::SignedDuration::from_hours(73));
        let sent = remind().await.unwrap();
        assert_eq!(sent, usize::from(n <= 2), "round {n}");
    }
    assert_eq!(app.deliver_mail().await.sent, 2);
    let mails = app.smtp.wait_for(3, Duration::from_secs(5)).await;
    let subjects: Vec<String> = mails[1..]
        .iter()
        .map(|m| String::from_utf8_lossy(&m.data).into_owned())
        .collect();
    assert!(
        subjects[0].contains("Relance n") && subjects[0].contains(" 1 "),
        "{}",
        subjects[0]
    );
    assert!(subjects[1].contains(" 2 "), "{}", subjects[1]);
    let unanswered = app.store.case(case).await.unwrap().unwrap();
    assert!(unanswered.incident.handling.complements_requested);
    assert!(!unanswered.incident.handling.complements_received);

    // The answer, a message from the structure, ends the wait (days later: a new session).
    let mut d = app.signed_in(&alice).await;
    let answer = d
        .post(
            &format!("/declarations/{case}/messages"),
            &[("body", "Deux serveurs ; sauvegardes hors ligne intactes.")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.location.as_deref(),
        Some(format!("/declarations/{case}#messages").as_str())
    );
    let answered = app.store.case(case).await.unwrap().unwrap();
    assert!(answered.incident.handling.complements_received);
    assert_eq!(answered.state, vigie_workflow::case::CaseState::Qualifying);
    // The answer's journal entry vouches for the case as answered.
    let data = app.store.verify_data().await.unwrap();
    assert!(data.sound(), "{data:?}");
    assert_eq!((data.incidents.checked, data.messages.checked), (1, 2));
    assert!(
        !d.get(&format!("/declarations/{case}"))
            .await
            .body
            .contains("attend des compléments")
    );
}

#[tokio::test]
async fn nis2_clocks_run_and_every_submission_is_kept() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let case = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let page_path = format!("/declarations/{case}");
    let mut d = app.signed_in(&alice).await;
    assert!(!d.get(&page_path).await.body.contains("Échéances NIS2"));

    // The CERT judges it significant: the clocks appear for both sides.
    let mut a = app.signed_in(&analyst).await;
    let q = a
        .post(
            &format!("/declarations/{case}/qualification"),
            &[
                ("origin", "malicious"),
                ("categories", "ransomware"),
                ("significant", "on"),
            ],
        )
        .await;
    assert_eq!(q.status, StatusCode::SEE_OTHER);
    let page = d.get(&page_path).await;
    assert!(page.body.contains("Échéances NIS2"), "{}", page.body);
    assert!(page.body.contains("À transmettre : reste"));
    assert!(!a.get("/traitement").await.body.contains("NIS2 en retard"));

    // A day and a half later, nothing sent: the early warning is overdue, and the queue says so.
    app.advance(jiff::SignedDuration::from_hours(36));
    let mut a = app.signed_in(&analyst).await;
    let queue = a.get("/traitement").await;
    assert!(queue.body.contains("NIS2 en retard"), "{}", queue.body);
    let mut d = app.signed_in(&alice).await;
    assert!(d.get(&page_path).await.body.contains("En retard de"));

    // A refused submission keeps what was typed; accepted ones are versions.
    let submit = format!("/declarations/{case}/nis2");
    let refused = d
        .post(
            &submit,
            &[("report", ""), ("body", "Chiffrement en cours d'analyse")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Chiffrement en cours d&#39;analyse")
            || refused.body.contains("Chiffrement en cours d'analyse")
    );
    assert!(refused.body.contains("nis2-error"));
    for text in [
        "Alerte précoce : chiffrement",
        "Alerte précoce : chiffrement, précisée",
    ] {
        let ok = d
            .post(&submit, &[("report", "early_warning"), ("body", text)])
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
    }
    let page = d.get(&page_path).await;
    assert!(page.body.contains("en retard"), "{}", page.body);
    assert!(page.body.contains("version 2"));
    assert!(page.body.contains("version 1"));
    // The notification, still within 72 hours, clears the queue's warning.
    let ok = d
        .post(
            &submit,
            &[("report", "notification"), ("body", "Notification")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(!a.get("/traitement").await.body.contains("NIS2 en retard"));
    assert!(d.get(&page_path).await.body.contains("dans le délai"));
}

#[tokio::test]
async fn on_call_records_a_phoned_in_incident_with_its_first_advice() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let oncall = app
        .user("astreinte@cert.fr", Role::Oncall, Scope::Cert, false)
        .await;
    // Saturday night.
    app.advance(jiff::SignedDuration::from_hours(2 * 24 + 13));
    let mut o = app.signed_in(&oncall).await;
    assert_eq!(o.get("/astreinte").await.status, StatusCode::OK);

    let refused = o
        .post(
            "/astreinte",
            &[
                ("finess", "010000023"),
                ("reporter", "M. Martin, RSSI, 06 00 00 00 00"),
                ("title", "Rançongiciel"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("finess-error"));
    assert!(refused.body.contains("advice-error"));
    assert!(
        refused
            .body
            .contains(r#"value="M. Martin, RSSI, 06 00 00 00 00""#)
    );

    let done = o
        .post(
            "/astreinte",
            &[
                ("finess", "010000024"),
                ("reporter", "M. Martin, RSSI, 06 00 00 00 00"),
                ("title", "Rançongiciel sur le PACS"),
                ("description", "Écran de rançon sur les serveurs d'imagerie."),
                ("state_at_declaration", "needs_cert"),
                ("care_impact", "degraded"),
                ("patient_danger", "potential"),
                ("data_impact", "unavailable"),
                ("support_requested", "on"),
                ("advice", "Débrancher les serveurs du réseau, ne pas éteindre, préserver les sauvegardes."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let path = done.location.unwrap();
    let case = path.trim_start_matches("/declarations/").to_owned();
    let record = app
        .store
        .case(vigie_model::CaseNumber::parse(&case).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.incident.channel, vigie_model::Channel::PhoneOncall);
    assert_eq!(
        vigie_model::calendar::deposit_slot(record.incident.declared_at.timestamp()),
        vigie_model::DepositSlot::Jno
    );

    // The structure gets the portal's acknowledgment, and reads the advice on its case.
    assert!(app.deliver_mail().await.sent >= 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    let ack = mails
        .iter()
        .find(|m| m.to[0] == "alice@ch-exemple.fr")
        .unwrap();
    assert!(String::from_utf8_lossy(&ack.data).contains(&case));
    let mut d = app.signed_in(&alice).await;
    let page = d.get(&path).await;
    assert!(
        page.body
            .contains("Premiers conseils donnés par l&#39;astreinte")
            || page
                .body
                .contains("Premiers conseils donnés par l'astreinte")
    );
    assert!(page.body.contains("préserver les sauvegardes"));
}

#[tokio::test]
async fn support_is_recorded_and_reflex_sheets_edited_and_sent() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let case = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let mut a = app.signed_in(&analyst).await;

    // An analyst edits the ransomware sheet; a refused edit keeps the text.
    let sheet = a.get("/fiches-reflexes/ransomware").await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.body.contains("Ne payez pas la rançon"));
    let edited = "1. Isolez sans éteindre.\n2. Appelez l'astreinte du CERT au 01 00 00 00 00.";
    let refused = a
        .post(
            "/fiches-reflexes/ransomware",
            &[("title", ""), ("body", edited)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Appelez l&#39;astreinte")
            || refused.body.contains("Appelez l'astreinte")
    );
    let saved = a
        .post(
            "/fiches-reflexes/ransomware",
            &[
                ("title", "Rançongiciel : premiers gestes"),
                ("body", edited),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(a.get("/fiches-reflexes").await.body.contains("modifiée le"));

    // Sent on the case: by e-mail to the structure and as a message on its case.
    let sent = a
        .post(
            &format!("/declarations/{case}/fiche"),
            &[("sheet", "ransomware")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mails[0].to, ["alice@ch-exemple.fr"]);
    let raw = String::from_utf8_lossy(&mails[0].data);
    assert!(raw.contains("01 00 00 00 00"), "{raw}");
    let mut d = app.signed_in(&alice).await;
    assert!(
        d.get(&format!("/declarations/{case}"))
            .await
            .body
            .contains("01 00 00 00 00")
    );

    // Support actions, with the flags the observatory counts.
    for (action, note) in [
        (
            "first_interview",
            "Isolement des sauvegardes, coupure du VPN.",
        ),
        (
            "false_positive",
            "Alerte EDR sur un outil d'administration légitime.",
        ),
        ("provider_orientation", "Orientation vers un PRIS qualifié."),
    ] {
        let done = a
            .post(
                &format!("/declarations/{case}/accompagnement"),
                &[("action", action), ("note", note)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    let bad = a
        .post(
            &format!("/declarations/{case}/accompagnement"),
            &[("action", "reflex_sheet_sent"), ("note", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let record = app.store.case(case).await.unwrap().unwrap();
    assert!(record.incident.handling.technical_support);
    assert!(record.incident.handling.false_positive);
    let page = a.get(&format!("/declarations/{case}")).await;
    for label in [
        "Premier entretien et mesures de confinement",
        "Levée de doute : faux positif",
        "Orientation vers un prestataire de réponse aux incidents (PRIS)",
        "Fiche réflexe envoyée",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    // The structure does not see the CERT's log of actions.
    assert!(
        !d.get(&format!("/declarations/{case}"))
            .await
            .body
            .contains("Orientation vers un prestataire")
    );
}

#[tokio::test]
async fn a_shared_event_links_declarations_and_reaches_every_structure_at_once() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let s2 = app.structure("010000032", "53", "GHT Beta").await;
    app.user(
        "alice@ch-exemple.fr",
        Role::Declarant,
        Scope::Structure(s1),
        false,
    )
    .await;
    let bob = app
        .user(
            "bob@ch-beta.fr",
            Role::Declarant,
            Scope::Structure(s2),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let c1 = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let c2 = app.case(s2, "010000032", "53", "GHT Beta").await;
    let mut a = app.signed_in(&analyst).await;

    let refused = a
        .post(
            "/evenements",
            &[("name", "Panne de l'hébergeur X"), ("description", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Panne de l&#39;hébergeur X")
            || refused.body.contains("Panne de l'hébergeur X")
    );
    let created = a
        .post(
            "/evenements",
            &[
                ("name", "Panne de l'hébergeur X"),
                ("description", "DPI hébergé indisponible"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let event_path = created.location.unwrap();
    let duplicate = a
        .post(
            "/evenements",
            &[
                ("name", "Panne de l'hébergeur X"),
                ("description", "encore"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);

    for c in [c1, c2] {
        let linked = a
            .post(
                &format!("/declarations/{c}/evenement"),
                &[("event", "Panne de l'hébergeur X")],
            )
            .await;
        assert_eq!(linked.status, StatusCode::SEE_OTHER);
    }
    let page = a.get(&event_path).await;
    assert!(page.body.contains(&c1.to_string()) && page.body.contains(&c2.to_string()));
    let sent = a
        .post(
            &format!("{event_path}/message"),
            &[("body", "L'hébergeur annonce un rétablissement à 18 h.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("2 dossier(s)"));
    assert_eq!(app.deliver_mail().await.sent, 2);
    let mails = app.smtp.wait_for(2, Duration::from_secs(5)).await;
    let mut to: Vec<&str> = mails.iter().map(|m| m.to[0].as_str()).collect();
    to.sort();
    assert_eq!(to, ["alice@ch-exemple.fr", "bob@ch-beta.fr"]);
    assert!(!String::from_utf8_lossy(&mails[0].data).contains("rétablissement à 18 h"));
    let mut b = app.signed_in(&bob).await;
    assert!(
        b.get(&format!("/declarations/{c2}"))
            .await
            .body
            .contains("rétablissement à 18 h")
    );
    // In the year's notable events.
    let notable = app.store.notable_events(2024).await.unwrap();
    assert_eq!(
        (notable[0].name.as_str(), notable[0].cases),
        ("Panne de l'hébergeur X", 2)
    );
}

#[tokio::test]
async fn cases_export_to_misp_stix_and_veris_with_their_enisa_mapping() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let c1 = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let c2 = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let mut a = app.signed_in(&analyst).await;
    let q = a
        .post(
            &format!("/declarations/{c1}/qualification"),
            &[
                ("origin", "malicious"),
                ("categories", "ransomware"),
                ("ransomware_reach", "single_server"),
            ],
        )
        .await;
    assert_eq!(q.status, StatusCode::SEE_OTHER);

    // The case page shows how its categories read in ENISA's taxonomy and VERIS.
    let page = a.get(&format!("/declarations/{c1}")).await;
    assert!(
        page.body
            .contains("rsit:malicious-code=&quot;infected-system&quot;")
            || page.body.contains("rsit:malicious-code"),
        "{}",
        page.body
    );
    assert!(page.body.contains("malware.Ransomware"));

    // One case as a STIX 2.1 bundle.
    let stix = a.get(&format!("/declarations/{c1}/export/stix")).await;
    assert_eq!(stix.status, StatusCode::OK);
    assert!(
        stix.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&c1.to_string())
    );
    let bundle: Value = serde_json::from_str(&stix.body).unwrap();
    assert_eq!(bundle["type"], "bundle");
    assert!(
        bundle["objects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["type"] == "incident")
    );
    // The queue's selection as VERIS JSON Lines, closed cases included when asked.
    let veris = a.get("/traitement/export?format=veris&etat=tous").await;
    assert_eq!(veris.status, StatusCode::OK);
    let records: Vec<Value> = veris
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    let misp = a.get("/traitement/export?format=misp").await;
    let events: Value = serde_json::from_str(&misp.body).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 2);
    assert_eq!(
        a.get("/traitement/export?format=pdf").await.status,
        StatusCode::BAD_REQUEST
    );

    // Declarants read their case, they do not export it; exports are journaled.
    let mut d = app.signed_in(&alice).await;
    assert_eq!(
        d.get(&format!("/declarations/{c2}/export/misp"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let exported = app
        .store
        .journal_entries(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "data_exported")
        .count();
    assert_eq!(exported, 3);

    // The mapping is public, as a page and as CSV.
    let anonymous = app.browser().get("/taxonomie").await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(anonymous.body.contains("Rançongiciel"));
    let csv = app.browser().get("/taxonomie.csv").await;
    assert!(csv.body.lines().count() > 20);
}

/// The queue opens on the newest cases: one declared a minute ago is on its first page,
/// and the oldest first is a choice away.
#[tokio::test]
async fn the_queue_opens_on_the_newest_cases() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let mut cases = Vec::new();
    for _ in 0..51 {
        cases.push(
            app.case(s1, "010000024", "76", "GHT Alpha")
                .await
                .to_string(),
        );
    }
    let (first, last) = (cases[0].clone(), cases[50].clone());
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let mut a = app.signed_in(&analyst).await;
    let default = a.get("/traitement").await.body;
    assert!(
        default.contains(&last) && !default.contains(&first),
        "newest first"
    );
    assert!(default.contains("Les plus récentes d&#39;abord (par défaut)"));
    let oldest = a.get("/traitement?tri=ancien").await.body;
    assert!(
        oldest.contains(&first) && !oldest.contains(&last),
        "oldest first"
    );
}
