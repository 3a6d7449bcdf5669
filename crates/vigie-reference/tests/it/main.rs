//! Integration tests of the reference readers: the real files in place, and bad inputs.

use std::{collections::HashSet, fs::File};

use vigie_model::{Code, Region, StructureType};
use vigie_reference::{
    Establishment, read_activity_csv, read_activity_from_sae, read_establishments, read_regions,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn open(path: &str) -> File {
    File::open(format!("{DATA}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn register() -> Vec<Establishment> {
    read_establishments(open("fr-sae-2023/ID_2023r.csv")).unwrap()
}

#[test]
fn the_real_register_reads_whole() {
    let register = register();
    assert_eq!(register.len(), 3975);
    let distinct: HashSet<_> = register.iter().map(|e| e.finess).collect();
    assert_eq!(distinct.len(), 3975);
    let count = |k| register.iter().filter(|e| e.kind == k).count();
    assert_eq!(count(StructureType::EsPublic), 1428 - 9);
    assert_eq!(count(StructureType::ArmyHospital), 9);
    assert_eq!(count(StructureType::EsPrive), 1288);
    assert_eq!(count(StructureType::Espic), 1028);
    assert_eq!(count(StructureType::Other), 231);
    let first = &register[0];
    assert_eq!(first.finess.as_str(), "010000024");
    assert_eq!(first.name, "CH DE FLEYRIAT");
    assert_eq!(first.category, 355);
    assert_eq!(first.region, Region::AuvergneRhoneAlpes);
    let reunion = register.iter().filter(|e| e.department == "9D").count();
    assert_eq!(reunion, 62);
    assert!(
        register
            .iter()
            .filter(|e| e.department == "9D")
            .all(|e| e.region == Region::LaReunion)
    );
}

#[test]
fn sae_activity_shares_sum_to_one() {
    let register = register();
    let shares = read_activity_from_sae(open("fr-sae-2023/MCO_2023r.csv"), &register).unwrap();
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    assert_eq!(shares.len(), 18);
    let share = |r| {
        shares
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, s)| *s)
            .unwrap()
    };
    let pdl = share(Region::PaysDeLaLoire);
    assert!((0.05..0.06).contains(&pdl), "{pdl}");
    assert!((share(Region::IleDeFrance) - 0.1699).abs() < 1e-3);
    assert!((share(Region::Normandie) - 0.0487).abs() < 1e-3);
    // In Code::ALL order.
    let order: Vec<u8> = shares.iter().map(|(r, _)| r.index()).collect();
    assert!(order.is_sorted());
}

#[test]
fn cog_regions_read_with_their_labels() {
    let regions = read_regions(open("fr-cog/regions.csv")).unwrap();
    assert_eq!(regions.len(), 18);
    assert!(regions.contains(&(Region::IleDeFrance, "Île-de-France".to_owned())));
    assert!(regions.contains(&(Region::LaReunion, "La Réunion".to_owned())));
    assert!(regions.contains(&(Region::Corse, "Corse".to_owned())));
}

#[test]
fn activity_csv_reads_good_lines() {
    let got = read_activity_csv("region,share\n52,0.051\n11,0.17\n01,0\n".as_bytes()).unwrap();
    assert_eq!(
        got,
        [
            (Region::PaysDeLaLoire, 0.051),
            (Region::IleDeFrance, 0.17),
            (Region::Guadeloupe, 0.0)
        ]
    );
}

/// Each bad input and the start of the message it must give.
#[test]
fn bad_inputs_name_line_and_field() {
    let activity: &[(&str, &str)] = &[
        (
            "region,share\n52,abc\n",
            r#"line 2, field share: "abc" is not a number"#,
        ),
        (
            "region,share\n52,0.1\n11,-0.2\n",
            r#"line 3, field share: "-0.2" is negative"#,
        ),
        (
            "region,share\n52,0.1\n52,0.2\n",
            r#"line 3, field region: "52" is given twice"#,
        ),
        (
            "region,share\n99,0.1\n",
            "line 2, field region: unknown region `99`",
        ),
        (
            "region,part\n52,0.1\n",
            "line 1, field header: must be `region,share`",
        ),
        (
            "region,share\n52,0.1\n11\n",
            "line 3, field record: has 1 fields, the header has 2",
        ),
        (
            "region,share\n52,NaN\n",
            r#"line 2, field share: "NaN" is not a number"#,
        ),
    ];
    for (input, want) in activity {
        let got = read_activity_csv(input.as_bytes()).unwrap_err().to_string();
        assert!(got.starts_with(want), "{input:?}: got {got}");
    }

    let header = "fi;rs;cat;catr;espic;reg;dep\n";
    let register: &[(&str, &str)] = &[
        (
            "010000024;CH;355;PUB2;1;84;01\n010000025;CH;355;PUB2;1;84;01\n",
            "line 3, field fi: the check digit of FINESS number 010000025 is wrong",
        ),
        (
            "010000024;CH;x55;PUB2;1;84;01\n",
            r#"line 2, field cat: "x55" is not a category code"#,
        ),
        (
            "010000024;CH;355;ABC;1;84;01\n",
            r#"line 2, field catr: "ABC" is not a PUB*"#,
        ),
        (
            "010000024;CH;355;PUB2;1;12;01\n",
            "line 2, field reg: unknown region `12`",
        ),
        (
            "010000024;CH;355;PUB2;1;84;9Z\n",
            r#"line 2, field dep: "9Z" is not a department code"#,
        ),
        (
            "010000024;;355;PUB2;1;84;01\n",
            "line 2, field rs: is empty",
        ),
    ];
    for (rows, want) in register {
        let got = read_establishments(format!("{header}{rows}").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(got.starts_with(want), "{rows:?}: got {got}");
    }
    let got = read_establishments("fi;rs;cat;catr;reg;dep\n".as_bytes()).unwrap_err();
    assert_eq!(
        got.to_string(),
        "line 1, field espic: the header has no such column"
    );

    let known =
        read_establishments(format!("{header}010000024;CH;355;PUB2;1;84;01\n").as_bytes()).unwrap();
    let mco = "FI;SEJHC_MCO;SEJHP_MCO\n010000024;10;\n010000032;5;1\n";
    let got = read_activity_from_sae(mco.as_bytes(), &known).unwrap_err();
    assert_eq!(
        got.to_string(),
        "line 3, field FI: 010000032 is not in the register"
    );
    let mco = "FI;SEJHC_MCO;SEJHP_MCO\n010000024;10;x\n";
    let got = read_activity_from_sae(mco.as_bytes(), &known).unwrap_err();
    assert_eq!(
        got.to_string(),
        r#"line 2, field SEJHP_MCO: "x" is not a number of stays"#
    );
    let mco = "FI;SEJHC_MCO;SEJHP_MCO\n010000024;10;\n";
    let got = read_activity_from_sae(mco.as_bytes(), &known).unwrap();
    assert_eq!(got, [(Region::AuvergneRhoneAlpes, 1.0)]);

    let cog = "REG,CHEFLIEU,LIBELLE\n11,75056,Île-de-France\n05,97,Nulle part\n";
    let got = read_regions(cog.as_bytes()).unwrap_err().to_string();
    assert!(
        got.starts_with("line 3, field REG: unknown region `05`"),
        "{got}"
    );
}

/// The copy shipped with Vigie reads alone, and gives exactly what the original files
/// give: trimming the columns lost nothing Vigie reads.
#[test]
fn the_shipped_copy_reads_as_the_original_files() {
    use vigie_reference::embedded;
    let shipped = embedded::register().unwrap();
    assert_eq!(shipped.len(), 3975);
    let shares = embedded::activity(&shipped).unwrap();
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    let regions = embedded::regions().unwrap();
    assert_eq!(regions.len(), 18);
    assert!(regions.contains(&(Region::Occitanie, "Occitanie".to_owned())));
    // Far smaller than the originals (1.2 MB for the two SAE tables).
    assert!(embedded::SAE_ID.len() + embedded::SAE_MCO.len() < 300_000);

    if !std::path::Path::new(DATA).exists() {
        eprintln!("SKIP shipped copy against the originals: {DATA} is not there");
        return;
    }
    assert_eq!(shipped, register());
    let original = read_activity_from_sae(open("fr-sae-2023/MCO_2023r.csv"), &shipped).unwrap();
    assert_eq!(shares, original);
    assert_eq!(regions, read_regions(open("fr-cog/regions.csv")).unwrap());
}
