//! The JSON API for declarations, for the tools of a structure (SIEM, ticketing): create,
//! read, list its own, add a message. Each call carries a structure's API token.

use axum::{
    Json,
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use vigie_access::{IncidentAction, IncidentFacts, Role, Scope, UserId, Viewer, reveal};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::{
    CaseNumber, Channel, Code, CodeSet, DateTime, DeclarationErrors, RawDeclaration,
    declaration::Problem, interchange::v1,
};
use vigie_service::declarations::{Declarant, DeclareError, declare};
use vigie_store::{Actor, CaseRecord, StructureRecord};

use crate::App;

/// The OpenAPI description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// An API error: a status and a JSON body naming what is wrong.
pub struct ApiError {
    status: StatusCode,
    /// Each field at fault, the problem's code when it has one, and the message.
    errors: Vec<(String, Option<&'static str>, String)>,
}

impl ApiError {
    fn new(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            errors: vec![(field.to_owned(), None, message.into())],
        }
    }

    /// A refused declaration: every field at fault, its problem's code and the French
    /// message the portal's form shows.
    fn invalid(errors: &DeclarationErrors) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: errors
                .0
                .iter()
                .map(|e| (e.field.to_owned(), Some(e.problem.code()), e.message()))
                .collect(),
        }
    }

    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "case", "no such case")
    }
}

impl From<vigie_store::StoreError> for ApiError {
    fn from(e: vigie_store::StoreError) -> ApiError {
        eprintln!("error: {e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server",
            "the service failed; nothing confirmed was lost",
        )
    }
}

impl From<vigie_service::handling::HandlingError> for ApiError {
    fn from(e: vigie_service::handling::HandlingError) -> ApiError {
        match e {
            vigie_service::handling::HandlingError::NotAllowed => ApiError::not_found(),
            other => {
                eprintln!("error: {other}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server",
                    "the service failed; nothing confirmed was lost",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|(f, code, m)| match code {
                Some(code) => json!({ "field": f, "code": code, "message": m }),
                None => json!({ "field": f, "message": m }),
            })
            .collect();
        let mut response = (self.status, Json(json!({ "errors": errors }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The structure a request's API token acts for, as a declarant of it.
pub struct ApiCaller {
    viewer: Viewer,
    structure: StructureRecord,
    /// The user who created the token: what it writes is in their name.
    author: Option<UserId>,
    /// The token, as the journal names who acted.
    actor: Actor,
    /// Their address, where acknowledgments go.
    author_email: Option<String>,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<App> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let unauthorized = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authorization",
                "a valid API token is required (Authorization: Bearer vga_…)",
            )
        };
        let token = bearer(&parts.headers).ok_or_else(unauthorized)?;
        let token = SecretToken::parse(TokenKind::Api, token).map_err(|_| unauthorized())?;
        // The token, its structure and its author's address, in one query.
        let holder = app
            .store
            .api_token_holder(&token.hash().to_hex(), app.now())
            .await?
            .ok_or_else(unauthorized)?;
        let user = holder.token.created_by.unwrap_or(UserId(0));
        let viewer = Viewer::new(
            user,
            Role::Declarant,
            Scope::Structure(holder.token.structure),
        )
        .map_err(|_| unauthorized())?;
        Ok(ApiCaller {
            viewer,
            structure: holder.structure,
            author: holder.token.created_by,
            author_email: holder.author_email,
            actor: Actor::ApiToken(holder.token.id),
        })
    }
}

/// The fields a declaration sent to the API may have.
const DECLARATION_FIELDS: [&str; 12] = [
    "title",
    "description",
    "measures_taken",
    "affected_systems",
    "detected_at",
    "state_at_declaration",
    "support_requested",
    "care_impact",
    "degraded_hours",
    "data_impact",
    "data_kind",
    "patient_danger",
];

/// A case as the API shows it.
#[derive(Serialize)]
struct CaseJson {
    case_number: String,
    state: String,
    url: String,
    declaration: Value,
    measures_taken: Option<String>,
    affected_systems: Option<String>,
}

fn case_json(app: &App, record: &CaseRecord) -> CaseJson {
    let mut declaration: Value =
        serde_json::from_str(&v1::to_line(&record.incident)).unwrap_or(Value::Null);
    if let Some(map) = declaration.as_object_mut() {
        // What the CERT makes of the case is not the declarant's to read through the API.
        for key in [
            "qualification",
            "technical_support",
            "false_positive",
            "complements_requested",
            "complements_received",
            "ref",
        ] {
            map.remove(key);
        }
    }
    CaseJson {
        case_number: record.case.to_string(),
        state: record.state.code().to_owned(),
        url: format!("{}/declarations/{}", app.settings.public_url, record.case),
        declaration,
        measures_taken: record.texts.measures_taken.clone(),
        affected_systems: record.texts.affected_systems.clone(),
    }
}

/// The declaration of a JSON object, as the one parser reads it, and the fields refused
/// before it: a value of the wrong JSON type, a `detected_at` without its offset.
fn raw_declaration(fields: &Map<String, Value>) -> (RawDeclaration, DeclarationErrors) {
    let mut wrong = DeclarationErrors::default();
    let mut text = |key: &'static str| match fields.get(key) {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            wrong.add(key, Problem::WrongType);
            String::new()
        }
    };
    let mut raw = RawDeclaration {
        detected_at: text("detected_at"),
        title: text("title"),
        description: text("description"),
        measures_taken: text("measures_taken"),
        affected_systems: text("affected_systems"),
        state_at_declaration: text("state_at_declaration"),
        care_impact: text("care_impact"),
        patient_danger: text("patient_danger"),
        ..RawDeclaration::default()
    };
    // The API's dates carry their offset (RFC 3339), as the OpenAPI description says.
    if !raw.detected_at.is_empty() && DateTime::parse(&raw.detected_at).is_err() {
        wrong.add("detected_at", Problem::Unreadable);
    }
    match fields.get("support_requested") {
        None => {}
        Some(Value::Bool(b)) => raw.support_requested = b.to_string(),
        Some(_) => wrong.add("support_requested", Problem::WrongType),
    }
    match fields.get("degraded_hours") {
        None => {}
        Some(Value::Number(n)) => raw.degraded_hours = n.to_string(),
        Some(_) => wrong.add("degraded_hours", Problem::WrongType),
    }
    for (key, codes) in [
        ("data_impact", &mut raw.data_impact),
        ("data_kind", &mut raw.data_kind),
    ] {
        match fields.get(key) {
            None => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                *codes = items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
            }
            Some(_) => wrong.add(key, Problem::WrongType),
        }
    }
    (raw, wrong)
}

/// `POST /api/v1/declarations`.
pub async fn create(
    State(app): State<App>,
    caller: ApiCaller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "body",
            "the body must be a JSON object",
        ));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !DECLARATION_FIELDS.contains(&k.as_str()))
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            unknown,
            "unknown field",
        ));
    }
    let now = app.now();
    let (raw, mut wrong) = raw_declaration(&fields);
    if !wrong.is_empty() {
        // Every field at fault at once: the declaration's own checks too.
        if let Err(more) = raw.parse(now, crate::paris()) {
            for e in more.0 {
                wrong.add(e.field, e.problem);
            }
        }
        return Err(ApiError::invalid(&wrong));
    }
    let structure = &caller.structure;
    let declarant = Declarant {
        structure: structure.clone(),
        channel: Channel::Portal,
        declared_by: caller.author,
        actor: caller.actor.clone(),
        // The acknowledgment goes to whoever created the token.
        acknowledge_to: caller
            .author_email
            .as_deref()
            .and_then(|e| e.parse().ok())
            .into_iter()
            .collect(),
        draft: None,
    };
    let declared = match declare(&app.store, &app.routing, app.portal(), declarant, &raw, now).await
    {
        Ok(declared) => declared,
        Err(DeclareError::Invalid(errors)) => return Err(ApiError::invalid(&errors)),
        Err(DeclareError::Store(e)) => return Err(e.into()),
        Err(DeclareError::Handling(e)) => return Err(e.into()),
        Err(e @ DeclareError::Unrepresentable(_)) => {
            eprintln!("error: {e}");
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server",
                "the service failed; nothing confirmed was lost",
            ));
        }
    };
    let s = &structure.structure;
    let case = declared.case;
    // The answer is built from what was just stored, as reading it back would give it.
    let record = CaseRecord {
        case,
        facts: IncidentFacts {
            structure: structure.id,
            ght: s.ght.as_ref().map(|g| g.as_str().to_owned()),
            region: s.region,
            routed_to: CodeSet::empty(),
        },
        incident: declared.incident,
        state: CaseRecord::INITIAL_STATE,
        declared_by: caller.author,
        texts: declared.texts,
    };
    let location = format!("/api/v1/declarations/{case}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(case_json(&app, &record)),
    )
        .into_response())
}

/// A case the caller may act on.
async fn case_for(
    app: &App,
    caller: &ApiCaller,
    case: &str,
    action: IncidentAction,
) -> Result<CaseRecord, ApiError> {
    let number = CaseNumber::parse(case).map_err(|_| ApiError::not_found())?;
    let record = app
        .store
        .case(number)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let facts = record.facts.clone();
    let visible =
        reveal(&caller.viewer, &facts, action, record).map_err(|_| ApiError::not_found())?;
    Ok(visible.get().clone())
}

/// `GET /api/v1/declarations/{case}`.
pub async fn read(
    State(app): State<App>,
    caller: ApiCaller,
    Path(case): Path<String>,
) -> Result<Response, ApiError> {
    let record = case_for(&app, &caller, &case, IncidentAction::Read).await?;
    Ok(Json(case_json(&app, &record)).into_response())
}

/// `GET /api/v1/declarations`.
pub async fn list(
    State(app): State<App>,
    caller: ApiCaller,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    const PAGE: i64 = 100;
    let mut pages = query.iter().filter(|(k, _)| k == "page");
    let page = match (pages.next(), pages.next()) {
        (None, _) => 1,
        (Some((_, p)), None) => p.parse::<i64>().map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "page",
                "must be a whole number",
            )
        })?,
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "page",
                "is given twice",
            ));
        }
    };
    if !(1..=1_000_000).contains(&page) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "page",
            "must be between 1 and 1,000,000",
        ));
    }
    let rows = app
        .store
        .list_cases(&caller.viewer.incident_listing(), PAGE, (page - 1) * PAGE)
        .await?;
    let items: Vec<Value> = rows
        .into_iter()
        .filter(|s| vigie_access::allows(&caller.viewer, &s.facts, IncidentAction::Read))
        .map(|s| {
            json!({
                "case_number": s.case.to_string(),
                "title": s.title,
                "declared_at": s.declared_at.to_string(),
                "state": s.state.code(),
                "care_impact": s.care_impact.code(),
            })
        })
        .collect();
    Ok(Json(json!({ "page": page, "items": items })).into_response())
}

/// What a message sent to the API holds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageJson {
    body: String,
}

/// `POST /api/v1/declarations/{case}/messages`.
pub async fn message(
    State(app): State<App>,
    caller: ApiCaller,
    Path(case): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let record = case_for(&app, &caller, &case, IncidentAction::Message).await?;
    let message: MessageJson = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            format!("expected {{\"body\": \"…\"}}: {e}"),
        )
    })?;
    let text = message.body.trim();
    if text.is_empty() || text.chars().count() > 20_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
            "must hold 1 to 20,000 characters",
        ));
    }
    let Some(author) = caller.author else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "authorization",
            "this token has no author to write in the name of",
        ));
    };
    // The structure's message answers a pending request for complements: recorded first,
    // so that the message's journal entry vouches for the case answered.
    app.store.complements_answered(record.case).await?;
    let id = app
        .store
        .add_message(record.case, author, text, &caller.actor, app.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "case_number": record.case.to_string() })),
    )
        .into_response())
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}
