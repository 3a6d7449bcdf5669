//! Reading rows back into validated model types.

use jiff::Timestamp;
use vigie_model::{
    Code, CodeSet, DataImpact, DateTime, DegradedHours, Finess, Handling, Incident, Qualification,
    Structure, text::BoundedText,
};

use crate::StoreError;

/// The columns of an incident and its structure, followed by `$tail`.
macro_rules! select_incidents {
    ($tail:literal) => {
        concat!(
            "SELECT i.id, i.ref, i.declared_at_ns, i.declared_offset_s, i.detected_at_ns, ",
            "i.detected_offset_s, i.channel, i.state_at_declaration, i.support_requested, ",
            "i.care_impact, i.degraded_hours, i.data_impact, i.data_kind, i.patient_danger, ",
            "i.title, i.description, i.origin, i.categories, i.ransomware_reach, i.infra_side, ",
            "i.out_of_scope_reason, i.event, i.technical_support, i.false_positive, ",
            "i.complements_requested, i.complements_received, s.finess, s.name, s.kind, ",
            "s.legal_status, s.region, s.ose, s.ght, i.local_year, i.structure_id, i.case_state, ",
            "i.declared_by, i.measures_taken, i.affected_systems ",
            "FROM incidents i JOIN structures s ON s.id = i.structure_id",
            $tail
        )
    };
}

/// Every incident with its structure.
pub(crate) const SELECT_ALL: &str = select_incidents!(" ORDER BY i.id");

/// One incident by identifier (`$1`).
pub(crate) const SELECT_CASE: &str = select_incidents!(" WHERE i.id = $1");

/// The incidents of one Paris year (`$1`).
pub(crate) const SELECT_YEAR: &str = select_incidents!(" WHERE i.local_year = $1 ORDER BY i.id");

/// What the observatory needs of every incident, in the order `observatory_row!` reads
/// the columns.
pub(crate) const SELECT_ROWS: &str = "SELECT i.id, i.structure_id, i.local_year, i.local_month, \
    i.deposit_slot, s.region, s.kind, s.legal_status, s.ose, i.state_at_declaration, \
    i.support_requested, i.care_impact, i.data_impact, i.data_kind, i.patient_danger, i.origin, \
    i.categories, i.ransomware_reach, i.infra_side, i.technical_support, i.false_positive, \
    i.complements_requested, i.complements_received \
    FROM incidents i JOIN structures s ON s.id = i.structure_id";

/// An incident row as stored, before validation.
pub(crate) struct Raw {
    pub id: i64,
    pub reference: Option<String>,
    pub declared_at_ns: i64,
    pub declared_offset_s: i32,
    pub detected_at_ns: Option<i64>,
    pub detected_offset_s: Option<i32>,
    pub channel: String,
    pub state_at_declaration: String,
    pub support_requested: bool,
    pub care_impact: String,
    pub degraded_hours: Option<f64>,
    pub data_impact: i32,
    pub data_kind: i32,
    pub patient_danger: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub origin: Option<String>,
    pub categories: i32,
    pub ransomware_reach: Option<String>,
    pub infra_side: Option<String>,
    pub out_of_scope_reason: Option<String>,
    pub event: Option<String>,
    pub handling: Handling,
    pub finess: String,
    pub name: String,
    pub kind: String,
    pub legal_status: String,
    pub region: String,
    pub ose: bool,
    pub ght: Option<String>,
}

/// Reads a [`Raw`] from a row of `SELECT_ALL` (any engine).
macro_rules! raw {
    ($row:expr) => {{
        let row = $row;
        $crate::decode::Raw {
            id: row.try_get("id")?,
            reference: row.try_get("ref")?,
            declared_at_ns: row.try_get("declared_at_ns")?,
            declared_offset_s: row.try_get("declared_offset_s")?,
            detected_at_ns: row.try_get("detected_at_ns")?,
            detected_offset_s: row.try_get("detected_offset_s")?,
            channel: row.try_get("channel")?,
            state_at_declaration: row.try_get("state_at_declaration")?,
            support_requested: row.try_get("support_requested")?,
            care_impact: row.try_get("care_impact")?,
            degraded_hours: row.try_get("degraded_hours")?,
            data_impact: row.try_get("data_impact")?,
            data_kind: row.try_get("data_kind")?,
            patient_danger: row.try_get("patient_danger")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            origin: row.try_get("origin")?,
            categories: row.try_get("categories")?,
            ransomware_reach: row.try_get("ransomware_reach")?,
            infra_side: row.try_get("infra_side")?,
            out_of_scope_reason: row.try_get("out_of_scope_reason")?,
            event: row.try_get("event")?,
            handling: vigie_model::Handling {
                technical_support: row.try_get("technical_support")?,
                false_positive: row.try_get("false_positive")?,
                complements_requested: row.try_get("complements_requested")?,
                complements_received: row.try_get("complements_received")?,
            },
            finess: row.try_get("finess")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            legal_status: row.try_get("legal_status")?,
            region: row.try_get("region")?,
            ose: row.try_get("ose")?,
            ght: row.try_get("ght")?,
        }
    }};
}

pub(crate) use raw;

pub(crate) fn incident_sqlite(
    row: Result<sqlx::sqlite::SqliteRow, sqlx::Error>,
) -> Result<Incident, StoreError> {
    use sqlx::Row as _;
    let raw: Raw = (|| -> Result<Raw, sqlx::Error> { Ok(raw!(row?)) })()?;
    raw.into_incident()
}

pub(crate) fn incident_pg(
    row: Result<sqlx::postgres::PgRow, sqlx::Error>,
) -> Result<Incident, StoreError> {
    use sqlx::Row as _;
    let raw: Raw = (|| -> Result<Raw, sqlx::Error> { Ok(raw!(row?)) })()?;
    raw.into_incident()
}

/// An incident and its case number (its Paris year and identifier), from a row of
/// `SELECT_ALL` or `SELECT_YEAR`.
macro_rules! case_of_row {
    ($row:expr) => {{
        use sqlx::Row as _;
        let (raw, year): (Raw, i32) = (|| -> Result<(Raw, i32), sqlx::Error> {
            let row = $row?;
            Ok((raw!(&row), row.try_get("local_year")?))
        })()?;
        let id = raw.id;
        let year = parsed(i16::try_from(year), "incidents", id, "local_year")?;
        let case = parsed(
            vigie_model::CaseNumber::new(year, id).ok_or("no case number"),
            "incidents",
            id,
            "local_year",
        )?;
        Ok((case, raw.into_incident()?))
    }};
}

pub(crate) fn case_sqlite(
    row: Result<sqlx::sqlite::SqliteRow, sqlx::Error>,
) -> Result<(vigie_model::CaseNumber, Incident), StoreError> {
    case_of_row!(row)
}

pub(crate) fn case_pg(
    row: Result<sqlx::postgres::PgRow, sqlx::Error>,
) -> Result<(vigie_model::CaseNumber, Incident), StoreError> {
    case_of_row!(row)
}

/// Parses one stored value, naming the table, row and column when it does not parse.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    value: Result<T, E>,
    table: &'static str,
    id: i64,
    column: &'static str,
) -> Result<T, StoreError> {
    value.map_err(|e| StoreError::Corrupt {
        table,
        id,
        column,
        reason: e.to_string(),
    })
}

/// The case number of incident `id` from its stored Paris year.
pub(crate) fn case_number(
    id: i64,
    stored_year: i32,
) -> Result<vigie_model::CaseNumber, StoreError> {
    let year = parsed(i16::try_from(stored_year), "incidents", id, "local_year")?;
    parsed(
        vigie_model::CaseNumber::new(year, id).ok_or("no case number"),
        "incidents",
        id,
        "id",
    )
}

pub(crate) fn code<T: Code>(id: i64, column: &'static str, value: &str) -> Result<T, StoreError> {
    parsed(T::parse(value), "incidents", id, column)
}

fn opt_code<T: Code>(
    id: i64,
    column: &'static str,
    value: Option<&str>,
) -> Result<Option<T>, StoreError> {
    value.map(|v| code(id, column, v)).transpose()
}

pub(crate) fn bits<T: Code>(
    id: i64,
    column: &'static str,
    value: i32,
) -> Result<CodeSet<T>, StoreError> {
    let set = u32::try_from(value).ok().and_then(CodeSet::from_bits);
    parsed(set.ok_or("bits name no value"), "incidents", id, column)
}

fn text<const MIN: usize, const MAX: usize>(
    id: i64,
    column: &'static str,
    value: Option<String>,
) -> Result<Option<BoundedText<MIN, MAX>>, StoreError> {
    value
        .map(|v| parsed(BoundedText::parse(v), "incidents", id, column))
        .transpose()
}

impl Raw {
    pub(crate) fn into_incident(self) -> Result<Incident, StoreError> {
        let id = self.id;
        let date = |ns, off, column| {
            parsed(
                DateTime::from_parts(ns, off).ok_or("out of range"),
                "incidents",
                id,
                column,
            )
        };
        let structure = Structure {
            finess: parsed(Finess::parse(&self.finess), "structures", id, "finess")?,
            name: parsed(BoundedText::parse(self.name), "structures", id, "name")?,
            kind: parsed(Code::parse(&self.kind), "structures", id, "kind")?,
            legal_status: parsed(
                Code::parse(&self.legal_status),
                "structures",
                id,
                "legal_status",
            )?,
            region: parsed(Code::parse(&self.region), "structures", id, "region")?,
            ose: self.ose,
            ght: self
                .ght
                .map(|g| parsed(BoundedText::parse(g), "structures", id, "ght"))
                .transpose()?,
        };
        let data_impact = parsed(
            DataImpact::new(
                bits(id, "data_impact", self.data_impact)?,
                bits(id, "data_kind", self.data_kind)?,
            ),
            "incidents",
            id,
            "data_impact",
        )?;
        let qualification = match self.origin.as_deref() {
            None => None,
            Some(origin) => Some(parsed(
                Qualification::new(
                    code(id, "origin", origin)?,
                    bits(id, "categories", self.categories)?,
                    opt_code(id, "ransomware_reach", self.ransomware_reach.as_deref())?,
                    opt_code(id, "infra_side", self.infra_side.as_deref())?,
                    opt_code(
                        id,
                        "out_of_scope_reason",
                        self.out_of_scope_reason.as_deref(),
                    )?,
                    text(id, "event", self.event)?,
                ),
                "incidents",
                id,
                "origin",
            )?),
        };
        Ok(Incident {
            reference: text(id, "ref", self.reference)?,
            declared_at: date(
                self.declared_at_ns,
                self.declared_offset_s,
                "declared_at_ns",
            )?,
            detected_at: match (self.detected_at_ns, self.detected_offset_s) {
                (Some(ns), Some(off)) => Some(date(ns, off, "detected_at_ns")?),
                _ => None,
            },
            channel: code(id, "channel", &self.channel)?,
            structure,
            state_at_declaration: code(id, "state_at_declaration", &self.state_at_declaration)?,
            support_requested: self.support_requested,
            care_impact: code(id, "care_impact", &self.care_impact)?,
            degraded_hours: self
                .degraded_hours
                .map(|h| {
                    parsed(
                        DegradedHours::new(h).ok_or("negative"),
                        "incidents",
                        id,
                        "degraded_hours",
                    )
                })
                .transpose()?,
            data_impact,
            patient_danger: code(id, "patient_danger", &self.patient_danger)?,
            title: text(id, "title", self.title)?,
            description: text(id, "description", self.description)?,
            qualification,
            handling: self.handling,
        })
    }
}

/// Reads an observatory [`vigie_observatory::Row`] from a row of `SELECT_ROWS` (any engine).
///
/// Columns are read by their position in `SELECT_ROWS` and codes as text borrowed from the
/// row: tens of millions of rows are read this way, without a lookup by name or an
/// allocation per value.
macro_rules! observatory_row {
    ($row:expr) => {{
        use sqlx::Row as _;
        use $crate::decode::{bits, code, parsed};
        let row = $row;
        let id: i64 = row.try_get(0)?;
        let year: i32 = row.try_get(2)?;
        let month: i32 = row.try_get(3)?;
        vigie_observatory::Row {
            year: parsed(i16::try_from(year), "incidents", id, "local_year")?,
            month: parsed(u8::try_from(month), "incidents", id, "local_month")?,
            slot: code(id, "deposit_slot", row.try_get::<&str, _>(4)?)?,
            structure: parsed(
                u32::try_from(row.try_get::<i64, _>(1)?),
                "incidents",
                id,
                "structure_id",
            )?,
            region: code(id, "region", row.try_get::<&str, _>(5)?)?,
            kind: code(id, "kind", row.try_get::<&str, _>(6)?)?,
            legal_status: code(id, "legal_status", row.try_get::<&str, _>(7)?)?,
            ose: row.try_get(8)?,
            state: code(id, "state_at_declaration", row.try_get::<&str, _>(9)?)?,
            support_requested: row.try_get(10)?,
            care_impact: code(id, "care_impact", row.try_get::<&str, _>(11)?)?,
            data_impacts: bits(id, "data_impact", row.try_get(12)?)?,
            data_kinds: bits(id, "data_kind", row.try_get(13)?)?,
            patient_danger: code(id, "patient_danger", row.try_get::<&str, _>(14)?)?,
            origin: match row.try_get::<Option<&str>, _>(15)? {
                Some(v) => Some(code(id, "origin", v)?),
                None => None,
            },
            categories: bits(id, "categories", row.try_get(16)?)?,
            ransomware_reach: match row.try_get::<Option<&str>, _>(17)? {
                Some(v) => Some(code(id, "ransomware_reach", v)?),
                None => None,
            },
            infra_side: match row.try_get::<Option<&str>, _>(18)? {
                Some(v) => Some(code(id, "infra_side", v)?),
                None => None,
            },
            handling: vigie_model::Handling {
                technical_support: row.try_get(19)?,
                false_positive: row.try_get(20)?,
                complements_requested: row.try_get(21)?,
                complements_received: row.try_get(22)?,
            },
        }
    }};
}
pub(crate) use observatory_row;

/// Nanoseconds since 1970 of an instant (saturating outside 1678–2261).
pub fn ns(at: Timestamp) -> i64 {
    i64::try_from(at.as_nanosecond()).unwrap_or(if at.as_second() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The instant of a count of nanoseconds.
pub fn instant(ns: i64) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(ns)).unwrap_or(Timestamp::UNIX_EPOCH)
}
