//! `vigie demo` reproduces the published numbers of the 2024 report, read through `vigie stats`,
//! from any directory, and publishes its ended years.

use std::{collections::HashMap, process::Command};

use crate::{Scratch, run, shared};

/// One figure of `vigie stats` as key → (count, previous).
fn figure(s: &Scratch, n: u8) -> HashMap<String, (i64, i64)> {
    let out = s.vigie(&[
        "stats",
        "--year",
        "2024",
        "--figure",
        &n.to_string(),
        "--format",
        "csv",
    ]);
    assert!(out.ok, "figure {n}: {}", out.stderr);
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("key,count,previous"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                (f[1].parse().unwrap(), f[2].parse().unwrap()),
            )
        })
        .collect()
}

/// A share in percent, rounded as the report does.
fn pct(part: i64, whole: i64) -> i64 {
    (100.0 * part as f64 / whole as f64).round() as i64
}

#[test]
fn the_demo_reproduces_the_2024_report() {
    let register = shared("data/fr-sae-2023");
    if !register.exists() {
        eprintln!("SKIP demo: the register is not at {}", register.display());
        return;
    }
    let s = Scratch::new();
    let out = s.vigie(&["demo", "--register", register.to_str().unwrap()]);
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout.contains("2024 : 749 signalements"),
        "{}",
        out.stdout
    );
    // Refreshing the demo keeps the same data, without duplicates.
    let again = s.vigie(&["demo", "--register", register.to_str().unwrap()]);
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again.stdout.contains("2024 : 749 signalements"),
        "{}",
        again.stdout
    );
    assert!(
        again.stdout.contains("2023 : 581 signalements"),
        "{}",
        again.stdout
    );

    let f1 = figure(&s, 1);
    let c = |k: &str| f1[k].0;
    assert_eq!(f1["declarations"], (749, 581));
    assert_eq!(
        (c("malicious"), c("non_malicious"), c("out_of_scope")),
        (328, 399, 22)
    );
    assert_eq!(c("support_requested"), 162);
    assert_eq!((c("technical_support"), c("false_positive")), (75, 8));
    assert_eq!(c("structures"), 558);
    assert_eq!((c("structures_gt2"), c("structures_ge4")), (29, 15));
    assert_eq!(c("ose_structures"), 77);
    assert_eq!(c("structures_unanswered"), 32);
    assert_eq!(c("care_impact"), 230);
    assert_eq!(pct(c("care_impact"), 749), 31);
    assert_eq!(c("patient_danger"), 59);

    let f3 = figure(&s, 3);
    let total: i64 = f3.values().map(|v| v.0).sum();
    assert_eq!(total, 749);
    assert_eq!((total as f64 / 12.0).round() as i64, 62);

    let f4 = figure(&s, 4);
    assert_eq!(pct(f4["ho_jo"].0, 749), 85);
    assert!(f4["jo_1800_1829"].0 > f4["jo_2000_0859"].0);

    assert_eq!(pct(figure(&s, 5)["needs_cert"].0, 749), 31);

    let f6 = figure(&s, 6);
    assert_eq!((f6["76"].0, f6["11"].0, f6["32"].0), (92, 91, 83));
    for (code, n) in [
        ("02", 6),
        ("03", 3),
        ("04", 4),
        ("01", 2),
        ("975", 1),
        ("06", 0),
        ("977", 0),
        ("978", 0),
        ("984", 0),
        ("986", 0),
        ("987", 0),
        ("988", 0),
    ] {
        assert_eq!(f6[code].0, n, "region {code}");
    }
    let mut metro: Vec<(i64, &str)> = f6
        .iter()
        .filter(|(k, _)| k.len() == 2 && k.as_str() > "10")
        .map(|(k, v)| (v.0, k.as_str()))
        .collect();
    metro.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(&metro[..3], &[(92, "76"), (91, "11"), (83, "32")]);

    let f7 = figure(&s, 7);
    let mut index: Vec<(i64, &str)> = f7.iter().map(|(k, v)| (v.0, k.as_str())).collect();
    index.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(index[0], (100, "52"), "{index:?}");
    assert_eq!((index[1].1, index[2].1), ("28", "27"), "{index:?}");

    let f8 = figure(&s, 8);
    let es: i64 = ["es_public", "es_prive", "espic", "army_hospital"]
        .iter()
        .map(|k| f8[*k].0)
        .sum();
    assert_eq!(pct(es, 749), 77);

    let f10 = figure(&s, 10);
    assert_eq!(pct(f10["none"].0, 749), 24);

    let f11 = figure(&s, 11);
    let kinds = [
        "health_personal",
        "personal_other",
        "technical_sensitive",
        "confidential",
    ];
    let mentions: i64 = kinds.iter().map(|k| f11[*k].0).sum();
    let shares: Vec<i64> = kinds.iter().map(|k| pct(f11[*k].0, mentions)).collect();
    assert_eq!(shares, [55, 31, 6, 8]);

    let f12 = figure(&s, 12);
    assert_eq!((f12["potential"].0, f12["actual"].0), (56, 3));

    let f14 = figure(&s, 14);
    assert_eq!(f14["ransomware"].0, 40);
    let reach: Vec<i64> = ["multi_server", "single_server", "workstation", "provider"]
        .iter()
        .map(|r| f14[&format!("ransomware_reach.{r}")].0)
        .collect();
    assert_eq!(reach, [4, 18, 16, 2]);
    assert_eq!(pct(f14["multi_category"].0, 328), 42);

    let f19 = figure(&s, 19);
    assert_eq!(pct(f19["infra_failure"].0, 399), 38);
    assert_eq!(pct(f19["telecom_loss"].0, 399), 34);
    assert_eq!(pct(f19["app_bug"].0, 399), 14);
    assert_eq!(
        pct(f19["infra_failure.provider"].0, f19["infra_failure"].0),
        59
    );

    // 12 of the 22 out-of-scope declarations are crisis exercises.
    let export = s.vigie(&["export", "incidents", "--year", "2024"]);
    assert_eq!(
        export
            .stdout
            .matches(r#""out_of_scope_reason":"exercise""#)
            .count(),
        12
    );

    // The yearly report reads the same numbers, with its charts and notable events.
    let report = s.path("rapport-2024.html");
    let out = s.vigie(&[
        "report",
        "--year",
        "2024",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(out.ok, "{}", out.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("<span class=\"value\">749</span> <span class=\"label\">Signalements</span>")
    );
    assert!(html.contains("<span class=\"value\">558</span>"));
    assert_eq!(html.matches("<svg").count(), 18);
    assert!(html.contains("CrowdStrike"));
    // The demo analysts' texts and the threat timeline (figure 17).
    assert!(html.contains("<em>Texte de démonstration.</em> L&#39;année 2024"));
    assert!(html.contains("<time datetime=\"2024-04-12\">12 avril 2024</time>"));
    assert!(html.contains("<code>CVE-2024-3400</code>"));
    // Refreshing the demo keeps one timeline, not two.
    let again = s.vigie(&["demo", "--register", register.to_str().unwrap()]);
    assert!(again.ok, "{}", again.stderr);
    let out = s.vigie(&[
        "report",
        "--year",
        "2024",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(out.ok, "{}", out.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert_eq!(html.matches("CVE-2024-3400").count(), 1);
    // And as a PDF.
    let pdf = s.path("rapport-2024.pdf");
    let out = s.vigie(&[
        "report",
        "--year",
        "2024",
        "--format",
        "pdf",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(out.ok, "{}", out.stderr);
    let pdf = std::fs::read(&pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.trim_ascii_end().ends_with(b"%%EOF"));
    // The demo published 2024 already: publishing it again is asked for by name.
    let out = s.vigie(&["publish", "--year", "2024"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("--again"), "{}", out.stderr);
    let out = s.vigie(&["publish", "--year", "2024", "--again"]);
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("édition 2"), "{}", out.stdout);
    assert!(out.stdout.contains("/donnees/2024"));
    // A year not ended, or a threshold below 3, is refused unless forced.
    let out = s.vigie(&["publish", "--year", "2099"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("has not ended"), "{}", out.stderr);
    let out = s.vigie(&["publish", "--year", "2022", "--threshold", "2"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("threshold of 2"), "{}", out.stderr);
}

/// A plain clone runs the demo from any directory, without `--register`: the register,
/// activity and regions shipped in the binary are the default, and the demo's ended
/// years are published as open data with `vigie publish`'s default threshold.
#[tokio::test]
async fn the_demo_runs_from_any_directory_and_publishes_its_ended_years() {
    let elsewhere = tempfile::tempdir().unwrap();
    let demo = || {
        run(Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(elsewhere.path())
            .env_remove("VIGIE_DATABASE_URL")
            .args(["--db", "sqlite:demo.db", "demo"]))
    };
    let out = demo();
    assert!(out.ok, "{}", out.stderr);
    for line in [
        "2024 : 749 signalements",
        "2023 : 581 signalements",
        "3975 établissements du répertoire (DREES, SAE 2023, copie livrée avec Vigie), 18 parts régionales d'activité",
        "Observatoire publié en données ouvertes : 2023, 2024 (/donnees)",
    ] {
        assert!(out.stdout.contains(line), "{line}\n{}", out.stdout);
    }
    let db = elsewhere.path().join("demo.db");
    assert!(db.exists(), "{}", db.display());

    let store = vigie_store::Store::open(&format!("sqlite:{}", db.display()))
        .await
        .unwrap();
    let published = vigie_publication::years(&store).await.unwrap();
    let years: Vec<(i16, u32)> = published.iter().map(|p| (p.year, p.threshold)).collect();
    assert_eq!(years, [(2024, 5), (2023, 5)]);
    // Every public file is frozen, the report in PDF included.
    let files = vigie_publication::files(&store, 2024).await.unwrap();
    for name in ["observatoire.json", "figure-6.csv", "rapport.html", "rapport.pdf"] {
        assert!(files.iter().any(|(n, _)| n == name), "{name}: {files:?}");
    }
    let holdings = store.holdings().await.unwrap();
    assert_eq!(
        (
            holdings.establishments,
            holdings.activity_shares,
            holdings.regions
        ),
        (3975, 18, 18)
    );
    store.close().await;

    // A refreshed demo keeps its publications as they were.
    let again = demo();
    assert!(again.ok, "{}", again.stderr);
    let store = vigie_store::Store::open(&format!("sqlite:{}", db.display()))
        .await
        .unwrap();
    let kept = vigie_publication::years(&store).await.unwrap();
    assert_eq!(
        kept.iter().map(|p| (p.year, p.at)).collect::<Vec<_>>(),
        published.iter().map(|p| (p.year, p.at)).collect::<Vec<_>>()
    );
    store.close().await;

    // What a visitor reads first: the 2024 figures of the open data, through the CLI.
    let s = elsewhere.path().display().to_string();
    let stats = run(Command::new(env!("CARGO_BIN_EXE_vigie"))
        .current_dir(&s)
        .args([
            "--db",
            "sqlite:demo.db",
            "stats",
            "--year",
            "2024",
            "--figure",
            "1",
            "--format",
            "csv",
        ]));
    assert!(stats.ok, "{}", stats.stderr);
    assert!(
        stats.stdout.contains("declarations,749,581"),
        "{}",
        stats.stdout
    );
}
