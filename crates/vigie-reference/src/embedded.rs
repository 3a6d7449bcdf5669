//! The reference data shipped with Vigie (`data/reference/` of the repository), embedded
//! in the binary: the default wherever no newer file is given, so that Vigie needs no
//! folder beside it to run.
//!
//! Each folder of `data/reference/` has a `SOURCE.md` naming its origin, the commit it was
//! copied from, its licence (Licence Ouverte) and what was kept.

use vigie_model::Region;

use crate::{Establishment, ReadError, read_activity_from_sae, read_establishments, read_regions};

/// The SAE identification table `ID_2023r.csv`, trimmed to the columns the register reads.
pub const SAE_ID: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/reference/fr-sae-2023/ID_2023r.csv"
));

/// The SAE activity table `MCO_2023r.csv`, trimmed to `FI`, `SEJHC_MCO` and `SEJHP_MCO`.
pub const SAE_MCO: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/reference/fr-sae-2023/MCO_2023r.csv"
));

/// The INSEE COG `regions.csv`, trimmed to `REG` and `LIBELLE`.
pub const COG_REGIONS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/reference/fr-cog/regions.csv"
));

/// The source of the shipped register, named as the licence asks.
pub const REGISTER_SOURCE: &str = "DREES, SAE 2023";

/// The source of the shipped region names.
pub const REGIONS_SOURCE: &str = "INSEE, COG 2023";

/// The establishments of the shipped register (DREES SAE 2023).
pub fn register() -> Result<Vec<Establishment>, ReadError> {
    read_establishments(SAE_ID)
}

/// Each region's share of national MCO activity, from the shipped SAE 2023 tables.
pub fn activity(establishments: &[Establishment]) -> Result<Vec<(Region, f64)>, ReadError> {
    read_activity_from_sae(SAE_MCO, establishments)
}

/// The official names of the 18 regions, from the shipped COG.
pub fn regions() -> Result<Vec<(Region, String)>, ReadError> {
    read_regions(COG_REGIONS)
}
