//! Server-side sessions.

use super::*;

/// A live session and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The user.
    pub user: UserRecord,
    /// The session's anti-CSRF token.
    pub csrf: String,
    /// The second factor was checked (or is not required).
    pub mfa_done: bool,
    /// The session ends then.
    pub expires_at: Timestamp,
}

/// A session to open (only the hash of its token is stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewSession<'a> {
    /// Hash of the session token.
    pub token_hash: &'a str,
    /// The session's anti-CSRF token.
    pub csrf: &'a str,
    /// The second factor was checked (or is not required).
    pub mfa_done: bool,
    /// The session ends then.
    pub expires_at: Timestamp,
}

impl Store {
    /// Opens a session (only the hash of its token is stored).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf: &str,
        mfa_done: bool,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO sessions (token_hash, user_id, csrf, mfa_done, created_at_ns, expires_at_ns) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(token_hash).bind(user.0).bind(csrf).bind(mfa_done).bind(ns(now)).bind(ns(expires_at))
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The live session of this token hash, with its user (`None` if unknown, expired or disabled).
    pub async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.mfa_done, s.expires_at_ns FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at_ns > $2 \
             AND NOT u.disabled"
        ));
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(token_hash).bind(ns(now)).fetch_optional(pool).await? {
                Some(row) => {
                    let expires: i64 = row.try_get("expires_at_ns")?;
                    Some(SessionRecord {
                        csrf: row.try_get("csrf")?,
                        mfa_done: row.try_get("mfa_done")?,
                        expires_at: instant(expires),
                        user: user_record!(self, &row),
                    })
                }
                None => None,
            }
        }))
    }

    /// Marks a session's second factor as checked.
    pub async fn session_mfa_done(&self, token_hash: &str) -> Result<(), StoreError> {
        let sql = "UPDATE sessions SET mfa_done = TRUE WHERE token_hash = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(token_hash).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Ends a session.
    /// Ends a session because its user signed out; journaled.
    pub async fn logout(
        &self,
        token_hash: &str,
        user: UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "DELETE FROM sessions WHERE token_hash = $1 AND user_id = $2";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(token_hash).bind(user.0).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: Actor::User(user.0),
                    action: Action::LoggedOut,
                    subject: Actor::User(user.0).to_string(),
                    payload: Payload::new(),
                }])
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Ends a session (its second factor failed for good, or it expired).
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM sessions WHERE token_hash = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(token_hash).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Forgets the sessions expired at `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64, StoreError> {
        let sql = "DELETE FROM sessions WHERE expires_at_ns <= $1";
        Ok(
            on_pool!(self, pool => sqlx::query(sql).bind(ns(now)).execute(pool).await?.rows_affected()),
        )
    }

    /// Ends every session of an account (after a password change, say).
    pub async fn delete_sessions_of(&self, user: UserId) -> Result<(), StoreError> {
        let sql = "DELETE FROM sessions WHERE user_id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(user.0).execute(pool).await?.rows_affected());
        Ok(())
    }
}
