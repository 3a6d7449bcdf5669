//! Routing of incidents to the authorities: the rules are data (a TOML document an
//! administrator reads and edits), and every routing carries the rules that fired and why.
//!
//! **Invariant:** [`Rules::route`] is a pure function of the rules and the facts; a rule
//! document is parsed whole before use, and an invalid one is refused with the rule and
//! field at fault, so a running system never holds half a rule set.

use std::fmt;

use serde::Deserialize;
use vigie_access::Authority;
use vigie_model::{CareImpact, Category, Code, Origin, PatientDanger, StructureType, UnknownCode};

/// The rules Vigie starts with, from the CERT's practice (DOMAIN.md, "Handling").
pub const DEFAULT_RULES: &str = include_str!("routing/default.toml");

/// Who receives a routed incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    /// A national authority.
    Authority(Authority),
    /// The ARS of the declaring structure's region.
    Ars,
}

impl Recipient {
    /// Every recipient, in display order.
    pub fn all() -> impl Iterator<Item = Recipient> {
        Authority::ALL
            .iter()
            .map(|a| Recipient::Authority(*a))
            .chain([Recipient::Ars])
    }

    /// The stable code: the authority's code, or `ars`.
    pub fn code(self) -> &'static str {
        match self {
            Recipient::Authority(a) => a.code(),
            Recipient::Ars => "ars",
        }
    }

    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            Recipient::Authority(a) => a.label(),
            Recipient::Ars => "ARS de la région",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Result<Recipient, UnknownCode> {
        if code == "ars" {
            return Ok(Recipient::Ars);
        }
        Authority::parse(code)
            .map(Recipient::Authority)
            .map_err(|mut e| {
                e.what = "recipient";
                e.expected.push("ars");
                e
            })
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the rules look at: the declaration, the structure and the CERT's qualification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingFacts {
    /// The qualified origin, once qualified.
    pub origin: Option<Origin>,
    /// The qualified categories.
    pub categories: Vec<Category>,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// Endangerment of patients.
    pub patient_danger: PatientDanger,
    /// Kind of the declaring structure.
    pub structure_type: StructureType,
    /// The structure is an operator of essential services.
    pub ose: bool,
    /// The CERT judged the incident major (may reach other sectors).
    pub major: bool,
    /// The incident is significant in the sense of NIS2.
    pub significant: bool,
}

/// When a rule applies: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    origin: Option<Vec<Origin>>,
    category: Option<Vec<Category>>,
    care_impact: Option<Vec<CareImpact>>,
    patient_danger: Option<Vec<PatientDanger>>,
    structure_type: Option<Vec<StructureType>>,
    ose: Option<bool>,
    major: Option<bool>,
    significant: Option<bool>,
}

impl Condition {
    /// Whether the facts meet every condition.
    pub fn holds(&self, facts: &RoutingFacts) -> bool {
        fn within<T: PartialEq>(allowed: &Option<Vec<T>>, value: &T) -> bool {
            allowed.as_ref().is_none_or(|a| a.contains(value))
        }
        fn flag(wanted: Option<bool>, value: bool) -> bool {
            wanted.is_none_or(|w| w == value)
        }
        self.origin
            .as_ref()
            .is_none_or(|a| facts.origin.is_some_and(|o| a.contains(&o)))
            && self
                .category
                .as_ref()
                .is_none_or(|a| facts.categories.iter().any(|c| a.contains(c)))
            && within(&self.care_impact, &facts.care_impact)
            && within(&self.patient_danger, &facts.patient_danger)
            && within(&self.structure_type, &facts.structure_type)
            && flag(self.ose, facts.ose)
            && flag(self.major, facts.major)
            && flag(self.significant, facts.significant)
    }

    /// The conditions in French, one phrase each; empty when the rule always applies.
    pub fn describe(&self) -> Vec<String> {
        fn labels<T: Code>(values: &[T]) -> String {
            values
                .iter()
                .map(|v| v.label())
                .collect::<Vec<_>>()
                .join(" ou ")
        }
        fn yes_no(b: bool) -> &'static str {
            if b { "oui" } else { "non" }
        }
        let mut out = Vec::new();
        if let Some(v) = &self.origin {
            out.push(format!("origine : {}", labels(v)));
        }
        if let Some(v) = &self.category {
            out.push(format!("catégorie : {}", labels(v)));
        }
        if let Some(v) = &self.care_impact {
            out.push(format!("impact sur la prise en charge : {}", labels(v)));
        }
        if let Some(v) = &self.patient_danger {
            out.push(format!("mise en danger des patients : {}", labels(v)));
        }
        if let Some(v) = &self.structure_type {
            out.push(format!("type de structure : {}", labels(v)));
        }
        if let Some(b) = self.ose {
            out.push(format!("structure OSE : {}", yes_no(b)));
        }
        if let Some(b) = self.major {
            out.push(format!("incident majeur : {}", yes_no(b)));
        }
        if let Some(b) = self.significant {
            out.push(format!("incident significatif (NIS2) : {}", yes_no(b)));
        }
        out
    }
}

/// One rule: when its condition holds, the incident goes to its recipient, for its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier, recorded with each routing (`dgs-care-impact`).
    pub id: String,
    /// Who receives the incident.
    pub to: Recipient,
    /// Why, in French, as the authority and the journal will read it.
    pub reason: String,
    /// When the rule applies.
    pub when: Condition,
}

/// A valid rule set, in the order of its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    rules: Vec<Rule>,
}

/// A rule that fired, as recorded with a routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The rule's identifier.
    pub rule: String,
    /// The rule's reason.
    pub reason: String,
}

/// The decision to route an incident to one recipient, with every rule that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The recipient.
    pub to: Recipient,
    /// The rules that fired for this recipient, in document order (never empty).
    pub fired: Vec<Fired>,
}

impl Routing {
    /// The rule identifiers, comma-separated, as stored.
    pub fn rule_ids(&self) -> String {
        self.fired
            .iter()
            .map(|f| f.rule.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The reasons, joined in one sentence-like line, as stored and mailed.
    pub fn reasons(&self) -> String {
        self.fired
            .iter()
            .map(|f| f.reason.as_str())
            .collect::<Vec<_>>()
            .join(" ; ")
    }
}

/// Why a rule document was refused; names the rule (1-based, with its id when known) and
/// the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// The document is not valid TOML or has unknown keys.
    #[error("routing rules: {0}")]
    Syntax(String),
    /// A field of one rule is wrong.
    #[error("routing rule {index}{}: field `{field}`: {reason}", id.as_ref().map(|i| format!(" ({i})")).unwrap_or_default())]
    Field {
        /// Position of the rule in the document, from 1.
        index: usize,
        /// Its id, when it has a usable one.
        id: Option<String>,
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    to: String,
    reason: String,
    #[serde(default)]
    when: RawCondition,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    origin: Option<Vec<String>>,
    category: Option<Vec<String>>,
    care_impact: Option<Vec<String>>,
    patient_danger: Option<Vec<String>>,
    structure_type: Option<Vec<String>>,
    ose: Option<bool>,
    major: Option<bool>,
    significant: Option<bool>,
}

impl Rules {
    /// Parses and checks a rule document.
    pub fn parse(document: &str) -> Result<Rules, RulesError> {
        let raw: RawDocument =
            toml::from_str(document).map_err(|e| RulesError::Syntax(e.to_string()))?;
        let mut rules: Vec<Rule> = Vec::with_capacity(raw.rule.len());
        for (i, r) in raw.rule.into_iter().enumerate() {
            let index = i + 1;
            let fail = |id: Option<&str>, field: &'static str, reason: String| RulesError::Field {
                index,
                id: id.map(str::to_owned),
                field,
                reason,
            };
            let id_ok = !r.id.is_empty()
                && r.id.len() <= 64
                && r.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !id_ok {
                return Err(fail(
                    None,
                    "id",
                    "1 to 64 characters among a-z, 0-9 and -".into(),
                ));
            }
            let id = Some(r.id.as_str());
            if rules.iter().any(|x| x.id == r.id) {
                return Err(fail(id, "id", "already used by an earlier rule".into()));
            }
            let to = Recipient::parse(&r.to).map_err(|e| fail(id, "to", e.to_string()))?;
            let reason = r.reason.trim().to_owned();
            if reason.is_empty() || reason.chars().count() > 300 {
                return Err(fail(id, "reason", "1 to 300 characters".into()));
            }
            fn codes<T: Code>(
                values: Option<Vec<String>>,
                field: &'static str,
                fail: &dyn Fn(&'static str, String) -> RulesError,
            ) -> Result<Option<Vec<T>>, RulesError> {
                let Some(values) = values else {
                    return Ok(None);
                };
                if values.is_empty() {
                    return Err(fail(field, "an empty list never matches".into()));
                }
                values
                    .iter()
                    .map(|v| T::parse(v).map_err(|e| fail(field, e.to_string())))
                    .collect::<Result<Vec<T>, _>>()
                    .map(Some)
            }
            let f = |field, reason| fail(id, field, reason);
            let w = r.when;
            let when = Condition {
                origin: codes(w.origin, "when.origin", &f)?,
                category: codes(w.category, "when.category", &f)?,
                care_impact: codes(w.care_impact, "when.care_impact", &f)?,
                patient_danger: codes(w.patient_danger, "when.patient_danger", &f)?,
                structure_type: codes(w.structure_type, "when.structure_type", &f)?,
                ose: w.ose,
                major: w.major,
                significant: w.significant,
            };
            rules.push(Rule {
                id: r.id,
                to,
                reason,
                when,
            });
        }
        Ok(Rules { rules })
    }

    /// The default rules.
    pub fn default_rules() -> Rules {
        Rules::parse(DEFAULT_RULES).expect("the default routing rules are valid")
    }

    /// The rules, in document order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Where the facts send the incident: one routing per recipient, recipients in
    /// [`Recipient`] order, each with the rules that fired for it.
    pub fn route(&self, facts: &RoutingFacts) -> Vec<Routing> {
        let mut out: Vec<Routing> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.when.holds(facts)) {
            let fired = Fired {
                rule: rule.id.clone(),
                reason: rule.reason.clone(),
            };
            match out.iter_mut().find(|r| r.to == rule.to) {
                Some(r) => r.fired.push(fired),
                None => out.push(Routing {
                    to: rule.to,
                    fired: vec![fired],
                }),
            }
        }
        out.sort_by_key(|r| r.to);
        out
    }
}

#[cfg(test)]
mod tests;
