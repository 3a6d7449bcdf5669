//! The routing rules document as versions, and the accounts each authority's alerts reach.

use super::*;

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

impl Store {
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
            actor: crate::journal::actor_of(by),
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
}
