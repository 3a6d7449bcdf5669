//! The on-call form: outside working hours, CERT staff record an incident phoned in by a
//! structure, with the first containment advice given; the structure gets the same
//! acknowledgment as from the portal, and the advice as a message on its case.

use askama::Template;
use axum::{extract::State, http::StatusCode, response::Response};
use serde_json::{Map, Value, json};
use vigie_access::Role;
use vigie_mail::Mailbox;
use vigie_model::{
    CareImpact, Code, DataImpactCode, Finess, PatientDanger, StateAtDeclaration, interchange::v1,
};
use vigie_service::handling::{DeclarationRouting, declaration_mails};
use vigie_store::{Actor, DeclarationTexts};

use crate::{
    App, WebError,
    layout::Layout,
    pages::handling::{Choice, choices},
    session::{Protected, SignedIn},
};

/// What was typed, kept when the form is refused.
#[derive(Debug, Default, Clone)]
pub struct PhonedIn {
    finess: String,
    reporter: String,
    title: String,
    description: String,
    state: String,
    care: String,
    danger: String,
    data: Vec<String>,
    support: bool,
    advice: String,
}

#[derive(Template)]
#[template(path = "oncall.html")]
struct OncallPage {
    layout: Layout,
    csrf: String,
    form: PhonedIn,
    errors: Vec<(&'static str, String)>,
    states: Vec<Choice>,
    cares: Vec<Choice>,
    dangers: Vec<Choice>,
    data: Vec<Choice>,
}

impl OncallPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn page(who: &SignedIn, form: PhonedIn, errors: Vec<(&'static str, String)>) -> OncallPage {
    let data: Vec<&str> = form.data.iter().map(String::as_str).collect();
    OncallPage {
        layout: Layout::signed_in("Appel à l'astreinte", "oncall", who),
        csrf: who.csrf.clone(),
        states: choices::<StateAtDeclaration>(&[form.state.as_str()]),
        cares: choices::<CareImpact>(&[form.care.as_str()]),
        dangers: choices::<PatientDanger>(&[form.danger.as_str()]),
        data: choices::<DataImpactCode>(&data),
        form,
        errors,
    }
}

/// `GET /astreinte`: the short form.
pub async fn form(who: SignedIn) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let form = PhonedIn {
        state: "needs_cert".into(),
        ..PhonedIn::default()
    };
    super::render(&page(&who, form, Vec::new()))
}

/// `POST /astreinte`: records the phoned-in incident.
pub async fn submit(
    State(app): State<App>,
    Protected { who, form }: Protected<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let one = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let typed = PhonedIn {
        finess: one("finess"),
        reporter: one("reporter"),
        title: one("title"),
        description: one("description"),
        state: one("state_at_declaration"),
        care: one("care_impact"),
        danger: one("patient_danger"),
        data: form
            .iter()
            .filter(|(k, _)| k == "data_impact")
            .map(|(_, v)| v.clone())
            .collect(),
        support: one("support_requested") == "on",
        advice: one("advice"),
    };
    let refuse =
        |errors: Vec<(&'static str, String)>, typed: PhonedIn| -> Result<Response, WebError> {
            let mut response = super::render(&page(&who, typed, errors))?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        };
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    for (field, value, message) in [
        (
            "reporter",
            &typed.reporter,
            "Indiquez qui a appelé, et comment le joindre.",
        ),
        ("title", &typed.title, "Donnez un titre court."),
        (
            "description",
            &typed.description,
            "Décrivez ce que la structure rapporte.",
        ),
        (
            "advice",
            &typed.advice,
            "Notez les premiers conseils de confinement donnés.",
        ),
    ] {
        if value.is_empty() {
            errors.push((field, message.into()));
        }
    }
    // The structure: known already, or taken from the register.
    let structure = match Finess::parse(&typed.finess) {
        Err(e) => {
            errors.push(("finess", format!("Numéro FINESS invalide : {e}.")));
            None
        }
        Ok(finess) => match app.store.structure_by_finess(&finess).await? {
            Some(s) => Some(s),
            None => match app.store.structure_from_register(&finess).await? {
                Some(s) => {
                    let id = app.store.save_structure(&s).await?;
                    Some(vigie_store::StructureRecord { id, structure: s })
                }
                None => {
                    errors.push((
                        "finess",
                        "Aucune structure connue ni dans le répertoire sous ce numéro.".into(),
                    ));
                    None
                }
            },
        },
    };
    if !errors.is_empty() {
        return refuse(errors, typed);
    }
    let Some(structure) = structure else {
        return refuse(errors, typed);
    };
    let s = &structure.structure;
    let now = app.now();
    let offset = crate::paris().to_offset(now);
    let mut fields = Map::new();
    fields.insert(
        "declared_at".into(),
        json!(now.display_with_offset(offset).to_string()),
    );
    fields.insert("channel".into(), json!("phone_oncall"));
    let mut structure_json = json!({
        "finess": s.finess.as_str(), "name": s.name.as_str(), "type": s.kind.code(),
        "legal_status": s.legal_status.code(), "region": s.region.code(), "ose": s.ose,
    });
    if let Some(ght) = &s.ght {
        structure_json["ght"] = json!(ght.as_str());
    }
    fields.insert("structure".into(), structure_json);
    fields.insert("state_at_declaration".into(), json!(typed.state));
    fields.insert("support_requested".into(), json!(typed.support));
    fields.insert("care_impact".into(), json!(typed.care));
    fields.insert(
        "data_impact".into(),
        json!(if typed.data.is_empty() {
            vec!["none".to_owned()]
        } else {
            typed.data.clone()
        }),
    );
    fields.insert("patient_danger".into(), json!(typed.danger));
    fields.insert("title".into(), json!(typed.title));
    fields.insert(
        "description".into(),
        json!(format!(
            "Appel de {} : {}",
            typed.reporter, typed.description
        )),
    );
    let incident = match v1::parse_line(&Value::Object(fields).to_string()) {
        Ok(incident) => incident,
        Err(e) => {
            let field = [
                "state_at_declaration",
                "care_impact",
                "patient_danger",
                "data_impact",
                "title",
            ]
            .into_iter()
            .find(|f| *f == e.field)
            .unwrap_or("description");
            return refuse(
                vec![(field, "Choisissez ou corrigez cette valeur.".into())],
                typed,
            );
        }
    };
    // The same acknowledgment as from the portal, to the structure's declarant accounts.
    let to: Vec<Mailbox> = app
        .store
        .users_of_structure(structure.id)
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.viewer.role() == Role::Declarant)
        .filter_map(|u| u.email.parse().ok())
        .collect();
    let routing = DeclarationRouting::prepare(&app.store, &app.routing, &incident, now).await?;
    let name = s.name.to_string();
    let texts = DeclarationTexts {
        measures_taken: Some(typed.advice.clone()),
        affected_systems: None,
    };
    let case = app
        .store
        .declare(
            structure.id,
            &incident,
            Some(who.user.id),
            &Actor::User(who.user.id.0),
            &texts,
            &routing.routings.clone(),
            declaration_mails(to, name, &incident, app.portal(), routing),
            now,
        )
        .await?;
    let advice = format!(
        "Premiers conseils donnés par l'astreinte :\n{}",
        typed.advice
    );
    app.store
        .add_message(case, who.user.id, &advice, &Actor::User(who.user.id.0), now)
        .await?;
    Ok(super::see_other(&format!("/declarations/{case}")))
}
