//! Table-driven tests of the routing rules: the defaults of DOMAIN.md, then edited rules.

use super::*;

/// Builds facts from words: `malicious`, `non_malicious`, `out_of_scope`, `degraded`,
/// `interrupted`, `potential`, `actual`, `ose`, `major`, `significant`, `cat=<code>`,
/// `type=<code>`.
fn facts(words: &str) -> RoutingFacts {
    let mut f = RoutingFacts {
        origin: None,
        categories: Vec::new(),
        care_impact: CareImpact::None,
        patient_danger: PatientDanger::None,
        structure_type: StructureType::EsPublic,
        ose: false,
        major: false,
        significant: false,
    };
    for w in words.split_whitespace() {
        match w {
            "ose" => f.ose = true,
            "major" => f.major = true,
            "significant" => f.significant = true,
            "degraded" | "interrupted" => f.care_impact = CareImpact::parse(w).unwrap(),
            "potential" | "actual" => f.patient_danger = PatientDanger::parse(w).unwrap(),
            _ if w.starts_with("cat=") => f.categories.push(Category::parse(&w[4..]).unwrap()),
            _ if w.starts_with("type=") => {
                f.structure_type = StructureType::parse(&w[5..]).unwrap()
            }
            _ => f.origin = Some(Origin::parse(w).unwrap()),
        }
    }
    f
}

/// Routes `words` with `rules` and renders `recipient[rule+rule]` separated by spaces.
fn check_with(rules: &Rules, words: &str, expected: &str) {
    let got = rules
        .route(&facts(words))
        .iter()
        .map(|r| format!("{}[{}]", r.to, r.rule_ids().replace(',', "+")))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(got, expected, "facts: {words}");
}

fn check(words: &str, expected: &str) {
    check_with(&Rules::default_rules(), words, expected);
}

#[test]
fn default_rules_route_as_the_cert_does() {
    let table = [
        ("", "ars[ars-region]"),
        ("non_malicious", "ars[ars-region]"),
        ("malicious", "fssi[fssi-malicious] ars[ars-region]"),
        ("out_of_scope", "ars[ars-region]"),
        ("degraded", "dgs_corruss[dgs-care-impact] ars[ars-region]"),
        (
            "interrupted",
            "dgs_corruss[dgs-care-impact] ars[ars-region]",
        ),
        (
            "potential",
            "dgs_corruss[dgs-patient-danger] ars[ars-region]",
        ),
        ("actual", "dgs_corruss[dgs-patient-danger] ars[ars-region]"),
        (
            "interrupted actual",
            "dgs_corruss[dgs-care-impact+dgs-patient-danger] ars[ars-region]",
        ),
        ("ose", "anssi[anssi-ose] ars[ars-region]"),
        ("major", "anssi[anssi-major] ars[ars-region]"),
        ("ose major", "anssi[anssi-ose+anssi-major] ars[ars-region]"),
        ("significant", "dns[dns-significant] ars[ars-region]"),
        (
            "malicious interrupted ose significant cat=ransomware",
            "dns[dns-significant] fssi[fssi-malicious] dgs_corruss[dgs-care-impact] anssi[anssi-ose] ars[ars-region]",
        ),
        (
            "non_malicious degraded cat=infra_failure",
            "dgs_corruss[dgs-care-impact] ars[ars-region]",
        ),
    ];
    for (words, expected) in table {
        check(words, expected);
    }
}

#[test]
fn edited_rules_are_data() {
    let rules = Rules::parse(
        r#"
        [[rule]]
        id = "anssi-ransomware-ght"
        to = "anssi"
        reason = "Rançongiciel dans un établissement public"
        when.category = ["ransomware", "si_compromise"]
        when.structure_type = ["es_public"]
        when.origin = ["malicious"]

        [[rule]]
        id = "fssi-not-significant"
        to = "fssi"
        reason = "Suivi"
        when.significant = false
        "#,
    )
    .unwrap();
    let table = [
        ("", "fssi[fssi-not-significant]"),
        ("significant", ""),
        (
            "malicious cat=ransomware significant",
            "anssi[anssi-ransomware-ght]",
        ),
        (
            "malicious cat=phishing cat=si_compromise",
            "fssi[fssi-not-significant] anssi[anssi-ransomware-ght]",
        ),
        ("malicious cat=ransomware type=ehpad significant", ""),
        // A category without the origin does not match a rule that asks for the origin.
        ("cat=ransomware significant", ""),
    ];
    for (words, expected) in table {
        check_with(&rules, words, expected);
    }
}

#[test]
fn an_empty_document_routes_nowhere() {
    check_with(&Rules::parse("").unwrap(), "malicious interrupted ose", "");
}

#[test]
fn bad_documents_name_the_rule_and_field() {
    let rule = |body: &str| format!("[[rule]]\nid = \"a\"\nto = \"dns\"\nreason = \"r\"\n{body}\n");
    let table = [
        (
            rule("when.origin = [\"evil\"]"),
            "routing rule 1 (a): field `when.origin`: unknown origin `evil`",
        ),
        (
            rule("when.care_impact = []"),
            "routing rule 1 (a): field `when.care_impact`: an empty list never matches",
        ),
        (
            "[[rule]]\nid = \"a\"\nto = \"mayor\"\nreason = \"r\"\n".to_owned(),
            "routing rule 1 (a): field `to`: unknown recipient `mayor`",
        ),
        (
            "[[rule]]\nid = \"A b\"\nto = \"dns\"\nreason = \"r\"\n".to_owned(),
            "routing rule 1: field `id`",
        ),
        (
            "[[rule]]\nid = \"a\"\nto = \"dns\"\nreason = \"  \"\n".to_owned(),
            "routing rule 1 (a): field `reason`",
        ),
        (
            format!("{}{}", rule(""), rule("")),
            "routing rule 2 (a): field `id`: already used",
        ),
        (rule("when.colour = [\"red\"]"), "routing rules: "),
        (rule("when.ose = \"yes\""), "routing rules: "),
        ("[[rule]]\nid = \"a\"\n".to_owned(), "routing rules: "),
    ];
    for (doc, expected) in table {
        let err = Rules::parse(&doc).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{doc}\n→ {err}");
    }
}

#[test]
fn syntax_errors_give_the_line() {
    let err = Rules::parse("[[rule]]\nid = \"a\"\nto = dns\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn conditions_are_described_in_french() {
    let rules = Rules::default_rules();
    let dgs = &rules.rules()[0];
    assert_eq!(dgs.to.label(), "DGS via le CORRUSS");
    assert_eq!(
        dgs.when.describe(),
        [
            "impact sur la prise en charge : Fonctionnement en mode dégradé du système de prise en charge des patients ou Interruption de la prise en charge"
        ]
    );
    let ars = rules.rules().last().unwrap();
    assert!(ars.when.describe().is_empty());
    assert_eq!(rules.rules()[2].when.describe(), ["structure OSE : oui"]);
}

#[test]
fn recipients_parse_back_from_their_codes() {
    for r in Recipient::all() {
        assert_eq!(Recipient::parse(r.code()), Ok(r));
    }
    assert_eq!(Recipient::all().count(), Authority::ALL.len() + 1);
}
