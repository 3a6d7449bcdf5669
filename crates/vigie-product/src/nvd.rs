//! NVD CVE API 2.0 applicability: `configurations[].nodes[].cpeMatch[]`.
//!
//! A [`CpeMatch`] names products by a CPE pattern (`criteria`) and, optionally, version
//! bounds; a [`Node`] combines its matches with AND or OR (then `negate`); a
//! [`Configuration`] combines its nodes the same way. A configuration is evaluated
//! against an inventory: the CPE names of what one site runs (an operating system and the
//! hardware under it, say). Versions compare by [`Version`].

use serde::{Deserialize, Serialize};

use crate::cpe::{Component, Cpe};
use crate::version::Version;

/// How the children of a node or configuration combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operator {
    /// All must hold.
    And,
    /// One suffices (NVD's default).
    #[default]
    Or,
}

/// One `cpeMatch[]` entry: a CPE pattern, optional version bounds, and whether it is the vulnerable product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CpeMatch {
    /// Whether the matched product is vulnerable (false: a platform condition, such as hardware).
    pub vulnerable: bool,
    /// The CPE pattern.
    pub criteria: Cpe,
    /// The lowest version, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_including: Option<Version>,
    /// The lowest version, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_excluding: Option<Version>,
    /// The highest version, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_including: Option<Version>,
    /// The highest version, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_excluding: Option<Version>,
    /// NVD's identifier of the match criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_criteria_id: Option<String>,
}

impl CpeMatch {
    /// Whether any version bound is given.
    pub fn has_bounds(&self) -> bool {
        self.version_start_including.is_some()
            || self.version_start_excluding.is_some()
            || self.version_end_including.is_some()
            || self.version_end_excluding.is_some()
    }

    /// Whether `target` matches the criteria and, when bounds are given, has a version
    /// value within them (a target whose version is ANY or NA is then no match).
    pub fn matches(&self, target: &Cpe) -> bool {
        if !self.criteria.matches(target) {
            return false;
        }
        if !self.has_bounds() {
            return true;
        }
        let Component::Value(version) = target.version() else {
            return false;
        };
        let v = Version::new(version);
        self.version_start_including
            .as_ref()
            .is_none_or(|b| &v >= b)
            && self.version_start_excluding.as_ref().is_none_or(|b| &v > b)
            && self.version_end_including.as_ref().is_none_or(|b| &v <= b)
            && self.version_end_excluding.as_ref().is_none_or(|b| &v < b)
    }
}

/// One `nodes[]` entry: CPE matches combined by an operator, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// How the matches combine.
    #[serde(default)]
    pub operator: Operator,
    /// Whether the combined result is inverted.
    #[serde(default)]
    pub negate: bool,
    /// The CPE matches.
    #[serde(default)]
    pub cpe_match: Vec<CpeMatch>,
}

impl Node {
    /// Whether the node holds for an inventory (each match is satisfied by any of its names).
    pub fn matches(&self, inventory: &[Cpe]) -> bool {
        let hit = |m: &CpeMatch| inventory.iter().any(|cpe| m.matches(cpe));
        let result = match self.operator {
            Operator::And => !self.cpe_match.is_empty() && self.cpe_match.iter().all(hit),
            Operator::Or => self.cpe_match.iter().any(hit),
        };
        result != self.negate
    }
}

/// One `configurations[]` entry: nodes combined by an operator, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    /// How the nodes combine (absent: OR, as with a single node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
    /// Whether the combined result is inverted.
    #[serde(default)]
    pub negate: bool,
    /// The nodes.
    pub nodes: Vec<Node>,
}

impl Configuration {
    /// Whether the configuration holds for an inventory.
    pub fn matches(&self, inventory: &[Cpe]) -> bool {
        let result = match self.operator.unwrap_or_default() {
            Operator::And => {
                !self.nodes.is_empty() && self.nodes.iter().all(|n| n.matches(inventory))
            }
            Operator::Or => self.nodes.iter().any(|n| n.matches(inventory)),
        };
        result != self.negate
    }

    /// The inventory's names that a `vulnerable` match of a non-negated node names, when the
    /// configuration holds; empty otherwise.
    pub fn vulnerable<'a>(&self, inventory: &'a [Cpe]) -> Vec<&'a Cpe> {
        if self.negate || !self.matches(inventory) {
            return Vec::new();
        }
        inventory
            .iter()
            .filter(|cpe| {
                self.nodes
                    .iter()
                    .filter(|n| !n.negate)
                    .any(|n| n.cpe_match.iter().any(|m| m.vulnerable && m.matches(cpe)))
            })
            .collect()
    }
}

/// Whether any configuration makes the inventory vulnerable.
pub fn is_vulnerable(configurations: &[Configuration], inventory: &[Cpe]) -> bool {
    configurations
        .iter()
        .any(|c| !c.vulnerable(inventory).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpe(s: &str) -> Cpe {
        Cpe::parse(s).unwrap()
    }

    #[test]
    fn bounds_include_and_exclude() {
        let m: CpeMatch = serde_json::from_str(
            r#"{"vulnerable":true,"criteria":"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
                "versionStartExcluding":"7.0.0","versionEndIncluding":"7.0.14"}"#,
        )
        .unwrap();
        let fortios = |v: &str| cpe(&format!("cpe:2.3:o:fortinet:fortios:{v}:*:*:*:*:*:*:*"));
        assert!(!m.matches(&fortios("7.0.0")));
        assert!(m.matches(&fortios("7.0.1")));
        assert!(m.matches(&fortios("7.0.14")));
        assert!(!m.matches(&fortios("7.0.15")));
        assert!(!m.matches(&fortios("*")));
        assert!(!m.matches(&cpe("cpe:2.3:a:fortinet:fortiproxy:7.0.1:*:*:*:*:*:*:*")));
    }

    #[test]
    fn negate_and_operators() {
        let node = |op: &str, negate: bool| -> Node {
            serde_json::from_str(&format!(
                r#"{{"operator":"{op}","negate":{negate},"cpeMatch":[
                    {{"vulnerable":true,"criteria":"cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*"}},
                    {{"vulnerable":true,"criteria":"cpe:2.3:a:v:q:*:*:*:*:*:*:*:*"}}]}}"#
            ))
            .unwrap()
        };
        let p = [cpe("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*")];
        let both = [
            cpe("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*"),
            cpe("cpe:2.3:a:v:q:2:*:*:*:*:*:*:*"),
        ];
        assert!(node("OR", false).matches(&p));
        assert!(!node("AND", false).matches(&p));
        assert!(node("AND", false).matches(&both));
        assert!(!node("OR", true).matches(&p));
        assert!(node("AND", true).matches(&p));
        assert!(node("OR", true).matches(&[cpe("cpe:2.3:a:v:r:1:*:*:*:*:*:*:*")]));
    }
}
