//! Official names of regions from the INSEE Code officiel géographique (`regions.csv`).

use std::io::Read;

use vigie_model::{Code, Region};

use crate::error::{ReadError, Table, field, read_all};

/// Reads the COG `regions.csv` (`REG,…,LIBELLE`, UTF-8): each region with its official
/// label, refusing codes that are not regions Vigie knows.
pub fn read_regions(reader: impl Read) -> Result<Vec<(Region, String)>, ReadError> {
    let bytes = read_all(reader)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ReadError::new(1, "input", "is not valid UTF-8"))?;
    let mut table = Table::new(text, b',')?;
    let reg = table.column("REG")?;
    let label = table.column("LIBELLE")?;
    let mut out: Vec<(Region, String)> = Vec::new();
    for record in table.records() {
        let (line, rec) = record?;
        let region = Region::parse(field(&rec, reg))
            .map_err(|e| ReadError::new(line, "REG", e.to_string()))?;
        if out.iter().any(|(r, _)| *r == region) {
            return Err(ReadError::new(
                line,
                "REG",
                format!("{region} is given twice"),
            ));
        }
        let name = field(&rec, label);
        if name.is_empty() {
            return Err(ReadError::new(line, "LIBELLE", "is empty"));
        }
        out.push((region, name.to_owned()));
    }
    Ok(out)
}
