//! Declaring an incident, in short steps; the draft is saved at each step and nothing
//! typed is lost, errors included.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use vigie_access::{Role, Scope, StructureAction, StructureFacts, allows_structure};
use vigie_mail::Mailbox;
use vigie_model::{
    CareImpact, Channel, Code, DataImpactCode, DataKind, PatientDanger, StateAtDeclaration,
};
use vigie_service::declarations::{Declarant, DeclareError, declare};
use vigie_store::{Actor, DraftKey, StructureRecord};

use crate::{
    App, WebError,
    declare_form::{self, Draft, FieldErrors, STEPS},
    layout::Layout,
    session::{Protected, SignedIn},
};

/// One choice of a list of radio buttons or check boxes.
pub struct Choice {
    /// The code sent.
    pub code: &'static str,
    /// The French label.
    pub label: &'static str,
    /// Whether it is selected.
    pub checked: bool,
}

fn choices<T: Code>(selected: &[&str]) -> Vec<Choice> {
    T::ALL
        .iter()
        .map(|v| Choice {
            code: v.code(),
            label: v.label(),
            checked: selected.contains(&v.code()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "declare.html")]
struct StepPage {
    layout: Layout,
    csrf: String,
    step: usize,
    steps: &'static [&'static str],
    structure_name: String,
    draft: Draft,
    errors: FieldErrors,
    states: Vec<Choice>,
    support: Vec<Choice>,
    care: Vec<Choice>,
    impacts: Vec<Choice>,
    kinds: Vec<Choice>,
    dangers: Vec<Choice>,
    summary: Vec<(&'static str, String)>,
}

impl StepPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// The structure the signed-in user declares for (declarants: their own).
async fn structure_of(app: &App, who: &SignedIn) -> Result<StructureRecord, WebError> {
    let Scope::Structure(id) = who.user.viewer.scope() else {
        return Err(WebError::Forbidden);
    };
    let record = app.store.structure(*id).await?.ok_or(WebError::Forbidden)?;
    let facts = StructureFacts {
        id: record.id,
        ght: record.structure.ght.as_ref().map(|g| g.as_str().to_owned()),
        region: record.structure.region,
    };
    if !allows_structure(&who.user.viewer, &facts, StructureAction::Declare)
        || who.role() != Role::Declarant
    {
        return Err(WebError::Forbidden);
    }
    Ok(record)
}

fn label_of<T: Code>(code: &str) -> String {
    T::parse(code)
        .map(|v| v.label().to_owned())
        .unwrap_or_else(|_| "—".into())
}

fn summary(d: &Draft) -> Vec<(&'static str, String)> {
    let or_dash = |s: &str| {
        if s.is_empty() {
            "—".to_owned()
        } else {
            s.to_owned()
        }
    };
    let list = |codes: &[String], label: fn(&str) -> String| {
        if codes.is_empty() {
            "—".to_owned()
        } else {
            codes
                .iter()
                .map(|c| label(c))
                .collect::<Vec<_>>()
                .join(" ; ")
        }
    };
    vec![
        ("Titre", or_dash(&d.title)),
        ("Détecté le", or_dash(&d.detected_at.replace('T', " à "))),
        ("Description", or_dash(&d.description)),
        ("Mesures déjà prises", or_dash(&d.measures_taken)),
        (
            "Systèmes et prestataires touchés",
            or_dash(&d.affected_systems),
        ),
        (
            "État au moment de la déclaration",
            label_of::<StateAtDeclaration>(&d.state_at_declaration),
        ),
        (
            "Accompagnement du CERT demandé",
            or_dash(&d.support_requested),
        ),
        (
            "Impact sur la prise en charge",
            label_of::<CareImpact>(&d.care_impact),
        ),
        ("Durée du mode dégradé (heures)", or_dash(&d.degraded_hours)),
        (
            "Impact sur les données",
            list(&d.data_impact, label_of::<DataImpactCode>),
        ),
        (
            "Types de données touchées",
            list(&d.data_kind, label_of::<DataKind>),
        ),
        (
            "Mise en danger des patients",
            label_of::<PatientDanger>(&d.patient_danger),
        ),
    ]
}

fn page(
    who: &SignedIn,
    structure: &StructureRecord,
    step: usize,
    draft: Draft,
    errors: FieldErrors,
) -> StepPage {
    let title = format!(
        "Déclarer un incident – étape {step} sur {} : {}",
        STEPS.len(),
        STEPS[step - 1]
    );
    let impacts: Vec<&str> = draft.data_impact.iter().map(String::as_str).collect();
    let kinds: Vec<&str> = draft.data_kind.iter().map(String::as_str).collect();
    let (impacts, kinds) = (
        choices::<DataImpactCode>(&impacts),
        choices::<DataKind>(&kinds),
    );
    StepPage {
        layout: Layout::signed_in(&title, "declare", who),
        csrf: who.csrf.clone(),
        step,
        steps: &STEPS,
        structure_name: structure.structure.name.to_string(),
        states: choices::<StateAtDeclaration>(&[draft.state_at_declaration.as_str()]),
        support: ["oui", "non"]
            .into_iter()
            .map(|c| Choice {
                code: c,
                label: if c == "oui" { "Oui" } else { "Non" },
                checked: draft.support_requested == c,
            })
            .collect(),
        care: choices::<CareImpact>(&[draft.care_impact.as_str()]),
        impacts,
        kinds,
        dangers: choices::<PatientDanger>(&[draft.patient_danger.as_str()]),
        summary: summary(&draft),
        draft,
        errors,
    }
}

async fn load_draft(
    app: &App,
    who: &SignedIn,
    structure: &StructureRecord,
) -> Result<(usize, Draft), WebError> {
    let key = DraftKey {
        user: who.user.id,
        structure: structure.id,
    };
    Ok(match app.store.draft(key).await? {
        Some(saved) => (
            usize::try_from(saved.step)
                .unwrap_or(1)
                .clamp(1, STEPS.len()),
            saved.fields,
        ),
        None => (1, Draft::default()),
    })
}

/// `GET /declarer`: resumes the draft where it was left.
pub async fn start(State(app): State<App>, who: SignedIn) -> Result<Response, WebError> {
    let structure = structure_of(&app, &who).await?;
    let (step, _) = load_draft(&app, &who, &structure).await?;
    Ok(super::see_other(&format!("/declarer/etape/{step}")))
}

fn step_number(step: &str) -> Result<usize, WebError> {
    step.parse::<usize>()
        .ok()
        .filter(|s| (1..=STEPS.len()).contains(s))
        .ok_or(WebError::NotFound)
}

/// `GET /declarer/etape/{step}`.
pub async fn show(
    State(app): State<App>,
    who: SignedIn,
    Path(step): Path<String>,
) -> Result<Response, WebError> {
    let step = step_number(&step)?;
    let structure = structure_of(&app, &who).await?;
    let (_, draft) = load_draft(&app, &who, &structure).await?;
    super::render(&page(&who, &structure, step, draft, FieldErrors::default()))
}

/// `POST /declarer/etape/{step}`: saves the step, then goes on, back, or sends.
pub async fn submit(
    State(app): State<App>,
    Path(step): Path<String>,
    Protected { who, form }: Protected<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let step = step_number(&step)?;
    let structure = structure_of(&app, &who).await?;
    let now = app.now();
    let (_, mut draft) = load_draft(&app, &who, &structure).await?;
    declare_form::update(&mut draft, step, &form);
    let go = form
        .iter()
        .find(|(k, _)| k == "go")
        .map(|(_, v)| v.as_str())
        .unwrap_or("next");
    let key = DraftKey {
        user: who.user.id,
        structure: structure.id,
    };
    let save = |to: usize| {
        let fields = draft.clone();
        let app = app.clone();
        async move {
            app.store
                .save_draft(key, i32::try_from(to).unwrap_or(1), &fields, now)
                .await
        }
    };
    if go == "back" && step > 1 {
        save(step - 1).await?;
        return Ok(super::see_other(&format!("/declarer/etape/{}", step - 1)));
    }
    if step < STEPS.len() {
        let errors = declare_form::check_step(&draft, step, now);
        if !errors.is_empty() {
            save(step).await?;
            let mut response = super::render(&page(&who, &structure, step, draft, errors))?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
        save(step + 1).await?;
        return Ok(super::see_other(&format!("/declarer/etape/{}", step + 1)));
    }
    // The last step sends the declaration; the draft goes with its commit.
    let declarant = Declarant {
        structure: structure.clone(),
        channel: Channel::Portal,
        declared_by: Some(who.user.id),
        actor: Actor::User(who.user.id.0),
        acknowledge_to: who.user.email.parse::<Mailbox>().into_iter().collect(),
        draft: Some(key),
    };
    match declare(
        &app.store,
        &app.routing,
        app.portal(),
        declarant,
        &draft,
        now,
    )
    .await
    {
        Ok(declared) => Ok(super::see_other(&format!(
            "/declarations/{}/recu",
            declared.case
        ))),
        Err(DeclareError::Invalid(errors)) => {
            let first = declare_form::first_step_in_error(&errors).unwrap_or(1);
            save(first).await?;
            let errors = FieldErrors::from(&errors);
            let mut response = super::render(&page(&who, &structure, first, draft, errors))?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(unexpected(other)),
    }
}

/// What a declaration that failed for another reason than its fields answers.
pub(crate) fn unexpected(e: DeclareError) -> WebError {
    match e {
        DeclareError::Store(e) => WebError::Store(e),
        DeclareError::Handling(e) => e.into(),
        DeclareError::Invalid(_) => WebError::BadRequest("déclaration invalide"),
        DeclareError::Unrepresentable(_) => WebError::BadRequest("date hors des limites"),
    }
}
