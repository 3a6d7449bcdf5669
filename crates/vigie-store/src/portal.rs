//! The portal's records: accounts, sessions, declarations and their messages, drafts,
//! API tokens, invitations, and the outbox of e-mails.

use futures_util::TryStreamExt;
use jiff::Timestamp;
use sqlx::{Postgres, QueryBuilder, Row as _, Sqlite};
use vigie_access::{Authority, IncidentFacts, Listing, Role, Scope, StructureId, UserId, Viewer};
use vigie_model::{
    CareImpact, CaseNumber, Code, CodeSet, DateTime, Finess, Incident, RawDeclaration, Region,
    Structure,
};
use vigie_workflow::{
    case::CaseState,
    routing::{Recipient, Routing},
};

use vigie_journal::{Action, Actor, NewEntry, Payload, sha256_hex};

use crate::{
    Pool, Store, StoreError,
    declare::Pending,
    decode::{self, parsed},
    journal::{Append as _, Login, login_entry},
    on_pool,
    revision::BUMP,
};

/// Nanoseconds since 1970 of an instant (saturating outside 1678–2261).
pub(crate) fn ns(at: Timestamp) -> i64 {
    i64::try_from(at.as_nanosecond()).unwrap_or(if at.as_second() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The instant of a count of nanoseconds.
pub(crate) fn instant(ns: i64) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(ns)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// What the journal says of a declaration: who declared for which structure, a SHA-256 of
/// the incident as declared (its v1 line), never its content, and its routings.
pub(crate) fn declared_payload(
    incident: &Incident,
    declared_by: Option<UserId>,
    routings: &[Routing],
) -> Payload {
    let line = vigie_model::interchange::v1::to_line(incident);
    let mut payload = Payload::new()
        .with("structure", incident.structure.finess.as_str())
        .with(
            "declared_by",
            declared_by.map(|u| Actor::User(u.0).to_string()),
        )
        .with("incident_sha256", sha256_hex(line.as_bytes()));
    // The routings made with the declaration, by Vigie's rules, in the same entry:
    // `recipient:rule+rule` separated by `;`.
    if !routings.is_empty() {
        let routed: Vec<String> = routings
            .iter()
            .map(|r| format!("{}:{}", r.to.code(), r.rule_ids().replace(',', "+")))
            .collect();
        payload = payload.with("routed", routed.join(";"));
    }
    payload
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
}

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

/// A stored structure.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureRecord {
    /// Identifier.
    pub id: StructureId,
    /// The structure.
    pub structure: Structure,
}

/// What a declarant writes beyond the interchange format's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclarationTexts {
    /// Measures already taken.
    pub measures_taken: Option<String>,
    /// Affected systems and providers.
    pub affected_systems: Option<String>,
}

/// The draft of a declaration: one per user and structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DraftKey {
    /// Whose draft it is.
    pub user: UserId,
    /// The structure it declares for.
    pub structure: StructureId,
}

/// A draft as saved: the step to resume at, and every field as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDraft {
    /// The step of the form to resume at (from 1).
    pub step: i32,
    /// The fields as typed.
    pub fields: RawDeclaration,
}

/// A declaration to store, with what is written in its transaction.
#[derive(Debug, Clone, Copy)]
pub struct NewDeclaration<'a> {
    /// The declaring structure.
    pub structure: StructureId,
    /// The incident as declared.
    pub incident: &'a Incident,
    /// The account that declared it, if any.
    pub declared_by: Option<UserId>,
    /// Who the journal says acted.
    pub actor: &'a Actor,
    /// Measures taken and affected systems.
    pub texts: &'a DeclarationTexts,
    /// The routings the rules in force give it.
    pub routings: &'a [Routing],
    /// The draft it was made from, deleted with the declaration's commit.
    pub draft: Option<DraftKey>,
    /// When it is declared.
    pub now: Timestamp,
}

/// One case: the incident, what access depends on, and its handling state.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    /// Case number.
    pub case: CaseNumber,
    /// The incident as declared and qualified.
    pub incident: Incident,
    /// Structure, GHT, region and routings: what access depends on.
    pub facts: IncidentFacts,
    /// Handling state.
    pub state: CaseState,
    /// Who declared it on the portal.
    pub declared_by: Option<UserId>,
    /// Measures taken and affected systems, as declared.
    pub texts: DeclarationTexts,
}

impl CaseRecord {
    /// The handling state of a case when it is declared.
    pub const INITIAL_STATE: CaseState = CaseState::Received;
}

/// A line of a list of cases.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    /// Case number.
    pub case: CaseNumber,
    /// Name of the declaring structure.
    pub structure_name: String,
    /// Title given by the declarant.
    pub title: Option<String>,
    /// When it was declared.
    pub declared_at: DateTime,
    /// Handling state.
    pub state: CaseState,
    /// Impact on care.
    pub care_impact: CareImpact,
    /// What access depends on.
    pub facts: IncidentFacts,
}

/// A message on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Identifier.
    pub id: i64,
    /// Author's display name, if the author is known.
    pub author: Option<String>,
    /// Author's role.
    pub author_role: Option<Role>,
    /// Text.
    pub body: String,
    /// When it was written.
    pub at: Timestamp,
}

/// An e-mail waiting in the outbox: written in the same transaction as what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Recipients' addresses.
    pub recipients: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Message-ID, so a retried delivery is recognisable.
    pub message_id: String,
}

/// A mail due for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMail {
    /// Outbox identifier.
    pub id: i64,
    /// The mail.
    pub mail: OutboxMail,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When it was queued.
    pub queued_at: Timestamp,
}

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

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.structure_id, u.ght, u.region, \
     u.authority, u.password_hash, u.totp_secret, u.totp_last_step, u.failed_logins, \
     u.last_failure_ns, u.locked_until_ns, u.disabled";

/// Inserts a mail into the outbox within a transaction.
macro_rules! enqueue {
    ($tx:expr, $mail:expr, $now:expr) => {{
        let mail: &OutboxMail = $mail;
        sqlx::query(
            "INSERT INTO outbox (recipients, subject, text_body, html_body, message_id, created_at_ns, next_attempt_ns) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(mail.recipients.join(","))
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(&mail.message_id)
        .bind(ns($now))
        .execute($tx)
        .await?;
    }};
}
pub(crate) use enqueue;

macro_rules! structure_record {
    ($row:expr) => {
        structure_record!($row, "id")
    };
    ($row:expr, $id:literal) => {{
        let row = $row;
        let id: i64 = row.try_get($id)?;
        let finess: String = row.try_get("finess")?;
        let name: String = row.try_get("name")?;
        let kind: String = row.try_get("kind")?;
        let legal_status: String = row.try_get("legal_status")?;
        let region: String = row.try_get("region")?;
        let ght: Option<String> = row.try_get("ght")?;
        StructureRecord {
            id: StructureId(id),
            structure: Structure {
                finess: parsed(Finess::parse(&finess), "structures", id, "finess")?,
                name: parsed(
                    vigie_model::text::BoundedText::parse(name),
                    "structures",
                    id,
                    "name",
                )?,
                kind: parsed(Code::parse(&kind), "structures", id, "kind")?,
                legal_status: parsed(Code::parse(&legal_status), "structures", id, "legal_status")?,
                region: parsed(Code::parse(&region), "structures", id, "region")?,
                ose: row.try_get("ose")?,
                ght: ght
                    .map(|g| {
                        parsed(
                            vigie_model::text::BoundedText::parse(g),
                            "structures",
                            id,
                            "ght",
                        )
                    })
                    .transpose()?,
            },
        }
    }};
}

macro_rules! api_token_record {
    ($row:expr) => {{
        let row = $row;
        let created: i64 = row.try_get("created_at_ns")?;
        let revoked: Option<i64> = row.try_get("revoked_at_ns")?;
        ApiTokenRecord {
            id: row.try_get("id")?,
            structure: StructureId(row.try_get("structure_id")?),
            label: row.try_get("label")?,
            created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
            created_at: instant(created),
            revoked_at: revoked.map(instant),
        }
    }};
}

macro_rules! case_summary {
    ($row:expr) => {{
        let row = $row;
        let id: i64 = row.try_get("id")?;
        let case = crate::decode::case_number(id, row.try_get("local_year")?)?;
        let at: i64 = row.try_get("declared_at_ns")?;
        let offset: i32 = row.try_get("declared_offset_s")?;
        let region: String = row.try_get("region")?;
        let routed: Option<String> = row.try_get("routed")?;
        let mut routed_to = CodeSet::empty();
        for code in routed.iter().flat_map(|r| r.split(',')) {
            if let Recipient::Authority(a) =
                parsed(Recipient::parse(code), "routings", id, "authority")?
            {
                routed_to.insert(a);
            }
        }
        CaseSummary {
            case,
            structure_name: row.try_get("name")?,
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
                CareImpact::parse(row.try_get::<&str, _>("care_impact")?),
                "incidents",
                id,
                "care_impact",
            )?,
            facts: IncidentFacts {
                structure: StructureId(row.try_get("structure_id")?),
                ght: row.try_get("ght")?,
                region: parsed(Region::parse(&region), "structures", id, "region")?,
                routed_to,
            },
        }
    }};
}

/// Reads a role and its scope from a row with `role`, `structure_id`, `ght`, `region`,
/// `authority` and `id` columns.
macro_rules! scope_of {
    ($row:expr, $table:literal) => {{
        let row = $row;
        let id: i64 = row.try_get("id")?;
        let role_code: String = row.try_get("role")?;
        let role: Role = parsed(Role::parse(&role_code), $table, id, "role")?;
        let scope = match role {
            Role::Declarant => {
                let s: Option<i64> = row.try_get("structure_id")?;
                Scope::Structure(StructureId(parsed(
                    s.ok_or("missing"),
                    $table,
                    id,
                    "structure_id",
                )?))
            }
            Role::Ght => {
                let g: Option<String> = row.try_get("ght")?;
                Scope::Ght(parsed(g.ok_or("missing"), $table, id, "ght")?)
            }
            Role::Ars => {
                let r: Option<String> = row.try_get("region")?;
                let r = parsed(r.ok_or("missing"), $table, id, "region")?;
                Scope::Region(parsed(Region::parse(&r), $table, id, "region")?)
            }
            Role::Authority => {
                let a: Option<String> = row.try_get("authority")?;
                let a = parsed(a.ok_or("missing"), $table, id, "authority")?;
                Scope::Authority(parsed(Authority::parse(&a), $table, id, "authority")?)
            }
            Role::Analyst | Role::Oncall => Scope::Cert,
            Role::Admin => Scope::Platform,
        };
        (role, scope)
    }};
}

macro_rules! user_record {
    ($row:expr) => {{
        let row = $row;
        let id: i64 = row.try_get("id")?;
        let (role, scope) = scope_of!(&row, "users");
        let last_failure: Option<i64> = row.try_get("last_failure_ns")?;
        let locked_until: Option<i64> = row.try_get("locked_until_ns")?;
        UserRecord {
            id: UserId(id),
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            viewer: parsed(Viewer::new(UserId(id), role, scope), "users", id, "role")?,
            password_hash: row.try_get("password_hash")?,
            totp_secret: row.try_get("totp_secret")?,
            totp_last_step: row.try_get("totp_last_step")?,
            failed_logins: row.try_get("failed_logins")?,
            last_failure: last_failure.map(instant),
            locked_until: locked_until.map(instant),
            disabled: row.try_get("disabled")?,
        }
    }};
}

/// The key of a login name in `login_names`: the SHA-256 of its normalised form.
fn login_name_key(name: &str) -> String {
    sha256_hex(name.trim().to_lowercase().as_bytes())
}

/// The columns of `users` that hold a scope, for a role's scope.
fn scope_columns(
    scope: &Scope,
) -> (
    Option<i64>,
    Option<&str>,
    Option<&'static str>,
    Option<&'static str>,
) {
    match scope {
        Scope::Structure(id) => (Some(id.0), None, None, None),
        Scope::Ght(name) => (None, Some(name.as_str()), None, None),
        Scope::Region(region) => (None, None, Some(region.code()), None),
        Scope::Authority(authority) => (None, None, None, Some(authority.code())),
        Scope::Cert | Scope::Platform => (None, None, None, None),
    }
}

impl Store {
    /// Creates an account; the e-mail address must be new.
    pub async fn create_user(&self, user: &NewUser, now: Timestamp) -> Result<UserId, StoreError> {
        let sql = "INSERT INTO users (email, display_name, role, structure_id, ght, region, authority, \
                   password_hash, created_at_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let (structure, ght, region, authority) = scope_columns(&user.scope);
        let id: i64 = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(user.email.to_lowercase())
            .bind(&user.display_name)
            .bind(user.role.code())
            .bind(structure)
            .bind(ght)
            .bind(region)
            .bind(authority)
            .bind(user.password_hash.as_deref())
            .bind(ns(now))
            .fetch_one(pool)
            .await?);
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
                Some(row) => Some(user_record!(row)),
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
                Some(row) => Some(user_record!(row)),
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
                out.push(user_record!(row));
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

    /// Enrols (or removes) an account's TOTP secret; the replay guard starts anew.
    pub async fn set_totp(&self, user: UserId, secret: Option<&str>) -> Result<(), StoreError> {
        let sql = "UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(user.0).bind(secret).execute(pool).await?.rows_affected());
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

    /// Records a failed login and the lock that follows, if any, and journals it.
    pub async fn login_failed(
        &self,
        user: UserId,
        login: &Login,
        now: Timestamp,
        locked_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE users SET failed_logins = failed_logins + 1, last_failure_ns = $2, \
                   locked_until_ns = $3 WHERE id = $1";
        let entry = login_entry(user, login, false, locked_until, now);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(sql).bind(user.0).bind(ns(now)).bind(locked_until.map(ns)).execute(&mut *tx).await?;
            tx.append_journal(vec![entry]).await?;
            tx.commit().await?;
        });
        Ok(())
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

    /// Counts a failed login of a name that has no account, with the lock that follows.
    pub async fn login_name_failed(
        &self,
        name: &str,
        now: Timestamp,
        locked_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO login_names (name_sha256, failed_logins, last_failure_ns, locked_until_ns) \
                   VALUES ($1, 1, $2, $3) ON CONFLICT (name_sha256) DO UPDATE SET \
                   failed_logins = login_names.failed_logins + 1, \
                   last_failure_ns = excluded.last_failure_ns, locked_until_ns = excluded.locked_until_ns";
        let key = login_name_key(name);
        on_pool!(self, pool => sqlx::query(sql).bind(&key).bind(ns(now)).bind(locked_until.map(ns)).execute(pool).await?.rows_affected());
        Ok(())
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
        let open = "INSERT INTO sessions (token_hash, user_id, csrf, mfa_done, created_at_ns, expires_at_ns) \
                    VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(secret).bind(user.0).bind(factor.totp_secret).bind(factor.totp_step).execute(&mut *tx).await?;
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
                        user: user_record!(&row),
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

    /// Adds or refreshes a structure; returns its identifier.
    pub async fn save_structure(&self, s: &Structure) -> Result<StructureId, StoreError> {
        let sql = "INSERT INTO structures (finess, name, kind, legal_status, region, ose, ght) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (finess) DO UPDATE SET \
                   name = excluded.name, kind = excluded.kind, legal_status = excluded.legal_status, \
                   region = excluded.region, ose = excluded.ose, ght = excluded.ght RETURNING id";
        // The structure's region, type, status and OSE flag are counted with its incidents.
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id = sqlx::query_scalar(sql)
                .bind(s.finess.as_str()).bind(s.name.as_str()).bind(s.kind.code()).bind(s.legal_status.code())
                .bind(s.region.code()).bind(s.ose).bind(s.ght.as_ref().map(|g| g.as_str()))
                .fetch_one(&mut *tx).await?;
            sqlx::query(BUMP).execute(&mut *tx).await?;
            tx.commit().await?;
            id
        });
        self.tokens.clear();
        self.changes.bump();
        Ok(StructureId(id))
    }

    /// The structure with this identifier.
    pub async fn structure(&self, id: StructureId) -> Result<Option<StructureRecord>, StoreError> {
        let sql = "SELECT id, finess, name, kind, legal_status, region, ose, ght FROM structures WHERE id = $1";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(id.0).fetch_optional(pool).await? {
                Some(row) => Some(structure_record!(row)),
                None => None,
            }
        }))
    }

    /// The structure with this FINESS number.
    pub async fn structure_by_finess(
        &self,
        finess: &Finess,
    ) -> Result<Option<StructureRecord>, StoreError> {
        let sql = "SELECT id, finess, name, kind, legal_status, region, ose, ght FROM structures WHERE finess = $1";
        Ok(on_pool!(self, pool => {
            match sqlx::query(sql).bind(finess.as_str()).fetch_optional(pool).await? {
                Some(row) => Some(structure_record!(row)),
                None => None,
            }
        }))
    }

    /// Stores a declaration made from no draft: see [`Store::submit`].
    #[allow(clippy::too_many_arguments)]
    pub async fn declare(
        &self,
        structure: StructureId,
        incident: &Incident,
        declared_by: Option<UserId>,
        actor: &Actor,
        texts: &DeclarationTexts,
        routings: &[Routing],
        mails: impl Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync + 'static,
        now: Timestamp,
    ) -> Result<CaseNumber, StoreError> {
        let declaration = NewDeclaration {
            structure,
            incident,
            declared_by,
            actor,
            texts,
            routings,
            draft: None,
            now,
        };
        self.submit(declaration, mails).await
    }

    /// Stores a declaration, its routings, the e-mails that acknowledge and announce it
    /// (`mails`, given its case number) and its journal entries, and deletes the draft it
    /// was made from, in one transaction: once this returns a case number, all are
    /// durable; if it fails, the draft is still there.
    ///
    /// Declarations are committed in groups by the store's writer (one transaction for
    /// every declaration queued meanwhile); a declaration that fails does not fail the
    /// others. If the caller stops waiting, the declaration is still written.
    pub async fn submit(
        &self,
        declaration: NewDeclaration<'_>,
        mails: impl Fn(CaseNumber) -> Vec<OutboxMail> + Send + Sync + 'static,
    ) -> Result<CaseNumber, StoreError> {
        let d = declaration;
        self.declarations
            .declare(|answer| Pending {
                // Hashed here, on the caller's task, not on the writer's.
                journal: declared_payload(d.incident, d.declared_by, d.routings),
                structure: d.structure,
                incident: d.incident.clone(),
                declared_by: d.declared_by,
                actor: d.actor.clone(),
                texts: d.texts.clone(),
                routings: d.routings.to_vec(),
                draft: d.draft,
                mails: Box::new(mails),
                now: d.now,
                answer,
            })
            .await
    }

    /// One case, by number (`None` if there is no such case, or the year does not match).
    pub async fn case(&self, case: CaseNumber) -> Result<Option<CaseRecord>, StoreError> {
        let select = decode::SELECT_CASE;
        let routings = "SELECT authority FROM routings WHERE incident_id = $1";
        Ok(on_pool!(self, pool => {
            let Some(row) = sqlx::query(select).bind(case.id()).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let year: i32 = row.try_get("local_year")?;
            if year != i32::from(case.year()) {
                return Ok(None);
            }
            let structure: i64 = row.try_get("structure_id")?;
            let state: String = row.try_get("case_state")?;
            let state = parsed(CaseState::parse(&state), "incidents", case.id(), "case_state")?;
            let declared_by: Option<i64> = row.try_get("declared_by")?;
            let texts = DeclarationTexts {
                measures_taken: row.try_get("measures_taken")?,
                affected_systems: row.try_get("affected_systems")?,
            };
            let incident = decode::raw!(&row).into_incident()?;
            let mut routed_to = CodeSet::empty();
            for r in sqlx::query(routings).bind(case.id()).fetch_all(pool).await? {
                let code: String = r.try_get(0)?;
                if let Recipient::Authority(a) = parsed(Recipient::parse(&code), "routings", case.id(), "authority")? {
                    routed_to.insert(a);
                }
            }
            let facts = IncidentFacts {
                structure: StructureId(structure),
                ght: incident.structure.ght.as_ref().map(|g| g.as_str().to_owned()),
                region: incident.structure.region,
                routed_to,
            };
            Some(CaseRecord { case, incident, facts, state, declared_by: declared_by.map(UserId), texts })
        }))
    }

    /// Routes a case to an authority, with the reason, and journals it; routing twice
    /// changes nothing.
    pub async fn route_case(
        &self,
        case: CaseNumber,
        authority: Authority,
        reason: &str,
        by: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "INSERT INTO routings (incident_id, authority, reason, routed_at_ns) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (incident_id, authority) DO NOTHING";
        let entry = NewEntry {
            at_ns: ns(now),
            actor: by.clone(),
            action: Action::CaseRouted,
            subject: case.to_string(),
            payload: Payload::new()
                .with("authority", authority.code())
                .with("reason", reason),
        };
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(sql).bind(case.id()).bind(authority.code()).bind(reason).bind(ns(now))
                .execute(&mut *tx).await?.rows_affected();
            if n == 1 {
                tx.append_journal(vec![entry]).await?;
            }
            tx.commit().await?;
            n == 1
        }))
    }

    /// The cases a listing may show, newest first.
    pub async fn list_cases(
        &self,
        listing: &Listing,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut out = Vec::new();
        if *listing == Listing::Nothing {
            return Ok(out);
        }
        macro_rules! listing_query {
            ($db:ty) => {{
                let mut qb = QueryBuilder::<$db>::new(
                    "SELECT i.id, i.local_year, i.title, i.declared_at_ns, i.declared_offset_s, i.case_state, \
                     i.care_impact, i.structure_id, s.name, s.ght, s.region, \
                     (SELECT string_agg(r.authority, ',') FROM routings r WHERE r.incident_id = i.id) AS routed \
                     FROM incidents i JOIN structures s ON s.id = i.structure_id",
                );
                match listing {
                    Listing::All | Listing::Nothing => {}
                    Listing::Structure(id) => {
                        qb.push(" WHERE i.structure_id = ").push_bind(id.0);
                    }
                    Listing::Ght(name) => {
                        qb.push(" WHERE s.ght = ").push_bind(name.clone());
                    }
                    Listing::Region(region) => {
                        qb.push(" WHERE s.region = ").push_bind(region.code());
                    }
                    Listing::RoutedTo(authority) => {
                        qb.push(" WHERE EXISTS (SELECT 1 FROM routings r WHERE r.incident_id = i.id AND r.authority = ")
                            .push_bind(authority.code())
                            .push(")");
                    }
                }
                qb.push(" ORDER BY i.declared_at_ns DESC, i.id DESC LIMIT ").push_bind(limit);
                qb.push(" OFFSET ").push_bind(offset);
                qb
            }};
        }
        match self.pool() {
            Pool::Sqlite(pool) => {
                let mut qb = listing_query!(Sqlite);
                let mut rows = qb.build().fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    out.push(case_summary!(row));
                }
            }
            Pool::Postgres(pool) => {
                let mut qb = listing_query!(Postgres);
                let mut rows = qb.build().fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    out.push(case_summary!(row));
                }
            }
        }
        Ok(out)
    }

    /// The messages of a case, oldest first.
    pub async fn messages(&self, case: CaseNumber) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = "SELECT m.id, m.body, m.created_at_ns, u.display_name, u.role FROM messages m \
                   LEFT JOIN users u ON u.id = m.author_id WHERE m.incident_id = $1 ORDER BY m.id";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(case.id()).fetch_all(pool).await? {
                let id: i64 = row.try_get("id")?;
                let role: Option<String> = row.try_get("role")?;
                let at: i64 = row.try_get("created_at_ns")?;
                out.push(MessageRecord {
                    id,
                    author: row.try_get("display_name")?,
                    author_role: role.map(|r| parsed(Role::parse(&r), "users", id, "role")).transpose()?,
                    body: row.try_get("body")?,
                    at: instant(at),
                });
            }
        });
        Ok(out)
    }

    /// Adds a message to a case and journals it (its text only as a SHA-256).
    pub async fn add_message(
        &self,
        case: CaseNumber,
        author: UserId,
        body: &str,
        by: &Actor,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO messages (incident_id, author_id, body, created_at_ns) VALUES ($1, $2, $3, $4) RETURNING id";
        let entry = |id: i64| NewEntry {
            at_ns: ns(now),
            actor: by.clone(),
            action: Action::MessagePosted,
            subject: case.to_string(),
            payload: Payload::new()
                .with("message", id)
                .with("author", Actor::User(author.0).to_string())
                .with("body_sha256", sha256_hex(body.as_bytes())),
        };
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(sql).bind(case.id()).bind(author.0).bind(body).bind(ns(now))
                .fetch_one(&mut *tx).await?;
            tx.append_journal(vec![entry(id)]).await?;
            tx.commit().await?;
            id
        }))
    }

    /// Saves the draft of a declaration (one per user and structure) at its step.
    pub async fn save_draft(
        &self,
        key: DraftKey,
        step: i32,
        fields: &RawDeclaration,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO drafts (user_id, structure_id, step, fields, updated_at_ns) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (user_id, structure_id) DO UPDATE SET step = excluded.step, fields = excluded.fields, \
                   updated_at_ns = excluded.updated_at_ns";
        let fields = fields.to_json();
        on_pool!(self, pool => sqlx::query(sql).bind(key.user.0).bind(key.structure.0).bind(step).bind(&fields).bind(ns(now)).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The saved draft, read back as it was typed; content that does not read back (changed
    /// outside Vigie) is `Corrupt`, named by the draft's user (its row, with the structure
    /// in the reason).
    pub async fn draft(&self, key: DraftKey) -> Result<Option<SavedDraft>, StoreError> {
        let sql = "SELECT step, fields FROM drafts WHERE user_id = $1 AND structure_id = $2";
        let row: Option<(i32, String)> = on_pool!(self, pool => {
            match sqlx::query(sql).bind(key.user.0).bind(key.structure.0).fetch_optional(pool).await? {
                Some(row) => Some((row.try_get(0)?, row.try_get(1)?)),
                None => None,
            }
        });
        let Some((step, fields)) = row else {
            return Ok(None);
        };
        let fields = RawDeclaration::from_json(&fields).map_err(|e| StoreError::Corrupt {
            table: "drafts",
            id: key.user.0,
            column: "fields",
            reason: format!(
                "the draft for structure {} does not read: {e}",
                key.structure.0
            ),
        })?;
        Ok(Some(SavedDraft { step, fields }))
    }

    /// Forgets a draft.
    pub async fn delete_draft(&self, key: DraftKey) -> Result<(), StoreError> {
        let sql = "DELETE FROM drafts WHERE user_id = $1 AND structure_id = $2";
        on_pool!(self, pool => sqlx::query(sql).bind(key.user.0).bind(key.structure.0).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Stores an API token's hash for a structure.
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
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(structure.0).bind(hash).bind(label).bind(by.map(|u| u.0)).bind(ns(now)).fetch_one(pool).await?),
        )
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
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE api_tokens SET revoked_at_ns = $3 WHERE id = $1 AND structure_id = $2 AND revoked_at_ns IS NULL";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(id).bind(structure.0).bind(ns(now)).execute(pool).await?.rows_affected());
        self.tokens.clear();
        Ok(n == 1)
    }

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
                    AND accepted_at_ns IS NULL AND expires_at_ns > $2";
        let insert = "INSERT INTO users (email, display_name, role, structure_id, ght, region, authority, \
                      password_hash, created_at_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let (structure, ght, region, authority) = scope_columns(&user.scope);
        Ok(on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if sqlx::query(mark).bind(token_hash).bind(ns(now)).execute(&mut *tx).await?.rows_affected() != 1 {
                return Ok(None);
            }
            let id: i64 = sqlx::query_scalar(insert)
                .bind(user.email.to_lowercase()).bind(&user.display_name).bind(user.role.code())
                .bind(structure).bind(ght).bind(region).bind(authority)
                .bind(user.password_hash.as_deref()).bind(ns(now))
                .fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Some(UserId(id))
        }))
    }

    /// Queues an e-mail on its own.
    pub async fn enqueue_mail(&self, mail: &OutboxMail, now: Timestamp) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            enqueue!(&mut *tx, mail, now);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Mails due for delivery at `now`, oldest first.
    pub async fn due_mails(&self, now: Timestamp, limit: i64) -> Result<Vec<DueMail>, StoreError> {
        let sql = "SELECT id, recipients, subject, text_body, html_body, message_id, attempts, created_at_ns \
                   FROM outbox WHERE sent_at_ns IS NULL AND failed_at_ns IS NULL AND next_attempt_ns <= $1 \
                   ORDER BY id LIMIT $2";
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in sqlx::query(sql).bind(ns(now)).bind(limit).fetch_all(pool).await? {
                let recipients: String = row.try_get("recipients")?;
                let queued: i64 = row.try_get("created_at_ns")?;
                out.push(DueMail {
                    id: row.try_get("id")?,
                    mail: OutboxMail {
                        recipients: recipients.split(',').map(str::to_owned).collect(),
                        subject: row.try_get("subject")?,
                        text: row.try_get("text_body")?,
                        html: row.try_get("html_body")?,
                        message_id: row.try_get("message_id")?,
                    },
                    attempts: row.try_get("attempts")?,
                    queued_at: instant(queued),
                });
            }
        });
        Ok(out)
    }

    /// Records a delivered mail.
    pub async fn mail_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET sent_at_ns = $2, attempts = attempts + 1 WHERE id = $1";
        on_pool!(self, pool => sqlx::query(sql).bind(id).bind(ns(now)).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records a failed delivery: retried at `retry_at`, or given up when `None`.
    pub async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE outbox SET attempts = attempts + 1, last_error = $2, \
                   next_attempt_ns = COALESCE($3, next_attempt_ns), failed_at_ns = $4 WHERE id = $1";
        let failed = if retry_at.is_none() {
            Some(ns(now))
        } else {
            None
        };
        on_pool!(self, pool => sqlx::query(sql).bind(id).bind(error).bind(retry_at.map(ns)).bind(failed).execute(pool).await?.rows_affected());
        Ok(())
    }
}
