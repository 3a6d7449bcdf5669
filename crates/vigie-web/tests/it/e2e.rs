//! End to end in a real browser (Debian's Chromium through ChromeDriver): log in with a
//! second factor, declare through every step, see the receipt, find the acknowledgment in
//! the SMTP server; every page screenshotted and checked by axe-core when it is installed.

use std::{path::PathBuf, time::Duration};

use vigie_access::{Role, Scope};
use vigie_auth::TotpSecret;
use vigie_test_support::Browser;

use crate::app::{PASSWORD, TestApp};

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots")
}

/// axe-core's script, installed by `.ci/run` with npm (`VIGIE_AXE` overrides the path).
fn axe_source() -> Option<String> {
    let path = std::env::var("VIGIE_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/e2e/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(path).ok()
}

/// Runs axe-core on the current page; returns the serious and critical violations.
async fn serious_violations(browser: &Browser, axe: &str) -> Vec<String> {
    let script = format!(
        "{axe}\nconst done = arguments[arguments.length - 1];\
         axe.run(document, {{ resultTypes: ['violations'] }}).then(r => done(r.violations\
         .filter(v => v.impact === 'serious' || v.impact === 'critical')\
         .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')));"
    );
    let value = browser.script(&script, true).await.expect("axe-core runs");
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_declarant_declares_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!(
            "SKIP e2e: /usr/bin/chromium or /usr/bin/chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let browser = browser.expect("chromium starts");
    let axe = axe_source();
    if axe.is_none() {
        eprintln!(
            "SKIP axe-core checks: run `npm install --prefix target/e2e axe-core@4` (as .ci/run does)"
        );
    }
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let user = app
        .user(
            "rssi@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            true,
        )
        .await;
    let shots = screenshots();
    let mut pages_checked = 0;
    macro_rules! page {
        ($name:expr) => {{
            browser
                .screenshot(&shots.join(format!("{}.png", $name)))
                .await
                .unwrap();
            if let Some(axe) = &axe {
                let violations = serious_violations(&browser, axe).await;
                assert!(violations.is_empty(), "{}: {violations:#?}", $name);
            }
            pages_checked += 1;
        }};
    }

    browser.goto(&app.base).await.unwrap();
    page!("01-accueil");
    // The first Tab reaches the skip link: the page is usable by keyboard.
    browser.keys("\u{E004}").await.unwrap();
    let focused = browser
        .script("return document.activeElement.textContent", false)
        .await
        .unwrap();
    assert_eq!(focused, "Aller au contenu");

    browser.click("main a.button").await.unwrap();
    browser.wait_url("/connexion").await.unwrap();
    page!("02-connexion");
    browser.type_in("#email", &user.email).await.unwrap();
    browser.type_in("#password", PASSWORD).await.unwrap();
    browser.click("main button[type=submit]").await.unwrap();
    browser.wait_url("/connexion/totp").await.unwrap();
    page!("03-second-facteur");
    let code = TotpSecret::from_base32(user.totp.as_deref().unwrap())
        .unwrap()
        .code(app.now())
        .unwrap();
    browser.type_in("#code", &code).await.unwrap();
    browser.click("main button[type=submit]").await.unwrap();
    browser.wait_url("/declarations").await.unwrap();
    page!("04-mes-declarations");

    browser.click("nav.main a[href='/declarer']").await.unwrap();
    browser.wait_url("/declarer/etape/1").await.unwrap();
    // Sending the first step empty shows the errors beside their fields.
    browser.click("button[value=next]").await.unwrap();
    browser.wait_text("Donnez un titre court").await.unwrap();
    page!("05-etape-1-erreurs");
    browser
        .type_in("#title", "Rançongiciel sur un serveur de fichiers")
        .await
        .unwrap();
    browser
        .type_in(
            "#description",
            "Fichiers chiffrés et note de rançon sur le serveur de fichiers du pôle administratif.",
        )
        .await
        .unwrap();
    browser
        .type_in(
            "#measures_taken",
            "Serveur isolé du réseau, sauvegardes vérifiées hors ligne.",
        )
        .await
        .unwrap();
    browser.click("label[for=state-needs_cert]").await.unwrap();
    browser.click("label[for=support-oui]").await.unwrap();
    page!("06-etape-1");
    browser.click("button[value=next]").await.unwrap();
    browser.wait_url("/declarer/etape/2").await.unwrap();
    browser.click("label[for=care-degraded]").await.unwrap();
    browser.type_in("#degraded_hours", "12").await.unwrap();
    browser
        .click("label[for=impact-unavailable]")
        .await
        .unwrap();
    browser
        .click("label[for=kind-health_personal]")
        .await
        .unwrap();
    browser.click("label[for=danger-none]").await.unwrap();
    page!("07-etape-2");
    browser.click("button[value=next]").await.unwrap();
    browser.wait_url("/declarer/etape/3").await.unwrap();
    browser.wait_text("Serveur isolé du réseau").await.unwrap();
    page!("08-verification");
    browser.click("button[value=next]").await.unwrap();
    let url = browser.wait_url("/recu").await.unwrap();
    let case = url.rsplit('/').nth(1).unwrap().to_owned();
    assert!(browser.source().await.unwrap().contains(&case));
    page!("09-recu");

    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mails[0].to, ["rssi@ch-exemple.fr"]);
    assert!(String::from_utf8_lossy(&mails[0].data).contains(&case));

    browser.click("main a.button").await.unwrap();
    browser.wait_text("Fichiers chiffrés").await.unwrap();
    page!("10-dossier");
    assert_eq!(pages_checked, 10);
    browser.quit().await;
}

#[tokio::test]
async fn an_analyst_handles_a_case_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!(
            "SKIP e2e: /usr/bin/chromium or /usr/bin/chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let browser = browser.expect("chromium starts");
    let axe = axe_source();
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let case = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let analyst = app
        .user("analyste@cert.fr", Role::Analyst, Scope::Cert, true)
        .await;
    let shots = screenshots();
    let mut pages_checked = 0;
    macro_rules! page {
        ($name:expr) => {{
            browser
                .screenshot(&shots.join(format!("{}.png", $name)))
                .await
                .unwrap();
            if let Some(axe) = &axe {
                let violations = serious_violations(&browser, axe).await;
                assert!(violations.is_empty(), "{}: {violations:#?}", $name);
            }
            pages_checked += 1;
        }};
    }

    browser
        .goto(&format!("{}/connexion", app.base))
        .await
        .unwrap();
    browser.type_in("#email", &analyst.email).await.unwrap();
    browser.type_in("#password", PASSWORD).await.unwrap();
    browser.click("main button[type=submit]").await.unwrap();
    browser.wait_url("/connexion/totp").await.unwrap();
    let code = TotpSecret::from_base32(analyst.totp.as_deref().unwrap())
        .unwrap()
        .code(app.now())
        .unwrap();
    browser.type_in("#code", &code).await.unwrap();
    browser.click("main button[type=submit]").await.unwrap();
    browser.wait_url("/declarations").await.unwrap();

    browser
        .click("nav.main a[href='/traitement']")
        .await
        .unwrap();
    browser.wait_url("/traitement").await.unwrap();
    browser.wait_text(&case.to_string()).await.unwrap();
    page!("20-file-de-traitement");

    browser
        .click(&format!("a[href='/declarations/{case}']"))
        .await
        .unwrap();
    browser.wait_text("Traitement par le CERT").await.unwrap();
    page!("21-dossier-traitement");
    // Qualified by keyboard-reachable labels: malicious ransomware on one server.
    browser.click("label[for=origin-malicious]").await.unwrap();
    browser.click("label[for=cat-ransomware]").await.unwrap();
    browser
        .script(
            "document.getElementById('ransomware_reach').value = 'single_server'",
            false,
        )
        .await
        .unwrap();
    browser
        .click("form[action$='/qualification'] button[type=submit]")
        .await
        .unwrap();
    browser.wait_text("fssi-malicious").await.unwrap();
    page!("22-dossier-qualifie");

    browser
        .click("nav.main a[href='/astreinte']")
        .await
        .unwrap();
    browser.wait_url("/astreinte").await.unwrap();
    page!("23-astreinte");
    browser
        .click("nav.main a[href='/evenements']")
        .await
        .unwrap();
    browser.wait_url("/evenements").await.unwrap();
    page!("24-evenements");
    browser
        .click("nav.main a[href='/fiches-reflexes']")
        .await
        .unwrap();
    browser.wait_url("/fiches-reflexes").await.unwrap();
    browser
        .click("a[href='/fiches-reflexes/ransomware']")
        .await
        .unwrap();
    browser.wait_text("Ne payez pas la rançon").await.unwrap();
    page!("25-fiche-reflexe");
    browser
        .goto(&format!("{}/taxonomie", app.base))
        .await
        .unwrap();
    browser
        .wait_text("Correspondance des catégories")
        .await
        .unwrap();
    page!("26-taxonomie");
    browser
        .goto(&format!("{}/observatoire?annee=2024", app.base))
        .await
        .unwrap();
    browser.wait_text("Observatoire 2024").await.unwrap();
    page!("27-observatoire");
    // A period that ends before it starts: the error beside the field is checked too.
    browser
        .goto(&format!("{}/observatoire?annee=2024&du=6&au=2", app.base))
        .await
        .unwrap();
    browser.wait_text("corrigez la période").await.unwrap();
    page!("27-observatoire-periode-invalide");
    app.publish(2024).await;
    browser
        .goto(&format!("{}/donnees/2024", app.base))
        .await
        .unwrap();
    browser.wait_text("Observatoire 2024").await.unwrap();
    page!("28-donnees-ouvertes");
    // The analysts' editor of the report: a text typed and saved, then the public report.
    browser
        .goto(&format!("{}/observatoire/rapport/2024", app.base))
        .await
        .unwrap();
    browser.wait_text("Rapport annuel 2024").await.unwrap();
    browser
        .type_in(
            "#text-introduction",
            "Une année marquée par les rançongiciels.",
        )
        .await
        .unwrap();
    browser
        .click("#section-introduction button[type=submit]")
        .await
        .unwrap();
    browser
        .wait_text("Version 1, enregistrée le")
        .await
        .unwrap();
    page!("29-redaction-du-rapport");
    // The public report is frozen: the text reaches it when the year is published again.
    assert_eq!(app.publish(2024).await.edition, 2);
    browser
        .goto(&format!("{}/donnees/2024/rapport.html", app.base))
        .await
        .unwrap();
    browser
        .wait_text("Une année marquée par les rançongiciels.")
        .await
        .unwrap();
    page!("30-rapport-public");
    assert_eq!(pages_checked, 12);
    browser.quit().await;
}
