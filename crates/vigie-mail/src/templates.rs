//! The French messages, as pure functions: what the message must say in, a [`Mail`] out.
//!
//! Wording is sober and addressed to a structure's security officer. No message repeats
//! what a declarant wrote about the incident beyond its title, and the title only when the
//! caller passes it.

mod letter;

use lettre::message::Mailbox;
use vigie_model::DateTime;

use vigie_model::calendar::french_date_time;

use crate::mail::Mail;
use letter::{Letter, one_line};

/// What the acknowledgment of a new declaration says.
#[derive(Debug, Clone, Copy)]
pub struct Acknowledgment<'a> {
    /// The recipients: the declarant, and whoever else the structure asked for.
    pub to: &'a [Mailbox],
    /// The case number, like `VIG-2024-000123`.
    pub case_number: &'a str,
    /// The name of the structure the declaration is for.
    pub structure_name: &'a str,
    /// When the declaration was made (shown in Paris time).
    pub declared_at: DateTime,
    /// The declarant's title, or `None` to leave it out (not given, or not to be e-mailed).
    pub title: Option<&'a str>,
    /// The case on the portal.
    pub portal_url: &'a str,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// What a request for complements says; the request itself stays on the portal.
#[derive(Debug, Clone, Copy)]
pub struct ComplementRequest<'a> {
    /// The recipients.
    pub to: &'a [Mailbox],
    /// The case number, like `VIG-2024-000123`.
    pub case_number: &'a str,
    /// The name of the structure the declaration is for.
    pub structure_name: &'a str,
    /// When the declaration was made (shown in Paris time).
    pub declared_at: DateTime,
    /// The declarant's title, or `None` to leave it out.
    pub title: Option<&'a str>,
    /// The case on the portal, where the request can be read and answered.
    pub portal_url: &'a str,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
    /// 0 for the request itself, then 1, 2… for each reminder.
    pub reminder: u32,
}

/// What an invitation to create an account says.
#[derive(Debug, Clone, Copy)]
pub struct Invitation<'a> {
    /// The invited person.
    pub to: &'a [Mailbox],
    /// The role offered, in French (`Déclarant`, `Analyste du CERT`…).
    pub role: &'a str,
    /// The link where the password is chosen.
    pub link: &'a str,
    /// How long the link is valid, in hours.
    pub valid_hours: u32,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// What the notice of a message about a shared event says.
#[derive(Debug, Clone, Copy)]
pub struct EventNotice<'a> {
    /// The structure's contacts.
    pub to: &'a [Mailbox],
    /// The event's name.
    pub event: &'a str,
    /// The structure's case linked to the event.
    pub case_number: &'a str,
    /// The name of the structure.
    pub structure_name: &'a str,
    /// When the declaration was made (shown in Paris time).
    pub declared_at: DateTime,
    /// The case on the portal, where the message is read.
    pub portal_url: &'a str,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// The notice that the CERT wrote about an event that concerns the structure's case; the
/// message itself is read on the portal.
pub fn event_notice(notice: &EventNotice<'_>) -> Mail {
    let case = one_line(notice.case_number);
    Letter {
        subject: format!("[Vigie] Message du CERT : {}", one_line(notice.event)),
        before: vec![format!(
            "Le CERT a publié un message au sujet de l'événement « {} », qui concerne votre \
             signalement {case}. Pour préserver la confidentialité des échanges, il n'est \
             consultable que sur le portail.",
            one_line(notice.event)
        )],
        facts: facts(&case, notice.structure_name, notice.declared_at, None),
        link_sentence: "Pour le lire, connectez-vous au portail",
        link_label: format!("ouvrir le dossier {case}"),
        url: notice.portal_url,
        after: vec![AUTOMATIC.to_owned()],
        signature: notice.cert_name,
    }
    .into_mail(notice.to)
}

/// What the message carrying a reflex sheet says.
#[derive(Debug, Clone, Copy)]
pub struct ReflexSheetMail<'a> {
    /// The structure's contacts.
    pub to: &'a [Mailbox],
    /// The case number, like `VIG-2024-000123`.
    pub case_number: &'a str,
    /// The name of the structure.
    pub structure_name: &'a str,
    /// When the declaration was made (shown in Paris time).
    pub declared_at: DateTime,
    /// The sheet's title.
    pub sheet_title: &'a str,
    /// The sheet's text: lines, blank lines between paragraphs.
    pub sheet_body: &'a str,
    /// The case on the portal.
    pub portal_url: &'a str,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// The reflex sheet the CERT sends to a structure during an incident. The sheet is
/// generic guidance, so it travels in the message itself.
pub fn reflex_sheet(sheet: &ReflexSheetMail<'_>) -> Mail {
    let case = one_line(sheet.case_number);
    let mut before = vec![format!(
        "Dans le cadre du suivi de votre signalement {case}, le CERT vous transmet la fiche réflexe « {} ».",
        one_line(sheet.sheet_title)
    )];
    before.extend(
        sheet
            .sheet_body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(one_line),
    );
    Letter {
        subject: format!("[Vigie] Fiche réflexe : {}", one_line(sheet.sheet_title)),
        before,
        facts: facts(&case, sheet.structure_name, sheet.declared_at, None),
        link_sentence: "La fiche est aussi jointe à votre dossier sur le portail",
        link_label: format!("ouvrir le dossier {case}"),
        url: sheet.portal_url,
        after: vec![AUTOMATIC.to_owned()],
        signature: sheet.cert_name,
    }
    .into_mail(sheet.to)
}

/// What the alert to an authority says when a case is routed to it.
#[derive(Debug, Clone, Copy)]
pub struct RoutingAlert<'a> {
    /// The authority's accounts.
    pub to: &'a [Mailbox],
    /// The authority, in French (`ANSSI`, `ARS de la région`…).
    pub authority: &'a str,
    /// The case number, like `VIG-2024-000123`.
    pub case_number: &'a str,
    /// The name of the declaring structure.
    pub structure_name: &'a str,
    /// When the declaration was made (shown in Paris time).
    pub declared_at: DateTime,
    /// Why the case is routed: the reasons of the rules that fired.
    pub reasons: &'a [&'a str],
    /// The case on the portal, readable by the authority's accounts.
    pub portal_url: &'a str,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// The alert that tells an authority a case was routed to it, and why.
pub fn routing_alert(alert: &RoutingAlert<'_>) -> Mail {
    let case = one_line(alert.case_number);
    let mut before = vec![format!(
        "L'incident {case} vous est transmis ({}) pour les motifs suivants :",
        one_line(alert.authority)
    )];
    before.extend(alert.reasons.iter().map(|r| format!("– {}", one_line(r))));
    Letter {
        subject: format!("[Vigie] Incident {case} porté à votre connaissance"),
        before,
        facts: facts(&case, alert.structure_name, alert.declared_at, None),
        link_sentence: "Le dossier est consultable sur le portail par les comptes de votre autorité",
        link_label: format!("ouvrir le dossier {case}"),
        url: alert.portal_url,
        after: vec![CONFIDENTIAL_AUTHORITY.to_owned()],
        signature: alert.cert_name,
    }
    .into_mail(alert.to)
}

const CONFIDENTIAL_AUTHORITY: &str = "Pour préserver la confidentialité des informations, ce \
     message ne reprend pas le contenu de la déclaration. Il est envoyé automatiquement : merci \
     de ne pas y répondre.";

/// The invitation to choose a password and create an account.
pub fn invitation(invitation: &Invitation<'_>) -> Mail {
    Letter {
        subject: "[Vigie] Invitation à créer votre compte".to_owned(),
        before: vec![format!(
            "Un compte « {} » vous attend sur Vigie, la plateforme de signalement des \
             incidents de sécurité des systèmes d'information en santé.",
            one_line(invitation.role)
        )],
        facts: Vec::new(),
        link_sentence: "Pour choisir votre mot de passe, ouvrez ce lien",
        link_label: "créer mon compte".to_owned(),
        url: invitation.link,
        after: vec![
            format!(
                "Ce lien est valable {} heures et ne sert qu'une fois. Si vous n'attendiez pas \
                 cette invitation, ignorez ce message.",
                invitation.valid_hours
            ),
            AUTOMATIC.to_owned(),
        ],
        signature: invitation.cert_name,
    }
    .into_mail(invitation.to)
}

/// The acknowledgment sent as soon as a declaration is recorded.
pub fn acknowledgment(ack: &Acknowledgment<'_>) -> Mail {
    let case = one_line(ack.case_number);
    Letter {
        subject: format!("[Vigie] Accusé de réception de votre signalement {case}"),
        before: vec![format!(
            "Nous avons bien reçu votre signalement d'incident. Il est enregistré sous le \
             numéro {case} : merci de rappeler ce numéro dans vos échanges avec nous."
        )],
        facts: facts(&case, ack.structure_name, ack.declared_at, ack.title),
        link_sentence: "Pour suivre ce dossier ou compléter votre déclaration, connectez-vous au portail",
        link_label: format!("ouvrir le dossier {case}"),
        url: ack.portal_url,
        after: vec![
            "Cet accusé de réception ne préjuge pas de la qualification de l'incident. Nous \
             reviendrons vers vous si des informations complémentaires sont nécessaires."
                .to_owned(),
            CONFIDENTIAL.to_owned(),
        ],
        signature: ack.cert_name,
    }
    .into_mail(ack.to)
}

/// The notice that the CERT needs more information, to be read and answered on the portal.
pub fn complement_request(request: &ComplementRequest<'_>) -> Mail {
    let case = one_line(request.case_number);
    let (subject, opening) = if request.reminder == 0 {
        (
            format!("[Vigie] Demande de compléments sur votre signalement {case}"),
            format!(
                "Pour poursuivre l'analyse de votre signalement {case}, nous avons besoin \
                 d'informations complémentaires."
            ),
        )
    } else {
        (
            format!(
                "[Vigie] Relance n° {} : demande de compléments sur votre signalement {case}",
                request.reminder
            ),
            format!(
                "Nous n'avons pas encore reçu les informations complémentaires demandées sur \
                 votre signalement {case}. Elles nous sont nécessaires pour poursuivre son analyse."
            ),
        )
    };
    Letter {
        subject,
        before: vec![format!(
            "{opening} Pour préserver la confidentialité des échanges, notre demande n'est \
             consultable que sur le portail."
        )],
        facts: facts(
            &case,
            request.structure_name,
            request.declared_at,
            request.title,
        ),
        link_sentence: "Pour la lire et y répondre, connectez-vous au portail",
        link_label: format!("ouvrir le dossier {case}"),
        url: request.portal_url,
        after: vec![AUTOMATIC.to_owned()],
        signature: request.cert_name,
    }
    .into_mail(request.to)
}

/// What the notice of a changed password or second factor says.
#[derive(Debug, Clone, Copy)]
pub struct AccountChanged<'a> {
    /// The account's owner.
    pub to: &'a [Mailbox],
    /// When it was changed (shown in Paris time).
    pub at: jiff::Timestamp,
    /// The address the change came from, if known.
    pub from: Option<&'a str>,
    /// The account page on the portal.
    pub portal_url: &'a str,
    /// Who signs, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// The notice sent to an account's owner when its second factor (TOTP key and recovery
/// codes) was replaced: the other sessions were ended; if it was not them, whom to call.
pub fn second_factor_changed(notice: &AccountChanged<'_>) -> Mail {
    let mut facts = vec![("Date", french_date_time(notice.at))];
    if let Some(from) = notice.from {
        facts.push(("Depuis l'adresse", one_line(from)));
    }
    Letter {
        subject: "[Vigie] Votre vérification en deux étapes a été modifiée".to_owned(),
        before: vec![
            "La clé de vérification en deux étapes et les codes de secours de votre compte \
             Vigie viennent d'être remplacés. Les anciens ne fonctionnent plus, et vos autres \
             sessions ouvertes ont été fermées."
                .to_owned(),
        ],
        facts,
        link_sentence: "Pour consulter votre compte, connectez-vous au portail",
        link_label: "ouvrir mon compte".to_owned(),
        url: notice.portal_url,
        after: vec![
            format!(
                "Si vous n'êtes pas à l'origine de ce changement, votre mot de passe est sans \
                 doute connu d'un tiers : prévenez sans attendre {}.",
                one_line(notice.cert_name)
            ),
            AUTOMATIC.to_owned(),
        ],
        signature: notice.cert_name,
    }
    .into_mail(notice.to)
}

/// The notice sent to an account's owner when its password was changed: the other
/// sessions were ended; if it was not them, whom to call.
pub fn password_changed(notice: &AccountChanged<'_>) -> Mail {
    let mut facts = vec![("Date", french_date_time(notice.at))];
    if let Some(from) = notice.from {
        facts.push(("Depuis l'adresse", one_line(from)));
    }
    Letter {
        subject: "[Vigie] Le mot de passe de votre compte a été changé".to_owned(),
        before: vec![
            "Le mot de passe de votre compte Vigie vient d'être changé. L'ancien ne \
             fonctionne plus, et vos autres sessions ouvertes ont été fermées."
                .to_owned(),
        ],
        facts,
        link_sentence: "Pour consulter votre compte, connectez-vous au portail",
        link_label: "ouvrir mon compte".to_owned(),
        url: notice.portal_url,
        after: vec![
            format!(
                "Si vous n'êtes pas à l'origine de ce changement, quelqu'un a sans doute accès \
                 à votre compte : prévenez sans attendre {}.",
                one_line(notice.cert_name)
            ),
            AUTOMATIC.to_owned(),
        ],
        signature: notice.cert_name,
    }
    .into_mail(notice.to)
}

const AUTOMATIC: &str = "Ce message est envoyé automatiquement : merci de ne pas y répondre.";

const CONFIDENTIAL: &str = "Pour préserver la confidentialité des informations, ce message ne \
     reprend pas le contenu de votre déclaration. Il est envoyé automatiquement : merci de ne \
     pas y répondre.";

/// The lines that identify a case, in both messages.
fn facts(
    case: &str,
    structure_name: &str,
    declared_at: DateTime,
    title: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Numéro de dossier", case.to_owned()),
        ("Structure", one_line(structure_name)),
        (
            "Date de déclaration",
            format!(
                "{} (heure de Paris)",
                french_date_time(declared_at.timestamp())
            ),
        ),
    ];
    if let Some(title) = title.map(one_line).filter(|t| !t.is_empty()) {
        facts.push(("Titre", title));
    }
    facts
}
