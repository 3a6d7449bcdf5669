//! The CVE JSON 5.1 records of `vulnrichment/` (CNA and CISA-ADP `affected[]`), read in place.

mod common;

use serde_json::Value;
use vigie_product::{Affected, Cpe, Status, Version};

/// Every `affected[]` entry of a record: the CNA's, then each ADP's, with its provider.
fn affected_entries(record: &Value) -> Vec<(String, Value)> {
    let containers = &record["containers"];
    let mut out: Vec<(String, Value)> = containers["cna"]["affected"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| ("cna".to_owned(), a.clone()))
        .collect();
    for adp in containers["adp"].as_array().into_iter().flatten() {
        let provider = adp["providerMetadata"]["shortName"]
            .as_str()
            .unwrap_or("adp")
            .to_owned();
        for a in adp["affected"].as_array().into_iter().flatten() {
            out.push((provider.clone(), a.clone()));
        }
    }
    out
}

/// The CNA's (`adp = false`) or CISA-ADP's entries of one record, parsed.
fn record(relative: &str, adp: bool) -> Vec<Affected> {
    affected_entries(&common::json(&format!("vulnrichment/{relative}")))
        .into_iter()
        .filter(|(provider, _)| (provider == "CISA-ADP") == adp)
        .map(|(_, a)| serde_json::from_value(a).unwrap())
        .collect()
}

/// The entry for `product` (as written in the record).
fn product<'a>(entries: &'a [Affected], product: &str) -> &'a Affected {
    entries
        .iter()
        .find(|a| a.product.as_deref() == Some(product))
        .unwrap_or_else(|| panic!("no entry for {product}"))
}

/// Asserts the status of each version.
fn assert_statuses(affected: &Affected, expected: &[(&str, Status)]) {
    for (version, status) in expected {
        assert_eq!(
            affected.status_of(&Version::new(*version)),
            *status,
            "{:?} {version}",
            affected.product
        );
    }
}

use Status::{Affected as A, Unaffected as U, Unknown as N};

#[test]
fn every_affected_entry_and_cpe_parses_and_round_trips() {
    let files = common::json_files(&common::subset().join("vulnrichment"));
    assert_eq!(files.len(), 251);
    let (mut cna, mut adp, mut ranges, mut cpes) = (0, 0, 0, 0);
    for file in &files {
        let record: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for (provider, entry) in affected_entries(&record) {
            let parsed: Affected = serde_json::from_value(entry.clone())
                .unwrap_or_else(|e| panic!("{} ({provider}): {e}", file.display()));
            if provider == "cna" {
                cna += 1;
            } else {
                adp += 1;
            }
            ranges += parsed.versions.len();
            for raw in entry["cpes"].as_array().into_iter().flatten() {
                let raw = raw.as_str().unwrap();
                let cpe =
                    Cpe::parse(raw).unwrap_or_else(|e| panic!("{}: {raw}: {e}", file.display()));
                assert_eq!(cpe.to_string(), raw);
                cpes += 1;
            }
            assert_eq!(
                parsed.cpes.len(),
                entry["cpes"].as_array().map_or(0, Vec::len)
            );
            for range in &parsed.versions {
                assert_eq!(range.validate(), Ok(()));
            }
        }
    }
    assert_eq!((cna, adp, ranges, cpes), (1099, 1313, 6749, 3181));
}

#[test]
fn fortios_cve_2024_21762_cna_ranges() {
    let cna = record("2024/21xxx/CVE-2024-21762.json", false);
    // semver, lessThanOrEqual, defaultStatus unaffected.
    assert_statuses(
        product(&cna, "FortiOS"),
        &[
            ("5.6.14", U),
            ("6.0.0", A),
            ("6.0.17", A),
            ("6.0.18", U),
            ("6.2.15", A),
            ("6.2.16", U),
            ("6.4.14", A),
            ("6.4.15", U),
            ("7.0.0", A),
            ("7.0.13", A),
            ("7.0.14", U),
            ("7.2.6", A),
            ("7.2.7", U),
            ("7.4.2", A),
            ("7.4.3", U),
            ("7.6.0", U),
        ],
    );
    assert_statuses(
        product(&cna, "FortiProxy"),
        &[
            ("1.0.7", A),
            ("1.0.8", U),
            ("2.0.13", A),
            ("2.0.14", U),
            ("7.2.8", A),
            ("7.2.9", U),
        ],
    );
}

#[test]
fn fortios_cve_2024_21762_adp_ranges_are_coarser() {
    let adp = record("2024/21xxx/CVE-2024-21762.json", true);
    let fortios: Vec<&Affected> = adp
        .iter()
        .filter(|a| a.product.as_deref() == Some("fortios"))
        .collect();
    let status = |v: &str| {
        let v = Version::new(v);
        // Each ADP entry carries one range; a version is affected if one of them says so.
        if fortios.iter().any(|a| a.status_of(&v) == A) {
            A
        } else {
            fortios[0].status_of(&v)
        }
    };
    // ADP: 6.0.0 lessThan 6.2.16 (the CNA lists 6.0.0–6.0.17 and 6.2.0–6.2.15).
    assert_eq!(status("5.9.9"), N);
    assert_eq!(status("6.0.0"), A);
    assert_eq!(status("6.0.18"), A);
    assert_eq!(status("6.2.15"), A);
    assert_eq!(status("6.2.16"), N);
    assert_eq!(status("7.2.6"), A);
    assert_eq!(status("7.2.7"), N);
    assert_eq!(
        fortios[0].cpes[0],
        Cpe::parse("cpe:2.3:o:fortinet:fortios:6.0.0:*:*:*:*:*:*:*").unwrap()
    );
}

#[test]
fn pan_os_cve_2024_3400_hotfixes_and_changes() {
    let cna = record("2024/3xxx/CVE-2024-3400.json", false);
    assert_statuses(
        product(&cna, "PAN-OS"),
        &[
            ("9.1.0", U),
            ("10.1.0", U),
            ("10.2.0", A),
            ("10.2.8-h3", A),
            ("10.2.9", A),
            ("10.2.9-h1", U),
            ("10.2.10", U),
            ("11.0.4", A),
            ("11.0.4-h1", U),
            ("11.1.2-h2", A),
            ("11.1.2-h3", U),
            ("11.1.3", U),
        ],
    );
    assert_statuses(product(&cna, "Cloud NGFW"), &[("All", U), ("10.2.9", U)]);
    // The ADP's bounds carry a trailing space ("10.2.9-h1 "): same order.
    let adp = record("2024/3xxx/CVE-2024-3400.json", true);
    assert_statuses(&adp[0], &[("10.1.9", N), ("10.2.9", A), ("10.2.9-h1", N)]);
}

#[test]
fn citrix_cve_2023_6548_build_ranges() {
    // CISA-ADP: "13.1" lessThan "13.1-51.15", one entry per train and edition.
    let adp = record("2023/6xxx/CVE-2023-6548.json", true);
    let adc = |edition: &str, train: &str| {
        adp.iter()
            .find(|a| {
                a.product.as_deref() == Some("netscaler_application_delivery_controller")
                    && a.cpes[0].to_string()
                        == format!("cpe:2.3:a:citrix:netscaler_application_delivery_controller:{train}:*:*:*:{edition}:*:*:*")
            })
            .unwrap()
    };
    assert_statuses(
        adc("-", "13.1"),
        &[
            ("13.0-92.21", N),
            ("13.1", A),
            ("13.1-51.14", A),
            ("13.1-51.15", N),
            ("14.1-12.34", N),
        ],
    );
    assert_statuses(adc("-", "14.1"), &[("14.1-12.34", A), ("14.1-12.35", N)]);
    assert_statuses(
        adc("fips", "13.1"),
        &[("13.1-37.175", A), ("13.1-37.176", N)],
    );
    // The CNA writes the build alone as the bound ("13.1" lessThan "51.15", versionType
    // "patch"): read as the schema says, every 13.1 build up to 51.15 is affected, and
    // so is 13.1-51.15 itself (13.1.51.15 < 51.15), and a bare "51.15" falls in the 13.0
    // entry (13.0 <= 51.15 < 92.21). Such entries need the ADP's reading.
    let cna = record("2023/6xxx/CVE-2023-6548.json", false);
    assert_statuses(
        product(&cna, "NetScaler Gateway"),
        &[
            ("12.1-55.302", U),
            ("13.1-51.14", A),
            ("13.1-51.15", A),
            ("51.15", A),
            ("92.21", U),
        ],
    );
}

#[test]
fn ivanti_epmm_cve_2023_35078_default_affected() {
    // CNA: 11.10, 11.9, 11.8 exactly unaffected (semver ranges of one version), the rest affected.
    let cna = record("2023/35xxx/CVE-2023-35078.json", false);
    assert_statuses(
        &cna[0],
        &[
            ("11.7", A),
            ("11.8", U),
            ("11.8.1.0", A),
            ("11.9", U),
            ("11.10", U),
            ("11.10.0.1", A),
            ("11.11", A),
        ],
    );
    // CISA-ADP: 11.10.0.1 lessThan 11.10.0.2 …, 0 up to 11.8.1.0 inclusive.
    let adp = record("2023/35xxx/CVE-2023-35078.json", true);
    assert_statuses(
        &adp[0],
        &[
            ("1.0", A),
            ("11.8.1.0", A),
            ("11.8.1.1", N),
            ("11.10.0.1", A),
            ("11.10.0.2", N),
            ("11.9.1.0", A),
            ("11.9.1.1", N),
        ],
    );
}

#[test]
fn ivanti_epm_cve_2024_29824_named_service_updates() {
    let cna = record("2024/29xxx/CVE-2024-29824.json", false);
    assert_statuses(
        &cna[0],
        &[
            ("2022 SU4", U),
            ("2022 SU5", A),
            ("2022 su5", A),
            ("2022 SU6", U),
        ],
    );
    // The ADP writes "2022_su5": separators and case do not count.
    let adp = record("2024/29xxx/CVE-2024-29824.json", true);
    assert_statuses(
        &adp[0],
        &[
            ("2021", A),
            ("2022 SU4", A),
            ("2022 SU5", A),
            ("2022 SU6", N),
            ("2024", N),
        ],
    );
}

#[test]
fn screenconnect_cve_2024_1709_open_start_and_change() {
    let cna = record("2024/1xxx/CVE-2024-1709.json", false);
    assert_statuses(
        &cna[0],
        &[("1.0", A), ("23.9.7", A), ("23.9.8", U), ("24.1", U)],
    );
}

#[test]
fn linux_cve_2024_36971_git_ranges_are_undecidable() {
    let cna = record("2024/36xxx/CVE-2024-36971.json", false);
    let git = cna
        .iter()
        .find(|a| {
            a.versions
                .iter()
                .any(|v| v.version_type == Some(vigie_product::VersionType::Git))
        })
        .unwrap();
    assert_statuses(
        git,
        &[
            ("a87cb3e48ee8", A),
            ("051c0bde9f04", N),
            ("0123456789ab", N),
        ],
    );
}
