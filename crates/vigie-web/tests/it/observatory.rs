//! The observatory's dashboards, as the CERT and the authorities read them.

use reqwest::StatusCode;
use vigie_access::{Authority, Role, Scope};
use vigie_observatory::COUNTED_FIGURES;

use crate::app::TestApp;

#[tokio::test]
async fn every_counted_figure_is_a_chart_with_its_table_and_filters_recompute() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let s2 = app.structure("010000032", "53", "GHT Beta").await;
    for _ in 0..3 {
        app.case(s1, "010000024", "76", "GHT Alpha").await;
    }
    app.case(s2, "010000032", "53", "GHT Beta").await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let anssi = app
        .user(
            "cert@anssi.fr",
            Role::Authority,
            Scope::Authority(Authority::Anssi),
            false,
        )
        .await;
    let declarant = app
        .user("d1@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
        .await;

    let mut a = app.signed_in(&analyst).await;
    let page = a.get("/observatoire?annee=2024").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Observatoire 2024"));
    for n in COUNTED_FIGURES {
        assert!(
            page.body.contains(&format!("id=\"figure-{n}\"")),
            "figure {n}"
        );
        assert!(
            page.body.contains(&format!("id=\"figure-{n}-table\"")),
            "table {n}"
        );
    }
    assert_eq!(page.body.matches("<svg").count(), COUNTED_FIGURES.len());
    assert!(page.body.contains("role=\"img\""));
    // Figure 1's declarations: 4 in all, 3 once filtered on Occitanie.
    let declarations = |body: &str| {
        body.split("id=\"figure-1-table\"")
            .nth(1)
            .unwrap()
            .to_owned()
    };
    assert!(
        declarations(&page.body).contains(">4<"),
        "{}",
        declarations(&page.body)
    );
    let filtered = a.get("/observatoire?annee=2024&region=76").await;
    assert!(filtered.body.contains("Vue filtrée"));
    assert!(declarations(&filtered.body).contains(">3<"));
    assert!(!declarations(&filtered.body).contains(">4<"));

    // Bretagne's one declaration: the CERT reads it; an authority, to whom nothing was
    // routed, reads the national picture with small counts suppressed, as open data.
    let by_region = |body: &str| {
        body.split("id=\"figure-6-table\"")
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert!(
        !by_region(&page.body).contains("&lt; 5"),
        "{}",
        by_region(&page.body)
    );
    let mut n = app.signed_in(&anssi).await;
    let national = n.get("/observatoire?annee=2024").await;
    assert_eq!(national.status, StatusCode::OK);
    assert!(national.body.contains("sont masqués"));
    assert!(
        by_region(&national.body).contains("&lt; 5"),
        "{}",
        by_region(&national.body)
    );
    let one_region = n.get("/observatoire?annee=2024&region=53").await;
    let key_figures = declarations(&one_region.body)
        .split("</table>")
        .next()
        .unwrap()
        .to_owned();
    assert!(!key_figures.contains("<td>1</td>"), "{key_figures}");
    assert!(key_figures.contains("&lt; 5"), "{key_figures}");
    assert!(!page.body.contains("sont masqués"));
    let mut d = app.signed_in(&declarant).await;
    assert_eq!(d.get("/observatoire").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_published_year_is_open_data_with_small_counts_suppressed() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let s2 = app.structure("010000032", "53", "GHT Beta").await;
    for _ in 0..6 {
        app.case(s1, "010000024", "76", "GHT Alpha").await;
    }
    app.case(s2, "010000032", "53", "GHT Beta").await;
    let mut public = app.browser();
    assert!(public.get("/donnees").await.body.contains("Aucune année"));
    assert_eq!(
        public.get("/donnees/2024").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        public.get("/donnees/2024/figure-6.csv").await.status,
        StatusCode::NOT_FOUND
    );

    app.publish(2024).await;
    assert!(public.get("/donnees").await.body.contains("/donnees/2024"));
    let page = public.get("/donnees/2024").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("<svg").count(), COUNTED_FIGURES.len());
    // Bretagne's single declaration is suppressed, and Occitanie's 6 with it: the total of
    // 7 declarations would give Bretagne's back by difference.
    let csv = public.get("/donnees/2024/figure-6.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("key,count,previous\n"));
    assert!(csv.body.contains("\n76,,0\n"), "{}", csv.body);
    assert!(csv.body.contains("\n53,,"), "{}", csv.body);
    for line in csv.body.lines().skip(1) {
        let count = line.split(',').nth(1).unwrap();
        if let Ok(n) = count.parse::<i64>() {
            assert!(n == 0 || n >= 5, "{line}");
        }
    }
    // Frozen: a declaration made after publication changes none of the published files,
    // so two downloads cannot be subtracted to reveal it.
    let page_before = public.get("/donnees/2024").await.body;
    let observatory_before = public.get("/donnees/2024/observatoire.json").await.body;
    for _ in 0..5 {
        app.case(s2, "010000032", "53", "GHT Beta").await;
    }
    // Counted now, Bretagne's 6 declarations would be published.
    let live = vigie_service::observatory::public_year(&app.store, 2024, 5)
        .await
        .unwrap();
    let live_csv = live.figure(6).unwrap().to_csv();
    assert!(live_csv.contains("\n53,6,"), "{live_csv}");
    assert_eq!(
        public.get("/donnees/2024/figure-6.csv").await.body,
        csv.body
    );
    assert_eq!(public.get("/donnees/2024").await.body, page_before);
    assert_eq!(
        public.get("/donnees/2024/observatoire.json").await.body,
        observatory_before
    );
    let json: serde_json::Value =
        serde_json::from_str(&public.get("/donnees/2024/figure-6.json").await.body).unwrap();
    let bretagne = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "53")
        .unwrap();
    assert!(bretagne["count"].is_null());
    assert_eq!(bretagne["count_suppressed"], "below_threshold");
    let occitanie = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "76")
        .unwrap();
    assert_eq!(occitanie["count_suppressed"], "complementary");
    assert_eq!(
        public.get("/donnees/2024/figure-99.csv").await.status,
        StatusCode::NOT_FOUND
    );
    let all: serde_json::Value =
        serde_json::from_str(&public.get("/donnees/2024/observatoire.json").await.body).unwrap();
    assert_eq!(all["year"], 2024);
}

#[tokio::test]
async fn analysts_write_the_report_and_the_public_reads_it_once_published() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    for _ in 0..6 {
        app.case(s1, "010000024", "76", "GHT Alpha").await;
    }
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let declarant = app
        .user("d1@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
        .await;
    let mut a = app.signed_in(&analyst).await;
    let editor = a.get("/observatoire/rapport/2024").await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains("Rapport annuel 2024"));
    assert!(editor.body.contains("n'est pas encore publiée"));
    // The recommendations start from the default ones.
    assert!(editor.body.contains("1. Tenir à jour la cartographie"));

    // A first text, saved over nothing read (version 0).
    let saved = a
        .post(
            "/observatoire/rapport/2024/textes",
            &[
                ("section", "introduction"),
                ("version", "0"),
                ("body", "Une année *dense* & <sans> répit."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let editor = a.get("/observatoire/rapport/2024").await;
    assert!(editor.body.contains("Version 1, enregistrée le"));
    assert!(editor.body.contains("par analyste@cert.fr"));

    // Someone who read nothing (version 0) is refused: their text stays, the current one is shown.
    let stale = a
        .post(
            "/observatoire/rapport/2024/textes",
            &[
                ("section", "introduction"),
                ("version", "0"),
                ("body", "Mon brouillon à ne pas perdre"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Mon brouillon à ne pas perdre"));
    assert!(
        stale
            .body
            .contains("Version actuelle, enregistrée entre-temps")
    );
    assert!(
        stale
            .body
            .contains("Une année *dense* &#38; &#60;sans&#62; répit.")
    );
    assert!(stale.body.contains("rien n&#39;a été écrasé"));

    // A threat with a date of another year is refused, what was typed kept beside the error.
    let bad = a
        .post(
            "/observatoire/rapport/2024/menaces",
            &[
                ("identified_on", "2023-12-31"),
                ("kind", "vulnerability"),
                ("name", "Passerelle VPN"),
                ("reference", "CVE-2024-21887"),
                ("summary", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("La date doit tomber dans l&#39;année du rapport.")
    );
    assert!(bad.body.contains("Résumez la menace"));
    assert!(bad.body.contains("value=\"Passerelle VPN\""));
    assert!(bad.body.contains("value=\"2023-12-31\""));
    assert!(
        bad.body
            .contains("<option value=\"vulnerability\" selected>")
    );
    let good = a
        .post(
            "/observatoire/rapport/2024/menaces",
            &[
                ("identified_on", "2024-01-10"),
                ("kind", "vulnerability"),
                ("name", "Passerelle VPN"),
                ("reference", "CVE-2024-21887"),
                ("summary", "Exploitée avant la publication du correctif."),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let threats = app.store.threats(2024).await.unwrap();
    assert_eq!(threats.len(), 1);

    // The draft, for the CERT only.
    let draft = a.get("/observatoire/rapport/2024/apercu").await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(
        draft
            .body
            .contains("Une année <em>dense</em> &amp; &lt;sans&gt; répit.")
    );
    assert!(
        draft
            .body
            .contains("<time datetime=\"2024-01-10\">10 janvier 2024</time>")
    );
    let csp = draft.headers[reqwest::header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let mut d = app.signed_in(&declarant).await;
    assert_eq!(
        d.get("/observatoire/rapport/2024/apercu").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        d.post(
            "/observatoire/rapport/2024/textes",
            &[("section", "introduction"), ("version", "1"), ("body", "x")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Public once the year is published, and not before.
    let mut public = app.browser();
    assert_eq!(
        public.get("/donnees/2024/rapport.html").await.status,
        StatusCode::NOT_FOUND
    );
    app.publish(2024).await;
    assert!(
        public
            .get("/donnees/2024")
            .await
            .body
            .contains("/donnees/2024/rapport.html")
    );
    let report = public.get("/donnees/2024/rapport.html").await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Passerelle VPN"));
    assert!(report.body.contains("Une année <em>dense</em>"));
    let pdf = public.get("/donnees/2024/rapport.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers[reqwest::header::CONTENT_TYPE],
        "application/pdf"
    );
    assert!(pdf.body.starts_with("%PDF-"));
    assert_eq!(
        public
            .get("/observatoire/rapport/2024/apercu.pdf")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let draft_pdf = a.get("/observatoire/rapport/2024/apercu.pdf").await;
    assert_eq!(draft_pdf.status, StatusCode::OK);
    assert!(draft_pdf.body.starts_with("%PDF-"));

    // Removing the threat takes it off the draft; the published report is frozen until
    // the year is published again, and then loses it too. A second removal is refused.
    let id = threats[0].id.to_string();
    let removed = a
        .post(
            "/observatoire/rapport/2024/menaces/suppression",
            &[("threat", id.as_str())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(
        !a.get("/observatoire/rapport/2024/apercu")
            .await
            .body
            .contains("Passerelle VPN")
    );
    let frozen = public.get("/donnees/2024/rapport.html").await.body;
    assert!(frozen.contains("Passerelle VPN"));
    assert_eq!(public.get("/donnees/2024/rapport.pdf").await.body, pdf.body);
    assert_eq!(app.publish(2024).await.edition, 2);
    assert!(
        !public
            .get("/donnees/2024/rapport.html")
            .await
            .body
            .contains("Passerelle VPN")
    );
    let again = a
        .post(
            "/observatoire/rapport/2024/menaces/suppression",
            &[("threat", id.as_str())],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .body
            .contains("n&#39;est pas (ou plus) dans la chronologie")
    );
}

/// The declarations of the year in figure 1's table.
fn declarations(body: &str) -> String {
    let table = body
        .split("id=\"figure-1-table\"")
        .nth(1)
        .unwrap_or_default();
    let cell = table
        .split("<th scope=\"row\">Signalements</th><td>")
        .nth(1)
        .unwrap_or_default();
    cell.split("</td>").next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_period_recomputes_the_figures_and_a_reversed_one_is_refused_keeping_the_form() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    // Declared on 27 November 2024.
    for _ in 0..2 {
        app.case(s1, "010000024", "76", "GHT Alpha").await;
    }
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let mut a = app.signed_in(&analyst).await;

    let page = a.get("/observatoire?annee=2024").await;
    assert_eq!(page.status, StatusCode::OK);
    for (name, label) in [("du", "Du mois"), ("au", "Au mois")] {
        assert!(
            page.body
                .contains(&format!("<label for=\"f-{name}\">{label}</label>")),
            "{name}"
        );
        assert!(
            page.body
                .contains(&format!("<select id=\"f-{name}\" name=\"{name}\">"))
        );
    }
    assert!(
        page.body
            .contains("<option value=\"1\" selected>janvier</option>")
    );
    assert!(
        page.body
            .contains("<option value=\"12\" selected>décembre</option>")
    );
    assert_eq!(declarations(&page.body), "2");

    // (query, declarations, what the notice says)
    let cases = [
        (
            "du=11&au=12",
            "2",
            "déclarées de novembre à décembre de chaque année",
        ),
        ("du=11&au=11", "2", "déclarées en novembre de chaque année"),
        (
            "du=1&au=10",
            "0",
            "déclarées de janvier à octobre de chaque année",
        ),
        (
            "du=12&au=12&region=76",
            "0",
            "déclarées en décembre de chaque année",
        ),
    ];
    for (query, want, notice) in cases {
        let page = a.get(&format!("/observatoire?annee=2024&{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(declarations(&page.body), want, "{query}");
        assert!(page.body.contains(notice), "{query}");
        assert_eq!(page.body.matches("<svg").count(), COUNTED_FIGURES.len());
    }
    // Kept on reload: the months chosen stay selected.
    let page = a.get("/observatoire?annee=2024&du=3&au=7").await;
    assert!(
        page.body
            .contains("<option value=\"3\" selected>mars</option>")
    );
    assert!(
        page.body
            .contains("<option value=\"7\" selected>juillet</option>")
    );

    // A period that ends before it starts: an error beside the last month, nothing lost.
    let wrong = a
        .get("/observatoire?annee=2024&region=76&origine=malicious&du=5&au=3")
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(wrong.body.contains(
        "<span class=\"error-message\" id=\"f-au-error\">Le mois de fin (mars) précède le mois de début (mai)"
    ));
    assert!(wrong.body.contains(
        "<select id=\"f-au\" name=\"au\" aria-invalid=\"true\" aria-describedby=\"f-au-error\">"
    ));
    assert!(!wrong.body.contains("id=\"f-du-error\""));
    for kept in [
        "<option value=\"5\" selected>mai</option>",
        "<option value=\"3\" selected>mars</option>",
        "<option value=\"76\" selected>",
        "<option value=\"malicious\" selected>",
        "<option value=\"2024\" selected>",
    ] {
        assert!(wrong.body.contains(kept), "{kept}");
    }
    assert_eq!(wrong.body.matches("<svg").count(), 0);
    // A month that is none: the error is beside it.
    let wrong = a.get("/observatoire?du=13").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains(
        "<span class=\"error-message\" id=\"f-du-error\">Choisissez un mois de janvier à décembre.</span>"
    ));
    assert!(!wrong.body.contains("id=\"f-au-error\""));

    // A new declaration reaches the dashboards without a restart (counted in the background).
    app.case(s1, "010000024", "76", "GHT Alpha").await;
    let mut seen = String::new();
    for _ in 0..500 {
        seen = declarations(&a.get("/observatoire?annee=2024").await.body);
        if seen == "3" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(seen, "3");
}

#[tokio::test]
async fn shared_events_reach_the_public_report_only_made_public_and_above_the_threshold() {
    let app = TestApp::spawn().await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
        .await;
    let analyst_id = app
        .store
        .user_by_email(&analyst.email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let now = app.now();
    // Five declarations behind one cause, two behind another (the threshold is 5).
    let outage = app
        .store
        .create_event(
            "Panne Hébergeur-X",
            "CH de Trifouilly, rançon demandée",
            Some(analyst_id),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let small = app
        .store
        .create_event("Hameçonnage Y", "Deux EHPAD du Gers", Some(analyst_id), now)
        .await
        .unwrap()
        .unwrap();
    let finesses = [
        "010000024",
        "010000032",
        "010000040",
        "010000057",
        "010000065",
        "010000073",
        "010000081",
    ];
    for (n, finess) in finesses.iter().enumerate() {
        let s = app.structure(finess, "76", "GHT Alpha").await;
        let case = app.case(s, finess, "76", "GHT Alpha").await;
        let event = if n < 5 {
            "Panne Hébergeur-X"
        } else {
            "Hameçonnage Y"
        };
        assert!(
            app.store
                .link_event(case, Some(event), analyst_id, now)
                .await
                .unwrap()
        );
    }
    let mut public = app.browser();
    app.publish(2024).await;
    let report = public.get("/donnees/2024/rapport.html").await.body;
    for hidden in ["Panne Hébergeur-X", "Trifouilly", "Hameçonnage Y", "Gers"] {
        assert!(
            !report.contains(hidden),
            "{hidden} in a report nobody made it public in"
        );
    }

    // An analyst writes what the public may read; the staff's own words stay inside.
    let mut a = app.signed_in(&analyst).await;
    let empty = a
        .post(
            &format!("/evenements/{outage}/public"),
            &[("title", " "), ("summary", "x")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Écrivez un titre"));
    for (id, title) in [
        (outage, "Défaillance d'un hébergeur de données de santé"),
        (small, "Campagne d'hameçonnage"),
    ] {
        let made = a
            .post(
                &format!("/evenements/{id}/public"),
                &[
                    ("title", title),
                    (
                        "summary",
                        "Plusieurs structures ont perdu l'accès à leurs applications.",
                    ),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        assert!(made.body.contains("figurera au rapport public"));
    }
    // Frozen until published again; then the public title, above the threshold only.
    assert!(
        !public
            .get("/donnees/2024/rapport.html")
            .await
            .body
            .contains("hébergeur de données")
    );
    app.publish(2024).await;
    let report = public.get("/donnees/2024/rapport.html").await.body;
    assert!(report.contains("hébergeur de données de santé"), "{report}");
    assert!(report.contains("Plusieurs structures ont perdu"));
    assert!(report.contains("5 déclarations"), "{report}");
    for hidden in ["Panne Hébergeur-X", "Trifouilly", "hameçonnage", "Gers"] {
        assert!(!report.contains(hidden), "{hidden} in the public report");
    }
    // Withdrawn: gone at the next publication; each step journaled.
    let withdrawn = a
        .post(
            &format!("/evenements/{outage}/public"),
            &[("action", "withdraw")],
        )
        .await;
    assert!(withdrawn.body.contains("retiré du rapport public"));
    app.publish(2024).await;
    assert!(
        !public
            .get("/donnees/2024/rapport.html")
            .await
            .body
            .contains("hébergeur de données")
    );
    let actions: Vec<String> = app
        .store
        .journal_entries(Some(&format!("event:{outage}")), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    assert_eq!(actions.first().map(String::as_str), Some("event_created"));
    let made: Vec<&str> = actions
        .iter()
        .map(String::as_str)
        .filter(|a| a.starts_with("event_made_"))
        .collect();
    assert_eq!(made, ["event_made_public", "event_made_private"]);
}
