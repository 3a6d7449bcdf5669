//! The analyst queue, CERT staff, assignment and handling states.

use super::*;

/// How the queue is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Oldest declaration first: what has waited longest comes first.
    #[default]
    Oldest,
    /// Newest declaration first.
    Newest,
    /// Most severe first: interruption of care, then patient danger, then age.
    Severity,
}

/// Which cases the analyst queue shows. Every field narrows; `None` or empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Handling states; empty means every state but `closed`.
    pub states: Vec<CaseState>,
    /// Qualified origin; `Some(None)` asks for cases not yet qualified.
    pub origin: Option<Option<Origin>>,
    /// Impact on care.
    pub care_impact: Option<CareImpact>,
    /// Endangerment of patients.
    pub patient_danger: Option<PatientDanger>,
    /// Region of the structure.
    pub region: Option<Region>,
    /// Kind of structure.
    pub structure_type: Option<StructureType>,
    /// Only cases declared at or before this instant (older than an age).
    pub declared_before: Option<Timestamp>,
    /// Assignee; `Some(None)` asks for unassigned cases.
    pub assignee: Option<Option<UserId>>,
    /// Sort order.
    pub sort: QueueSort,
}

/// One line of the analyst queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueLine {
    /// Case number.
    pub case: CaseNumber,
    /// Structure's name.
    pub structure_name: String,
    /// Structure's kind.
    pub structure_type: StructureType,
    /// Structure's region.
    pub region: Region,
    /// Title, if given.
    pub title: Option<String>,
    /// When it was declared.
    pub declared_at: DateTime,
    /// Handling state.
    pub state: CaseState,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// Endangerment of patients.
    pub patient_danger: PatientDanger,
    /// Qualified origin, once qualified.
    pub origin: Option<Origin>,
    /// Assigned analyst's name.
    pub assignee: Option<String>,
    /// Judged significant (NIS2).
    pub significant: bool,
    /// When the structure became aware of the incident (detection, or else declaration).
    pub aware_at: Timestamp,
    /// First submission of each NIS2 report, in `vigie_workflow::nis2::Report` order.
    pub nis2_first: [Option<Timestamp>; 3],
}

/// A CERT staff member, for assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Account.
    pub id: UserId,
    /// Name.
    pub name: String,
}

impl Store {
    /// The analyst queue: cases matching the filter, sorted.
    pub async fn queue(
        &self,
        filter: &QueueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<QueueLine>, StoreError> {
        macro_rules! queue_query {
            ($db:ty) => {{
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT i.id, i.local_year, i.title, i.declared_at_ns, i.declared_offset_s, \
                     i.case_state, i.care_impact, i.patient_danger, i.origin, i.significant, \
                     s.name, s.kind, s.region, u.display_name AS assignee_name, i.detected_at_ns, \
                     (SELECT MIN(r.submitted_at_ns) FROM nis2_reports r WHERE r.incident_id = i.id AND r.kind = 'early_warning') AS nis2_early, \
                     (SELECT MIN(r.submitted_at_ns) FROM nis2_reports r WHERE r.incident_id = i.id AND r.kind = 'notification') AS nis2_notification, \
                     (SELECT MIN(r.submitted_at_ns) FROM nis2_reports r WHERE r.incident_id = i.id AND r.kind = 'final_report') AS nis2_final \
                     FROM incidents i JOIN structures s ON s.id = i.structure_id \
                     LEFT JOIN users u ON u.id = i.assignee WHERE ",
                );
                if filter.states.is_empty() {
                    qb.push("i.case_state <> 'closed'");
                } else {
                    qb.push("i.case_state IN (");
                    let mut sep = qb.separated(", ");
                    for s in &filter.states {
                        sep.push_bind(s.code());
                    }
                    qb.push(")");
                }
                match filter.origin {
                    None => {}
                    Some(None) => {
                        qb.push(" AND i.origin IS NULL");
                    }
                    Some(Some(o)) => {
                        qb.push(" AND i.origin = ").push_bind(o.code());
                    }
                }
                if let Some(c) = filter.care_impact {
                    qb.push(" AND i.care_impact = ").push_bind(c.code());
                }
                if let Some(p) = filter.patient_danger {
                    qb.push(" AND i.patient_danger = ").push_bind(p.code());
                }
                if let Some(r) = filter.region {
                    qb.push(" AND s.region = ").push_bind(r.code());
                }
                if let Some(t) = filter.structure_type {
                    qb.push(" AND s.kind = ").push_bind(t.code());
                }
                if let Some(before) = filter.declared_before {
                    qb.push(" AND i.declared_at_ns <= ").push_bind(ns(before));
                }
                match filter.assignee {
                    None => {}
                    Some(None) => {
                        qb.push(" AND i.assignee IS NULL");
                    }
                    Some(Some(u)) => {
                        qb.push(" AND i.assignee = ").push_bind(u.0);
                    }
                }
                qb.push(match filter.sort {
                    QueueSort::Oldest => " ORDER BY i.declared_at_ns ASC, i.id ASC",
                    QueueSort::Newest => " ORDER BY i.declared_at_ns DESC, i.id DESC",
                    QueueSort::Severity => {
                        " ORDER BY CASE i.care_impact WHEN 'interrupted' THEN 0 WHEN 'degraded' THEN 1 ELSE 2 END, \
                         CASE i.patient_danger WHEN 'actual' THEN 0 WHEN 'potential' THEN 1 ELSE 2 END, \
                         i.declared_at_ns ASC, i.id ASC"
                    }
                });
                qb.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
                qb
            }};
        }
        let mut out = Vec::new();
        macro_rules! read {
            ($rows:expr) => {
                for row in $rows {
                    let id: i64 = row.try_get("id")?;
                    let case = case_number(id, row.try_get("local_year")?)?;
                    let at: i64 = row.try_get("declared_at_ns")?;
                    let offset: i32 = row.try_get("declared_offset_s")?;
                    let kind: String = row.try_get("kind")?;
                    let region: String = row.try_get("region")?;
                    let care: String = row.try_get("care_impact")?;
                    let danger: String = row.try_get("patient_danger")?;
                    let origin: Option<String> = row.try_get("origin")?;
                    let detected: Option<i64> = row.try_get("detected_at_ns")?;
                    let first = |column: &str| -> Result<Option<Timestamp>, StoreError> {
                        Ok(row.try_get::<Option<i64>, _>(column)?.map(instant))
                    };
                    out.push(QueueLine {
                        aware_at: instant(detected.unwrap_or(at)),
                        nis2_first: [
                            first("nis2_early")?,
                            first("nis2_notification")?,
                            first("nis2_final")?,
                        ],
                        case,
                        structure_name: row.try_get("name")?,
                        structure_type: parsed(
                            StructureType::parse(&kind),
                            "structures",
                            id,
                            "kind",
                        )?,
                        region: parsed(Region::parse(&region), "structures", id, "region")?,
                        title: row.try_get("title")?,
                        declared_at: parsed(
                            DateTime::from_parts(at, offset).ok_or("out of range"),
                            "incidents",
                            id,
                            "declared_at_ns",
                        )?,
                        state: parsed(
                            CaseState::parse(row.try_get::<&str, _>("case_state")?),
                            "incidents",
                            id,
                            "case_state",
                        )?,
                        care_impact: parsed(
                            CareImpact::parse(&care),
                            "incidents",
                            id,
                            "care_impact",
                        )?,
                        patient_danger: parsed(
                            PatientDanger::parse(&danger),
                            "incidents",
                            id,
                            "patient_danger",
                        )?,
                        origin: origin
                            .map(|o| parsed(Origin::parse(&o), "incidents", id, "origin"))
                            .transpose()?,
                        assignee: row.try_get("assignee_name")?,
                        significant: row.try_get("significant")?,
                    });
                }
            };
        }
        match self.pool() {
            Pool::Sqlite(pool) => {
                let rows = queue_query!(Sqlite).build().fetch_all(pool).await?;
                read!(rows);
            }
            Pool::Postgres(pool) => {
                let rows = queue_query!(Postgres).build().fetch_all(pool).await?;
                read!(rows);
            }
        }
        Ok(out)
    }

    /// CERT staff who may be assigned cases (analysts and on-call), by name.
    pub async fn staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        let sql = "SELECT id, display_name FROM users WHERE role IN ('analyst', 'oncall') \
                   AND NOT disabled ORDER BY display_name, id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).fetch_all(pool).await? {
                out.push(StaffMember { id: UserId(row.try_get("id")?), name: row.try_get("display_name")? });
            }
        });
        Ok(out)
    }

    /// Assigns a case to a staff member, or to no one; journaled.
    pub async fn assign(
        &self,
        case: CaseNumber,
        assignee: Option<UserId>,
        by: UserId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE incidents SET assignee = $2 WHERE id = $1 AND local_year = $3";
        let payload =
            Payload::new().with("assignee", assignee.map(|u| Actor::User(u.0).to_string()));
        let change = Change {
            sql,
            value: Value::Int(assignee.map(|u| u.0)),
            action: Action::CaseAssigned,
            payload,
        };
        self.journaled_update(case, change, by, now).await
    }

    /// Sets a case's handling state; journaled.
    pub async fn set_case_state(
        &self,
        case: CaseNumber,
        state: CaseState,
        by: UserId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE incidents SET case_state = $2 WHERE id = $1 AND local_year = $3";
        let payload = Payload::new().with("state", state.code());
        let change = Change {
            sql,
            value: Value::Text(Some(state.code().to_owned())),
            action: Action::CaseStateChanged,
            payload,
        };
        self.journaled_update(case, change, by, now).await
    }

    /// Runs a change (`$1` the case id, `$2` its value, `$3` its year) and journals it in
    /// the same transaction, the write first.
    pub(super) async fn journaled_update(
        &self,
        case: CaseNumber,
        change: Change,
        by: UserId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let entry = NewEntry {
            at_ns: ns(now),
            actor: Actor::User(by.0),
            action: change.action,
            subject: case.to_string(),
            payload: change.payload,
        };
        macro_rules! update_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let query = sqlx::query(change.sql).bind(case.id());
                let query = match &change.value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.clone()),
                };
                let n = query
                    .bind(i32::from(case.year()))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 1 {
                    tx.append_journal(vec![entry]).await?;
                }
                tx.commit().await?;
                n == 1
            }};
        }
        Ok(match self.pool() {
            Pool::Sqlite(pool) => update_on!(pool),
            Pool::Postgres(pool) => update_on!(pool),
        })
    }
}
