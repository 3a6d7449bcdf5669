//! How Vigie's categories read in the languages of other CERTs: the ENISA Reference
//! Security Incident Classification Taxonomy (RSIT, class and type), the root causes of
//! ENISA's incident reporting, and VERIS (action and attribute enumerations).
//!
//! Every [`Category`] has one [`CategoryMapping`], given by an exhaustive `match`: adding a
//! category does not compile until it is mapped. [`rows`] flattens the whole mapping for a
//! page or a CSV file.

use crate::{
    Code,
    qualification::{Category, InfraSide, OutOfScopeReason, RansomwareReach},
};

/// A class of the ENISA Reference Security Incident Classification Taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RsitClass {
    /// Abusive Content.
    AbusiveContent,
    /// Malicious Code.
    MaliciousCode,
    /// Information Gathering.
    InformationGathering,
    /// Intrusion Attempts.
    IntrusionAttempts,
    /// Intrusions.
    Intrusions,
    /// Availability.
    Availability,
    /// Information Content Security.
    InformationContentSecurity,
    /// Fraud.
    Fraud,
    /// Vulnerable.
    Vulnerable,
    /// Other.
    Other,
    /// Test.
    Test,
}

impl RsitClass {
    /// The machine code (the MISP `rsit` predicate).
    pub fn code(self) -> &'static str {
        match self {
            Self::AbusiveContent => "abusive-content",
            Self::MaliciousCode => "malicious-code",
            Self::InformationGathering => "information-gathering",
            Self::IntrusionAttempts => "intrusion-attempts",
            Self::Intrusions => "intrusions",
            Self::Availability => "availability",
            Self::InformationContentSecurity => "information-content-security",
            Self::Fraud => "fraud",
            Self::Vulnerable => "vulnerable",
            Self::Other => "other",
            Self::Test => "test",
        }
    }

    /// The English name used by ENISA.
    pub fn name(self) -> &'static str {
        match self {
            Self::AbusiveContent => "Abusive Content",
            Self::MaliciousCode => "Malicious Code",
            Self::InformationGathering => "Information Gathering",
            Self::IntrusionAttempts => "Intrusion Attempts",
            Self::Intrusions => "Intrusions",
            Self::Availability => "Availability",
            Self::InformationContentSecurity => "Information Content Security",
            Self::Fraud => "Fraud",
            Self::Vulnerable => "Vulnerable",
            Self::Other => "Other",
            Self::Test => "Test",
        }
    }
}

/// A type (second column) of the ENISA Reference Security Incident Classification Taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RsitType {
    /// Spam.
    Spam,
    /// Harmful Speech.
    HarmfulSpeech,
    /// (Child) Sexual Exploitation/Sexual/Violent Content.
    ViolentContent,
    /// Infected System.
    InfectedSystem,
    /// C2 Server.
    C2Server,
    /// Malware Distribution.
    MalwareDistribution,
    /// Malware Configuration.
    MalwareConfiguration,
    /// Scanning.
    Scanning,
    /// Sniffing.
    Sniffing,
    /// Social Engineering.
    SocialEngineering,
    /// Exploitation of known Vulnerabilities.
    ExploitKnownVulnerabilities,
    /// Login attempts.
    LoginAttempts,
    /// New attack signature.
    NewAttackSignature,
    /// Privileged Account Compromise.
    PrivilegedAccountCompromise,
    /// Unprivileged Account Compromise.
    UnprivilegedAccountCompromise,
    /// Application Compromise.
    ApplicationCompromise,
    /// System Compromise.
    SystemCompromise,
    /// Burglary.
    Burglary,
    /// Denial of Service.
    DenialOfService,
    /// Distributed Denial of Service.
    DistributedDenialOfService,
    /// Misconfiguration.
    Misconfiguration,
    /// Sabotage.
    Sabotage,
    /// Outage.
    Outage,
    /// Unauthorised access to information.
    UnauthorisedInformationAccess,
    /// Unauthorised modification of information.
    UnauthorisedInformationModification,
    /// Data Loss.
    DataLoss,
    /// Leak of confidential information.
    DataLeak,
    /// Unauthorised use of resources.
    UnauthorisedUseOfResources,
    /// Copyright.
    Copyright,
    /// Masquerade.
    Masquerade,
    /// Phishing.
    Phishing,
    /// Weak crypto.
    WeakCrypto,
    /// DDoS amplifier.
    DdosAmplifier,
    /// Potentially unwanted accessible services.
    PotentiallyUnwantedAccessible,
    /// Information disclosure.
    InformationDisclosure,
    /// Vulnerable system.
    VulnerableSystem,
    /// Uncategorised.
    Uncategorised,
    /// Undetermined.
    Undetermined,
    /// Test.
    Test,
}

impl RsitType {
    /// Every type, in the taxonomy's order.
    pub const ALL: &'static [RsitType] = &[
        Self::Spam,
        Self::HarmfulSpeech,
        Self::ViolentContent,
        Self::InfectedSystem,
        Self::C2Server,
        Self::MalwareDistribution,
        Self::MalwareConfiguration,
        Self::Scanning,
        Self::Sniffing,
        Self::SocialEngineering,
        Self::ExploitKnownVulnerabilities,
        Self::LoginAttempts,
        Self::NewAttackSignature,
        Self::PrivilegedAccountCompromise,
        Self::UnprivilegedAccountCompromise,
        Self::ApplicationCompromise,
        Self::SystemCompromise,
        Self::Burglary,
        Self::DenialOfService,
        Self::DistributedDenialOfService,
        Self::Misconfiguration,
        Self::Sabotage,
        Self::Outage,
        Self::UnauthorisedInformationAccess,
        Self::UnauthorisedInformationModification,
        Self::DataLoss,
        Self::DataLeak,
        Self::UnauthorisedUseOfResources,
        Self::Copyright,
        Self::Masquerade,
        Self::Phishing,
        Self::WeakCrypto,
        Self::DdosAmplifier,
        Self::PotentiallyUnwantedAccessible,
        Self::InformationDisclosure,
        Self::VulnerableSystem,
        Self::Uncategorised,
        Self::Undetermined,
        Self::Test,
    ];

    /// The class the type belongs to.
    pub fn class(self) -> RsitClass {
        use RsitClass as C;
        match self {
            Self::Spam | Self::HarmfulSpeech | Self::ViolentContent => C::AbusiveContent,
            Self::InfectedSystem
            | Self::C2Server
            | Self::MalwareDistribution
            | Self::MalwareConfiguration => C::MaliciousCode,
            Self::Scanning | Self::Sniffing | Self::SocialEngineering => C::InformationGathering,
            Self::ExploitKnownVulnerabilities | Self::LoginAttempts | Self::NewAttackSignature => {
                C::IntrusionAttempts
            }
            Self::PrivilegedAccountCompromise
            | Self::UnprivilegedAccountCompromise
            | Self::ApplicationCompromise
            | Self::SystemCompromise
            | Self::Burglary => C::Intrusions,
            Self::DenialOfService
            | Self::DistributedDenialOfService
            | Self::Misconfiguration
            | Self::Sabotage
            | Self::Outage => C::Availability,
            Self::UnauthorisedInformationAccess
            | Self::UnauthorisedInformationModification
            | Self::DataLoss
            | Self::DataLeak => C::InformationContentSecurity,
            Self::UnauthorisedUseOfResources
            | Self::Copyright
            | Self::Masquerade
            | Self::Phishing => C::Fraud,
            Self::WeakCrypto
            | Self::DdosAmplifier
            | Self::PotentiallyUnwantedAccessible
            | Self::InformationDisclosure
            | Self::VulnerableSystem => C::Vulnerable,
            Self::Uncategorised | Self::Undetermined => C::Other,
            Self::Test => C::Test,
        }
    }

    /// The machine code (the MISP `rsit` value, under the class's predicate).
    pub fn code(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::HarmfulSpeech => "harmful-speech",
            Self::ViolentContent => "violence",
            Self::InfectedSystem => "infected-system",
            Self::C2Server => "c2-server",
            Self::MalwareDistribution => "malware-distribution",
            Self::MalwareConfiguration => "malware-configuration",
            Self::Scanning => "scanner",
            Self::Sniffing => "sniffing",
            Self::SocialEngineering => "social-engineering",
            Self::ExploitKnownVulnerabilities => "ids-alert",
            Self::LoginAttempts => "brute-force",
            Self::NewAttackSignature => "exploit",
            Self::PrivilegedAccountCompromise => "privileged-account-compromise",
            Self::UnprivilegedAccountCompromise => "unprivileged-account-compromise",
            Self::ApplicationCompromise => "application-compromise",
            Self::SystemCompromise => "system-compromise",
            Self::Burglary => "burglary",
            Self::DenialOfService => "dos",
            Self::DistributedDenialOfService => "ddos",
            Self::Misconfiguration => "misconfiguration",
            Self::Sabotage => "sabotage",
            Self::Outage => "outage",
            Self::UnauthorisedInformationAccess => "unauthorised-information-access",
            Self::UnauthorisedInformationModification => "unauthorised-information-modification",
            Self::DataLoss => "data-loss",
            Self::DataLeak => "data-leak",
            Self::UnauthorisedUseOfResources => "unauthorised-use-of-resources",
            Self::Copyright => "copyright",
            Self::Masquerade => "masquerade",
            Self::Phishing => "phishing",
            Self::WeakCrypto => "weak-crypto",
            Self::DdosAmplifier => "ddos-amplifier",
            Self::PotentiallyUnwantedAccessible => "potentially-unwanted-accessible",
            Self::InformationDisclosure => "information-disclosure",
            Self::VulnerableSystem => "vulnerable-system",
            Self::Uncategorised => "other",
            Self::Undetermined => "undetermined",
            Self::Test => "test",
        }
    }

    /// The English name used by ENISA.
    pub fn name(self) -> &'static str {
        match self {
            Self::Spam => "Spam",
            Self::HarmfulSpeech => "Harmful Speech",
            Self::ViolentContent => "(Child) Sexual Exploitation/Sexual/Violent Content",
            Self::InfectedSystem => "Infected System",
            Self::C2Server => "C2 Server",
            Self::MalwareDistribution => "Malware Distribution",
            Self::MalwareConfiguration => "Malware Configuration",
            Self::Scanning => "Scanning",
            Self::Sniffing => "Sniffing",
            Self::SocialEngineering => "Social Engineering",
            Self::ExploitKnownVulnerabilities => "Exploitation of known Vulnerabilities",
            Self::LoginAttempts => "Login attempts",
            Self::NewAttackSignature => "New attack signature",
            Self::PrivilegedAccountCompromise => "Privileged Account Compromise",
            Self::UnprivilegedAccountCompromise => "Unprivileged Account Compromise",
            Self::ApplicationCompromise => "Application Compromise",
            Self::SystemCompromise => "System Compromise",
            Self::Burglary => "Burglary",
            Self::DenialOfService => "Denial of Service",
            Self::DistributedDenialOfService => "Distributed Denial of Service",
            Self::Misconfiguration => "Misconfiguration",
            Self::Sabotage => "Sabotage",
            Self::Outage => "Outage",
            Self::UnauthorisedInformationAccess => "Unauthorised access to information",
            Self::UnauthorisedInformationModification => "Unauthorised modification of information",
            Self::DataLoss => "Data Loss",
            Self::DataLeak => "Leak of confidential information",
            Self::UnauthorisedUseOfResources => "Unauthorised use of resources",
            Self::Copyright => "Copyright",
            Self::Masquerade => "Masquerade",
            Self::Phishing => "Phishing",
            Self::WeakCrypto => "Weak crypto",
            Self::DdosAmplifier => "DDoS amplifier",
            Self::PotentiallyUnwantedAccessible => "Potentially unwanted accessible services",
            Self::InformationDisclosure => "Information disclosure",
            Self::VulnerableSystem => "Vulnerable system",
            Self::Uncategorised => "Uncategorised",
            Self::Undetermined => "Undetermined",
            Self::Test => "Test",
        }
    }

    /// The MISP machine tag, `rsit:<class>="<type>"`.
    pub fn machine_tag(self) -> String {
        format!("rsit:{}=\"{}\"", self.class().code(), self.code())
    }
}

/// A root cause category of ENISA's incident reporting (NIS, telecom, trust services).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RootCause {
    /// System failures: hardware, software, procedures within the operator.
    SystemFailure,
    /// Natural phenomena: storms, floods, heat.
    NaturalPhenomenon,
    /// Human errors, without malice.
    HumanError,
    /// Malicious actions.
    MaliciousAction,
    /// Failures of a third party: provider, power grid, telecom operator.
    ThirdPartyFailure,
}

impl RootCause {
    /// The machine code.
    pub fn code(self) -> &'static str {
        match self {
            Self::SystemFailure => "system-failure",
            Self::NaturalPhenomenon => "natural-phenomenon",
            Self::HumanError => "human-error",
            Self::MaliciousAction => "malicious-action",
            Self::ThirdPartyFailure => "third-party-failure",
        }
    }

    /// The English name used by ENISA.
    pub fn name(self) -> &'static str {
        match self {
            Self::SystemFailure => "System failure",
            Self::NaturalPhenomenon => "Natural phenomenon",
            Self::HumanError => "Human error",
            Self::MaliciousAction => "Malicious action",
            Self::ThirdPartyFailure => "Third-party failure",
        }
    }
}

/// A category of VERIS actions (`action.<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VerisActionKind {
    /// Malware: what a program does.
    Malware,
    /// Hacking: what a person does at a keyboard.
    Hacking,
    /// Social: a person manipulated.
    Social,
    /// Error: unintentional actions.
    Error,
    /// Environmental: forces of nature and power.
    Environmental,
}

impl VerisActionKind {
    /// The VERIS key, `malware`, `hacking`, ….
    pub fn code(self) -> &'static str {
        match self {
            Self::Malware => "malware",
            Self::Hacking => "hacking",
            Self::Social => "social",
            Self::Error => "error",
            Self::Environmental => "environmental",
        }
    }

    /// The English name used by VERIS.
    pub fn name(self) -> &'static str {
        match self {
            Self::Malware => "Malware",
            Self::Hacking => "Hacking",
            Self::Social => "Social",
            Self::Error => "Error",
            Self::Environmental => "Environmental",
        }
    }
}

/// A VERIS action: its kind, variety, and the vector and target VERIS requires for it
/// (`Unknown` where a category does not tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerisAction {
    /// `action.<kind>`.
    pub kind: VerisActionKind,
    /// `action.<kind>.variety`.
    pub variety: &'static str,
    /// `action.<kind>.vector` (none for environmental actions).
    pub vector: Option<&'static str>,
    /// `action.social.target` (social actions only).
    pub target: Option<&'static str>,
}

/// A VERIS attribute a category implies (`attribute.<kind>.variety`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerisAttribute {
    /// Data disclosed: `attribute.confidentiality.data.variety`.
    Confidentiality(&'static str),
    /// `attribute.integrity.variety`.
    Integrity(&'static str),
    /// `attribute.availability.variety`.
    Availability(&'static str),
}

impl VerisAttribute {
    /// The VERIS path of the enumeration.
    pub fn path(self) -> &'static str {
        match self {
            Self::Confidentiality(_) => "attribute.confidentiality.data.variety",
            Self::Integrity(_) => "attribute.integrity.variety",
            Self::Availability(_) => "attribute.availability.variety",
        }
    }

    /// The VERIS value.
    pub fn value(self) -> &'static str {
        match self {
            Self::Confidentiality(v) | Self::Integrity(v) | Self::Availability(v) => v,
        }
    }
}

/// How one category reads in ENISA's and VERIS's vocabularies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryMapping {
    /// The category.
    pub category: Category,
    /// RSIT types, the main one first.
    pub rsit: &'static [RsitType],
    /// ENISA root cause; `None` when the category names no incident that happened
    /// (a vulnerability not exploited, a false positive).
    pub root_cause: Option<RootCause>,
    /// The VERIS action.
    pub veris_action: VerisAction,
    /// VERIS attributes the category implies by itself; the declared impact on data and
    /// care adds others to an export.
    pub veris_attributes: &'static [VerisAttribute],
}

const fn act(
    kind: VerisActionKind,
    variety: &'static str,
    vector: Option<&'static str>,
    target: Option<&'static str>,
) -> VerisAction {
    VerisAction {
        kind,
        variety,
        vector,
        target,
    }
}

/// The mapping of one category.
pub fn mapping(category: Category) -> CategoryMapping {
    use Category as C;
    use RootCause as R;
    use RsitType as T;
    use VerisActionKind as K;
    use VerisAttribute as A;
    const U: Option<&str> = Some("Unknown");
    let (rsit, root_cause, veris_action, veris_attributes): (
        &'static [RsitType],
        Option<RootCause>,
        VerisAction,
        &'static [VerisAttribute],
    ) = match category {
        C::Ransomware => (
            &[T::InfectedSystem, T::UnauthorisedInformationModification],
            Some(R::MaliciousAction),
            act(K::Malware, "Ransomware", U, None),
            &[
                A::Availability("Obscuration"),
                A::Integrity("Software installation"),
            ],
        ),
        C::SiCompromise => (
            &[T::SystemCompromise],
            Some(R::MaliciousAction),
            act(K::Hacking, "Unknown", U, None),
            &[],
        ),
        C::AccountCompromise => (
            &[T::UnprivilegedAccountCompromise],
            Some(R::MaliciousAction),
            act(K::Hacking, "Use of stolen creds", U, None),
            &[],
        ),
        C::CredentialTheft => (
            &[T::UnauthorisedInformationAccess],
            Some(R::MaliciousAction),
            act(K::Malware, "Spyware/Keylogger", U, None),
            &[A::Confidentiality("Credentials")],
        ),
        C::Phishing => (
            &[T::Phishing],
            Some(R::MaliciousAction),
            act(
                K::Social,
                "Phishing",
                Some("Email"),
                Some("End-user or employee"),
            ),
            &[A::Integrity("Alter behavior")],
        ),
        C::VulnExploitation => (
            &[T::ApplicationCompromise, T::ExploitKnownVulnerabilities],
            Some(R::MaliciousAction),
            act(K::Hacking, "Exploit vuln", U, None),
            &[],
        ),
        C::BruteForce => (
            &[T::LoginAttempts],
            Some(R::MaliciousAction),
            act(K::Hacking, "Brute force", U, None),
            &[],
        ),
        C::DataLeak => (
            &[T::DataLeak],
            Some(R::MaliciousAction),
            act(K::Hacking, "Unknown", U, None),
            &[A::Confidentiality("Unknown")],
        ),
        C::Malware => (
            &[T::InfectedSystem],
            Some(R::MaliciousAction),
            act(K::Malware, "Unknown", U, None),
            &[A::Integrity("Software installation")],
        ),
        C::Ddos => (
            &[T::DistributedDenialOfService],
            Some(R::MaliciousAction),
            act(K::Hacking, "DoS", U, None),
            &[A::Availability("Interruption")],
        ),
        C::Defacement => (
            &[T::UnauthorisedInformationModification],
            Some(R::MaliciousAction),
            act(K::Hacking, "Unknown", Some("Web application"), None),
            &[A::Integrity("Defacement")],
        ),
        C::OtherMalicious => (
            &[T::Masquerade],
            Some(R::MaliciousAction),
            act(K::Social, "Scam", U, U),
            &[A::Integrity("Alter behavior")],
        ),
        C::InfraFailure => (
            &[T::Outage],
            Some(R::SystemFailure),
            act(K::Error, "Malfunction", U, None),
            &[A::Availability("Interruption")],
        ),
        C::TelecomLoss => (
            &[T::Outage],
            Some(R::ThirdPartyFailure),
            act(K::Error, "Malfunction", U, None),
            &[A::Availability("Interruption")],
        ),
        C::AppBug => (
            &[T::Outage],
            Some(R::SystemFailure),
            act(K::Error, "Programming error", U, None),
            &[],
        ),
        C::PowerOutage => (
            &[T::Outage],
            Some(R::ThirdPartyFailure),
            act(K::Environmental, "Power failure", None, None),
            &[A::Availability("Interruption")],
        ),
        C::EquipmentFailure => (
            &[T::Outage],
            Some(R::SystemFailure),
            act(K::Error, "Malfunction", U, None),
            &[],
        ),
        C::FaultyUpdate => (
            &[T::Misconfiguration],
            Some(R::SystemFailure),
            act(K::Error, "Maintenance error", U, None),
            &[],
        ),
        C::OtherNonMalicious => (
            &[T::VulnerableSystem],
            None,
            act(K::Error, "Other", U, None),
            &[],
        ),
    };
    CategoryMapping {
        category,
        rsit,
        root_cause,
        veris_action,
        veris_attributes,
    }
}

/// Every category's mapping, in the vocabulary's order.
pub fn mappings() -> impl Iterator<Item = CategoryMapping> {
    Category::ALL.iter().map(|c| mapping(*c))
}

/// The root cause of an infrastructure failure, which depends on where it happened.
pub fn infra_root_cause(side: InfraSide) -> RootCause {
    match side {
        InfraSide::Provider => RootCause::ThirdPartyFailure,
        InfraSide::Local => RootCause::SystemFailure,
    }
}

/// The RSIT type of an out-of-scope incident: a crisis exercise is ENISA's `Test`; an
/// incident outside health information systems keeps no ENISA type (it is not qualified).
pub fn out_of_scope_rsit(reason: OutOfScopeReason) -> Option<RsitType> {
    match reason {
        OutOfScopeReason::Exercise => Some(RsitType::Test),
        OutOfScopeReason::NotHealthIs => None,
    }
}

/// The VERIS asset variety and amount a ransomware reach tells.
pub fn reach_asset(reach: RansomwareReach) -> (&'static str, Option<u32>) {
    match reach {
        RansomwareReach::MultiServer => ("S - Unknown", None),
        RansomwareReach::SingleServer => ("S - Unknown", Some(1)),
        RansomwareReach::Workstation => ("U - Desktop or laptop", Some(1)),
        RansomwareReach::Provider => ("S - Unknown", None),
    }
}

/// Which scheme a [`Row`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// ENISA Reference Security Incident Classification Taxonomy.
    EnisaRsit,
    /// Root cause categories of ENISA's incident reporting.
    EnisaRootCause,
    /// VERIS action.
    VerisAction,
    /// VERIS attribute.
    VerisAttribute,
}

impl Scheme {
    /// The machine code.
    pub fn code(self) -> &'static str {
        match self {
            Self::EnisaRsit => "enisa_rsit",
            Self::EnisaRootCause => "enisa_root_cause",
            Self::VerisAction => "veris_action",
            Self::VerisAttribute => "veris_attribute",
        }
    }
}

/// One line of the mapping, for a page or a CSV file: a Vigie code and one entry of
/// another taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// What Vigie's code is: `category` or `out_of_scope_reason`.
    pub vigie_kind: &'static str,
    /// Vigie's code.
    pub vigie_code: &'static str,
    /// Vigie's French label.
    pub vigie_label: &'static str,
    /// The other taxonomy.
    pub scheme: Scheme,
    /// The entry's machine code (`malicious-code/infected-system`,
    /// `action.malware.variety/Ransomware`).
    pub code: String,
    /// The entry's English name (`Malicious Code / Infected System`).
    pub name: String,
}

/// The whole mapping, one row per Vigie code and taxonomy entry: every category, then the
/// out-of-scope reasons that have an ENISA type.
pub fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    for m in mappings() {
        let c = m.category;
        let row = |scheme, code: String, name: String| Row {
            vigie_kind: "category",
            vigie_code: c.code(),
            vigie_label: c.label(),
            scheme,
            code,
            name,
        };
        for t in m.rsit {
            out.push(row(Scheme::EnisaRsit, rsit_code(*t), rsit_name(*t)));
        }
        if let Some(cause) = m.root_cause {
            out.push(row(
                Scheme::EnisaRootCause,
                cause.code().to_owned(),
                cause.name().to_owned(),
            ));
        }
        let a = m.veris_action;
        out.push(row(
            Scheme::VerisAction,
            format!("action.{}.variety/{}", a.kind.code(), a.variety),
            format!("{} / {}", a.kind.name(), a.variety),
        ));
        for attr in m.veris_attributes {
            out.push(row(
                Scheme::VerisAttribute,
                format!("{}/{}", attr.path(), attr.value()),
                attr.value().to_owned(),
            ));
        }
    }
    for reason in OutOfScopeReason::ALL {
        if let Some(t) = out_of_scope_rsit(*reason) {
            out.push(Row {
                vigie_kind: "out_of_scope_reason",
                vigie_code: reason.code(),
                vigie_label: reason.label(),
                scheme: Scheme::EnisaRsit,
                code: rsit_code(t),
                name: rsit_name(t),
            });
        }
    }
    out
}

fn rsit_code(t: RsitType) -> String {
    format!("{}/{}", t.class().code(), t.code())
}

fn rsit_name(t: RsitType) -> String {
    format!("{} / {}", t.class().name(), t.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    #[test]
    fn every_category_is_mapped_consistently_with_its_origin() {
        for m in mappings() {
            let c = m.category;
            assert!(!m.rsit.is_empty(), "{c} has no RSIT type");
            let malicious = c.origin() == Origin::Malicious;
            assert_eq!(
                m.root_cause == Some(RootCause::MaliciousAction),
                malicious,
                "{c}: root cause {:?}",
                m.root_cause
            );
            let unintended = matches!(
                m.veris_action.kind,
                VerisActionKind::Error | VerisActionKind::Environmental
            );
            assert_eq!(
                unintended, !malicious,
                "{c}: VERIS action {:?}",
                m.veris_action
            );
            // VERIS requires a vector beside every variety but environmental, a target
            // beside social ones.
            assert_eq!(
                m.veris_action.vector.is_none(),
                m.veris_action.kind == VerisActionKind::Environmental,
                "{c}"
            );
            assert_eq!(
                m.veris_action.target.is_some(),
                m.veris_action.kind == VerisActionKind::Social,
                "{c}"
            );
        }
        assert_eq!(mappings().count(), Category::ALL.len());
    }

    #[test]
    fn rsit_types_have_unique_codes_within_their_class() {
        let mut seen = std::collections::HashSet::new();
        for t in RsitType::ALL {
            assert!(seen.insert((t.class(), t.code())), "{t:?}");
            assert!(!t.name().is_empty());
        }
        assert_eq!(
            RsitType::DistributedDenialOfService.machine_tag(),
            r#"rsit:availability="ddos""#
        );
    }

    #[test]
    fn rows_cover_every_category_and_the_exercise() {
        let rows = rows();
        for c in Category::ALL {
            let mine: Vec<_> = rows.iter().filter(|r| r.vigie_code == c.code()).collect();
            assert!(mine.iter().any(|r| r.scheme == Scheme::EnisaRsit), "{c}");
            assert!(mine.iter().any(|r| r.scheme == Scheme::VerisAction), "{c}");
        }
        let ransomware: Vec<_> = rows
            .iter()
            .filter(|r| r.vigie_code == "ransomware")
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(
            ransomware,
            [
                "malicious-code/infected-system",
                "information-content-security/unauthorised-information-modification",
                "malicious-action",
                "action.malware.variety/Ransomware",
                "attribute.availability.variety/Obscuration",
                "attribute.integrity.variety/Software installation",
            ]
        );
        let exercise = rows
            .iter()
            .find(|r| r.vigie_code == "exercise")
            .expect("exercise is mapped");
        assert_eq!(
            (exercise.code.as_str(), exercise.name.as_str()),
            ("test/test", "Test / Test")
        );
    }
}
