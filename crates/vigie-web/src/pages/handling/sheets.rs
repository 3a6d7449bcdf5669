//! The reflex sheets, read and edited as versions.

use super::*;

/// A sheet in the list.
pub struct SheetLine {
    code: &'static str,
    title: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "sheets.html")]
struct SheetsPage {
    layout: Layout,
    sheets: Vec<SheetLine>,
}

/// `GET /fiches-reflexes`: the reflex sheets.
pub async fn sheets(State(app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    crate::pages::require(&who, crate::pages::STAFF)?;
    let mut lines = Vec::new();
    for sheet in ReflexSheet::ALL {
        let v = app.store.reflex_sheet(*sheet).await?;
        lines.push(SheetLine {
            code: sheet.code(),
            title: v.title,
            saved: match (v.saved_at, v.saved_by) {
                (Some(at), by) => format!(
                    "modifiée le {} par {}",
                    vigie_model::calendar::french_date_time(at),
                    by.unwrap_or_else(|| "—".into())
                ),
                (None, _) => "texte initial".into(),
            },
        });
    }
    crate::pages::render(&SheetsPage {
        layout: Layout::signed_in("Fiches réflexes", "sheets", &who),
        sheets: lines,
    })
}

#[derive(Template)]
#[template(path = "sheet.html")]
struct SheetPage {
    layout: Layout,
    csrf: String,
    code: &'static str,
    title: String,
    body: String,
    error: Option<&'static str>,
    saved: bool,
}

/// Query of a sheet's page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetQuery {
    enregistre: Option<String>,
}

/// `GET /fiches-reflexes/{sheet}`: a sheet, editable.
pub async fn sheet(
    State(app): State<App>,
    who: SignedIn,
    Path(code): Path<String>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    crate::pages::require(&who, crate::pages::STAFF)?;
    let sheet = ReflexSheet::parse(&code).map_err(|_| WebError::NotFound)?;
    let v = app.store.reflex_sheet(sheet).await?;
    crate::pages::render(&SheetPage {
        layout: Layout::signed_in(&v.title, "sheets", &who),
        csrf: who.csrf.clone(),
        code: sheet.code(),
        title: v.title,
        body: v.body,
        error: None,
        saved: q.enregistre.is_some(),
    })
}

/// What the sheet form sends.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetForm {
    title: String,
    body: String,
}

/// `POST /fiches-reflexes/{sheet}`: saves a new version of a sheet.
pub async fn save_sheet(
    State(app): State<App>,
    Path(code): Path<String>,
    Protected { who, form }: Protected<SheetForm>,
) -> Result<Response, WebError> {
    crate::pages::require(&who, crate::pages::STAFF)?;
    let sheet = ReflexSheet::parse(&code).map_err(|_| WebError::NotFound)?;
    let title = form.title.trim();
    let body = form.body.replace("\r\n", "\n");
    let error = if title.is_empty() || title.chars().count() > 200 {
        Some("Donnez un titre (200 caractères au plus).")
    } else if body.trim().is_empty() || body.chars().count() > 50_000 {
        Some("Écrivez le texte de la fiche (50 000 caractères au plus).")
    } else {
        None
    };
    if let Some(error) = error {
        let mut response = crate::pages::render(&SheetPage {
            layout: Layout::signed_in("Fiche réflexe", "sheets", &who),
            csrf: who.csrf.clone(),
            code: sheet.code(),
            title: form.title,
            body,
            error: Some(error),
            saved: false,
        })?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    app.store
        .save_reflex_sheet(sheet, title, &body, who.user.id, app.now())
        .await?;
    Ok(crate::pages::see_other(&format!(
        "/fiches-reflexes/{}?enregistre=1",
        sheet.code()
    )))
}
