//! What people add to the yearly report around the counted figures: the analysts' text of
//! each section, and the threat timeline (figure 17).
//!
//! The sections follow the 2024 report: an introduction, the key figures, the notable
//! events, four chapters of figures, the threat timeline and the recommendations. Each has
//! a stable English code (storage, URLs) and a French title (pages, documents). Analysts
//! write in a small Markdown subset (paragraphs, emphasis, lists, links), which each
//! renderer turns into its own markup.

use vigie_model::vocabulary;

vocabulary! {
    /// A section of the yearly report, in the report's order.
    pub enum ReportSection ("report section") {
        /// Opening words.
        Introduction = ("introduction", "Introduction"),
        /// Figure 1, as tiles.
        KeyFigures = ("key_figures", "Chiffres clés"),
        /// Figure 2: the shared events of the year.
        Events = ("events", "Faits marquants"),
        /// Figures 3 to 9.
        Declarations = ("declarations", "Les signalements"),
        /// Figures 10 to 12.
        Impacts = ("impacts", "Les impacts"),
        /// Figures 13 to 16 and 18.
        Malicious = ("malicious", "Les incidents d'origine malveillante"),
        /// Figure 17.
        Threats = ("threats", "Chronologie des cybermenaces"),
        /// Figures 19 to 21.
        NonMalicious = ("non_malicious", "Les incidents d'origine non malveillante"),
        /// What structures should do.
        Recommendations = ("recommendations", "Recommandations"),
    }
}

impl ReportSection {
    /// The counted figures the section shows, in order.
    pub fn figures(self) -> &'static [u8] {
        match self {
            ReportSection::KeyFigures => &[1],
            ReportSection::Declarations => &[3, 4, 5, 6, 7, 8, 9],
            ReportSection::Impacts => &[10, 11, 12],
            ReportSection::Malicious => &[13, 14, 15, 16, 18],
            ReportSection::NonMalicious => &[19, 20, 21],
            ReportSection::Introduction
            | ReportSection::Events
            | ReportSection::Threats
            | ReportSection::Recommendations => &[],
        }
    }
}

vocabulary! {
    /// What a threat of the timeline is.
    pub enum ThreatKind ("threat kind") {
        /// A ransomware group or strain seen in declarations.
        Ransomware = ("ransomware", "Rançongiciel"),
        /// A vulnerability exploited in the wild.
        Vulnerability = ("vulnerability", "Vulnérabilité exploitée"),
        /// A campaign (phishing, fraud, denial of service…).
        Campaign = ("campaign", "Campagne"),
    }
}

/// One entry of the threat timeline (figure 17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threat {
    /// The day it was identified.
    pub identified_on: jiff::civil::Date,
    /// What it is.
    pub kind: ThreatKind,
    /// Its name, like `LockBit 3.0` or `Ivanti Connect Secure`.
    pub name: String,
    /// A reference, like a CVE identifier or an advisory, if any.
    pub reference: Option<String>,
    /// One or two sentences for the reader.
    pub summary: String,
}

/// The editorial content of one year's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editorial {
    /// Analysts' text by section (Markdown), sections without text absent.
    pub texts: Vec<(ReportSection, String)>,
    /// The threat timeline, in date order.
    pub threats: Vec<Threat>,
}

impl Editorial {
    /// The analysts' text of a section, if written.
    pub fn text(&self, section: ReportSection) -> Option<&str> {
        self.texts
            .iter()
            .find(|(s, text)| *s == section && !text.trim().is_empty())
            .map(|(_, text)| text.as_str())
    }

    /// The threats of one month (1–12) of the timeline.
    pub fn threats_in(&self, month: i8) -> impl Iterator<Item = &Threat> {
        self.threats
            .iter()
            .filter(move |t| t.identified_on.month() == month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::Code;

    #[test]
    fn every_counted_figure_but_the_key_ones_belongs_to_one_chapter() {
        let mut seen: Vec<u8> = ReportSection::ALL
            .iter()
            .flat_map(|s| s.figures().iter().copied())
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, crate::COUNTED_FIGURES.to_vec());
    }

    #[test]
    fn codes_round_trip_and_titles_are_french() {
        for s in ReportSection::ALL {
            assert_eq!(ReportSection::parse(s.code()), Ok(*s));
        }
        assert_eq!(ThreatKind::Vulnerability.label(), "Vulnérabilité exploitée");
        assert!(ReportSection::parse("conclusion").is_err());
    }

    #[test]
    fn blank_texts_count_as_unwritten_and_threats_group_by_month() {
        let date = |m, d| jiff::civil::date(2024, m, d);
        let editorial = Editorial {
            texts: vec![
                (ReportSection::Introduction, "  \n".into()),
                (ReportSection::Impacts, "Les *soins* ont tenu.".into()),
            ],
            threats: vec![
                Threat {
                    identified_on: date(1, 10),
                    kind: ThreatKind::Vulnerability,
                    name: "Passerelle VPN".into(),
                    reference: Some("CVE-2024-21887".into()),
                    summary: "Exploitée avant correctif.".into(),
                },
                Threat {
                    identified_on: date(3, 2),
                    kind: ThreatKind::Ransomware,
                    name: "Groupe A".into(),
                    reference: None,
                    summary: "Chiffrement de serveurs.".into(),
                },
            ],
        };
        assert_eq!(editorial.text(ReportSection::Introduction), None);
        assert_eq!(
            editorial.text(ReportSection::Impacts),
            Some("Les *soins* ont tenu.")
        );
        assert_eq!(editorial.threats_in(1).count(), 1);
        assert_eq!(editorial.threats_in(2).count(), 0);
    }
}
