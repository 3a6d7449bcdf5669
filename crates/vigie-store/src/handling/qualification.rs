//! Qualification with its history, the routings the rules call for, and the case's
//! handling record.

use super::*;

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
