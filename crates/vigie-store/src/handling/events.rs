//! Shared events: declarations linked by name, and one message to every structure.

use super::*;

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
    /// What the public report says of it, once a member of the CERT made it public.
    pub public: Option<PublicText>,
}

/// What the public report says of a shared event, written for the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicText {
    /// Its title in the report.
    pub title: String,
    /// What happened, in words fit for the public.
    pub summary: String,
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
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(sql).bind(name).bind(description).bind(by.map(|u| u.0)).bind(ns(now)).fetch_optional(&mut *tx).await?;
            if let Some(id) = id {
                // The description is the staff's own text: the journal keeps its hash.
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: crate::journal::actor_of(by),
                    action: Action::EventCreated,
                    subject: format!("event:{id}"),
                    payload: Payload::new()
                        .with("name", name)
                        .with("description_sha256", sha256_hex(description.as_bytes())),
                }])
                .await?;
            }
            tx.commit().await?;
            id
        }))
    }

    /// Shared events, with their declarations of `year` (Paris) or of every year.
    pub async fn events(&self, year: Option<i32>) -> Result<Vec<EventSummary>, StoreError> {
        let sql = "SELECT e.id, e.name, e.description, e.public_title, e.public_summary, COUNT(i.id) AS cases, \
                   COUNT(DISTINCT i.structure_id) AS structures, MIN(i.declared_at_ns) AS first_declared \
                   FROM events e LEFT JOIN incidents i ON i.event = e.name AND ($1 IS NULL OR i.local_year = $1) \
                   GROUP BY e.id, e.name, e.description, e.public_title, e.public_summary \
                   ORDER BY MIN(i.declared_at_ns), e.id";
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
                    public: match (
                        row.try_get::<Option<String>, _>("public_title")?,
                        row.try_get::<Option<String>, _>("public_summary")?,
                    ) {
                        (Some(title), Some(summary)) => Some(PublicText { title, summary }),
                        _ => None,
                    },
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

    /// The events the public report of `year` shows: those a member of the CERT made
    /// public, with at least `threshold` declarations that year (fewer would point at
    /// structures), first declared first.
    pub async fn public_events(
        &self,
        year: i32,
        threshold: u32,
    ) -> Result<Vec<EventSummary>, StoreError> {
        Ok(self
            .notable_events(year)
            .await?
            .into_iter()
            .filter(|e| e.public.is_some() && e.cases >= i64::from(threshold.max(1)))
            .collect())
    }

    /// Makes an event public with a title and summary written for the report, or
    /// withdraws it (`None`); journaled with the texts' hashes. False if no such event.
    pub async fn set_event_public(
        &self,
        id: i64,
        text: Option<&PublicText>,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE events SET public_title = $2, public_summary = $3, made_public_by = $4, \
                   made_public_at_ns = $5 WHERE id = $1";
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql)
                .bind(id)
                .bind(text.map(|t| t.title.as_str()))
                .bind(text.map(|t| t.summary.as_str()))
                .bind(text.and(by).map(|u| u.0))
                .bind(text.map(|_| ns(now)))
                .execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                let (action, payload) = match text {
                    Some(t) => (
                        Action::EventMadePublic,
                        Payload::new()
                            .with("title", t.title.as_str())
                            .with("summary_sha256", sha256_hex(t.summary.as_bytes())),
                    ),
                    None => (Action::EventMadePrivate, Payload::new()),
                };
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: crate::journal::actor_of(by),
                    action,
                    subject: format!("event:{id}"),
                    payload,
                }])
                .await?;
            }
            tx.commit().await?;
            n == 1
        }))
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
