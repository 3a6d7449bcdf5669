//! Support actions given to a structure, and the reflex sheets as versions.

use super::*;

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
