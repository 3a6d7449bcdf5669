//! Each region's share of national hospital activity (figure 7 of the observatory).

use std::{collections::HashMap, io::Read};

use vigie_model::{Code, Finess, Region};

use crate::{
    error::{ReadError, Table, field, read_all, shown},
    register::Establishment,
};

/// Columns of `MCO_<year>r.csv` counting stays: full hospitalisation and day cases.
const STAY_COLUMNS: [&str; 2] = ["SEJHC_MCO", "SEJHP_MCO"];

/// Each region's share of national MCO activity (medicine, surgery, obstetrics stays,
/// `SEJHC_MCO + SEJHP_MCO`, an empty cell counting 0), from the SAE table
/// `MCO_<year>r.csv` (Windows-1252, `;`) and the register that places each FINESS.
///
/// Regions with activity come in [`Code::ALL`] order; the shares sum to 1.
pub fn read_activity_from_sae(
    mco: impl Read,
    establishments: &[Establishment],
) -> Result<Vec<(Region, f64)>, ReadError> {
    let bytes = read_all(mco)?;
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let mut table = Table::new(&text, b';')?;
    let fi = table.column("FI")?;
    let stays = [
        table.column(STAY_COLUMNS[0])?,
        table.column(STAY_COLUMNS[1])?,
    ];
    let region_of: HashMap<Finess, Region> = establishments
        .iter()
        .map(|e| (e.finess, e.region))
        .collect();
    let mut totals = [0.0_f64; Region::ALL.len()];
    let mut last_line = 1;
    for record in table.records() {
        let (line, rec) = record?;
        last_line = line;
        let finess = Finess::parse(field(&rec, fi))
            .map_err(|e| ReadError::new(line, "FI", e.to_string()))?;
        let region = *region_of.get(&finess).ok_or_else(|| {
            ReadError::new(line, "FI", format!("{finess} is not in the register"))
        })?;
        for (column, name) in stays.into_iter().zip(STAY_COLUMNS) {
            let text = field(&rec, column);
            if text.is_empty() {
                continue;
            }
            let n: f64 = text
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| {
                    ReadError::new(
                        line,
                        name,
                        format!("{} is not a number of stays", shown(text)),
                    )
                })?;
            totals[usize::from(region.index())] += n;
        }
    }
    let national: f64 = totals.iter().sum();
    if national <= 0.0 {
        return Err(ReadError::new(
            last_line,
            STAY_COLUMNS[0],
            "no stay at all: shares cannot be computed",
        ));
    }
    Ok(Region::ALL
        .iter()
        .zip(totals)
        .filter(|(_, n)| *n > 0.0)
        .map(|(r, n)| (*r, n / national))
        .collect())
}

/// Reads a plain `region,share` CSV (INSEE region code, a number ≥ 0), one line per
/// region, each region at most once.
pub fn read_activity_csv(reader: impl Read) -> Result<Vec<(Region, f64)>, ReadError> {
    let bytes = read_all(reader)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ReadError::new(1, "input", "is not valid UTF-8"))?;
    let mut table = Table::new(text, b',')?;
    let header: Vec<&str> = table.header().iter().map(str::trim).collect();
    if header != ["region", "share"] {
        return Err(ReadError::new(
            1,
            "header",
            format!("must be `region,share`, got `{}`", header.join(",")),
        ));
    }
    let mut out: Vec<(Region, f64)> = Vec::new();
    for record in table.records() {
        let (line, rec) = record?;
        let code = field(&rec, 0);
        let region =
            Region::parse(code).map_err(|e| ReadError::new(line, "region", e.to_string()))?;
        if out.iter().any(|(r, _)| *r == region) {
            return Err(ReadError::new(
                line,
                "region",
                format!("{} is given twice", shown(code)),
            ));
        }
        let text = field(&rec, 1);
        let share: f64 = text
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite())
            .ok_or_else(|| {
                ReadError::new(line, "share", format!("{} is not a number", shown(text)))
            })?;
        if share < 0.0 {
            return Err(ReadError::new(
                line,
                "share",
                format!("{} is negative", shown(text)),
            ));
        }
        out.push((region, share));
    }
    Ok(out)
}
