//! NIS 2 clocks and reports of a case.

use super::*;

/// What the NIS2 form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Nis2Form {
    report: String,
    body: String,
}

/// `POST /declarations/{case}/nis2`: keeps a submission of a NIS2 report as a new version.
pub async fn submit_nis2(
    State(app): State<App>,
    Path(case): Path<String>,
    Protected { who, form }: Protected<Nis2Form>,
) -> Result<Response, WebError> {
    let number = CaseNumber::parse(&case).map_err(|_| WebError::NotFound)?;
    let record = app.store.case(number).await?.ok_or(WebError::NotFound)?;
    let facts = record.facts.clone();
    let record = reveal(&who.user.viewer, &facts, IncidentAction::Message, record)
        .map_err(|_| WebError::NotFound)?;
    let body = form.body.trim();
    let report = Report::parse(&form.report);
    let error = match (&report, body.chars().count()) {
        (Err(_), _) => Some("Choisissez le rapport transmis."),
        (_, 0) => Some("Écrivez le contenu du rapport."),
        (_, n) if n > 50_000 => Some("Le rapport dépasse 50 000 caractères."),
        _ => None,
    };
    let report = match (report, error) {
        (Ok(report), None) => report,
        (_, error) => {
            let retry = Nis2Retry {
                report: form.report.clone(),
                draft: form.body.clone(),
                error: error.unwrap_or("Choisissez le rapport transmis."),
            };
            let mut response =
                crate::pages::cases::show_nis2_retry(&app, &who, record, retry).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    app.store
        .submit_nis2(number, report, who.user.id, body, app.now())
        .await?;
    Ok(crate::pages::see_other(&format!(
        "/declarations/{number}#nis2"
    )))
}

// ---------------------------------------------------------------------------------------
// Support and reflex sheets.
