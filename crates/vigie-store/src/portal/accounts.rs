//! Accounts: creation, passwords and second factors, failed logins and their locks, disabling.

use super::*;

/// The place a TOTP secret is sealed for: its account.
fn totp_place(user: i64) -> String {
    format!("totp:user:{user}")
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// E-mail address, the login (stored in lower case).
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role and scope.
    pub role: Role,
    /// The scope that goes with the role.
    pub scope: Scope,
    /// Argon2id hash (PHC string), or `None` until an invitation is accepted.
    pub password_hash: Option<String>,
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Identifier.
    pub id: UserId,
    /// E-mail address (lower case).
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role and scope, checked consistent.
    pub viewer: Viewer,
    /// Argon2id hash (PHC string).
    pub password_hash: Option<String>,
    /// TOTP secret (base32), once enrolled.
    pub totp_secret: Option<String>,
    /// Last TOTP time step accepted (no code is accepted twice).
    pub totp_last_step: Option<i64>,
    /// Consecutive failed logins.
    pub failed_logins: i32,
    /// Time of the last failed login.
    pub last_failure: Option<Timestamp>,
    /// Logins refused until then.
    pub locked_until: Option<Timestamp>,
    /// The account may not log in.
    pub disabled: bool,
    /// Created by `vigie serve --demo`: its password is published.
    pub demo: bool,
}

/// A new second factor: the TOTP secret, the step its first code used, and the hashes of
/// fresh recovery codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewSecondFactor<'a> {
    /// The TOTP secret, in base32.
    pub totp_secret: &'a str,
    /// The step of the code that confirmed it (refused from now on).
    pub totp_step: i64,
    /// Hashes of the new recovery codes.
    pub recovery_hashes: &'a [String],
    /// The client's address, for the journal.
    pub from: Option<std::net::IpAddr>,
}

/// The journal entry of an account created: the role and scope it grants, and who
/// invited it, if anyone.
pub(crate) fn account_created(
    id: UserId,
    user: &NewUser,
    actor: Actor,
    invited_by: Option<i64>,
    now: Timestamp,
) -> NewEntry {
    NewEntry {
        at_ns: ns(now),
        actor,
        action: Action::AccountCreated,
        subject: Actor::User(id.0).to_string(),
        payload: Payload::new()
            .with("role", user.role.code())
            .with("scope", scope_code(&user.scope))
            .with("invited_by", invited_by.map(|u| Actor::User(u).to_string())),
    }
}

impl Store {
    /// Creates an account (an operator's, or the demo's; journaled with what it grants);
    /// the e-mail address must be new.
    pub async fn create_user(&self, user: &NewUser, now: Timestamp) -> Result<UserId, StoreError> {
        let sql = "INSERT INTO users (email, display_name, role, structure_id, ght, region, authority, \
                   password_hash, created_at_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let (structure, ght, region, authority) = scope_columns(&user.scope);
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sql)
                .bind(user.email.to_lowercase())
                .bind(&user.display_name)
                .bind(user.role.code())
                .bind(structure)
                .bind(ght)
                .bind(region)
                .bind(authority)
                .bind(user.password_hash.as_deref())
                .bind(ns(now))
                .fetch_one(&mut *tx)
                .await?;
            tx.append_journal(vec![account_created(UserId(id), user, Actor::System, None, now)]).await?;
            tx.commit().await?;
            id
        });
        Ok(UserId(id))
    }

    /// The account with this e-mail address (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
        ));
        let email = email.trim().to_lowercase();
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(email).fetch_optional(pool).await? {
                Some(row) => Some(user_record!(self, row)),
                None => None,
            }
        }))
    }

    /// The account with this identifier.
    pub async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        ));
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(id.0).fetch_optional(pool).await? {
                Some(row) => Some(user_record!(self, row)),
                None => None,
            }
        }))
    }

    /// The accounts of a structure.
    pub async fn users_of_structure(
        &self,
        structure: StructureId,
    ) -> Result<Vec<UserRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.structure_id = $1 ORDER BY u.id"
        ));
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(structure.0).fetch_all(pool).await? {
                out.push(user_record!(self, row));
            }
        });
        Ok(out)
    }

    /// Replaces an account's password hash.
    pub async fn set_password(&self, user: UserId, hash: &str) -> Result<(), StoreError> {
        let sql = "UPDATE users SET password_hash = $2 WHERE id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(user.0).bind(hash).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Enrols (or removes) an account's TOTP secret, sealed with the server's key; the
    /// replay guard starts anew.
    pub async fn set_totp(&self, user: UserId, secret: Option<&str>) -> Result<(), StoreError> {
        let sql = "UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1";
        let sealed = secret.map(|s| self.seal_totp(user.0, s)).transpose()?;
        on_pool!(self, pool => sqlx::query(sql).bind(user.0).bind(sealed).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// A TOTP secret sealed for its account.
    fn seal_totp(&self, user: i64, secret: &str) -> Result<String, StoreError> {
        self.sealing
            .seal(secret, &totp_place(user))
            .map_err(|e| StoreError::SecretKey(e.to_string()))
    }

    /// The TOTP secret of an account, opened (a secret stored in clear by an older
    /// version passes as it is until [`Store::open`] seals it).
    pub(crate) fn open_totp(&self, user: i64, stored: &str) -> Result<String, StoreError> {
        use vigie_auth::ExposeSecret as _;
        if !vigie_auth::SealingKey::is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        match self.sealing.open(stored, &totp_place(user)) {
            Ok(secret) => Ok(secret.expose_secret().to_owned()),
            Err(e) => Err(StoreError::SecretKey(format!(
                "from {} (fingerprint {}) does not open the TOTP secret of account {user}: {e}; \
                 give Vigie the key this database was sealed with (VIGIE_SECRET_KEY or VIGIE_SECRET_KEY_FILE)",
                self.key_source,
                self.sealing.fingerprint()
            ))),
        }
    }

    /// Seals the TOTP secrets an older version stored in clear, and checks that the key
    /// opens those already sealed (a wrong key is refused at once, not at a login).
    pub(crate) async fn seal_clear_secrets(&self) -> Result<(), StoreError> {
        let all = "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id";
        let update = "UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_secret = $3";
        let rows: Vec<(i64, String)> =
            on_pool!(self, pool => sqlx::query_as(all).fetch_all(pool).await?);
        let mut checked = false;
        for (id, stored) in rows {
            if vigie_auth::SealingKey::is_sealed(&stored) {
                if !checked {
                    self.open_totp(id, &stored)?;
                    checked = true;
                }
                continue;
            }
            let sealed = self.seal_totp(id, &stored)?;
            on_pool!(self, pool => sqlx::query(update).bind(id).bind(&sealed).bind(&stored).execute(pool).await?.rows_affected());
        }
        Ok(())
    }

    /// Records that a TOTP time step was used; false if it (or a later one) already was.
    pub async fn accept_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let sql = "UPDATE users SET totp_last_step = $2 WHERE id = $1 \
                   AND (totp_last_step IS NULL OR totp_last_step < $2)";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(user.0).bind(step).execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    /// Replaces an account's recovery codes by these hashes.
    pub async fn set_recovery_codes(
        &self,
        user: UserId,
        hashes: &[String],
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            for hash in hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.0)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The hashes of an account's recovery codes not used yet.
    pub async fn unused_recovery_codes(&self, user: UserId) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at_ns IS NULL";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).bind(user.0).fetch_all(pool).await?))
    }

    /// Uses a recovery code, once: false if unknown or already used.
    pub async fn use_recovery_code(
        &self,
        user: UserId,
        hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE recovery_codes SET used_at_ns = $3 WHERE user_id = $1 AND code_hash = $2 \
                   AND used_at_ns IS NULL";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(user.0).bind(hash).bind(ns(now)).execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    /// Counts a failed login of an account and journals it, in one transaction: the count
    /// is raised in the database (parallel guesses each count), and the lock is `lock` of
    /// the count reached, so that no guess reads a stale count. Returns the lock applied.
    pub async fn login_failed(
        &self,
        user: UserId,
        login: &Login,
        now: Timestamp,
        lock: impl Fn(u32) -> Option<Timestamp>,
    ) -> Result<Option<Timestamp>, StoreError> {
        let count = "UPDATE users SET failed_logins = failed_logins + 1, last_failure_ns = $2 \
                     WHERE id = $1 RETURNING failed_logins";
        let set_lock = "UPDATE users SET locked_until_ns = $2 WHERE id = $1";
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The first statement writes: concurrent failures of the account queue here.
            let failures: i32 = sqlx::query_scalar(count).bind(user.0).bind(ns(now)).fetch_one(&mut *tx).await?;
            let locked_until = lock(u32::try_from(failures).unwrap_or(0));
            sqlx::query(set_lock).bind(user.0).bind(locked_until.map(ns)).execute(&mut *tx).await?;
            tx.append_journal(vec![login_entry(user, login, false, locked_until, now)]).await?;
            tx.commit().await?;
            locked_until
        }))
    }

    /// Clears the failed logins of an account, and journals the factor it passed.
    pub async fn login_succeeded(
        &self,
        user: UserId,
        login: &Login,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE users SET failed_logins = 0, locked_until_ns = NULL WHERE id = $1";
        let entry = login_entry(user, login, true, None, now);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(sql).bind(user.0).execute(&mut *tx).await?;
            tx.append_journal(vec![entry]).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Journals a password accepted for an account whose second factor is still to be
    /// checked; its failure count is kept: only both factors passing clears it.
    pub async fn password_accepted(
        &self,
        user: UserId,
        login: &Login,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.journal(vec![login_entry(user, login, true, None, now)])
            .await?;
        Ok(())
    }

    /// The consecutive failed logins of a name that has no account, and until when it
    /// is locked: counted like an account's, so that both answer alike.
    pub async fn login_name_failures(
        &self,
        name: &str,
    ) -> Result<(u32, Option<Timestamp>), StoreError> {
        let sql = "SELECT failed_logins, locked_until_ns FROM login_names WHERE name_sha256 = $1";
        let key = login_name_key(name);
        let row: Option<(i32, Option<i64>)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(&key).fetch_optional(pool).await?);
        Ok(match row {
            Some((failures, locked)) => (u32::try_from(failures).unwrap_or(0), locked.map(instant)),
            None => (0, None),
        })
    }

    /// Counts a failed login of a name without an account, as `login_failed` does for an
    /// account (raised in the database, `lock` of the count reached); returns the lock.
    pub async fn login_name_failed(
        &self,
        name: &str,
        now: Timestamp,
        lock: impl Fn(u32) -> Option<Timestamp>,
    ) -> Result<Option<Timestamp>, StoreError> {
        let count = "INSERT INTO login_names (name_sha256, failed_logins, last_failure_ns, locked_until_ns) \
                     VALUES ($1, 1, $2, NULL) ON CONFLICT (name_sha256) DO UPDATE SET \
                     failed_logins = login_names.failed_logins + 1, \
                     last_failure_ns = excluded.last_failure_ns RETURNING failed_logins";
        let set_lock = "UPDATE login_names SET locked_until_ns = $2 WHERE name_sha256 = $1";
        let key = login_name_key(name);
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let failures: i32 = sqlx::query_scalar(count).bind(&key).bind(ns(now)).fetch_one(&mut *tx).await?;
            let locked_until = lock(u32::try_from(failures).unwrap_or(0));
            sqlx::query(set_lock).bind(&key).bind(locked_until.map(ns)).execute(&mut *tx).await?;
            tx.commit().await?;
            locked_until
        }))
    }

    /// Forgets failed logins whose last failure is before `before`, of names without an
    /// account and of accounts alike (so that both still answer the same); returns how
    /// many names and accounts were forgotten.
    pub async fn forget_failed_logins(&self, before: Timestamp) -> Result<u64, StoreError> {
        let names = "DELETE FROM login_names WHERE last_failure_ns < $1";
        let accounts = "UPDATE users SET failed_logins = 0, locked_until_ns = NULL \
                        WHERE failed_logins > 0 AND last_failure_ns < $1";
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(names).bind(ns(before)).execute(&mut *tx).await?.rows_affected();
            let m = sqlx::query(accounts).bind(ns(before)).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            n + m
        }))
    }

    /// Replaces an account's second factor (TOTP secret and recovery codes) in one
    /// transaction: every session of the account ends, `session` opens in their place, and
    /// `notice` (if any) is queued.
    pub async fn replace_second_factor(
        &self,
        user: UserId,
        factor: &NewSecondFactor<'_>,
        session: &NewSession<'_>,
        notice: Option<&OutboxMail>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let secret = "UPDATE users SET totp_secret = $2, totp_last_step = $3 WHERE id = $1";
        let sealed = self.seal_totp(user.0, factor.totp_secret)?;
        let open = "INSERT INTO sessions (token_hash, user_id, csrf, mfa_done, created_at_ns, expires_at_ns) \
                    VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(secret).bind(user.0).bind(&sealed).bind(factor.totp_step).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            for hash in factor.recovery_hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user.0).bind(hash).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
            sqlx::query(open)
                .bind(session.token_hash).bind(user.0).bind(session.csrf).bind(session.mfa_done)
                .bind(ns(now)).bind(ns(session.expires_at))
                .execute(&mut *tx).await?;
            if let Some(mail) = notice {
                enqueue!(&mut *tx, mail, now);
            }
            tx.append_journal(vec![NewEntry {
                at_ns: ns(now),
                actor: Actor::User(user.0),
                action: Action::SecondFactorReplaced,
                subject: Actor::User(user.0).to_string(),
                payload: Payload::new()
                    .with("from", factor.from.map(|ip| ip.to_string()))
                    .with("recovery_codes", factor.recovery_hashes.len())
                    .with("notified", notice.is_some()),
            }]).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Disables an account, in one transaction, journaled with `by`: it may no longer log
    /// in, its sessions end and the API tokens it created are revoked. False if there was
    /// no such account.
    pub async fn disable_user(
        &self,
        user: UserId,
        by: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let disable = "UPDATE users SET disabled = TRUE WHERE id = $1";
        let revoke = "UPDATE api_tokens SET revoked_at_ns = $2 WHERE created_by = $1 AND revoked_at_ns IS NULL";
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(disable).bind(user.0).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?;
                let revoked = sqlx::query(revoke).bind(user.0).bind(ns(now)).execute(&mut *tx).await?.rows_affected();
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: by.clone(),
                    action: Action::AccountDisabled,
                    subject: Actor::User(user.0).to_string(),
                    payload: Payload::new().with("api_tokens_revoked", revoked),
                }]).await?;
            }
            tx.commit().await?;
            n
        });
        self.tokens.clear();
        Ok(n == 1)
    }

    /// Enables a disabled account again, in one transaction journaled with `by`: its
    /// failure count and lock are cleared. False if there was no disabled account.
    pub async fn enable_user(
        &self,
        user: UserId,
        by: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let enable = "UPDATE users SET disabled = FALSE, failed_logins = 0, locked_until_ns = NULL \
                      WHERE id = $1 AND disabled";
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(enable).bind(user.0).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: by.clone(),
                    action: Action::AccountEnabled,
                    subject: Actor::User(user.0).to_string(),
                    payload: Payload::new(),
                }]).await?;
            }
            tx.commit().await?;
            n
        });
        Ok(n == 1)
    }

    /// Removes an account's second factor (TOTP key and recovery codes), in one
    /// transaction journaled with `by`: its sessions end, and an account that must have
    /// one enrols a new one at its next login. False if it had none.
    pub async fn reset_second_factor(
        &self,
        user: UserId,
        by: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let reset = "UPDATE users SET totp_secret = NULL, totp_last_step = NULL \
                     WHERE id = $1 AND totp_secret IS NOT NULL";
        let n = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(reset).bind(user.0).execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                let codes = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?.rows_affected();
                let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?.rows_affected();
                tx.append_journal(vec![NewEntry {
                    at_ns: ns(now),
                    actor: by.clone(),
                    action: Action::SecondFactorReset,
                    subject: Actor::User(user.0).to_string(),
                    payload: Payload::new()
                        .with("recovery_codes_removed", codes)
                        .with("sessions_ended", sessions),
                }]).await?;
            }
            tx.commit().await?;
            n
        });
        Ok(n == 1)
    }

    /// Changes an account's password (the caller checked the old one), in one
    /// transaction: every session of the account ends, `session` opens in their place,
    /// and `notice` (if any) is queued; journaled with the client's address.
    pub async fn change_password(
        &self,
        user: UserId,
        hash: &str,
        session: &NewSession<'_>,
        notice: Option<&OutboxMail>,
        from: Option<std::net::IpAddr>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let set = "UPDATE users SET password_hash = $2 WHERE id = $1";
        let open = "INSERT INTO sessions (token_hash, user_id, csrf, mfa_done, created_at_ns, expires_at_ns) \
                    VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(set).bind(user.0).bind(hash).execute(&mut *tx).await?;
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut *tx).await?.rows_affected();
            sqlx::query(open)
                .bind(session.token_hash).bind(user.0).bind(session.csrf).bind(session.mfa_done)
                .bind(ns(now)).bind(ns(session.expires_at))
                .execute(&mut *tx).await?;
            if let Some(mail) = notice {
                enqueue!(&mut *tx, mail, now);
            }
            tx.append_journal(vec![NewEntry {
                at_ns: ns(now),
                actor: Actor::User(user.0),
                action: Action::PasswordChanged,
                subject: Actor::User(user.0).to_string(),
                payload: Payload::new()
                    .with("from", from.map(|ip| ip.to_string()))
                    .with("sessions_ended", ended)
                    .with("notified", notice.is_some()),
            }]).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every account, in the order they were created (the administration's list).
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id"));
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).fetch_all(pool).await? {
                out.push(user_record!(self, row));
            }
        });
        Ok(out)
    }

    /// Marks an account as a demo account (its password is published).
    pub async fn mark_demo(&self, user: UserId) -> Result<(), StoreError> {
        let sql = "UPDATE users SET demo = TRUE WHERE id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(user.0).execute(pool).await.map(drop)?);
        Ok(())
    }

    /// The number of demo accounts not disabled.
    pub async fn demo_accounts(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM users WHERE demo AND NOT disabled";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
    }

    /// What the database holds that the demo did not put there: accounts that are not
    /// demo accounts, and incidents neither generated by the demo (`demo-` references) nor
    /// declared by a demo account. Empty for a fresh or a demo database.
    pub async fn non_demo_data(&self) -> Result<Vec<String>, StoreError> {
        let users = "SELECT COUNT(*) FROM users WHERE NOT demo";
        let incidents = "SELECT COUNT(*) FROM incidents i LEFT JOIN users u ON u.id = i.declared_by \
                         WHERE (i.ref IS NULL OR i.ref NOT LIKE 'demo-%') AND (u.id IS NULL OR NOT u.demo)";
        let (users, incidents): (i64, i64) = on_pool!(self, pool => (
            sqlx::query_scalar(users).fetch_one(pool).await?,
            sqlx::query_scalar(incidents).fetch_one(pool).await?,
        ));
        let mut out = Vec::new();
        if users > 0 {
            out.push(format!("{users} account(s) not created by the demo"));
        }
        if incidents > 0 {
            out.push(format!("{incidents} incident(s) not generated by the demo"));
        }
        Ok(out)
    }
}
