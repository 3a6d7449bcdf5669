//! What analysts write around a year's figures: a text per section of the report, every
//! version kept, saved only over the version its writer read; and the threats of the
//! timeline (figure 17). Every change is journaled in the same transaction.

use jiff::{Timestamp, civil::Date};
use sqlx::Row as _;
use vigie_access::UserId;
use vigie_journal::{Action, NewEntry, Payload, sha256_hex};
use vigie_model::Code;
use vigie_observatory::{Editorial, ReportSection, Threat, ThreatKind};

use crate::{
    Store, StoreError,
    decode::parsed,
    decode::{instant, ns},
    journal::{Append as _, actor_of},
    on_pool,
};

/// The current text of a section of a year's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportText {
    /// The section.
    pub section: ReportSection,
    /// Its version, from 1.
    pub version: i64,
    /// The text (Markdown).
    pub body: String,
    /// Who wrote this version, by e-mail address, if known.
    pub written_by: Option<String>,
    /// When.
    pub written_at: Timestamp,
}

/// What saving a text did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedText {
    /// Saved as this version.
    Saved(i64),
    /// Someone saved another version since the one the writer read: nothing was saved.
    Conflict {
        /// The version now current.
        current: i64,
    },
}

/// A threat of a year's timeline, with its identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredThreat {
    /// Identifier.
    pub id: i64,
    /// The threat.
    pub threat: Threat,
}

impl Store {
    /// The current text of every written section of `year`'s report.
    pub async fn report_texts(&self, year: i16) -> Result<Vec<ReportText>, StoreError> {
        let sql = "SELECT t.section, t.version, t.body, u.email, t.written_at_ns FROM report_texts t \
                   LEFT JOIN users u ON u.id = t.written_by \
                   WHERE t.year = $1 AND t.version = (SELECT MAX(version) FROM report_texts m \
                   WHERE m.year = t.year AND m.section = t.section) ORDER BY t.section";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(i32::from(year)).fetch_all(pool).await? {
                let version: i32 = row.try_get("version")?;
                let code: String = row.try_get("section")?;
                let section = parsed(ReportSection::parse(&code), "report_texts", i64::from(version), "section")?;
                out.push(ReportText {
                    section,
                    version: i64::from(version),
                    body: row.try_get("body")?,
                    written_by: row.try_get("email")?,
                    written_at: instant(row.try_get("written_at_ns")?),
                });
            }
        });
        out.sort_by_key(|t| t.section);
        Ok(out)
    }

    /// Saves a section's text as the version after `read_version` (0: none read), unless
    /// another was saved since; journaled with a digest of the text.
    pub async fn save_report_text(
        &self,
        year: i16,
        section: ReportSection,
        body: &str,
        read_version: i64,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<SavedText, StoreError> {
        let current_sql =
            "SELECT COALESCE(MAX(version), 0) FROM report_texts WHERE year = $1 AND section = $2";
        let insert = "INSERT INTO report_texts (year, section, version, body, written_by, written_at_ns) \
                      VALUES ($1, $2, $3, $4, $5, $6)";
        let version = read_version + 1;
        let version32 =
            i32::try_from(version).map_err(|_| StoreError::NotFound("report text version"))?;
        let entry = NewEntry {
            at_ns: ns(now),
            actor: actor_of(by),
            action: Action::ReportTextSaved,
            subject: format!("report:{year}"),
            payload: Payload::new()
                .with("section", section.code())
                .with("version", version)
                .with("body_sha256", sha256_hex(body.as_bytes())),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let current: i32 = sqlx::query_scalar(current_sql)
                .bind(i32::from(year)).bind(section.code()).fetch_one(&mut *tx).await?;
            if i64::from(current) != read_version {
                return Ok(SavedText::Conflict { current: i64::from(current) });
            }
            let inserted = sqlx::query(insert)
                .bind(i32::from(year)).bind(section.code()).bind(version32).bind(body)
                .bind(by.map(|u| u.0)).bind(ns(now))
                .execute(&mut *tx).await;
            match inserted {
                Ok(_) => {}
                // Another writer saved the same version first.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Ok(SavedText::Conflict { current: version });
                }
                Err(e) => return Err(e.into()),
            }
            tx.append_journal(vec![entry]).await?;
            tx.commit().await?;
        });
        Ok(SavedText::Saved(version))
    }

    /// The threats of `year`'s timeline, in date order.
    pub async fn threats(&self, year: i16) -> Result<Vec<StoredThreat>, StoreError> {
        let sql = "SELECT id, identified_on, kind, name, reference, summary FROM threats \
                   WHERE year = $1 ORDER BY identified_on, id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(i32::from(year)).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                let on: String = row.try_get("identified_on")?;
                let kind: String = row.try_get("kind")?;
                out.push(StoredThreat {
                    id,
                    threat: Threat {
                        identified_on: parsed(on.parse::<Date>(), "threats", id, "identified_on")?,
                        kind: parsed(ThreatKind::parse(&kind), "threats", id, "kind")?,
                        name: row.try_get("name")?,
                        reference: row.try_get("reference")?,
                        summary: row.try_get("summary")?,
                    },
                });
            }
        });
        Ok(out)
    }

    /// Adds a threat to the timeline of its year; journaled.
    pub async fn record_threat(
        &self,
        threat: &Threat,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO threats (year, identified_on, kind, name, reference, summary, created_by, created_at_ns) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let year = i32::from(threat.identified_on.year());
        let entry = |id: i64| NewEntry {
            at_ns: ns(now),
            actor: actor_of(by),
            action: Action::ThreatRecorded,
            subject: format!("report:{year}"),
            payload: Payload::new()
                .with("threat", id)
                .with("op", "added")
                .with("kind", threat.kind.code())
                .with("name", threat.name.as_str())
                .with("identified_on", threat.identified_on.to_string()),
        };
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sql)
                .bind(year).bind(threat.identified_on.to_string()).bind(threat.kind.code())
                .bind(&threat.name).bind(threat.reference.as_deref()).bind(&threat.summary)
                .bind(by.map(|u| u.0)).bind(ns(now))
                .fetch_one(&mut *tx).await?;
            tx.append_journal(vec![entry(id)]).await?;
            tx.commit().await?;
            id
        }))
    }

    /// Removes a threat from `year`'s timeline; `false` if that year has none with this id.
    pub async fn remove_threat(
        &self,
        year: i16,
        id: i64,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "DELETE FROM threats WHERE id = $1 AND year = $2 RETURNING year, name";
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let removed = sqlx::query(sql).bind(id).bind(i32::from(year)).fetch_optional(&mut *tx).await?;
            match removed {
                None => false,
                Some(row) => {
                    let year: i32 = row.try_get("year")?;
                    let name: String = row.try_get("name")?;
                    tx.append_journal(vec![NewEntry {
                        at_ns: ns(now),
                        actor: actor_of(by),
                        action: Action::ThreatRecorded,
                        subject: format!("report:{year}"),
                        payload: Payload::new().with("threat", id).with("op", "removed").with("name", name),
                    }])
                    .await?;
                    tx.commit().await?;
                    true
                }
            }
        }))
    }

    /// Everything analysts wrote for `year`'s report.
    pub async fn editorial(&self, year: i16) -> Result<Editorial, StoreError> {
        let texts = self.report_texts(year).await?;
        let threats = self.threats(year).await?;
        Ok(Editorial {
            texts: texts.into_iter().map(|t| (t.section, t.body)).collect(),
            threats: threats.into_iter().map(|t| t.threat).collect(),
        })
    }
}
