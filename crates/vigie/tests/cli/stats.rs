//! `vigie stats`, following the observatory contract.

use crate::{Scratch, interchange::line};

#[test]
fn stats_follow_the_contract() {
    let s = Scratch::new();
    let lines = [
        line("a", "2024-01-15T10:00:00+01:00", "010000024", "none"),
        line("b", "2024-01-31T23:30:00Z", "010000024", "degraded"),
        line("c", "2023-03-15T10:00:00+01:00", "010000032", "none"),
        // New Year's Eve in Paris: already 2024 there.
        line("d", "2023-12-31T23:30:00Z", "010000032", "none"),
    ];
    let file = s.file("in.jsonl", &lines.join("\n"));
    assert!(s.vigie(&["import", "incidents", file.to_str().unwrap()]).ok);

    let out = s.vigie(&[
        "stats", "--year", "2024", "--figure", "3", "--format", "csv",
    ]);
    assert!(out.ok, "{}", out.stderr);
    let expected_months = "key,count,previous\n01,2,0\n02,1,0\n03,0,1\n04,0,0\n05,0,0\n06,0,0\n07,0,0\n08,0,0\n09,0,0\n10,0,0\n11,0,0\n12,0,0\n";
    assert_eq!(out.stdout, expected_months);

    let out = s.vigie(&[
        "stats", "--year", "2024", "--figure", "1", "--format", "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["figure"], 1);
    let row = |key: &str| {
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(row("declarations")["count"], 3);
    assert_eq!(row("declarations")["previous"], 1);
    assert_eq!(row("structures")["count"], 2);
    assert_eq!(row("care_impact")["count"], 1);

    // Figure 7 needs the activity shares, and says so.
    let out = s.vigie(&["stats", "--year", "2024", "--figure", "7"]);
    assert!(!out.ok);
    assert!(
        out.stderr.contains("figure 7 needs each region's share"),
        "{}",
        out.stderr
    );
    let mut shares = String::from("region,share\n");
    for (code, share) in [
        ("11", "0.18"),
        ("24", "0.03"),
        ("27", "0.04"),
        ("28", "0.05"),
        ("32", "0.09"),
        ("44", "0.08"),
        ("52", "0.05"),
        ("53", "0.05"),
        ("75", "0.09"),
        ("76", "0.09"),
        ("84", "0.12"),
        ("93", "0.08"),
        ("94", "0.005"),
    ] {
        shares.push_str(&format!("{code},{share}\n"));
    }
    let csv = s.file("activity.csv", &shares);
    let load = s.vigie(&["reference", "load", "activity", csv.to_str().unwrap()]);
    assert!(load.ok, "{}", load.stderr);
    let out = s.vigie(&["stats", "--year", "2024", "--figure", "7"]);
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("\n76,100,100\n"), "{}", out.stdout);

    // Curated and unknown figures are refused clearly.
    let out = s.vigie(&["stats", "--year", "2024", "--figure", "17"]);
    assert!(out.stderr.contains("curated list"), "{}", out.stderr);
    let out = s.vigie(&["stats", "--year", "2024", "--figure", "22"]);
    assert!(
        out.stderr.contains("there is no figure 22"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_activity_file_names_its_line() {
    let s = Scratch::new();
    let csv = s.file("activity.csv", "region,share\n11,0.2\n99,0.1\n");
    let out = s.vigie(&["reference", "load", "activity", csv.to_str().unwrap()]);
    assert!(!out.ok);
    assert!(out.stderr.contains("line 3"), "{}", out.stderr);
}
