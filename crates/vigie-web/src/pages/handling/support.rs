//! Support actions recorded on a case, and reflex sheets sent.

use super::*;

/// What the support form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SupportForm {
    action: String,
    note: String,
}

/// `POST /declarations/{case}/accompagnement`: records a support action.
pub async fn record_support(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<SupportForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let action = SupportAction::parse(&form.action)
        .ok()
        .filter(|a| *a != SupportAction::ReflexSheetSent);
    let note = form.note.trim();
    let Some(action) = action.filter(|_| note.chars().count() <= 20_000) else {
        let mut response = crate::pages::cases::show_with(&app, &who, record, None, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    handling::record_support(
        &app.store,
        &who.user.viewer,
        record.get(),
        action,
        note,
        app.now(),
    )
    .await?;
    Ok(crate::pages::see_other(&format!(
        "/declarations/{number}#accompagnement"
    )))
}

/// What the reflex sheet form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendSheetForm {
    sheet: String,
}

/// `POST /declarations/{case}/fiche`: sends a reflex sheet to the structure.
pub async fn send_sheet(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<SendSheetForm>,
) -> Result<Response, WebError> {
    let record = handled_case(&app, &who, &case).await?;
    let Ok(sheet) = ReflexSheet::parse(&form.sheet) else {
        let mut response = crate::pages::cases::show_with(&app, &who, record, None, None).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let number = record.get().case;
    handling::send_reflex_sheet(
        &app.store,
        &who.user.viewer,
        record.get(),
        sheet,
        app.portal(),
        app.now(),
    )
    .await?;
    Ok(crate::pages::see_other(&format!(
        "/declarations/{number}#accompagnement"
    )))
}
