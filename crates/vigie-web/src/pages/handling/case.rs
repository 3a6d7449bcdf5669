//! The handling panel of a case: qualification with its history, assignment, state,
//! complements.

use super::*;

/// `POST /declarations/{case}/qualification`.
pub async fn qualify(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let mut state = QualifyState::from_form(&form);
    let event = record
        .get()
        .incident
        .qualification
        .as_ref()
        .and_then(|q| q.event().cloned());
    let Some((qualification, judgement)) = state.parse(event) else {
        let mut response =
            crate::pages::cases::show_with(&app, &who, record, Some(state), None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    match handling::qualify(
        &app.store,
        &who.user.viewer,
        record.get(),
        qualification,
        judgement,
        app.portal(),
        app.now(),
    )
    .await
    {
        Ok(_) => Ok(crate::pages::see_other(&format!(
            "/declarations/{number}#traitement"
        ))),
        Err(HandlingError::NotAllowed) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// What the assignment form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    assignee: String,
}

/// `POST /declarations/{case}/attribution`: assigns the case (empty: to no one).
pub async fn assign(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<AssignForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let assignee = match form.assignee.as_str() {
        "" => None,
        id => {
            let id = id
                .parse::<i64>()
                .map_err(|_| WebError::BadRequest("unknown assignee"))?;
            let staff = app.store.staff().await?;
            Some(
                staff
                    .iter()
                    .find(|s| s.id.0 == id)
                    .ok_or(WebError::BadRequest("unknown assignee"))?
                    .id,
            )
        }
    };
    let number = record.get().case;
    app.store
        .assign(number, assignee, who.user.id, app.now())
        .await?;
    Ok(crate::pages::see_other(&format!(
        "/declarations/{number}#traitement"
    )))
}

/// What the request for complements sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ComplementForm {
    question: String,
}

/// `POST /declarations/{case}/complements`: asks the structure for complements.
pub async fn request_complements(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<ComplementForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let question = form.question.trim();
    if question.is_empty() || question.chars().count() > 20_000 {
        let retry = ComplementRetry {
            draft: form.question,
            error: "Écrivez la question posée à la structure (20 000 caractères au plus).",
        };
        let mut response =
            crate::pages::cases::show_with(&app, &who, record, None, Some(retry)).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let number = record.get().case;
    handling::request_complements(
        &app.store,
        &who.user.viewer,
        record.get(),
        question,
        app.portal(),
        app.now(),
    )
    .await?;
    Ok(crate::pages::see_other(&format!(
        "/declarations/{number}#messages"
    )))
}

/// What the state form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StateForm {
    state: String,
}

/// `POST /declarations/{case}/etat`: moves the case to another handling state.
pub async fn set_state(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<StateForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let Ok(state) = CaseState::parse(&form.state) else {
        let mut response = crate::pages::cases::show_with(&app, &who, record, None, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    app.store
        .set_case_state(number, state, who.user.id, app.now())
        .await?;
    Ok(crate::pages::see_other(&format!(
        "/declarations/{number}#traitement"
    )))
}

// ---------------------------------------------------------------------------------------
