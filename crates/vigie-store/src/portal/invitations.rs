//! Invitations to open an account.

use super::*;

/// A pending invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    /// Invited address.
    pub email: String,
    /// Name to show.
    pub display_name: String,
    /// Role given.
    pub role: Role,
    /// The scope that goes with the role.
    pub scope: Scope,
    /// Valid until then.
    pub expires_at: Timestamp,
}

/// An invitation not yet accepted, as the administration lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    /// What it offers.
    pub invitation: InvitationRecord,
    /// Who sent it (`None`: an operator, from the command line).
    pub invited_by: Option<UserId>,
}

impl Store {
    /// Stores an invitation (only the hash of its link's token).
    pub async fn create_invitation(
        &self,
        token_hash: &str,
        invitation: &InvitationRecord,
        invited_by: Option<UserId>,
        mail: &OutboxMail,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO invitations (token_hash, email, display_name, role, structure_id, ght, region, \
                   authority, invited_by, expires_at_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        let (structure, ght, region, authority) = scope_columns(&invitation.scope);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(sql)
                .bind(token_hash).bind(invitation.email.to_lowercase()).bind(&invitation.display_name)
                .bind(invitation.role.code()).bind(structure).bind(ght).bind(region).bind(authority)
                .bind(invited_by.map(|u| u.0))
                .bind(ns(invitation.expires_at))
                .execute(&mut *tx).await?;
            enqueue!(&mut *tx, mail, now);
            tx.append_journal(vec![NewEntry {
                at_ns: ns(now),
                actor: actor_of(invited_by),
                action: Action::InvitationSent,
                subject: "invitations".to_owned(),
                payload: Payload::new()
                    .with("email", invitation.email.to_lowercase())
                    .with("role", invitation.role.code())
                    .with("scope", scope_code(&invitation.scope)),
            }])
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A pending invitation by its token hash (`None` if unknown, used or expired).
    pub async fn invitation(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        let sql = "SELECT CAST(0 AS BIGINT) AS id, email, display_name, role, structure_id, ght, region, authority, expires_at_ns FROM invitations \
                   WHERE token_hash = $1 AND accepted_at_ns IS NULL AND expires_at_ns > $2";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(token_hash).bind(ns(now)).fetch_optional(pool).await? {
                Some(row) => {
                    let expires: i64 = row.try_get("expires_at_ns")?;
                    let (role, scope) = scope_of!(&row, "invitations");
                    Some(InvitationRecord {
                        email: row.try_get("email")?,
                        display_name: row.try_get("display_name")?,
                        role,
                        scope,
                        expires_at: instant(expires),
                    })
                }
                None => None,
            }
        }))
    }

    /// Accepts an invitation: creates the account with its password, once.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        user: &NewUser,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let mark = "UPDATE invitations SET accepted_at_ns = $2 WHERE token_hash = $1 \
                    AND accepted_at_ns IS NULL AND expires_at_ns > $2 RETURNING invited_by";
        let insert = "INSERT INTO users (email, display_name, role, structure_id, ght, region, authority, \
                      password_hash, created_at_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let (structure, ght, region, authority) = scope_columns(&user.scope);
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let Some(invited_by) = sqlx::query_scalar::<_, Option<i64>>(mark).bind(token_hash).bind(ns(now)).fetch_optional(&mut *tx).await? else {
                return Ok(None);
            };
            let id: i64 = sqlx::query_scalar(insert)
                .bind(user.email.to_lowercase()).bind(&user.display_name).bind(user.role.code())
                .bind(structure).bind(ght).bind(region).bind(authority)
                .bind(user.password_hash.as_deref()).bind(ns(now))
                .fetch_one(&mut *tx).await?;
            let entry = account_created(UserId(id), user, Actor::User(id), invited_by, now);
            tx.append_journal(vec![entry]).await?;
            tx.commit().await?;
            Some(UserId(id))
        }))
    }

    /// The invitations neither accepted nor expired, newest first.
    pub async fn pending_invitations(
        &self,
        now: Timestamp,
    ) -> Result<Vec<PendingInvitation>, StoreError> {
        let sql = "SELECT CAST(0 AS BIGINT) AS id, email, display_name, role, structure_id, ght, region, authority, \
                   invited_by, expires_at_ns FROM invitations \
                   WHERE accepted_at_ns IS NULL AND expires_at_ns > $1 ORDER BY expires_at_ns DESC, email";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(ns(now)).fetch_all(pool).await? {
                let expires: i64 = row.try_get("expires_at_ns")?;
                let (role, scope) = scope_of!(&row, "invitations");
                out.push(PendingInvitation {
                    invitation: InvitationRecord {
                        email: row.try_get("email")?,
                        display_name: row.try_get("display_name")?,
                        role,
                        scope,
                        expires_at: instant(expires),
                    },
                    invited_by: row.try_get::<Option<i64>, _>("invited_by")?.map(UserId),
                });
            }
        });
        Ok(out)
    }

    /// Withdraws every pending invitation to this address (their links stop working), in
    /// one transaction journaled with `by`; how many were withdrawn.
    pub async fn revoke_invitations(
        &self,
        email: &str,
        by: &Actor,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let sql = "DELETE FROM invitations WHERE email = $1 AND accepted_at_ns IS NULL AND expires_at_ns > $2";
        let email = email.trim().to_lowercase();
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(&email).bind(ns(now)).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: by.clone(),
                    action: Action::InvitationRevoked,
                    subject: "invitations".to_owned(),
                    payload: Payload::new().with("email", email.as_str()).with("count", n),
                }]).await?;
            }
            tx.commit().await?;
            n
        }))
    }
}
