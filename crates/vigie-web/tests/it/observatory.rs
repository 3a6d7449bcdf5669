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

    let mut n = app.signed_in(&anssi).await;
    assert_eq!(n.get("/observatoire").await.status, StatusCode::OK);
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

    app.store
        .publish_year(2024, 5, &vigie_store::Actor::System, app.now())
        .await
        .unwrap();
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
