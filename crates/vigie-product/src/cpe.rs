//! CPE 2.3 names in the formatted-string binding (NISTIR 7695) and their matching (NISTIR 7696).
//!
//! A [`Cpe`] is `cpe:2.3:` followed by eleven components separated by unquoted colons:
//! part, vendor, product, version, update, edition, language, sw_edition, target_sw,
//! target_hw, other. A component is `*` (ANY), `-` (NA) or a value: letters, digits, `_`,
//! `-` and `.` as they are, any other printable ASCII character quoted with a backslash
//! (`\:`, `\!`, `\(`…), and, only at its start or end, an unquoted `*` (any number of
//! characters) or a run of unquoted `?` (each one character, or none at the ends, as the
//! matching specification counts them).
//!
//! [`Display`](std::fmt::Display) writes the formatted string back; quoting of `-`, `.`
//! and `_` (needless in the formatted string) is dropped, everything else is kept.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The names of the eleven components after `cpe:2.3:`, in order.
pub const COMPONENT_NAMES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

/// Why a string is not a CPE 2.3 formatted string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpeError {
    /// The string does not start with `cpe:2.3:`.
    #[error("a CPE 2.3 name starts with \"cpe:2.3:\"")]
    Prefix,
    /// The string does not have 13 colon-separated parts.
    #[error("a CPE 2.3 name has 13 colon-separated parts, this one has {0}")]
    PartCount(usize),
    /// The part component is not `a`, `o`, `h` or `*`.
    #[error("the part component is a, o, h or *, not {0:?}")]
    Part(String),
    /// A component is empty.
    #[error("the {component} component is empty")]
    Empty {
        /// The component's name.
        component: &'static str,
    },
    /// A character must be quoted with a backslash, or is not printable ASCII.
    #[error(
        "the {component} component has the character {character:?}, which must be quoted or is not allowed"
    )]
    Character {
        /// The component's name.
        component: &'static str,
        /// The offending character.
        character: char,
    },
    /// An unquoted `*` or `?` is neither at the start nor at the end of the component.
    #[error(
        "the {component} component has an unquoted {wildcard:?} that is not at its start or end"
    )]
    Wildcard {
        /// The component's name.
        component: &'static str,
        /// The wildcard character.
        wildcard: char,
    },
    /// The component ends with a lone backslash.
    #[error("the {component} component ends with a backslash that quotes nothing")]
    TrailingBackslash {
        /// The component's name.
        component: &'static str,
    },
}

/// A component's value as seen by a reader: ANY, NA, a plain value or a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Component {
    /// `*`: any value.
    Any,
    /// `-`: not applicable.
    NotApplicable,
    /// A value without wildcards, unquoted (`6.0(2)` for `6.0\(2\)`).
    Value(String),
    /// A value with unquoted wildcards, in its formatted (quoted) form (`7.0\(3\)*`).
    Pattern(String),
}

/// The wildcard at one end of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Wild {
    None,
    /// `*`: any number of characters.
    Star,
    /// A run of `?`: up to that many characters.
    Question(usize),
}

impl Wild {
    /// Whether `n` characters may stand at this end.
    fn admits(self, n: usize) -> bool {
        match self {
            Wild::None => n == 0,
            Wild::Star => true,
            Wild::Question(max) => n <= max,
        }
    }

    fn write(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wild::None => Ok(()),
            Wild::Star => f.write_str("*"),
            Wild::Question(n) => (0..n).try_for_each(|_| f.write_str("?")),
        }
    }
}

/// A component: ANY, NA, or a literal (unquoted) body between optional wildcards.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Attr {
    Any,
    Na,
    Value {
        lead: Wild,
        body: String,
        trail: Wild,
    },
}

/// How one attribute of a source compares with the target's (NISTIR 7696 table 6-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Superset,
    Equal,
    Subset,
    Disjoint,
    Undefined,
}

impl Attr {
    fn parse(raw: &str, component: &'static str) -> Result<Attr, CpeError> {
        match raw {
            "" => return Err(CpeError::Empty { component }),
            "*" => return Ok(Attr::Any),
            "-" => return Ok(Attr::Na),
            _ => {}
        }
        let chars: Vec<char> = raw.chars().collect();
        let mut lead = Wild::None;
        let mut i = 0;
        if chars[0] == '*' {
            lead = Wild::Star;
            i = 1;
        } else {
            while i < chars.len() && chars[i] == '?' {
                i += 1;
            }
            if i > 0 {
                lead = Wild::Question(i);
            }
        }
        let mut body = String::new();
        let mut trail = Wild::None;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => {
                    let Some(&quoted) = chars.get(i + 1) else {
                        return Err(CpeError::TrailingBackslash { component });
                    };
                    if !quoted.is_ascii_graphic() {
                        return Err(CpeError::Character {
                            component,
                            character: quoted,
                        });
                    }
                    body.push(quoted);
                    i += 2;
                }
                '*' | '?' => {
                    let rest = &chars[i..];
                    let at_end = if c == '*' {
                        rest.len() == 1
                    } else {
                        rest.iter().all(|&r| r == '?')
                    };
                    // `**`, or a wildcard on both sides of an empty body, is no pattern.
                    if !at_end || (body.is_empty() && lead != Wild::None) {
                        return Err(CpeError::Wildcard {
                            component,
                            wildcard: c,
                        });
                    }
                    trail = if c == '*' {
                        Wild::Star
                    } else {
                        Wild::Question(rest.len())
                    };
                    break;
                }
                c if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') => {
                    body.push(c);
                    i += 1;
                }
                character => {
                    return Err(CpeError::Character {
                        component,
                        character,
                    });
                }
            }
        }
        Ok(Attr::Value { lead, body, trail })
    }

    fn component(&self) -> Component {
        match self {
            Attr::Any => Component::Any,
            Attr::Na => Component::NotApplicable,
            Attr::Value {
                lead: Wild::None,
                body,
                trail: Wild::None,
            } => Component::Value(body.clone()),
            Attr::Value { .. } => Component::Pattern(self.to_string()),
        }
    }

    fn has_wildcard(&self) -> bool {
        matches!(self, Attr::Value { lead, trail, .. } if *lead != Wild::None || *trail != Wild::None)
    }

    /// Compares this attribute (the source) with the target's.
    fn relation(&self, target: &Attr) -> Relation {
        if target.has_wildcard() {
            return match self {
                Attr::Any => Relation::Superset,
                _ => Relation::Undefined,
            };
        }
        match (self, target) {
            (Attr::Any, Attr::Any) => Relation::Equal,
            (Attr::Any, _) => Relation::Superset,
            (Attr::Na, Attr::Na) => Relation::Equal,
            (_, Attr::Any) => Relation::Subset,
            (Attr::Na, _) | (_, Attr::Na) => Relation::Disjoint,
            (
                Attr::Value { lead, body, trail },
                Attr::Value {
                    body: target_body, ..
                },
            ) => {
                let target = target_body.to_ascii_lowercase();
                let body = body.to_ascii_lowercase();
                if *lead == Wild::None && *trail == Wild::None {
                    return if body == target {
                        Relation::Equal
                    } else {
                        Relation::Disjoint
                    };
                }
                // Bodies are ASCII, so byte offsets count characters.
                let found = (0..=target.len().saturating_sub(body.len())).any(|start| {
                    target[start..].starts_with(&body)
                        && lead.admits(start)
                        && trail.admits(target.len() - start - body.len())
                });
                if found {
                    Relation::Superset
                } else {
                    Relation::Disjoint
                }
            }
        }
    }
}

impl fmt::Display for Attr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attr::Any => f.write_str("*"),
            Attr::Na => f.write_str("-"),
            Attr::Value { lead, body, trail } => {
                lead.write(f)?;
                for c in body.chars() {
                    if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                trail.write(f)
            }
        }
    }
}

/// A CPE 2.3 name in its formatted-string binding, possibly with ANY, NA and wildcards.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cpe {
    attrs: [Attr; 11],
}

/// Splits on colons that no backslash quotes.
fn split_unquoted(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        if quoted {
            quoted = false;
        } else if c == '\\' {
            quoted = true;
        } else if c == ':' {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

impl Cpe {
    /// Parses a CPE 2.3 formatted string (`cpe:2.3:part:vendor:product:…`).
    pub fn parse(s: &str) -> Result<Cpe, CpeError> {
        let parts = split_unquoted(s);
        if parts.len() < 2 || parts[0] != "cpe" || parts[1] != "2.3" {
            return Err(CpeError::Prefix);
        }
        if parts.len() != 13 {
            return Err(CpeError::PartCount(parts.len()));
        }
        let part = parts[2];
        if !matches!(part, "a" | "o" | "h" | "*") {
            return Err(CpeError::Part(part.to_owned()));
        }
        let mut attrs: [Attr; 11] = std::array::from_fn(|_| Attr::Any);
        for (i, (attr, raw)) in attrs.iter_mut().zip(&parts[2..]).enumerate() {
            *attr = Attr::parse(raw, COMPONENT_NAMES[i])?;
        }
        Ok(Cpe { attrs })
    }

    /// The component at `index` (0 = part … 10 = other), `None` past the end.
    pub fn component(&self, index: usize) -> Option<Component> {
        self.attrs.get(index).map(Attr::component)
    }

    /// The part: `a` (application), `o` (operating system), `h` (hardware) or ANY.
    pub fn part(&self) -> Component {
        self.attrs[0].component()
    }

    /// The vendor.
    pub fn vendor(&self) -> Component {
        self.attrs[1].component()
    }

    /// The product.
    pub fn product(&self) -> Component {
        self.attrs[2].component()
    }

    /// The version.
    pub fn version(&self) -> Component {
        self.attrs[3].component()
    }

    /// The update.
    pub fn update(&self) -> Component {
        self.attrs[4].component()
    }

    /// The software edition (`sw_edition`).
    pub fn sw_edition(&self) -> Component {
        self.attrs[7].component()
    }

    /// The target hardware (`target_hw`).
    pub fn target_hw(&self) -> Component {
        self.attrs[9].component()
    }

    /// Whether `self`, a pattern, names a superset of or the same set as `target` (NISTIR 7696
    /// CPE_SUPERSET or CPE_EQUAL), comparing each attribute case-insensitively.
    ///
    /// A target attribute with wildcards is undefined against anything but ANY, so no match.
    pub fn matches(&self, target: &Cpe) -> bool {
        self.attrs
            .iter()
            .zip(&target.attrs)
            .all(|(source, target)| {
                matches!(
                    source.relation(target),
                    Relation::Superset | Relation::Equal
                )
            })
    }

    /// The same name with its version component replaced by ANY.
    pub fn any_version(&self) -> Cpe {
        let mut cpe = self.clone();
        cpe.attrs[3] = Attr::Any;
        cpe
    }
}

impl fmt::Display for Cpe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cpe:2.3")?;
        for attr in &self.attrs {
            write!(f, ":{attr}")?;
        }
        Ok(())
    }
}

impl FromStr for Cpe {
    type Err = CpeError;

    fn from_str(s: &str) -> Result<Cpe, CpeError> {
        Cpe::parse(s)
    }
}

impl Serialize for Cpe {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cpe {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Cpe, D::Error> {
        let s = String::deserialize(deserializer)?;
        Cpe::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpe(s: &str) -> Cpe {
        Cpe::parse(s).unwrap()
    }

    #[test]
    fn parses_components_and_unquotes() {
        let c = cpe("cpe:2.3:a:jmcnamara:spreadsheet\\:\\:parseexcel:0.41:*:*:*:*:perl:*:-");
        assert_eq!(c.part(), Component::Value("a".into()));
        assert_eq!(c.vendor(), Component::Value("jmcnamara".into()));
        assert_eq!(
            c.product(),
            Component::Value("spreadsheet::parseexcel".into())
        );
        assert_eq!(c.version(), Component::Value("0.41".into()));
        assert_eq!(c.update(), Component::Any);
        assert_eq!(c.component(8), Some(Component::Value("perl".into())));
        assert_eq!(c.component(10), Some(Component::NotApplicable));
        assert_eq!(c.component(11), None);
        assert_eq!(
            c.to_string(),
            "cpe:2.3:a:jmcnamara:spreadsheet\\:\\:parseexcel:0.41:*:*:*:*:perl:*:-"
        );
    }

    #[test]
    fn patterns_keep_their_quoted_form() {
        let c = cpe("cpe:2.3:o:cisco:nx-os:7.0\\(3\\)*:*:*:*:*:*:*:*");
        assert_eq!(c.version(), Component::Pattern("7.0\\(3\\)*".into()));
        let c = cpe("cpe:2.3:a:*soft:??fice:*:*:*:*:*:*:*:*");
        assert_eq!(c.vendor(), Component::Pattern("*soft".into()));
        assert_eq!(c.product(), Component::Pattern("??fice".into()));
        assert_eq!(c.to_string(), "cpe:2.3:a:*soft:??fice:*:*:*:*:*:*:*:*");
    }

    #[test]
    fn needless_quotes_are_dropped() {
        let c = cpe("cpe:2.3:a:vendor:my\\_prod:1\\.0:*:*:*:*:*:*:*");
        assert_eq!(c.version(), Component::Value("1.0".into()));
        assert_eq!(c.to_string(), "cpe:2.3:a:vendor:my_prod:1.0:*:*:*:*:*:*:*");
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert_eq!(Cpe::parse("cpe:/a:fortinet:fortios"), Err(CpeError::Prefix));
        assert_eq!(
            Cpe::parse("cpe:2.3:a:fortinet:fortios:7.0"),
            Err(CpeError::PartCount(6))
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:x:fortinet:fortios:*:*:*:*:*:*:*:*"),
            Err(CpeError::Part("x".into()))
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:joomla:joomla!:*:*:*:*:*:*:*:*"),
            Err(CpeError::Character {
                component: "product",
                character: '!'
            })
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:v:p:1.*.2:*:*:*:*:*:*:*"),
            Err(CpeError::Wildcard {
                component: "version",
                wildcard: '*'
            })
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:v:p:1?2:*:*:*:*:*:*:*"),
            Err(CpeError::Wildcard {
                component: "version",
                wildcard: '?'
            })
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:v:p:**:*:*:*:*:*:*:*"),
            Err(CpeError::Wildcard {
                component: "version",
                wildcard: '*'
            })
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:v::*:*:*:*:*:*:*:*"),
            Err(CpeError::Empty {
                component: "product"
            })
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:v:p:*:*:*:*:*:*:*:x\\"),
            Err(CpeError::TrailingBackslash { component: "other" })
        );
        assert_eq!(
            Cpe::parse("cpe:2.3:a:v:p d:*:*:*:*:*:*:*:*"),
            Err(CpeError::Character {
                component: "product",
                character: ' '
            })
        );
    }

    #[test]
    fn any_na_and_values_match_as_nistir_7696_says() {
        let fortios = cpe("cpe:2.3:o:fortinet:fortios:7.2.6:*:*:*:*:*:*:*");
        assert!(cpe("cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*").matches(&fortios));
        assert!(cpe("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*").matches(&fortios));
        assert!(cpe("cpe:2.3:o:FortiNet:FortiOS:7.2.6:*:*:*:*:*:*:*").matches(&fortios));
        assert!(!cpe("cpe:2.3:o:fortinet:fortios:7.2.7:*:*:*:*:*:*:*").matches(&fortios));
        assert!(!cpe("cpe:2.3:a:fortinet:fortios:*:*:*:*:*:*:*:*").matches(&fortios));
        // A specific source is a subset of an ANY target: no match.
        assert!(!fortios.matches(&cpe("cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*")));
        // NA only matches NA.
        let hw = cpe("cpe:2.3:h:sonicwall:sma_100:-:*:*:*:*:*:*:*");
        assert!(hw.matches(&hw));
        assert!(!hw.matches(&cpe("cpe:2.3:h:sonicwall:sma_100:1.0:*:*:*:*:*:*:*")));
        assert!(!cpe("cpe:2.3:h:sonicwall:sma_100:1.0:*:*:*:*:*:*:*").matches(&hw));
        assert!(cpe("cpe:2.3:h:sonicwall:sma_100:*:*:*:*:*:*:*:*").matches(&hw));
    }

    #[test]
    fn wildcards_match_at_the_ends() {
        let target = cpe("cpe:2.3:o:cisco:nx-os:7.0\\(3\\)I7\\(5a\\):*:*:*:*:*:*:*");
        assert!(cpe("cpe:2.3:o:cisco:nx-os:7.0\\(3\\)*:*:*:*:*:*:*:*").matches(&target));
        assert!(!cpe("cpe:2.3:o:cisco:nx-os:7.1*:*:*:*:*:*:*:*").matches(&target));
        assert!(cpe("cpe:2.3:o:cisco:*-os:*:*:*:*:*:*:*:*").matches(&target));
        assert!(cpe("cpe:2.3:o:cisco:nx-o?:*:*:*:*:*:*:*:*").matches(&target));
        // A run of `?` at an end admits up to that many characters.
        assert!(cpe("cpe:2.3:o:cisco:nx-os??:*:*:*:*:*:*:*:*").matches(&target));
        assert!(!cpe("cpe:2.3:o:cisco:nx-?:*:*:*:*:*:*:*:*").matches(&target));
        assert!(cpe("cpe:2.3:o:cisco:???????:*:*:*:*:*:*:*:*").matches(&target));
        assert!(!cpe("cpe:2.3:o:cisco:????:*:*:*:*:*:*:*:*").matches(&target));
        // A target with wildcards is undefined against a value.
        let pattern = cpe("cpe:2.3:o:cisco:nx-os:7.0*:*:*:*:*:*:*:*");
        assert!(!cpe("cpe:2.3:o:cisco:nx-os:7.0*:*:*:*:*:*:*:*").matches(&pattern));
        assert!(cpe("cpe:2.3:o:cisco:nx-os:*:*:*:*:*:*:*:*").matches(&pattern));
    }

    #[test]
    fn serde_uses_the_formatted_string() {
        let c: Cpe =
            serde_json::from_str("\"cpe:2.3:a:veeam:backup_\\\\&_replication:*:*:*:*:*:*:*:*\"")
                .unwrap();
        assert_eq!(c.product(), Component::Value("backup_&_replication".into()));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            "\"cpe:2.3:a:veeam:backup_\\\\&_replication:*:*:*:*:*:*:*:*\""
        );
        assert!(serde_json::from_str::<Cpe>("\"cpe:2.3:a\"").is_err());
    }
}
