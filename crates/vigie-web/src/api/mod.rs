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
use vigie_model::{CaseNumber, Code, CodeSet, interchange::v1};
use vigie_service::handling::{DeclarationRouting, declaration_mails};
use vigie_store::{Actor, CaseRecord, DeclarationTexts, StructureRecord};

use crate::App;

/// The OpenAPI description of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// An API error: a status and a JSON body naming what is wrong.
pub struct ApiError {
    status: StatusCode,
    errors: Vec<(String, String)>,
}

impl ApiError {
    fn new(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            errors: vec![(field.to_owned(), message.into())],
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
            .map(|(f, m)| json!({ "field": f, "message": m }))
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
        state: record.state.clone(),
        url: format!("{}/declarations/{}", app.settings.public_url, record.case),
        declaration,
        measures_taken: record.texts.measures_taken.clone(),
        affected_systems: record.texts.affected_systems.clone(),
    }
}

/// `POST /api/v1/declarations`.
pub async fn create(
    State(app): State<App>,
    caller: ApiCaller,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(&body) else {
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
    // The portal's form requires a title and a description: so does the API.
    for key in ["title", "description"] {
        if !fields.contains_key(key) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                key,
                "is required",
            ));
        }
        if fields
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                key,
                "must not be empty",
            ));
        }
    }
    let text = |fields: &mut Map<String, Value>, key: &str| -> Result<Option<String>, ApiError> {
        match fields.remove(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= 20_000 => {
                Ok(Some(s).filter(|s| !s.trim().is_empty()))
            }
            Some(_) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                key,
                "must be a string of at most 20,000 characters",
            )),
        }
    };
    let texts = DeclarationTexts {
        measures_taken: text(&mut fields, "measures_taken")?,
        affected_systems: text(&mut fields, "affected_systems")?,
    };
    let structure = &caller.structure;
    let now = app.now();
    let offset = crate::paris().to_offset(now);
    let s = &structure.structure;
    fields.insert(
        "declared_at".into(),
        json!(now.display_with_offset(offset).to_string()),
    );
    fields.insert("channel".into(), json!("portal"));
    fields.insert(
        "structure".into(),
        json!({
            "finess": s.finess.as_str(), "name": s.name.as_str(), "type": s.kind.code(),
            "legal_status": s.legal_status.code(), "region": s.region.code(), "ose": s.ose,
        }),
    );
    if let Some(ght) = &s.ght {
        fields["structure"]["ght"] = json!(ght.as_str());
    }
    let incident = v1::parse_line(&Value::Object(fields).to_string())
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, &e.field, e.reason))?;
    // The acknowledgment goes to whoever created the token.
    let to: Vec<vigie_mail::Mailbox> = caller
        .author_email
        .as_deref()
        .and_then(|e| e.parse().ok())
        .into_iter()
        .collect();
    let routing = DeclarationRouting::prepare(&app.store, &app.routing, &incident, now).await?;
    let case = app
        .store
        .declare(
            structure.id,
            &incident,
            caller.author,
            &caller.actor,
            &texts,
            &routing.routings.clone(),
            declaration_mails(to, s.name.to_string(), &incident, app.portal(), routing),
            now,
        )
        .await?;
    // The answer is built from what was just stored, as reading it back would give it.
    let record = CaseRecord {
        case,
        facts: IncidentFacts {
            structure: structure.id,
            ght: s.ght.as_ref().map(|g| g.as_str().to_owned()),
            region: s.region,
            routed_to: CodeSet::empty(),
        },
        incident,
        state: CaseRecord::INITIAL_STATE.to_owned(),
        declared_by: caller.author,
        texts,
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
                "state": s.state,
                "care_impact": s.care_impact,
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
    let id = app
        .store
        .add_message(record.case, author, text, &caller.actor, app.now())
        .await?;
    // The structure's message answers a pending request for complements.
    app.store.complements_answered(record.case).await?;
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
