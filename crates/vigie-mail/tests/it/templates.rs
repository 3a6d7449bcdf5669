//! The French templates, read as a recipient would: plain text and HTML.

use jiff::Timestamp;
use vigie_mail::{ComplementRequest, complement_request};
use vigie_model::calendar::french_date_time;

use crate::{acknowledgment, declared_at, mailbox};

#[test]
fn french_dates_are_in_paris_time() {
    let cases = [
        // Winter time (UTC+1), summer time (UTC+2), the first of a month, a New Year's Eve in UTC.
        ("2024-03-05T13:30:00Z", "5 mars 2024 à 14 h 30"),
        ("2024-08-01T07:05:00Z", "1er août 2024 à 9 h 05"),
        ("2024-12-31T23:00:00Z", "1er janvier 2025 à 0 h 00"),
        ("2024-10-27T00:59:59Z", "27 octobre 2024 à 2 h 59"),
        ("2024-10-27T01:00:00Z", "27 octobre 2024 à 2 h 00"),
        ("2023-02-28T22:59:00Z", "28 février 2023 à 23 h 59"),
    ];
    for (utc, expected) in cases {
        let at: Timestamp = utc.parse().unwrap();
        assert_eq!(french_date_time(at), expected, "{utc}");
    }
}

#[test]
fn the_acknowledgment_says_what_and_when_in_french() {
    let to = [mailbox("rssi@ch-dax.example.fr")];
    let mail = vigie_mail::acknowledgment(&acknowledgment(&to, Some("Chiffrement de serveurs")));
    assert_eq!(mail.to, to);
    assert_eq!(
        mail.subject,
        "[Vigie] Accusé de réception de votre signalement VIG-2024-000123"
    );
    assert_eq!(
        mail.text,
        "Bonjour,

Nous avons bien reçu votre signalement d'incident. Il est enregistré sous le numéro VIG-2024-000123 : merci de rappeler ce numéro dans vos échanges avec nous.

Numéro de dossier : VIG-2024-000123
Structure : Centre hospitalier de Dax – Côte d'Argent
Date de déclaration : 5 mars 2024 à 14 h 30 (heure de Paris)
Titre : Chiffrement de serveurs

Pour suivre ce dossier ou compléter votre déclaration, connectez-vous au portail :
https://vigie.example.org/dossiers/VIG-2024-000123

Cet accusé de réception ne préjuge pas de la qualification de l'incident. Nous reviendrons vers vous si des informations complémentaires sont nécessaires.

Pour préserver la confidentialité des informations, ce message ne reprend pas le contenu de votre déclaration. Il est envoyé automatiquement : merci de ne pas y répondre.

Cordialement,
CERT Santé
"
    );
    let html = &mail.html;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">\n"),
        "{html}"
    );
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains(
        "<li>Date de déclaration&nbsp;: <strong>5 mars 2024 à 14 h 30 (heure de Paris)</strong></li>"
    ));
    assert!(html.contains(
        "<a href=\"https://vigie.example.org/dossiers/VIG-2024-000123\">ouvrir le dossier VIG-2024-000123</a>"
    ));
    assert!(html.contains("Côte d&#39;Argent"));
    // Sober: no images, no styles, no scripts.
    for absent in ["<img", "<style", "style=", "<script"] {
        assert!(!html.contains(absent), "{absent} in {html}");
    }
}

#[test]
fn the_title_is_left_out_unless_given() {
    let to = [mailbox("rssi@ch-dax.example.fr")];
    for title in [None, Some(""), Some("  \n ")] {
        let mail = vigie_mail::acknowledgment(&acknowledgment(&to, title));
        assert!(!mail.text.contains("Titre"), "{title:?}");
        assert!(!mail.html.contains("Titre"), "{title:?}");
    }
}

#[test]
fn what_the_declarant_wrote_is_escaped_and_kept_on_one_line() {
    let to = [mailbox("rssi@ch-dax.example.fr")];
    let title = "<script>alert(1)</script> & \"serveurs\"\r\nBcc: x@example.org";
    let mail = vigie_mail::acknowledgment(&acknowledgment(&to, Some(title)));
    assert!(mail.html.contains(
        "<strong>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;serveurs&quot; Bcc: x@example.org</strong>"
    ));
    assert!(!mail.html.contains("<script>"));
    assert!(
        mail.text
            .contains("\nTitre : <script>alert(1)</script> & \"serveurs\" Bcc: x@example.org\n")
    );
}

#[test]
fn the_complement_request_sends_the_reader_to_the_portal() {
    let to = [mailbox("rssi@ch-dax.example.fr")];
    let mail = complement_request(&ComplementRequest {
        to: &to,
        case_number: "VIG-2024-000123",
        structure_name: "Centre hospitalier de Dax",
        declared_at: declared_at(),
        title: None,
        portal_url: "https://vigie.example.org/dossiers/VIG-2024-000123",
        cert_name: "CERT Santé",
        reminder: 0,
    });
    assert_eq!(
        mail.subject,
        "[Vigie] Demande de compléments sur votre signalement VIG-2024-000123"
    );
    assert_eq!(
        mail.text,
        "Bonjour,

Pour poursuivre l'analyse de votre signalement VIG-2024-000123, nous avons besoin d'informations complémentaires. Pour préserver la confidentialité des échanges, notre demande n'est consultable que sur le portail.

Numéro de dossier : VIG-2024-000123
Structure : Centre hospitalier de Dax
Date de déclaration : 5 mars 2024 à 14 h 30 (heure de Paris)

Pour la lire et y répondre, connectez-vous au portail :
https://vigie.example.org/dossiers/VIG-2024-000123

Ce message est envoyé automatiquement : merci de ne pas y répondre.

Cordialement,
CERT Santé
"
    );
    assert!(mail.html.contains("<html lang=\"fr\">"));
}

#[test]
fn reminders_say_so_and_are_numbered() {
    let to = [mailbox("rssi@ch-dax.example.fr")];
    let mail = complement_request(&ComplementRequest {
        to: &to,
        case_number: "VIG-2024-000123",
        structure_name: "Centre hospitalier de Dax",
        declared_at: declared_at(),
        title: None,
        portal_url: "https://vigie.example.org/dossiers/VIG-2024-000123",
        cert_name: "CERT Santé",
        reminder: 2,
    });
    assert_eq!(
        mail.subject,
        "[Vigie] Relance n° 2 : demande de compléments sur votre signalement VIG-2024-000123"
    );
    assert!(mail.text.contains(
        "Nous n'avons pas encore reçu les informations complémentaires demandées sur votre signalement VIG-2024-000123."
    ));
    assert!(mail.text.contains("consultable que sur le portail"));
}
