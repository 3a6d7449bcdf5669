//! The NVD 2.0 records of `nvd-2.0/` (`configurations[]`), read in place.

mod common;

use vigie_product::{Configuration, Cpe, nvd};

fn configurations(file: &str) -> Vec<Configuration> {
    let record = common::json(&format!("nvd-2.0/{file}"));
    serde_json::from_value(record["configurations"].clone()).unwrap()
}

fn cpe(s: &str) -> Cpe {
    Cpe::parse(s).unwrap()
}

#[test]
fn all_three_records_parse() {
    let counts: Vec<(usize, usize)> = [
        "CVE-2024-21762.json",
        "CVE-2023-4966.json",
        "CVE-2021-20016.json",
    ]
    .iter()
    .map(|f| {
        let c = configurations(f);
        let matches = c
            .iter()
            .flat_map(|c| &c.nodes)
            .map(|n| n.cpe_match.len())
            .sum();
        (c.len(), matches)
    })
    .collect();
    assert_eq!(counts[0], (1, 10));
    assert_eq!(counts[1], (1, 9));
    assert_eq!(counts[2], (6, 11));
}

#[test]
fn fortios_cve_2024_21762_inside_and_outside_the_ranges() {
    let configs = configurations("CVE-2024-21762.json");
    let fortios = |v: &str| {
        [cpe(&format!(
            "cpe:2.3:o:fortinet:fortios:{v}:*:*:*:*:*:*:*"
        ))]
    };
    // versionStartIncluding 6.0.0 … versionEndExcluding 6.0.18, 6.2.16, 6.4.15, 7.0.14, 7.2.7, 7.4.3.
    for v in [
        "6.0.0", "6.0.17", "6.2.15", "6.4.14", "7.0.13", "7.2.0", "7.2.6", "7.4.2",
    ] {
        assert!(nvd::is_vulnerable(&configs, &fortios(v)), "{v}");
    }
    for v in [
        "5.6.14", "6.0.18", "6.2.16", "6.4.15", "7.0.14", "7.2.7", "7.4.3", "7.6.0",
    ] {
        assert!(!nvd::is_vulnerable(&configs, &fortios(v)), "{v}");
    }
    // The same version of another product is not matched, nor an unknown version.
    assert!(!nvd::is_vulnerable(
        &configs,
        &[cpe("cpe:2.3:a:fortinet:fortimanager:7.2.6:*:*:*:*:*:*:*")]
    ));
    assert!(!nvd::is_vulnerable(&configs, &fortios("*")));
    assert!(nvd::is_vulnerable(
        &configs,
        &[cpe("cpe:2.3:a:fortinet:fortiproxy:2.0.13:*:*:*:*:*:*:*")]
    ));
    assert!(!nvd::is_vulnerable(
        &configs,
        &[cpe("cpe:2.3:a:fortinet:fortiproxy:2.0.14:*:*:*:*:*:*:*")]
    ));
}

#[test]
fn citrix_bleed_cve_2023_4966_builds_and_editions() {
    let configs = configurations("CVE-2023-4966.json");
    let adc = |v: &str, edition: &str| {
        [cpe(&format!(
            "cpe:2.3:a:citrix:netscaler_application_delivery_controller:{v}:*:*:*:{edition}:*:*:*"
        ))]
    };
    assert!(nvd::is_vulnerable(&configs, &adc("13.1-49.14", "-")));
    assert!(!nvd::is_vulnerable(&configs, &adc("13.1-49.15", "-")));
    assert!(nvd::is_vulnerable(&configs, &adc("14.1-8.49", "-")));
    assert!(!nvd::is_vulnerable(&configs, &adc("14.1-8.50", "-")));
    assert!(nvd::is_vulnerable(&configs, &adc("13.1-37.163", "fips")));
    assert!(!nvd::is_vulnerable(&configs, &adc("13.1-37.164", "fips")));
    // FIPS builds stop at 37.164: a FIPS 13.1-49.14 is beyond them, and no `-` match names FIPS.
    assert!(!nvd::is_vulnerable(&configs, &adc("13.1-49.14", "fips")));
    assert!(nvd::is_vulnerable(&configs, &adc("12.1-55.299", "ndcpp")));
    assert!(!nvd::is_vulnerable(&configs, &adc("12.1-55.300", "ndcpp")));
    // An inventory that does not know the edition (ANY) is not matched by `-` criteria.
    assert!(!nvd::is_vulnerable(&configs, &adc("13.1-49.14", "*")));
    let gateway = |v: &str| {
        [cpe(&format!(
            "cpe:2.3:a:citrix:netscaler_gateway:{v}:*:*:*:*:*:*:*"
        ))]
    };
    assert!(nvd::is_vulnerable(&configs, &gateway("13.0-92.18")));
    assert!(!nvd::is_vulnerable(&configs, &gateway("13.0-92.19")));
}

#[test]
fn sonicwall_cve_2021_20016_firmware_and_hardware() {
    let configs = configurations("CVE-2021-20016.json");
    let firmware = |v: &str| {
        cpe(&format!(
            "cpe:2.3:o:sonicwall:sma_100_firmware:{v}:*:*:*:*:*:*:*"
        ))
    };
    let sma_100 = cpe("cpe:2.3:h:sonicwall:sma_100:-:*:*:*:*:*:*:*");
    let sma_200 = cpe("cpe:2.3:h:sonicwall:sma_200:-:*:*:*:*:*:*:*");
    // AND: the firmware range (10.0.0.0 to 10.2.0.5-d-29sv excluded) on SMA 100 hardware.
    let inventory = [firmware("10.2.0.4"), sma_100.clone()];
    assert!(nvd::is_vulnerable(&configs, &inventory));
    let vulnerable: Vec<String> = configs
        .iter()
        .flat_map(|c| c.vulnerable(&inventory))
        .map(ToString::to_string)
        .collect();
    // The hardware is a platform condition (vulnerable: false), not the vulnerable product.
    assert_eq!(
        vulnerable,
        ["cpe:2.3:o:sonicwall:sma_100_firmware:10.2.0.4:*:*:*:*:*:*:*"]
    );
    assert!(nvd::is_vulnerable(
        &configs,
        &[firmware("10.2.0.5-d-28sv"), sma_100.clone()]
    ));
    assert!(!nvd::is_vulnerable(
        &configs,
        &[firmware("10.2.0.5-d-29sv"), sma_100.clone()]
    ));
    assert!(!nvd::is_vulnerable(
        &configs,
        &[firmware("9.0.0.10"), sma_100.clone()]
    ));
    // Firmware without the hardware, or on other hardware, does not satisfy AND.
    assert!(!nvd::is_vulnerable(&configs, &[firmware("10.2.0.4")]));
    assert!(!nvd::is_vulnerable(
        &configs,
        &[firmware("10.2.0.4"), sma_200]
    ));
    // The SMA 500v is a lone OR node with version NA.
    assert!(nvd::is_vulnerable(
        &configs,
        &[cpe("cpe:2.3:a:sonicwall:sma_500v:-:*:*:*:*:*:*:*")]
    ));
}
