//! The register of health establishments: `ID_<year>r.csv` of the DREES SAE.

use std::io::Read;

use vigie_model::{Code, Finess, LegalStatus, Region, StructureType};

use crate::error::{ReadError, Table, field, read_all, shown};

/// FINESS category of the hôpitaux d'instruction des armées.
const ARMY_HOSPITAL_CATEGORY: u16 = 114;

/// One establishment of the register (FINESS géographique).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    /// FINESS number of the site (`fi`).
    pub finess: Finess,
    /// Name as registered (`rs`).
    pub name: String,
    /// FINESS category code (`cat`, e.g. 355 for a centre hospitalier).
    pub category: u16,
    /// Kind of structure, from the legal category and the ESPIC flag.
    pub kind: StructureType,
    /// Legal status, from `catr`.
    pub legal_status: LegalStatus,
    /// Region (`reg`, INSEE code).
    pub region: Region,
    /// Department as the register writes it (`01`…`95`, `2A`, `2B`, `9A`…`9F`).
    pub department: String,
}

/// Reads the SAE identification table (`ID_2023r.csv`: Windows-1252, `;`-separated).
///
/// Mapping: `catr` PUB* is public (`es_public`, or `army_hospital` for category 114),
/// PLU* private for profit (`es_prive`), PNL* private non-profit (`espic` when `espic`
/// is 6, `other` otherwise).
pub fn read_establishments(reader: impl Read) -> Result<Vec<Establishment>, ReadError> {
    let bytes = read_all(reader)?;
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let mut table = Table::new(&text, b';')?;
    let [fi, rs, cat, catr, espic, reg, dep] =
        ["fi", "rs", "cat", "catr", "espic", "reg", "dep"].map(|c| table.column(c));
    let (fi, rs, cat, catr, espic, reg, dep) = (fi?, rs?, cat?, catr?, espic?, reg?, dep?);
    let mut out = Vec::new();
    for record in table.records() {
        let (line, rec) = record?;
        let err = |f: &str, reason: String| ReadError::new(line, f, reason);
        let finess = Finess::parse(field(&rec, fi)).map_err(|e| err("fi", e.to_string()))?;
        let name = field(&rec, rs);
        if name.is_empty() {
            return Err(err("rs", "is empty".into()));
        }
        let category_text = field(&rec, cat);
        let category: u16 = category_text.parse().map_err(|_| {
            err(
                "cat",
                format!("{} is not a category code", shown(category_text)),
            )
        })?;
        let espic_text = field(&rec, espic);
        let status_text = field(&rec, catr);
        let (legal_status, kind) = match status_text.get(..3) {
            Some("PUB") if category == ARMY_HOSPITAL_CATEGORY => {
                (LegalStatus::Public, StructureType::ArmyHospital)
            }
            Some("PUB") => (LegalStatus::Public, StructureType::EsPublic),
            Some("PLU") => (LegalStatus::PrivateForProfit, StructureType::EsPrive),
            Some("PNL") if espic_text == "6" => {
                (LegalStatus::PrivateNonProfit, StructureType::Espic)
            }
            Some("PNL") => (LegalStatus::PrivateNonProfit, StructureType::Other),
            _ => {
                return Err(err(
                    "catr",
                    format!(
                        "{} is not a PUB*, PLU* or PNL* category",
                        shown(status_text)
                    ),
                ));
            }
        };
        let region_text = field(&rec, reg);
        let region = Region::parse(region_text).map_err(|e| err("reg", e.to_string()))?;
        let department = field(&rec, dep);
        if Region::of_department(department).is_none() {
            return Err(err(
                "dep",
                format!("{} is not a department code", shown(department)),
            ));
        }
        out.push(Establishment {
            finess,
            name: name.to_owned(),
            category,
            kind,
            legal_status,
            region,
            department: department.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "fi;rs;cat;catr;espic;reg;dep\n";

    fn read(rows: &str) -> Result<Vec<Establishment>, String> {
        read_establishments(format!("{HEADER}{rows}").as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn kinds_and_statuses_follow_catr_espic_and_category() {
        let cases = [
            (
                "010000024;CH A;355;PUB2;1;84;01",
                StructureType::EsPublic,
                LegalStatus::Public,
            ),
            (
                "130786742;HIA B;114;PUB9;1;93;13",
                StructureType::ArmyHospital,
                LegalStatus::Public,
            ),
            (
                "010000032;CLIN C;365;PLU4;0;84;01",
                StructureType::EsPrive,
                LegalStatus::PrivateForProfit,
            ),
            (
                "010000040;D;365;PNL5;6;84;01",
                StructureType::Espic,
                LegalStatus::PrivateNonProfit,
            ),
            (
                "010000057;E;365;PNL8;7;84;01",
                StructureType::Other,
                LegalStatus::PrivateNonProfit,
            ),
        ];
        for (row, kind, status) in cases {
            let got = read(&format!("{row}\n")).unwrap();
            assert_eq!((got[0].kind, got[0].legal_status), (kind, status), "{row}");
        }
    }

    #[test]
    fn windows_1252_names_are_decoded() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"010000024;H\xD4PITAL \xC9;355;PUB2;1;84;01\n");
        let got = read_establishments(bytes.as_slice()).unwrap();
        assert_eq!(got[0].name, "HÔPITAL É");
        assert_eq!(got[0].department, "01");
    }
}
