//! What the demo's analysts wrote for the 2024 report: an introduction and a chapter
//! text marked as demonstration, and a timeline of threats that were public in 2024
//! (exploited vulnerabilities of remote-access gateways, ransomware groups), named as
//! the vendors and authorities named them, never tied to a structure.

use jiff::civil::date;
use vigie_observatory::{Editorial, ReportSection, Threat, ThreatKind};

/// The editorial content of the demo's 2024 report.
pub fn editorial_2024() -> Editorial {
    let threat = |on, kind, name: &str, reference: Option<&str>, summary: &str| Threat {
        identified_on: on,
        kind,
        name: name.to_owned(),
        reference: reference.map(str::to_owned),
        summary: summary.to_owned(),
    };
    use ThreatKind::{Ransomware, Vulnerability};
    Editorial {
        texts: vec![
            (
                ReportSection::Introduction,
                "*Texte de démonstration.* L'année 2024 a vu les déclarations augmenter \
                 nettement. Les passerelles d'accès distant exposées sur Internet ont été \
                 la porte d'entrée la plus fréquente des attaques, et une panne mondiale \
                 d'un logiciel de sécurité a touché de nombreuses structures le même jour.\n\n\
                 Ce rapport présente chaque figure à côté de l'année précédente."
                    .to_owned(),
            ),
            (
                ReportSection::Malicious,
                "*Texte de démonstration.* Les rançongiciels restent la menace la plus \
                 lourde de conséquences pour la prise en charge des patients :\n\n\
                 - chiffrement de serveurs, souvent après l'exploitation d'une passerelle VPN ;\n\
                 - exfiltration de données avant chiffrement, puis menace de publication."
                    .to_owned(),
            ),
        ],
        threats: vec![
            threat(
                date(2024, 1, 10),
                Vulnerability,
                "Ivanti Connect Secure",
                Some("CVE-2023-46805, CVE-2024-21887"),
                "Deux vulnérabilités de la passerelle VPN, enchaînées pour exécuter du code sans authentification, exploitées avant la publication des correctifs.",
            ),
            threat(
                date(2024, 2, 8),
                Vulnerability,
                "Fortinet FortiOS (VPN SSL)",
                Some("CVE-2024-21762"),
                "Écriture hors limites dans le VPN SSL permettant l'exécution de code à distance, exploitée.",
            ),
            threat(
                date(2024, 2, 20),
                Ransomware,
                "LockBit 3.0",
                None,
                "Infrastructure du groupe saisie par une opération policière internationale ; ses affiliés ont repris leurs attaques dans les semaines suivantes.",
            ),
            threat(
                date(2024, 4, 12),
                Vulnerability,
                "Palo Alto Networks PAN-OS (GlobalProtect)",
                Some("CVE-2024-3400"),
                "Injection de commandes sans authentification sur les pare-feux exposés, exploitée avant correctif.",
            ),
            threat(
                date(2024, 5, 10),
                Ransomware,
                "Black Basta",
                None,
                "Alerte des autorités américaines sur les attaques de ce groupe contre le secteur de la santé.",
            ),
            threat(
                date(2024, 5, 28),
                Vulnerability,
                "Check Point Security Gateways",
                Some("CVE-2024-24919"),
                "Lecture de fichiers arbitraires sur les passerelles d'accès distant, dont des condensats de mots de passe, exploitée.",
            ),
            threat(
                date(2024, 6, 3),
                Ransomware,
                "Qilin",
                None,
                "Attaque d'un prestataire de biologie médicale à l'étranger, perturbant durablement les analyses de plusieurs hôpitaux.",
            ),
            threat(
                date(2024, 10, 23),
                Vulnerability,
                "Fortinet FortiManager",
                Some("CVE-2024-47575"),
                "Absence d'authentification d'une fonction critique de la console de gestion, exploitée pour prendre la main sur des équipements administrés.",
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_is_in_2024_in_date_order_and_texts_say_they_are_a_demo() {
        let e = editorial_2024();
        assert!(e.threats.iter().all(|t| t.identified_on.year() == 2024));
        assert!(
            e.threats
                .windows(2)
                .all(|w| w[0].identified_on <= w[1].identified_on)
        );
        assert!(e.threats.iter().any(|t| t.kind == ThreatKind::Ransomware));
        assert!(
            e.threats
                .iter()
                .any(|t| t.kind == ThreatKind::Vulnerability)
        );
        for (_, text) in &e.texts {
            assert!(text.starts_with("*Texte de démonstration.*"));
        }
    }
}
