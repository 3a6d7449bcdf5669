//! NIS 2 reports, each kept as numbered versions.

use super::*;

/// One submission of a NIS2 report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nis2Submission {
    /// The report.
    pub report: Report,
    /// Its version among the submissions of that report, from 1.
    pub version: i32,
    /// Who submitted it (name).
    pub by: Option<String>,
    /// When.
    pub at: Timestamp,
    /// What it says.
    pub body: String,
}

impl Store {
    /// Keeps a submission of a NIS2 report as its next version, journaled; returns the version.
    pub async fn submit_nis2(
        &self,
        case: CaseNumber,
        report: Report,
        by: UserId,
        body: &str,
        now: Timestamp,
    ) -> Result<i32, StoreError> {
        let sql = "INSERT INTO nis2_reports (incident_id, kind, version, submitted_by, submitted_at_ns, body) \
                   SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5 FROM nis2_reports \
                   WHERE incident_id = $1 AND kind = $2 RETURNING version";
        macro_rules! submit_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let version: i32 = sqlx::query_scalar(sql)
                    .bind(case.id())
                    .bind(report.code())
                    .bind(by.0)
                    .bind(ns(now))
                    .bind(body)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: Actor::User(by.0),
                    action: Action::Nis2Submitted,
                    subject: case.to_string(),
                    payload: Payload::new()
                        .with("report", report.code())
                        .with("version", i64::from(version))
                        .with("body_sha256", sha256_hex(body.as_bytes())),
                }])
                .await?;
                tx.commit().await?;
                version
            }};
        }
        Ok(match self.pool() {
            Pool::Sqlite(pool) => submit_on!(pool),
            Pool::Postgres(pool) => submit_on!(pool),
        })
    }

    /// Every submission of NIS2 reports on a case, oldest first.
    pub async fn nis2_submissions(
        &self,
        case: CaseNumber,
    ) -> Result<Vec<Nis2Submission>, StoreError> {
        let sql = "SELECT r.id, r.kind, r.version, r.submitted_at_ns, r.body, u.display_name \
                   FROM nis2_reports r LEFT JOIN users u ON u.id = r.submitted_by \
                   WHERE r.incident_id = $1 ORDER BY r.submitted_at_ns, r.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(case.id()).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                let kind: String = row.try_get("kind")?;
                let at: i64 = row.try_get("submitted_at_ns")?;
                out.push(Nis2Submission {
                    report: parsed(Report::parse(&kind), "nis2_reports", id, "kind")?,
                    version: row.try_get("version")?,
                    by: row.try_get("display_name")?,
                    at: instant(at),
                    body: row.try_get("body")?,
                });
            }
        });
        Ok(out)
    }
}
