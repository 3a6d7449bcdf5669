//! API tokens of a structure's tools.

use super::*;

/// An API token of a structure (its secret is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// Identifier.
    pub id: i64,
    /// The structure it acts for.
    pub structure: StructureId,
    /// What the structure called it.
    pub label: String,
    /// Who created it (what it writes is in their name).
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

/// A live API token, the structure it acts for, and where its acknowledgments go.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTokenHolder {
    /// The token.
    pub token: ApiTokenRecord,
    /// The structure it acts for.
    pub structure: StructureRecord,
    /// The address of the user who created the token, if any.
    pub author_email: Option<String>,
}

/// The journal entry of an API token created or revoked (its number, never its secret).
fn token_entry(
    action: Action,
    structure: StructureId,
    id: i64,
    actor: Actor,
    now: Timestamp,
) -> NewEntry {
    NewEntry {
        at_ns: ns(now),
        actor,
        action,
        subject: format!("structure:{}", structure.0),
        payload: Payload::new().with("token", id),
    }
}

impl Store {
    /// Stores an API token's hash for a structure; journaled.
    pub async fn create_api_token(
        &self,
        structure: StructureId,
        hash: &str,
        label: &str,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO api_tokens (structure_id, token_hash, label, created_by, created_at_ns) \
                   VALUES ($1, $2, $3, $4, $5) RETURNING id";
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sql).bind(structure.0).bind(hash).bind(label).bind(by.map(|u| u.0)).bind(ns(now)).fetch_one(&mut *tx).await?;
            tx.append_journal(vec![token_entry(Action::ApiTokenCreated, structure, id, actor_of(by), now)]).await?;
            tx.commit().await?;
            id
        }))
    }

    /// The structure a live API token acts for (none once its author is disabled).
    pub async fn api_token(&self, hash: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        let sql = "SELECT t.id, t.structure_id, t.label, t.created_by, t.created_at_ns, t.revoked_at_ns \
                   FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by \
                   WHERE t.token_hash = $1 AND t.revoked_at_ns IS NULL AND (u.id IS NULL OR NOT u.disabled)";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(hash).fetch_optional(pool).await? {
                Some(row) => Some(api_token_record!(row)),
                None => None,
            }
        }))
    }

    /// A live API token with its structure and its author's address, in one query (none
    /// once its author is disabled); a
    /// token read less than [`TOKEN_TRUSTED_FOR`](crate::TOKEN_TRUSTED_FOR) before `now` is
    /// not read again (a revocation through this store takes effect at once).
    pub async fn api_token_holder(
        &self,
        hash: &str,
        now: Timestamp,
    ) -> Result<Option<ApiTokenHolder>, StoreError> {
        if let Some(holder) = self.tokens.get(hash, now) {
            return Ok(Some(holder));
        }
        let sql = "SELECT t.id, t.structure_id, t.label, t.created_by, t.created_at_ns, t.revoked_at_ns, \
                   s.finess, s.name, s.kind, s.legal_status, s.region, s.ose, s.ght, u.email \
                   FROM api_tokens t JOIN structures s ON s.id = t.structure_id \
                   LEFT JOIN users u ON u.id = t.created_by \
                   WHERE t.token_hash = $1 AND t.revoked_at_ns IS NULL \
                   AND (u.id IS NULL OR NOT u.disabled)";
        let holder = on_pool!(self, pool => {
            match sqlx::query(sql).bind(hash).fetch_optional(pool).await? {
                Some(row) => Some(ApiTokenHolder {
                    token: api_token_record!(&row),
                    structure: structure_record!(&row, "structure_id"),
                    author_email: row.try_get("email")?,
                }),
                None => None,
            }
        });
        if let Some(holder) = &holder {
            self.tokens.put(hash, now, holder);
        }
        Ok(holder)
    }

    /// The API tokens of a structure, revoked ones included.
    pub async fn api_tokens(
        &self,
        structure: StructureId,
    ) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let sql = "SELECT id, structure_id, label, created_by, created_at_ns, revoked_at_ns FROM api_tokens \
                   WHERE structure_id = $1 ORDER BY id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(structure.0).fetch_all(pool).await? {
                out.push(api_token_record!(row));
            }
        });
        Ok(out)
    }

    /// Revokes an API token of a structure; false if there was none to revoke.
    pub async fn revoke_api_token(
        &self,
        structure: StructureId,
        id: i64,
        by: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE api_tokens SET revoked_at_ns = $3 WHERE id = $1 AND structure_id = $2 AND revoked_at_ns IS NULL";
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(id).bind(structure.0).bind(ns(now)).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                tx.append_journal(vec![token_entry(Action::ApiTokenRevoked, structure, id, by.clone(), now)]).await?;
            }
            tx.commit().await?;
            n
        });
        self.tokens.clear();
        Ok(n == 1)
    }

    /// Every API token of every structure, revoked ones included (the administration's list).
    pub async fn all_api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let sql = "SELECT id, structure_id, label, created_by, created_at_ns, revoked_at_ns FROM api_tokens ORDER BY id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).fetch_all(pool).await? {
                out.push(api_token_record!(row));
            }
        });
        Ok(out)
    }

    /// Revokes an API token whatever its structure (an administrator's or an operator's
    /// act); the structure it belonged to, or `None` if there was none to revoke.
    pub async fn revoke_any_api_token(
        &self,
        id: i64,
        by: &Actor,
        now: Timestamp,
    ) -> Result<Option<StructureId>, StoreError> {
        let sql = "UPDATE api_tokens SET revoked_at_ns = $2 WHERE id = $1 AND revoked_at_ns IS NULL RETURNING structure_id";
        let structure = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let structure: Option<i64> = sqlx::query_scalar(sql).bind(id).bind(ns(now)).fetch_optional(&mut *tx).await?;
            if let Some(s) = structure {
                tx.append_journal(vec![token_entry(Action::ApiTokenRevoked, StructureId(s), id, by.clone(), now)]).await?;
            }
            tx.commit().await?;
            structure
        });
        self.tokens.clear();
        Ok(structure.map(StructureId))
    }
}
