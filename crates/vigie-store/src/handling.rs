//! The CERT's handling of a case: the queue, assignment, qualification with its history,
//! routings to the authorities with the rules that fired, and the routing rules themselves.

use jiff::Timestamp;
use sqlx::{Postgres, QueryBuilder, Row as _, Sqlite};
use vigie_access::{Role, StructureId, UserId};
use vigie_model::{
    CareImpact, CaseNumber, Category, Code, CodeSet, DateTime, InfraSide, Origin, OutOfScopeReason,
    PatientDanger, Qualification, RansomwareReach, Region, StructureType,
};
use vigie_workflow::{
    case::CaseState,
    nis2::Report,
    routing::{Recipient, Routing},
    support::{ReflexSheet, SupportAction},
};

use vigie_journal::{Action, Actor, NewEntry, Payload, sha256_hex};

use crate::{
    Pool, Store, StoreError,
    decode::{case_number, parsed},
    journal::Append as _,
    on_pool,
    portal::{OutboxMail, enqueue, instant, ns},
    revision::BUMP,
};

/// One column of a case changed, and how the journal records it.
struct Change {
    sql: &'static str,
    value: Value,
    action: Action,
    payload: Payload,
}

/// The new value of a changed column.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

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

/// The CERT's judgement beside the qualification: what the routing rules also read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Judgement {
    /// Significant in the sense of NIS2.
    pub significant: bool,
    /// Major: may reach other sectors.
    pub major: bool,
}

/// A change of qualification by a member of the CERT.
#[derive(Debug, Clone, Copy)]
pub struct QualificationChange<'a> {
    /// The new qualification.
    pub qualification: &'a Qualification,
    /// The judgement that goes with it.
    pub judgement: Judgement,
    /// Who made the change.
    pub by: UserId,
}

/// One recorded version of a case's qualification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationVersion {
    /// Who changed it (name), if the account still exists.
    pub by: Option<String>,
    /// When.
    pub at: Timestamp,
    /// The qualification.
    pub qualification: Qualification,
    /// The judgement that went with it.
    pub judgement: Judgement,
}

/// A routing as recorded: to whom, by which rules, why and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRecord {
    /// Recipient.
    pub to: Recipient,
    /// Identifiers of the rules that fired, comma-separated (empty for a manual routing).
    pub rules: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: Timestamp,
}

/// Everything the CERT has recorded about the handling of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlingRecord {
    /// Assigned analyst.
    pub assignee: Option<UserId>,
    /// Current judgement.
    pub judgement: Judgement,
    /// Routings, oldest first.
    pub routings: Vec<RoutingRecord>,
    /// Qualification versions, oldest first.
    pub history: Vec<QualificationVersion>,
}

/// A version of the routing rules document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesVersion {
    /// Version number, from 1.
    pub version: i64,
    /// The TOML document.
    pub body: String,
    /// Who saved it (name).
    pub saved_by: Option<String>,
    /// When.
    pub saved_at: Timestamp,
}

/// A CERT staff member, for assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Account.
    pub id: UserId,
    /// Name.
    pub name: String,
}

/// Inserts the routings a case does not have yet; returns the recipients that are new.
macro_rules! insert_routings {
    ($tx:expr, $case:expr, $routings:expr, $now:expr) => {{
        let mut fresh = Vec::new();
        for routing in $routings {
            let routing: &Routing = routing;
            let n = sqlx::query(
                "INSERT INTO routings (incident_id, authority, reason, rules, routed_at_ns) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, authority) DO NOTHING",
            )
            .bind($case.id())
            .bind(routing.to.code())
            .bind(routing.reasons())
            .bind(routing.rule_ids())
            .bind(ns($now))
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if n == 1 {
                fresh.push(routing.to);
            }
        }
        fresh
    }};
}

/// The journal entries of the routings just recorded (those to the `fresh` recipients):
/// Vigie routes by its rules, so Vigie is the actor, and the rules that fired are named.
pub(crate) fn routed_entries(
    case: CaseNumber,
    routings: &[Routing],
    fresh: &[Recipient],
    now: Timestamp,
) -> Vec<NewEntry> {
    routings
        .iter()
        .filter(|r| fresh.contains(&r.to))
        .map(|r| NewEntry {
            at_ns: ns(now),
            actor: Actor::System,
            action: Action::CaseRouted,
            subject: case.to_string(),
            payload: Payload::new()
                .with("authority", r.to.code())
                .with("reason", r.reasons())
                .with("rules", r.rule_ids()),
        })
        .collect()
}

/// The journal entry of a qualification change: every coded field, never free text.
fn qualified_entry(case: CaseNumber, change: &QualificationChange<'_>, now: Timestamp) -> NewEntry {
    let q = change.qualification;
    let categories: Vec<&str> = q.categories().iter().map(Code::code).collect();
    NewEntry {
        at_ns: ns(now),
        actor: Actor::User(change.by.0),
        action: Action::CaseQualified,
        subject: case.to_string(),
        payload: Payload::new()
            .with("origin", q.origin().code())
            .with("categories", categories.join(","))
            .with("ransomware_reach", opt_code(q.ransomware_reach()))
            .with("infra_side", opt_code(q.infra_side()))
            .with("out_of_scope_reason", opt_code(q.out_of_scope_reason()))
            .with("significant", change.judgement.significant)
            .with("major", change.judgement.major),
    }
}

fn opt_code<T: Code>(value: Option<T>) -> Option<&'static str> {
    value.map(Code::code)
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
    async fn journaled_update(
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

    /// Records a qualification and judgement, its history entry, the routings it calls for
    /// that the case does not have yet and the mails announcing them, in one transaction.
    /// Returns the recipients newly routed to.
    pub async fn qualify(
        &self,
        case: CaseNumber,
        change: &QualificationChange<'_>,
        routings: &[Routing],
        mails: impl FnOnce(&[Recipient]) -> Vec<OutboxMail>,
        now: Timestamp,
    ) -> Result<Vec<Recipient>, StoreError> {
        let QualificationChange {
            qualification: q,
            judgement,
            by,
        } = *change;
        macro_rules! qualify_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE incidents SET origin = $2, categories = $3, ransomware_reach = $4, \
                     infra_side = $5, out_of_scope_reason = $6, significant = $7, major = $8, \
                     case_state = CASE WHEN case_state = 'received' THEN 'qualifying' ELSE case_state END \
                     WHERE id = $1 AND local_year = $9",
                )
                .bind(case.id())
                .bind(q.origin().code())
                .bind(i32::try_from(q.categories().bits()).unwrap_or(i32::MAX))
                .bind(opt_code(q.ransomware_reach()))
                .bind(opt_code(q.infra_side()))
                .bind(opt_code(q.out_of_scope_reason()))
                .bind(judgement.significant)
                .bind(judgement.major)
                .bind(i32::from(case.year()))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::NotFound("case"));
                }
                sqlx::query(
                    "INSERT INTO qualification_history (incident_id, changed_by, changed_at_ns, origin, \
                     categories, ransomware_reach, infra_side, out_of_scope_reason, significant, major) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(case.id())
                .bind(by.0)
                .bind(ns(now))
                .bind(q.origin().code())
                .bind(i32::try_from(q.categories().bits()).unwrap_or(i32::MAX))
                .bind(opt_code(q.ransomware_reach()))
                .bind(opt_code(q.infra_side()))
                .bind(opt_code(q.out_of_scope_reason()))
                .bind(judgement.significant)
                .bind(judgement.major)
                .execute(&mut *tx)
                .await?;
                let fresh = insert_routings!(tx, case, routings, now);
                for mail in mails(&fresh) {
                    enqueue!(&mut *tx, &mail, now);
                }
                let mut entries = vec![qualified_entry(case, change, now)];
                entries.extend(routed_entries(case, routings, &fresh, now));
                tx.append_journal(entries).await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
                fresh
            }};
        }
        let fresh = match self.pool() {
            Pool::Sqlite(pool) => qualify_on!(pool),
            Pool::Postgres(pool) => qualify_on!(pool),
        };
        self.changes.bump();
        Ok(fresh)
    }

    /// What the CERT recorded about a case's handling (`None` if there is no such case).
    pub async fn handling(&self, case: CaseNumber) -> Result<Option<HandlingRecord>, StoreError> {
        let head =
            "SELECT assignee, significant, major FROM incidents WHERE id = $1 AND local_year = $2";
        let routings = "SELECT authority, rules, reason, routed_at_ns FROM routings \
                        WHERE incident_id = $1 ORDER BY routed_at_ns, authority";
        let history = "SELECT h.id, h.changed_at_ns, h.origin, h.categories, h.ransomware_reach, \
                       h.infra_side, h.out_of_scope_reason, h.significant, h.major, u.display_name \
                       FROM qualification_history h LEFT JOIN users u ON u.id = h.changed_by \
                       WHERE h.incident_id = $1 ORDER BY h.id";
        Ok(on_pool!(self, pool => {
            let Some(row) = sqlx::query(head).bind(case.id()).bind(i32::from(case.year())).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let mut record = HandlingRecord {
                assignee: row.try_get::<Option<i64>, _>("assignee")?.map(UserId),
                judgement: Judgement { significant: row.try_get("significant")?, major: row.try_get("major")? },
                routings: Vec::new(),
                history: Vec::new(),
            };
            for r in sqlx::query(routings).bind(case.id()).fetch_all(pool).await? {
                let to: String = r.try_get("authority")?;
                let at: i64 = r.try_get("routed_at_ns")?;
                record.routings.push(RoutingRecord {
                    to: parsed(Recipient::parse(&to), "routings", case.id(), "authority")?,
                    rules: r.try_get("rules")?,
                    reason: r.try_get("reason")?,
                    at: instant(at),
                });
            }
            for h in sqlx::query(history).bind(case.id()).fetch_all(pool).await? {
                let id: i64 = h.try_get("id")?;
                let at: i64 = h.try_get("changed_at_ns")?;
                let t = "qualification_history";
                let origin: String = h.try_get("origin")?;
                let bits: i32 = h.try_get("categories")?;
                let reach: Option<String> = h.try_get("ransomware_reach")?;
                let side: Option<String> = h.try_get("infra_side")?;
                let reason: Option<String> = h.try_get("out_of_scope_reason")?;
                let categories = u32::try_from(bits).ok().and_then(CodeSet::<Category>::from_bits);
                let qualification = Qualification::new(
                    parsed(Origin::parse(&origin), t, id, "origin")?,
                    parsed(categories.ok_or("bad bits"), t, id, "categories")?,
                    reach.map(|c| parsed(RansomwareReach::parse(&c), t, id, "ransomware_reach")).transpose()?,
                    side.map(|c| parsed(InfraSide::parse(&c), t, id, "infra_side")).transpose()?,
                    reason.map(|c| parsed(OutOfScopeReason::parse(&c), t, id, "out_of_scope_reason")).transpose()?,
                    None,
                );
                record.history.push(QualificationVersion {
                    by: h.try_get("display_name")?,
                    at: instant(at),
                    qualification: parsed(qualification, t, id, "origin")?,
                    judgement: Judgement { significant: h.try_get("significant")?, major: h.try_get("major")? },
                });
            }
            Some(record)
        }))
    }

    /// The current routing rules document, if one was ever saved.
    pub async fn routing_rules(&self) -> Result<Option<RulesVersion>, StoreError> {
        Ok(self.routing_rules_history(1).await?.into_iter().next())
    }

    /// The latest versions of the routing rules, newest first.
    pub async fn routing_rules_history(&self, limit: i64) -> Result<Vec<RulesVersion>, StoreError> {
        let sql = "SELECT r.version, r.body, r.saved_at_ns, u.display_name FROM routing_rules r \
                   LEFT JOIN users u ON u.id = r.saved_by ORDER BY r.version DESC LIMIT $1";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(limit).fetch_all(pool).await? {
                let at: i64 = row.try_get("saved_at_ns")?;
                out.push(RulesVersion {
                    version: row.try_get("version")?,
                    body: row.try_get("body")?,
                    saved_by: row.try_get("display_name")?,
                    saved_at: instant(at),
                });
            }
        });
        Ok(out)
    }

    /// Saves a new version of the routing rules (checked by the caller) and journals it
    /// (its SHA-256); returns its number.
    pub async fn save_routing_rules(
        &self,
        body: &str,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO routing_rules (body, saved_by, saved_at_ns) VALUES ($1, $2, $3) RETURNING version";
        let entry = |version: i64| NewEntry {
            at_ns: ns(now),
            actor: by.map_or(Actor::System, |u| Actor::User(u.0)),
            action: Action::RoutingRulesSaved,
            subject: "routing_rules".into(),
            payload: Payload::new()
                .with("version", version)
                .with("body_sha256", sha256_hex(body.as_bytes())),
        };
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let version: i64 = sqlx::query_scalar(sql).bind(body).bind(by.map(|u| u.0)).bind(ns(now))
                .fetch_one(&mut *tx).await?;
            tx.append_journal(vec![entry(version)]).await?;
            tx.commit().await?;
            version
        }))
    }

    /// Who may be alerted when a case of `region` is routed: every active authority
    /// account, and the active accounts of that region's ARS, as (recipient, address).
    pub async fn alert_directory(
        &self,
        region: Region,
    ) -> Result<Vec<(Recipient, String)>, StoreError> {
        let sql = "SELECT id, role, authority, email FROM users WHERE NOT disabled \
                   AND (role = 'authority' OR (role = 'ars' AND region = $1)) ORDER BY id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(region.code()).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                let role: String = row.try_get("role")?;
                let to = if role == Role::Ars.code() {
                    Recipient::Ars
                } else {
                    let a: Option<String> = row.try_get("authority")?;
                    parsed(Recipient::parse(a.as_deref().unwrap_or("")), "users", id, "authority")?
                };
                out.push((to, row.try_get("email")?));
            }
        });
        Ok(out)
    }

    /// Asks the structure for complements: the request as a message on the case, the case
    /// waiting for an answer, and the notice e-mails, in one transaction.
    pub async fn request_complements(
        &self,
        case: CaseNumber,
        by: UserId,
        body: &str,
        mails: &[OutboxMail],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        macro_rules! request_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE incidents SET complements_requested = TRUE, complements_received = FALSE, \
                     case_state = 'waiting_complements', complements_requested_at_ns = $2, \
                     complement_reminders = 0, last_reminder_at_ns = $2 \
                     WHERE id = $1 AND local_year = $3",
                )
                .bind(case.id())
                .bind(ns(now))
                .bind(i32::from(case.year()))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::NotFound("case"));
                }
                let message: i64 = sqlx::query_scalar(
                    "INSERT INTO messages (incident_id, author_id, body, created_at_ns) VALUES ($1, $2, $3, $4) \
                     RETURNING id",
                )
                .bind(case.id())
                .bind(by.0)
                .bind(body)
                .bind(ns(now))
                .fetch_one(&mut *tx)
                .await?;
                for mail in mails {
                    enqueue!(&mut *tx, mail, now);
                }
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: Actor::User(by.0),
                    action: Action::MessagePosted,
                    subject: case.to_string(),
                    payload: Payload::new()
                        .with("message", message)
                        .with("author", Actor::User(by.0).to_string())
                        .with("body_sha256", sha256_hex(body.as_bytes()))
                        .with("complements_requested", true),
                }])
                .await?;
                sqlx::query(BUMP).execute(&mut *tx).await?;
                tx.commit().await?;
            }};
        }
        match self.pool() {
            Pool::Sqlite(pool) => request_on!(pool),
            Pool::Postgres(pool) => request_on!(pool),
        }
        self.changes.bump();
        Ok(())
    }

    /// Records that the structure answered a request for complements (nothing if none was
    /// pending); the case goes back to qualification. Returns whether one was pending.
    pub async fn complements_answered(&self, case: CaseNumber) -> Result<bool, StoreError> {
        let sql = "UPDATE incidents SET complements_received = TRUE, \
                   case_state = CASE WHEN case_state = 'waiting_complements' THEN 'qualifying' ELSE case_state END \
                   WHERE id = $1 AND local_year = $2 AND complements_requested AND NOT complements_received";
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(case.id()).bind(i32::from(case.year())).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                sqlx::query(BUMP).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            n
        });
        if n == 1 {
            self.changes.bump();
        }
        Ok(n == 1)
    }

    /// Pending requests for complements whose last notice is at or before `quiet_since`
    /// and that had fewer than `max_reminders` reminders.
    pub async fn complements_to_remind(
        &self,
        quiet_since: Timestamp,
        max_reminders: i32,
    ) -> Result<Vec<PendingComplements>, StoreError> {
        let sql = "SELECT i.id, i.local_year, i.complement_reminders, i.structure_id, i.declared_by \
                   FROM incidents i WHERE i.complements_requested AND NOT i.complements_received \
                   AND i.last_reminder_at_ns <= $1 AND i.complement_reminders < $2 ORDER BY i.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(ns(quiet_since)).bind(max_reminders).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                out.push(PendingComplements {
                    case: case_number(id, row.try_get("local_year")?)?,
                    reminders: row.try_get("complement_reminders")?,
                });
            }
        });
        Ok(out)
    }

    /// Records reminder number `reminder` of a case and queues its e-mails, unless another
    /// worker sent it already (then nothing is queued and `false` is returned).
    pub async fn complements_reminded(
        &self,
        case: CaseNumber,
        reminder: i32,
        mails: &[OutboxMail],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        macro_rules! remind_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE incidents SET complement_reminders = $2, last_reminder_at_ns = $3 \
                     WHERE id = $1 AND complement_reminders = $4 AND NOT complements_received",
                )
                .bind(case.id())
                .bind(reminder)
                .bind(ns(now))
                .bind(reminder - 1)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    for mail in mails {
                        enqueue!(&mut *tx, mail, now);
                    }
                }
                tx.commit().await?;
                n == 1
            }};
        }
        Ok(match self.pool() {
            Pool::Sqlite(pool) => remind_on!(pool),
            Pool::Postgres(pool) => remind_on!(pool),
        })
    }

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

/// A request for complements still unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingComplements {
    /// The case.
    pub case: CaseNumber,
    /// Reminders sent so far.
    pub reminders: i32,
}

/// A support action to record.
#[derive(Debug, Clone, Copy)]
pub struct SupportEntry<'a> {
    /// The action.
    pub action: SupportAction,
    /// What was done or advised.
    pub note: &'a str,
    /// Who.
    pub by: UserId,
    /// A message to the structure on the case, if any (a reflex sheet, advice).
    pub message: Option<&'a str>,
}

/// A support action as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRecord {
    /// The action.
    pub action: SupportAction,
    /// What was done or advised.
    pub note: String,
    /// Who (name).
    pub by: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// A reflex sheet as in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetVersion {
    /// The sheet.
    pub sheet: ReflexSheet,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Who saved this version (name); `None` for the starting text.
    pub saved_by: Option<String>,
    /// When; `None` for the starting text.
    pub saved_at: Option<Timestamp>,
}

impl Store {
    /// Records a support action with its message to the structure and e-mails, if any, in
    /// one transaction. Technical support and false positives also set the case's flags
    /// that the observatory counts.
    pub async fn record_support(
        &self,
        case: CaseNumber,
        entry: &SupportEntry<'_>,
        mails: &[OutboxMail],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let SupportEntry {
            action,
            note,
            by,
            message,
        } = *entry;
        // Technical support and false positives are counted by the observatory.
        let counted = matches!(
            action,
            SupportAction::TechnicalSupport | SupportAction::FalsePositive
        );
        macro_rules! support_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                // The write comes first: it checks the case and takes the write lock at once.
                let n = sqlx::query(
                    "UPDATE incidents SET technical_support = (technical_support OR $3), \
                     false_positive = (false_positive OR $4) WHERE id = $1 AND local_year = $2",
                )
                .bind(case.id())
                .bind(i32::from(case.year()))
                .bind(matches!(action, SupportAction::TechnicalSupport | SupportAction::FalsePositive))
                .bind(action == SupportAction::FalsePositive)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::NotFound("case"));
                }
                sqlx::query(
                    "INSERT INTO support_actions (incident_id, action, note, done_by, done_at_ns) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(case.id())
                .bind(action.code())
                .bind(note)
                .bind(by.0)
                .bind(ns(now))
                .execute(&mut *tx)
                .await?;
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: Actor::User(by.0),
                    action: Action::SupportRecorded,
                    subject: case.to_string(),
                    payload: Payload::new()
                        .with("action", action.code())
                        .with("note_sha256", sha256_hex(note.as_bytes())),
                }])
                .await?;
                if let Some(body) = message {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO messages (incident_id, author_id, body, created_at_ns) VALUES ($1, $2, $3, $4) \
                         RETURNING id",
                    )
                    .bind(case.id())
                    .bind(by.0)
                    .bind(body)
                    .bind(ns(now))
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.append_journal(vec![NewEntry {
                        at_ns: ns(now),
                        actor: Actor::User(by.0),
                        action: Action::MessagePosted,
                        subject: case.to_string(),
                        payload: Payload::new()
                            .with("message", id)
                            .with("author", Actor::User(by.0).to_string())
                            .with("body_sha256", sha256_hex(body.as_bytes()))
                            .with("support_action", action.code()),
                    }])
                    .await?;
                }
                for mail in mails {
                    enqueue!(&mut *tx, mail, now);
                }
                if counted {
                    sqlx::query(BUMP).execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }};
        }
        match self.pool() {
            Pool::Sqlite(pool) => support_on!(pool),
            Pool::Postgres(pool) => support_on!(pool),
        }
        if counted {
            self.changes.bump();
        }
        Ok(())
    }

    /// The support actions of a case, oldest first.
    pub async fn support_actions(
        &self,
        case: CaseNumber,
    ) -> Result<Vec<SupportRecord>, StoreError> {
        let sql = "SELECT a.id, a.action, a.note, a.done_at_ns, u.display_name FROM support_actions a \
                   LEFT JOIN users u ON u.id = a.done_by WHERE a.incident_id = $1 ORDER BY a.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(case.id()).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                let action: String = row.try_get("action")?;
                let at: i64 = row.try_get("done_at_ns")?;
                out.push(SupportRecord {
                    action: parsed(SupportAction::parse(&action), "support_actions", id, "action")?,
                    note: row.try_get("note")?,
                    by: row.try_get("display_name")?,
                    at: instant(at),
                });
            }
        });
        Ok(out)
    }

    /// A reflex sheet as in force: the latest saved version, or the starting text.
    pub async fn reflex_sheet(&self, sheet: ReflexSheet) -> Result<SheetVersion, StoreError> {
        let sql = "SELECT v.title, v.body, v.saved_at_ns, u.display_name FROM reflex_sheet_versions v \
                   LEFT JOIN users u ON u.id = v.saved_by WHERE v.sheet = $1 ORDER BY v.id DESC LIMIT 1";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(sheet.code()).fetch_optional(pool).await? {
                Some(row) => {
                    let at: i64 = row.try_get("saved_at_ns")?;
                    SheetVersion {
                        sheet,
                        title: row.try_get("title")?,
                        body: row.try_get("body")?,
                        saved_by: row.try_get("display_name")?,
                        saved_at: Some(instant(at)),
                    }
                }
                None => SheetVersion {
                    sheet,
                    title: sheet.default_title().to_owned(),
                    body: sheet.default_body().to_owned(),
                    saved_by: None,
                    saved_at: None,
                },
            }
        }))
    }

    /// Saves a new version of a reflex sheet.
    pub async fn save_reflex_sheet(
        &self,
        sheet: ReflexSheet,
        title: &str,
        body: &str,
        by: UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO reflex_sheet_versions (sheet, title, body, saved_by, saved_at_ns) VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => { sqlx::query(sql).bind(sheet.code()).bind(title).bind(body).bind(by.0).bind(ns(now)).execute(pool).await?; });
        Ok(())
    }
}

/// A shared event with its declarations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    /// Identifier.
    pub id: i64,
    /// Name, the link from declarations.
    pub name: String,
    /// What happened.
    pub description: String,
    /// Declarations linked.
    pub cases: i64,
    /// Structures behind them.
    pub structures: i64,
    /// First declaration linked, if any.
    pub first_declared: Option<Timestamp>,
}

/// A declaration linked to an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCase {
    /// The case.
    pub case: CaseNumber,
    /// The declaring structure.
    pub structure: StructureId,
    /// Its name.
    pub structure_name: String,
}

impl Store {
    /// Creates a shared event; `None` if the name is taken.
    pub async fn create_event(
        &self,
        name: &str,
        description: &str,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let sql = "INSERT INTO events (name, description, created_by, created_at_ns) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (name) DO NOTHING RETURNING id";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(name).bind(description).bind(by.map(|u| u.0)).bind(ns(now)).fetch_optional(pool).await?),
        )
    }

    /// Shared events, with their declarations of `year` (Paris) or of every year.
    pub async fn events(&self, year: Option<i32>) -> Result<Vec<EventSummary>, StoreError> {
        let sql = "SELECT e.id, e.name, e.description, COUNT(i.id) AS cases, \
                   COUNT(DISTINCT i.structure_id) AS structures, MIN(i.declared_at_ns) AS first_declared \
                   FROM events e LEFT JOIN incidents i ON i.event = e.name AND ($1 IS NULL OR i.local_year = $1) \
                   GROUP BY e.id, e.name, e.description ORDER BY MIN(i.declared_at_ns), e.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(year).fetch_all(pool).await? {
                out.push(EventSummary {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    cases: row.try_get("cases")?,
                    structures: row.try_get("structures")?,
                    first_declared: row.try_get::<Option<i64>, _>("first_declared")?.map(instant),
                });
            }
        });
        Ok(out)
    }

    /// The events that count in a year's observatory (notable events): those with at least
    /// one declaration that year, first declared first.
    pub async fn notable_events(&self, year: i32) -> Result<Vec<EventSummary>, StoreError> {
        Ok(self
            .events(Some(year))
            .await?
            .into_iter()
            .filter(|e| e.cases > 0)
            .collect())
    }

    /// The declarations linked to an event.
    pub async fn event_cases(&self, name: &str) -> Result<Vec<EventCase>, StoreError> {
        let sql = "SELECT i.id, i.local_year, i.structure_id, s.name FROM incidents i \
                   JOIN structures s ON s.id = i.structure_id WHERE i.event = $1 ORDER BY i.declared_at_ns, i.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(name).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                out.push(EventCase {
                    case: case_number(id, row.try_get("local_year")?)?,
                    structure: StructureId(row.try_get("structure_id")?),
                    structure_name: row.try_get("name")?,
                });
            }
        });
        Ok(out)
    }

    /// The event a case is linked to, if any.
    pub async fn event_of(&self, case: CaseNumber) -> Result<Option<String>, StoreError> {
        let sql = "SELECT event FROM incidents WHERE id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar::<_, Option<String>>(sql).bind(case.id()).fetch_optional(pool).await?.flatten()),
        )
    }

    /// Links a case to an event (by name, which must exist), or unlinks it; journaled.
    pub async fn link_event(
        &self,
        case: CaseNumber,
        event: Option<&str>,
        by: UserId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE incidents SET event = $2 WHERE id = $1 AND local_year = $3 \
                   AND ($2 IS NULL OR EXISTS (SELECT 1 FROM events WHERE name = $2))";
        let change = Change {
            sql,
            value: Value::Text(event.map(str::to_owned)),
            action: Action::EventLinked,
            payload: Payload::new().with("event", event),
        };
        self.journaled_update(case, change, by, now).await
    }

    /// One message to every case linked to an event, with the e-mails, in one transaction.
    /// Returns the number of cases written to.
    pub async fn message_event(
        &self,
        event: &str,
        by: UserId,
        body: &str,
        mails: &[OutboxMail],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        macro_rules! message_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let rows = sqlx::query(
                    "INSERT INTO messages (incident_id, author_id, body, created_at_ns) \
                     SELECT id, $2, $3, $4 FROM incidents WHERE event = $1 RETURNING id, incident_id",
                )
                .bind(event)
                .bind(by.0)
                .bind(body)
                .bind(ns(now))
                .fetch_all(&mut *tx)
                .await?;
                let years: Vec<(i64, i32)> = sqlx::query_as(
                    "SELECT id, local_year FROM incidents WHERE event = $1",
                )
                .bind(event)
                .fetch_all(&mut *tx)
                .await?;
                let mut entries = Vec::with_capacity(rows.len());
                for row in &rows {
                    let message: i64 = row.try_get("id")?;
                    let incident: i64 = row.try_get("incident_id")?;
                    let year = years.iter().find(|(id, _)| *id == incident).map_or(0, |(_, y)| *y);
                    let case = case_number(incident, year)?;
                    entries.push(NewEntry {
                        at_ns: ns(now),
                        actor: Actor::User(by.0),
                        action: Action::MessagePosted,
                        subject: case.to_string(),
                        payload: Payload::new()
                            .with("message", message)
                            .with("author", Actor::User(by.0).to_string())
                            .with("body_sha256", sha256_hex(body.as_bytes()))
                            .with("event", event),
                    });
                }
                if !entries.is_empty() {
                    tx.append_journal(entries).await?;
                }
                let n = rows.len() as u64;
                for mail in mails {
                    enqueue!(&mut *tx, mail, now);
                }
                tx.commit().await?;
                n
            }};
        }
        Ok(match self.pool() {
            Pool::Sqlite(pool) => message_on!(pool),
            Pool::Postgres(pool) => message_on!(pool),
        })
    }
}

impl Store {
    /// Records, in one transaction, the routings that imported cases call for (an import
    /// or the demo: no alert is sent, the journal names Vigie's rules). Returns the number
    /// of routings added.
    pub async fn route_imported(
        &self,
        batch: &[(CaseNumber, Vec<Routing>)],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        macro_rules! route_on {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                let mut entries = Vec::new();
                for (case, routings) in batch {
                    let fresh = insert_routings!(tx, case, routings, now);
                    entries.extend(routed_entries(*case, routings, &fresh, now));
                }
                let n = entries.len();
                if n > 0 {
                    tx.append_journal(entries).await?;
                }
                tx.commit().await?;
                n
            }};
        }
        Ok(match self.pool() {
            Pool::Sqlite(pool) => route_on!(pool),
            Pool::Postgres(pool) => route_on!(pool),
        })
    }
}
