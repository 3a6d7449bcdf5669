//! Deterministic generator of valid incidents, written as v1 JSON Lines.
//!
//! Incidents are generated in chunks of [`CHUNK`] lines, each from its own `fastrand`
//! generator seeded by the chunk's number, so the output is the same whatever the number
//! of worker threads. A pool of [`STRUCTURES`] structures (valid FINESS numbers, every
//! region, type, legal status, OSE or not) declares them, a few structures much more
//! often than the others. Every field of the schema is exercised.

use std::{
    fs::{self, File},
    io::{BufWriter, Read, Write},
    num::NonZeroUsize,
    path::Path,
    sync::mpsc,
    thread,
};

use anyhow::Context as _;
use indicatif::ProgressBar;
use jiff::{Timestamp, civil::Date, tz::Offset};
use vigie_model::calendar;
use vigie_model::{
    CareImpact, Category, Channel, Code, CodeSet, DataImpact, DataImpactCode, DataKind, DateTime,
    DegradedHours, Finess, Handling, Incident, InfraSide, LegalStatus, Origin, OutOfScopeReason,
    PatientDanger, Qualification, RansomwareReach, Region, StateAtDeclaration, Structure,
    StructureType, interchange::v1, text::BoundedText,
};

use crate::progress;

/// The year the figures are computed for; most incidents fall in it.
pub const MEASURED_YEAR: i16 = 2024;

/// Paris years of the generated incidents, with their relative weights.
const YEARS: [(i16, u32); 6] = [
    (2019, 4),
    (2020, 6),
    (2021, 8),
    (2022, 10),
    (2023, 14),
    (MEASURED_YEAR, 58),
];

/// Number of declaring structures.
pub const STRUCTURES: usize = 5_000;

/// Incidents generated from one seeded generator.
const CHUNK: u64 = 1 << 14;

/// Each metropolitan region's share of national hospital activity (figure 7), in
/// arbitrary units (only ratios matter); also weights the regions of the structures.
pub const SHARES: [(Region, u64); 13] = [
    (Region::IleDeFrance, 183),
    (Region::CentreValDeLoire, 35),
    (Region::BourgogneFrancheComte, 42),
    (Region::Normandie, 49),
    (Region::HautsDeFrance, 93),
    (Region::GrandEst, 88),
    (Region::PaysDeLaLoire, 56),
    (Region::Bretagne, 52),
    (Region::NouvelleAquitaine, 95),
    (Region::Occitanie, 90),
    (Region::AuvergneRhoneAlpes, 122),
    (Region::ProvenceAlpesCoteDAzur, 82),
    (Region::Corse, 5),
];

/// The first two characters of the FINESS numbers of a region's departments.
fn departments(region: Region) -> &'static [&'static str] {
    use Region::*;
    match region {
        IleDeFrance => &["75", "77", "78", "91", "92", "93", "94", "95"],
        CentreValDeLoire => &["18", "28", "36", "37", "41", "45"],
        BourgogneFrancheComte => &["21", "25", "39", "58", "70", "71", "89", "90"],
        Normandie => &["14", "27", "50", "61", "76"],
        HautsDeFrance => &["02", "59", "60", "62", "80"],
        GrandEst => &["08", "10", "51", "54", "57", "67", "68", "88"],
        PaysDeLaLoire => &["44", "49", "53", "72", "85"],
        Bretagne => &["22", "29", "35", "56"],
        NouvelleAquitaine => &["16", "17", "33", "64", "86", "87"],
        Occitanie => &["09", "11", "31", "34", "66"],
        AuvergneRhoneAlpes => &["01", "03", "38", "42", "63", "69"],
        ProvenceAlpesCoteDAzur => &["04", "06", "13", "83", "84"],
        Corse => &["2A", "2B"],
        Taaf | WallisEtFutuna | PolynesieFrancaise | NouvelleCaledonie => &["98"],
        _ => &["97"],
    }
}

/// Towns used in names, accents included so that JSON escapes and UTF-8 are exercised.
pub const TOWNS: [&str; 12] = [
    "Saint-Étienne",
    "Besançon",
    "Orléans",
    "Nîmes",
    "Périgueux",
    "Châlons",
    "Béziers",
    "Lyon",
    "Lille",
    "Rennes",
    "Ajaccio",
    "Pointe-à-Pitre",
];

/// Offsets the declarations are written in, in seconds (the instant is what counts).
const OFFSETS: [i32; 6] = [0, 3_600, 7_200, -4 * 3_600, 19_800, 36_000];

/// Picks an index by weight.
fn weighted(rng: &mut fastrand::Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.u32(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Picks one value of a slice.
fn pick<T: Copy>(rng: &mut fastrand::Rng, values: &[T]) -> T {
    values[rng.usize(0..values.len())]
}

/// A set of `min..=max` distinct values of `values`.
fn some_of<T: Code>(rng: &mut fastrand::Rng, values: &[T], min: u32, max: u32) -> CodeSet<T> {
    let want = rng.u32(min..=max).min(values.len() as u32);
    let mut set = CodeSet::empty();
    while set.len() < want {
        set.insert(pick(rng, values));
    }
    set
}

fn text<const MIN: usize, const MAX: usize>(s: String) -> BoundedText<MIN, MAX> {
    // Generated texts are short and never empty.
    BoundedText::parse(s).expect("generated text within bounds")
}

/// The pool of declaring structures, all distinct by FINESS number.
pub fn structures(seed: u64) -> Vec<Structure> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let region_weights: Vec<u32> = Region::ALL
        .iter()
        .map(|r| {
            SHARES
                .iter()
                .find(|(s, _)| s == r)
                .map_or(if r.code().len() == 2 { 4 } else { 1 }, |&(_, w)| w as u32)
        })
        .collect();
    let kind_weights = [25, 15, 8, 15, 15, 8, 3, 1, 2, 5, 3];
    let mut seen = std::collections::HashSet::new();
    let mut pool = Vec::with_capacity(STRUCTURES);
    while pool.len() < STRUCTURES {
        let region = Region::ALL[weighted(&mut rng, &region_weights)];
        let first8 = format!(
            "{}{:06}",
            pick(&mut rng, departments(region)),
            rng.u32(0..1_000_000)
        );
        let finess = Finess::with_check_digit(&first8).expect("generated FINESS is valid");
        if !seen.insert(finess) {
            continue;
        }
        let kind = StructureType::ALL[weighted(&mut rng, &kind_weights)];
        use StructureType as T;
        let legal_status = match kind {
            T::EsPublic | T::ArmyHospital | T::Grades => LegalStatus::Public,
            T::EsPrive | T::Lab | T::Radiotherapy if rng.u8(0..10) < 9 => {
                LegalStatus::PrivateForProfit
            }
            T::Espic => LegalStatus::PrivateNonProfit,
            _ => pick(&mut rng, LegalStatus::ALL),
        };
        let prefix = match kind {
            T::EsPublic => "Centre hospitalier",
            T::EsPrive => "Clinique",
            T::Espic => "Hôpital privé d'intérêt collectif",
            T::Esms => "Établissement médico-social",
            T::Ehpad => "EHPAD « Les Tilleuls »",
            T::Lab => "Laboratoire de biologie",
            T::Radiotherapy => "Centre de radiothérapie",
            T::ArmyHospital => "Hôpital d'instruction des armées",
            T::Grades => "GRADeS",
            T::Provider => "Éditeur \"SIH\" & fils",
            T::Other => "Structure",
        };
        let town = pick(&mut rng, &TOWNS);
        let ght = (kind == T::EsPublic && rng.bool()).then(|| text(format!("GHT {town}")));
        pool.push(Structure {
            finess,
            name: text(format!("{prefix} de {town} n°{}", pool.len() + 1)),
            kind,
            legal_status,
            region,
            ose: rng.u8(0..10) == 0,
            ght,
        });
    }
    pool
}

/// Generates incidents from a pool of structures.
struct Generator {
    structures: Vec<Structure>,
    /// Unix seconds of 1 January, 00:00 in Paris, of each year of [`YEARS`] and the next.
    bounds: Vec<(i64, i64)>,
    year_weights: Vec<u32>,
    seed: u64,
}

impl Generator {
    fn new(seed: u64) -> anyhow::Result<Generator> {
        let start = |year: i16| -> anyhow::Result<i64> {
            Ok(Date::new(year, 1, 1)?
                .to_zoned_datetime(calendar::paris().clone())?
                .timestamp()
                .as_second())
        };
        let bounds = YEARS
            .iter()
            .map(|&(y, _)| Ok((start(y)?, start(y + 1)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Generator {
            structures: structures(seed),
            bounds,
            year_weights: YEARS.iter().map(|&(_, w)| w).collect(),
            seed,
        })
    }

    /// The lines of chunk `chunk` (incidents `chunk * CHUNK ..`, at most `total`).
    fn chunk(&self, chunk: u64, total: u64) -> String {
        let mut rng =
            fastrand::Rng::with_seed(self.seed ^ (chunk + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let first = chunk * CHUNK;
        let last = (first + CHUNK).min(total);
        let mut out = String::with_capacity((last - first) as usize * 720);
        for n in first..last {
            out.push_str(&v1::to_line(&self.incident(&mut rng, n)));
            out.push('\n');
        }
        out
    }

    fn incident(&self, rng: &mut fastrand::Rng, n: u64) -> Incident {
        // A few structures declare much more often than the others.
        let u = rng.f64();
        let structure = self.structures[((u * u * u) * STRUCTURES as f64) as usize].clone();
        let (lo, hi) = self.bounds[weighted(rng, &self.year_weights)];
        let offset = Offset::from_seconds(pick(rng, &OFFSETS)).unwrap_or(Offset::UTC);
        let at = |s: i64| {
            Timestamp::from_second(s)
                .ok()
                .and_then(|t| DateTime::new(t, offset))
                .expect("generated dates are in range")
        };
        let declared = rng.i64(lo..hi);
        let detected_at = (rng.u8(0..10) < 7).then(|| at(declared - rng.i64(60..=5 * 86_400)));
        let care_impact = CareImpact::ALL[weighted(rng, &[60, 30, 10])];
        let degraded_hours = (care_impact != CareImpact::None && rng.u8(0..10) < 7)
            .then(|| DegradedHours::new(f64::from(rng.u32(1..4_000)) / 4.0))
            .flatten();
        let data_impact = if rng.bool() {
            DataImpact::NONE
        } else {
            use DataImpactCode as I;
            let hit = [I::Unavailable, I::Disclosed, I::Altered, I::Destroyed];
            DataImpact::new(some_of(rng, &hit, 1, 3), some_of(rng, DataKind::ALL, 0, 3))
                .expect("generated data impact is consistent")
        };
        let qualification = (rng.u8(0..100) < 85).then(|| self.qualification(rng));
        let complements_requested = rng.u8(0..100) < 15;
        let title = (rng.u8(0..10) < 8).then(|| text(format!("Incident n°{n} — à qualifier")));
        let description = (rng.u8(0..10) < 3).then(|| {
            text(format!(
                "Détails : \"{}\" signalé par l'équipe SI.\nDeuxième ligne\tavec tabulation.",
                structure.name.as_str()
            ))
        });
        Incident {
            reference: Some(text(format!("BENCH-{n:010}"))),
            declared_at: at(declared),
            detected_at,
            channel: Channel::ALL[weighted(rng, &[80, 10, 10])],
            structure,
            state_at_declaration: pick(rng, StateAtDeclaration::ALL),
            support_requested: rng.u8(0..10) < 4,
            care_impact,
            degraded_hours,
            data_impact,
            patient_danger: PatientDanger::ALL[weighted(rng, &[80, 15, 5])],
            title,
            description,
            qualification,
            handling: Handling {
                technical_support: rng.u8(0..10) < 2,
                false_positive: rng.u8(0..100) < 5,
                complements_requested,
                complements_received: complements_requested && rng.u8(0..10) < 6,
            },
        }
    }

    fn qualification(&self, rng: &mut fastrand::Rng) -> Qualification {
        let origin = Origin::ALL[weighted(rng, &[45, 45, 10])];
        let mut reach = None;
        let mut side = None;
        let mut reason = None;
        let categories = match origin {
            Origin::Malicious => {
                let malicious: Vec<_> = Category::of_origin(origin).collect();
                let set = some_of(rng, &malicious, 0, 3);
                if set.contains(Category::Ransomware) && rng.u8(0..10) < 8 {
                    reach = Some(pick(rng, RansomwareReach::ALL));
                }
                set
            }
            Origin::NonMalicious => {
                let non_malicious: Vec<_> = Category::of_origin(origin).collect();
                let set = some_of(rng, &non_malicious, 0, 2);
                if set.contains(Category::InfraFailure) && rng.u8(0..10) < 8 {
                    side = Some(pick(rng, InfraSide::ALL));
                }
                set
            }
            Origin::OutOfScope => {
                if rng.u8(0..10) < 7 {
                    reason = Some(pick(rng, OutOfScopeReason::ALL));
                }
                CodeSet::empty()
            }
        };
        let event = (rng.u8(0..100) < 5).then(|| text(format!("Campagne {}", rng.u8(1..20))));
        Qualification::new(origin, categories, reach, side, reason, event)
            .expect("generated qualification is consistent")
    }
}

/// Number of lines of a file, or `None` when it does not exist.
fn count_lines(path: &Path) -> anyhow::Result<Option<u64>> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let bar = progress::bytes(file.metadata()?.len(), "counting lines");
    let mut buf = vec![0u8; 1 << 22];
    let mut lines = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Ok(Some(lines))
}

/// Version of the generator's output: raised whenever a change of this module changes
/// the lines it writes, so that files generated before are not taken for the new ones.
const GENERATOR: u32 = 1;

/// What a generated file holds, written beside it once it is whole (`FILE.meta.json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// Incidents (lines) in the file.
    pub lines: u64,
    /// Seed of the generator.
    pub seed: u64,
    /// Length of the file.
    pub bytes: u64,
    /// [`GENERATOR`] when it was written.
    pub generator: u32,
}

/// The sidecar of a generated file (or of a database imported from one).
pub fn meta_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".meta.json");
    name.into()
}

/// The sidecar `FILE.meta.json` of `path`, if it exists and can be read.
pub fn read_meta(path: &Path) -> Option<Meta> {
    let text = fs::read_to_string(meta_path(path)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the sidecar of `path`.
pub fn write_meta(path: &Path, meta: &Meta) -> anyhow::Result<()> {
    let sidecar = meta_path(path);
    fs::write(&sidecar, serde_json::to_string(meta)?)
        .with_context(|| format!("writing {}", sidecar.display()))
}

/// Why the file at `path` is not the `n` incidents of `seed` (`None` when it is): its
/// sidecar must say so, its length must be the sidecar's, its first chunk must be what
/// the generator writes now and it must hold `n` lines.
fn mismatch(
    path: &Path,
    n: u64,
    seed: u64,
    generator: &Generator,
) -> anyhow::Result<Option<String>> {
    let Ok(metadata) = fs::metadata(path) else {
        return Ok(Some("missing".to_owned()));
    };
    let Some(meta) = read_meta(path) else {
        return Ok(Some(format!("no readable {}", meta_path(path).display())));
    };
    if (meta.lines, meta.seed, meta.generator) != (n, seed, GENERATOR) {
        return Ok(Some(format!(
            "generated for {} incidents, seed {}, generator {} (asked: {n}, seed {seed}, generator {GENERATOR})",
            meta.lines, meta.seed, meta.generator
        )));
    }
    if metadata.len() != meta.bytes {
        return Ok(Some(format!(
            "{} bytes, its sidecar says {}",
            metadata.len(),
            meta.bytes
        )));
    }
    let first = generator.chunk(0, n);
    let mut head = vec![0u8; first.len()];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .with_context(|| format!("reading {}", path.display()))?;
    if head != first.as_bytes() {
        return Ok(Some(
            "its first lines are not what the generator writes".to_owned(),
        ));
    }
    match count_lines(path)? {
        Some(lines) if lines == n => Ok(None),
        lines => Ok(Some(format!("{} lines", lines.unwrap_or(0)))),
    }
}

/// Ensures `path` holds the `n` incidents generated from `seed`, with its sidecar
/// ([`Meta`]); reuses it when it does (see [`mismatch`]), generates it again otherwise.
///
/// Returns whether the file was (re)generated.
pub fn ensure(path: &Path, n: u64, seed: u64) -> anyhow::Result<bool> {
    let generator = Generator::new(seed)?;
    match mismatch(path, n, seed, &generator)? {
        None => return Ok(false),
        Some(why) if why != "missing" => {
            eprintln!(
                "{} is not the data asked for ({why}): generating it again",
                path.display()
            );
        }
        Some(_) => {}
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let _ = fs::remove_file(meta_path(path));
    let tmp = path.with_extension("jsonl.part");
    let mut out = BufWriter::with_capacity(
        1 << 22,
        File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?,
    );
    let bar: ProgressBar = progress::count(n, "generating incidents");
    let chunks = n.div_ceil(CHUNK);
    let workers = thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .clamp(1, 4) as u64;
    thread::scope(|scope| -> anyhow::Result<()> {
        let receivers: Vec<_> = (0..workers)
            .map(|w| {
                let (tx, rx) = mpsc::sync_channel::<String>(2);
                let generator = &generator;
                scope.spawn(move || {
                    for chunk in (w..chunks).step_by(workers as usize) {
                        if tx.send(generator.chunk(chunk, n)).is_err() {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        for chunk in 0..chunks {
            let lines = receivers[(chunk % workers) as usize]
                .recv()
                .context("a generator thread stopped")?;
            out.write_all(lines.as_bytes())?;
            bar.inc(CHUNK.min(n - chunk * CHUNK));
        }
        Ok(())
    })?;
    out.flush()?;
    drop(out);
    bar.finish_and_clear();
    fs::rename(&tmp, path).with_context(|| format!("renaming {}", tmp.display()))?;
    let meta = Meta {
        lines: n,
        seed,
        bytes: fs::metadata(path)?.len(),
        generator: GENERATOR,
    };
    write_meta(path, &meta)?;
    if let Some(why) = mismatch(path, n, seed, &generator)? {
        anyhow::bail!(
            "{} was generated but is not the data asked for: {why}",
            path.display()
        );
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_parse_back_and_are_deterministic() {
        let a = Generator::new(7).unwrap();
        let b = Generator::new(7).unwrap();
        let lines = a.chunk(0, 2_000);
        assert_eq!(lines, b.chunk(0, 2_000));
        assert_eq!(lines.lines().count(), 2_000);
        for line in lines.lines() {
            let incident = v1::parse_line(line).unwrap();
            assert_eq!(v1::to_line(&incident), line);
        }
    }

    #[test]
    fn a_file_is_reused_only_when_it_holds_the_data_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("incidents-300.jsonl");
        assert!(ensure(&path, 300, 7).unwrap(), "generated");
        assert!(!ensure(&path, 300, 7).unwrap(), "reused");
        assert_eq!(read_meta(&path).unwrap().lines, 300);
        // Another seed, another size, an edited file, a missing sidecar: generated again.
        assert!(ensure(&path, 300, 8).unwrap());
        assert!(ensure(&path, 301, 8).unwrap());
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replacen("BENCH-", "BENCX-", 1)).unwrap();
        assert!(ensure(&path, 301, 8).unwrap());
        fs::remove_file(meta_path(&path)).unwrap();
        assert!(ensure(&path, 301, 8).unwrap());
        assert!(!ensure(&path, 301, 8).unwrap());
    }
}
