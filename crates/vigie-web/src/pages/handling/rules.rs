//! The routing rules, read and edited by administrators as versions.

use super::*;

/// A rule as shown.
pub struct ShownRule {
    id: String,
    to: &'static str,
    conditions: Vec<String>,
    reason: String,
}

/// A saved version as shown.
pub struct ShownRulesVersion {
    version: i64,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "routing_rules.html")]
struct RulesPage {
    layout: Layout,
    csrf: String,
    rules: Vec<ShownRule>,
    document: String,
    error: Option<String>,
    saved: bool,
    versions: Vec<ShownRulesVersion>,
    defaults: bool,
}

/// Query of the rules page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesQuery {
    enregistre: Option<String>,
}

async fn rules_page(
    app: &App,
    who: &SignedIn,
    document: Option<String>,
    error: Option<String>,
    saved: bool,
) -> Result<Response, WebError> {
    let current = app.store.routing_rules().await?;
    let defaults = current.is_none();
    let body = current
        .map(|c| c.body)
        .unwrap_or_else(|| DEFAULT_RULES.to_owned());
    let rules = Rules::parse(&body)?
        .rules()
        .iter()
        .map(|r| ShownRule {
            id: r.id.clone(),
            to: r.to.label(),
            conditions: r.when.describe(),
            reason: r.reason.clone(),
        })
        .collect();
    let versions = app
        .store
        .routing_rules_history(10)
        .await?
        .into_iter()
        .map(|v| ShownRulesVersion {
            version: v.version,
            by: v.saved_by.unwrap_or_else(|| "—".into()),
            at: vigie_model::calendar::french_date_time(v.saved_at),
        })
        .collect();
    let failed = error.is_some();
    let mut response = crate::pages::render(&RulesPage {
        layout: Layout::signed_in("Règles d'acheminement", "rules", who),
        csrf: who.csrf.clone(),
        rules,
        document: document.unwrap_or(body),
        error,
        saved,
        versions,
        defaults,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /administration/acheminement`: the rules in force, readable and editable.
pub async fn rules(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<RulesQuery>,
) -> Result<Response, WebError> {
    crate::pages::require(&who, &[Role::Admin])?;
    rules_page(&app, &who, None, None, q.enregistre.is_some()).await
}

/// What the rules form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesForm {
    document: String,
}

/// `POST /administration/acheminement`: saves a new version of the rules, if valid.
pub async fn save_rules(
    State(app): State<App>,
    Protected { who, form }: Protected<RulesForm>,
) -> Result<Response, WebError> {
    crate::pages::require(&who, &[Role::Admin])?;
    let document = form.document.replace("\r\n", "\n");
    let error = match Rules::parse(&document) {
        Ok(rules) if rules.rules().is_empty() => Some(
            "Le document ne contient aucune règle : aucun incident ne serait plus acheminé."
                .to_owned(),
        ),
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    if let Some(error) = error {
        return rules_page(&app, &who, Some(document), Some(error), false).await;
    }
    handling::save_rules(&app.store, &who.user.viewer, &document, app.now()).await?;
    app.routing.clear();
    Ok(crate::pages::see_other(
        "/administration/acheminement?enregistre=1",
    ))
}

// ---------------------------------------------------------------------------------------
