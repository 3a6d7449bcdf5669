//! Pseudonymised structures: the kind, legal status, region and department of real
//! establishments, under a made-up name and a synthetic FINESS number.

use std::collections::{BTreeMap, HashSet};

use fastrand::Rng;
use vigie_model::{
    Finess, LegalStatus, Region, Structure, StructureType, structure::StructureName,
};
use vigie_reference::Establishment;

use crate::plan::Plan;

/// The demo's structures, shared by every year so that a structure keeps its identity.
pub(crate) struct Pool<'a> {
    register: &'a [Establishment],
    /// FINESS numbers that must not be issued: the register's and those already issued.
    taken: HashSet<Finess>,
    /// Register entries by region and type.
    by_place: BTreeMap<(Region, StructureType), Vec<usize>>,
    /// Departments of each region, as the register writes them.
    departments: BTreeMap<Region, Vec<String>>,
    /// The demo structure standing for each register entry already used.
    pseudonyms: BTreeMap<usize, Structure>,
    serial: u32,
}

/// Types taken from the register; the others are synthesized.
fn from_register(kind: StructureType) -> bool {
    use StructureType as S;
    matches!(
        kind,
        S::EsPublic | S::EsPrive | S::Espic | S::ArmyHospital | S::Other
    )
}

/// Department codes of regions the register may lack (FINESS codes for overseas).
fn fallback_department(region: Region) -> &'static str {
    use Region as R;
    match region {
        R::Guadeloupe => "9A",
        R::Martinique => "9B",
        R::Guyane => "9C",
        R::LaReunion => "9D",
        R::SaintPierreEtMiquelon => "9E",
        R::Mayotte => "9F",
        R::SaintBarthelemy => "977",
        R::SaintMartin => "978",
        R::Taaf => "984",
        R::WallisEtFutuna => "986",
        R::PolynesieFrancaise => "987",
        R::NouvelleCaledonie => "988",
        R::IleDeFrance => "75",
        R::CentreValDeLoire => "45",
        R::BourgogneFrancheComte => "21",
        R::Normandie => "76",
        R::HautsDeFrance => "59",
        R::GrandEst => "67",
        R::PaysDeLaLoire => "44",
        R::Bretagne => "35",
        R::NouvelleAquitaine => "33",
        R::Occitanie => "31",
        R::AuvergneRhoneAlpes => "69",
        R::ProvenceAlpesCoteDAzur => "13",
        R::Corse => "2A",
    }
}

/// The first 2 characters of the FINESS numbers of a department.
fn finess_prefix(department: &str) -> &str {
    match department {
        d if d.len() == 3 => &d[..2],
        d if d.starts_with('9') && d.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic) => "97",
        d => &d[..2.min(d.len())],
    }
}

/// A French name for a structure of this type, with a serial number.
fn name(kind: StructureType, serial: u32, rng: &mut Rng) -> String {
    use StructureType as S;
    let base = match kind {
        S::EsPublic => *pick(
            rng,
            &["Centre hospitalier", "Centre hospitalier", "Hôpital local"],
        ),
        S::EsPrive => *pick(rng, &["Clinique", "Polyclinique", "Hôpital privé"]),
        S::Espic => *pick(
            rng,
            &[
                "Centre hospitalier privé d'intérêt collectif",
                "Centre de lutte contre le cancer",
            ],
        ),
        S::ArmyHospital => "Hôpital d'instruction des armées",
        S::Esms => *pick(
            rng,
            &[
                "Institut médico-éducatif",
                "Maison d'accueil spécialisée",
                "Foyer d'accueil médicalisé",
                "Service de soins infirmiers à domicile",
            ],
        ),
        S::Ehpad => "EHPAD",
        S::Lab => "Laboratoire de biologie médicale",
        S::Radiotherapy => "Centre de radiothérapie",
        S::Grades => "GRADeS",
        S::Provider => *pick(
            rng,
            &[
                "Éditeur de logiciels",
                "Hébergeur de données de santé",
                "Prestataire informatique",
            ],
        ),
        S::Other => *pick(
            rng,
            &[
                "Centre de dialyse",
                "Centre de soins de suite",
                "Hospitalisation à domicile",
            ],
        ),
    };
    format!("{base} Démo {serial:04}")
}

/// One element of a non-empty slice.
pub(crate) fn pick<'t, T>(rng: &mut Rng, items: &'t [T]) -> &'t T {
    &items[rng.usize(..items.len())]
}

impl<'a> Pool<'a> {
    /// Indexes the register.
    pub(crate) fn new(register: &'a [Establishment]) -> Self {
        let mut by_place: BTreeMap<(Region, StructureType), Vec<usize>> = BTreeMap::new();
        let mut departments: BTreeMap<Region, Vec<String>> = BTreeMap::new();
        for (i, e) in register.iter().enumerate() {
            by_place.entry((e.region, e.kind)).or_default().push(i);
            let deps = departments.entry(e.region).or_default();
            if !deps.contains(&e.department)
                && Region::of_department(&e.department) == Some(e.region)
            {
                deps.push(e.department.clone());
            }
        }
        Self {
            register,
            taken: register.iter().map(|e| e.finess).collect(),
            by_place,
            departments,
            pseudonyms: BTreeMap::new(),
            serial: 0,
        }
    }

    /// A FINESS number of this department that is neither in the register nor issued.
    fn fresh_finess(&mut self, rng: &mut Rng, department: &str) -> Finess {
        let prefix = finess_prefix(department);
        loop {
            let first8 = format!("{prefix}{:06}", rng.u32(..1_000_000));
            if let Ok(finess) = Finess::with_check_digit(&first8)
                && self.taken.insert(finess)
            {
                return finess;
            }
        }
    }

    fn structure(
        &mut self,
        rng: &mut Rng,
        kind: StructureType,
        legal_status: LegalStatus,
        region: Region,
        department: &str,
    ) -> Structure {
        self.serial += 1;
        let name = name(kind, self.serial, rng);
        Structure {
            finess: self.fresh_finess(rng, department),
            name: StructureName::parse(name).expect("a short name"),
            kind,
            legal_status,
            region,
            ose: false,
            ght: None,
        }
    }

    /// The demo structure standing for register entry `i` (the same one every year).
    fn pseudonym(&mut self, rng: &mut Rng, i: usize) -> Structure {
        if let Some(s) = self.pseudonyms.get(&i) {
            return s.clone();
        }
        let e = &self.register[i];
        let (kind, status, region, dep) = (e.kind, e.legal_status, e.region, e.department.clone());
        let s = self.structure(rng, kind, status, region, &dep);
        self.pseudonyms.insert(i, s.clone());
        s
    }

    /// A structure that is not in the register (ESMS, EHPAD, labs, providers…).
    fn synthesize(&mut self, rng: &mut Rng, kind: StructureType, region: Region) -> Structure {
        use LegalStatus as L;
        use StructureType as S;
        let status = match kind {
            S::EsPublic | S::ArmyHospital | S::Grades => L::Public,
            S::Esms => *pick(rng, &[L::Public, L::PrivateNonProfit, L::PrivateNonProfit]),
            S::Ehpad => *pick(
                rng,
                &[
                    L::Public,
                    L::Public,
                    L::PrivateNonProfit,
                    L::PrivateForProfit,
                ],
            ),
            S::Espic | S::Other => L::PrivateNonProfit,
            S::EsPrive | S::Lab | S::Radiotherapy | S::Provider => L::PrivateForProfit,
        };
        let department = match self.departments.get(&region) {
            Some(deps) if !deps.is_empty() => pick(rng, deps).clone(),
            _ => fallback_department(region).to_owned(),
        };
        self.structure(rng, kind, status, region, &department)
    }

    /// Marks a structure as an OSE for this and later years.
    pub(crate) fn set_ose(&mut self, finess: Finess) {
        for s in self.pseudonyms.values_mut() {
            if s.finess == finess {
                s.ose = true;
            }
        }
    }

    /// The declaring structures of a year, each with its number of declarations, meeting
    /// the plan's counts by region, by type and by number of declarations.
    pub(crate) fn year(&mut self, rng: &mut Rng, plan: &Plan) -> Vec<(Structure, usize)> {
        // How many declarations each structure makes, and its type.
        let mut left: Vec<(StructureType, usize)> = plan.kinds.clone();
        let take = |kind: StructureType, n: usize, left: &mut Vec<(StructureType, usize)>| {
            let slot = left
                .iter_mut()
                .find(|(k, _)| *k == kind)
                .expect("a planned type");
            slot.1 = slot
                .1
                .checked_sub(n)
                .expect("the heavy declarants fit the types");
        };
        let mut shapes: Vec<(usize, StructureType)> = plan.heavy.clone();
        for &(n, kind) in &plan.heavy {
            take(kind, n, &mut left);
        }
        let heavy_total: usize = plan.heavy.iter().map(|(n, _)| n).sum();
        let light = plan.structures - plan.heavy.len();
        let twos = plan.total - heavy_total - light;
        for _ in 0..twos {
            let weights: Vec<usize> = left
                .iter()
                .map(|&(_, n)| if n >= 2 { n } else { 0 })
                .collect();
            let i = weighted(rng, &weights);
            let kind = left[i].0;
            take(kind, 2, &mut left);
            shapes.push((2, kind));
        }
        for &(kind, n) in &left {
            shapes.extend(std::iter::repeat_n((1, kind), n));
        }
        // Largest first; register types first, the scarcest (army) before the others.
        let rank = |k: StructureType| match k {
            StructureType::ArmyHospital => 0,
            k if from_register(k) => 1,
            _ => 2,
        };
        shapes.sort_by_key(|&(n, k)| (std::cmp::Reverse(n), rank(k)));

        let mut capacity: Vec<(Region, usize)> = plan.regions.clone();
        let mut free = self.by_place.clone();
        let mut out = Vec::with_capacity(shapes.len());
        for (n, kind) in shapes {
            let weights: Vec<usize> = capacity
                .iter()
                .map(|&(region, cap)| {
                    if cap < n {
                        0
                    } else if from_register(kind)
                        && free.get(&(region, kind)).is_none_or(Vec::is_empty)
                    {
                        cap
                    } else {
                        cap * 50
                    }
                })
                .collect();
            let r = weighted(rng, &weights);
            capacity[r].1 -= n;
            let region = capacity[r].0;
            let entry = free
                .get_mut(&(region, kind))
                .filter(|v| from_register(kind) && !v.is_empty())
                .map(|v| v.swap_remove(rng.usize(..v.len())));
            let structure = match entry {
                Some(i) => self.pseudonym(rng, i),
                None => self.synthesize(rng, kind, region),
            };
            out.push((structure, n));
        }
        out
    }
}

/// An index drawn with probability proportional to its weight (some weight is positive).
pub(crate) fn weighted(rng: &mut Rng, weights: &[usize]) -> usize {
    let sum: usize = weights.iter().sum();
    assert!(sum > 0, "nothing left to draw from");
    let mut x = rng.usize(..sum);
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    unreachable!("x < sum")
}
