//! The CERT's support to a structure: the actions it records, and the reflex sheets it
//! sends (written by the team in French; the texts here are the starting versions that
//! analysts then edit).

use vigie_model::vocabulary;

vocabulary! {
    /// A support action the CERT records on a case.
    pub enum SupportAction ("support action") {
        /// First interview, with the containment measures advised.
        FirstInterview = ("first_interview", "Premier entretien et mesures de confinement"),
        /// Identification of the threat.
        ThreatIdentification = ("threat_identification", "Identification de la menace"),
        /// Remediation advised or followed.
        Remediation = ("remediation", "Remédiation"),
        /// Technical support given (counted in the observatory).
        TechnicalSupport = ("technical_support", "Accompagnement technique"),
        /// A false positive cleared (levée de doute; counted in the observatory).
        FalsePositive = ("false_positive", "Levée de doute : faux positif"),
        /// Orientation to an incident response provider (PRIS).
        ProviderOrientation = ("provider_orientation", "Orientation vers un prestataire de réponse aux incidents (PRIS)"),
        /// A reflex sheet sent to the structure.
        ReflexSheetSent = ("reflex_sheet_sent", "Fiche réflexe envoyée"),
    }
}

vocabulary! {
    /// A reflex sheet (fiche réflexe).
    pub enum ReflexSheet ("reflex sheet") {
        /// Ransomware.
        Ransomware = ("ransomware", "Rançongiciel"),
        /// Compromise of a mailbox.
        MailboxCompromise = ("mailbox_compromise", "Compromission de compte de messagerie"),
        /// Distributed denial of service.
        Ddos = ("ddos", "Déni de service distribué"),
    }
}

impl ReflexSheet {
    /// The starting text: a title line, then the body.
    fn source(self) -> &'static str {
        match self {
            ReflexSheet::Ransomware => include_str!("support/ransomware.md"),
            ReflexSheet::MailboxCompromise => include_str!("support/mailbox_compromise.md"),
            ReflexSheet::Ddos => include_str!("support/ddos.md"),
        }
    }

    /// The starting title.
    pub fn default_title(self) -> &'static str {
        self.source().lines().next().unwrap_or_default()
    }

    /// The starting body.
    pub fn default_body(self) -> &'static str {
        self.source()
            .split_once('\n')
            .map(|(_, body)| body)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::Code;

    #[test]
    fn every_sheet_has_a_french_title_and_numbered_steps() {
        for sheet in ReflexSheet::ALL {
            assert!(sheet.default_title().contains("premiers gestes"), "{sheet}");
            assert!(sheet.default_body().contains("\n1. "), "{sheet}");
            assert!(sheet.default_body().len() > 500, "{sheet}");
        }
    }
}
