//! The portal's records, one module per concern: accounts, sessions, cases (structures,
//! declarations, messages), drafts, API tokens, invitations, and the outbox of e-mails.
//! The column lists and row readers they share are here.

use futures_util::TryStreamExt;
use jiff::Timestamp;
use sqlx::{Postgres, QueryBuilder, Row as _, Sqlite};
use vigie_access::{Authority, IncidentFacts, Listing, Role, Scope, StructureId, UserId, Viewer};
use vigie_model::{
    CareImpact, CaseNumber, Code, CodeSet, DateTime, Finess, Incident, RawDeclaration, Region,
    Structure,
};
use vigie_workflow::{case::CaseState, routing::Recipient};

use vigie_journal::{Action, Actor, NewEntry, Payload, sha256_hex};

use crate::{
    Pool, Store, StoreError,
    decode::{self, parsed},
    decode::{instant, ns},
    journal::{Append as _, Login, actor_of, login_entry},
    on_pool,
    revision::BUMP,
};

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.structure_id, u.ght, u.region, \
     u.authority, u.password_hash, u.totp_secret, u.totp_last_step, u.failed_logins, \
     u.last_failure_ns, u.locked_until_ns, u.disabled, u.demo";

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
    ($store:expr, $row:expr) => {{
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
            totp_secret: match row.try_get::<Option<String>, _>("totp_secret")? {
                Some(stored) => Some($store.open_totp(id, &stored)?),
                None => None,
            },
            totp_last_step: row.try_get("totp_last_step")?,
            failed_logins: row.try_get("failed_logins")?,
            last_failure: last_failure.map(instant),
            locked_until: locked_until.map(instant),
            disabled: row.try_get("disabled")?,
            demo: row.try_get("demo")?,
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

/// A scope as the journal records it: `structure:12`, `ght:NAME`, `region:76`,
/// `authority:anssi`, `cert` or `platform`.
pub(crate) fn scope_code(scope: &Scope) -> String {
    match scope {
        Scope::Structure(s) => format!("structure:{}", s.0),
        Scope::Ght(name) => format!("ght:{name}"),
        Scope::Region(r) => format!("region:{}", r.code()),
        Scope::Authority(a) => format!("authority:{}", a.code()),
        Scope::Cert => "cert".to_owned(),
        Scope::Platform => "platform".to_owned(),
    }
}

mod accounts;
mod api_tokens;
mod cases;
mod drafts;
mod invitations;
mod outbox;
mod sessions;

pub use accounts::*;
pub use api_tokens::*;
pub use cases::*;
pub use drafts::*;
pub use invitations::*;
pub use outbox::*;
pub use sessions::*;
