//! The on-call form: outside working hours, CERT staff record an incident phoned in by a
//! structure, with the first containment advice given; the structure gets the same
//! acknowledgment as from the portal, and the advice as a message on its case.

use askama::Template;
use axum::{extract::State, http::StatusCode, response::Response};
use vigie_access::Role;
use vigie_mail::Mailbox;
use vigie_model::{
    CareImpact, Channel, DataImpactCode, DataKind, Finess, PatientDanger, RawDeclaration,
    StateAtDeclaration,
};
use vigie_service::declarations::{Declarant, DeclareError, declare};
use vigie_store::Actor;

use crate::{
    App, WebError,
    declare_form::FieldErrors,
    layout::Layout,
    pages::choice::{Choice, choices},
    session::{Protected, SignedIn},
};

/// What was typed, kept when the form is refused.
#[derive(Debug, Default, Clone)]
pub struct PhonedIn {
    finess: String,
    reporter: String,
    detected_at: String,
    title: String,
    description: String,
    state: String,
    care: String,
    hours: String,
    danger: String,
    data: Vec<String>,
    kinds: Vec<String>,
    support: bool,
    advice: String,
}

impl PhonedIn {
    /// The declaration as the one parser reads it: the caller named in the description,
    /// the advice given as the measures taken, no impact on data when none was ticked.
    fn declaration(&self) -> RawDeclaration {
        RawDeclaration {
            detected_at: self.detected_at.clone(),
            title: self.title.clone(),
            description: if self.description.is_empty() {
                String::new()
            } else {
                format!("Appel de {} : {}", self.reporter, self.description)
            },
            measures_taken: self.advice.clone(),
            affected_systems: String::new(),
            state_at_declaration: self.state.clone(),
            support_requested: if self.support { "oui" } else { "non" }.into(),
            care_impact: self.care.clone(),
            degraded_hours: self.hours.clone(),
            data_impact: if self.data.is_empty() {
                vec!["none".to_owned()]
            } else {
                self.data.clone()
            },
            data_kind: self.kinds.clone(),
            patient_danger: self.danger.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "oncall.html")]
struct OncallPage {
    layout: Layout,
    csrf: String,
    form: PhonedIn,
    errors: FieldErrors,
    states: Vec<Choice>,
    cares: Vec<Choice>,
    dangers: Vec<Choice>,
    data: Vec<Choice>,
    kinds: Vec<Choice>,
}

impl OncallPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

fn page(who: &SignedIn, form: PhonedIn, errors: FieldErrors) -> OncallPage {
    let data: Vec<&str> = form.data.iter().map(String::as_str).collect();
    let kinds: Vec<&str> = form.kinds.iter().map(String::as_str).collect();
    OncallPage {
        layout: Layout::signed_in("Appel à l'astreinte", "oncall", who),
        csrf: who.csrf.clone(),
        states: choices::<StateAtDeclaration>(&[form.state.as_str()]),
        cares: choices::<CareImpact>(&[form.care.as_str()]),
        dangers: choices::<PatientDanger>(&[form.danger.as_str()]),
        data: choices::<DataImpactCode>(&data),
        kinds: choices::<DataKind>(&kinds),
        form,
        errors,
    }
}

/// The declaration's errors as the on-call form shows them: the measures taken are the
/// advice given.
fn on_form(errors: &vigie_model::DeclarationErrors) -> FieldErrors {
    let mut shown = FieldErrors::from(errors);
    for (field, _) in &mut shown.0 {
        if *field == "measures_taken" {
            *field = "advice";
        }
    }
    shown
}

/// `GET /astreinte`: the short form.
pub async fn form(who: SignedIn) -> Result<Response, WebError> {
    super::require(&who, super::STAFF)?;
    let form = PhonedIn {
        state: "needs_cert".into(),
        ..PhonedIn::default()
    };
    super::render(&page(&who, form, FieldErrors::default()))
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
    let many = |name: &str| {
        form.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let typed = PhonedIn {
        finess: one("finess"),
        reporter: one("reporter"),
        detected_at: one("detected_at"),
        title: one("title"),
        description: one("description"),
        state: one("state_at_declaration"),
        care: one("care_impact"),
        hours: one("degraded_hours"),
        danger: one("patient_danger"),
        data: many("data_impact"),
        kinds: many("data_kind"),
        support: one("support_requested") == "on",
        advice: one("advice"),
    };
    let refuse = |errors: FieldErrors, typed: PhonedIn| -> Result<Response, WebError> {
        let mut response = super::render(&page(&who, typed, errors))?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(response)
    };
    let now = app.now();
    let raw = typed.declaration();
    // The on-call form's own fields; then the declaration's, checked as on every channel.
    let mut errors = FieldErrors::default();
    for (field, value, message) in [
        (
            "reporter",
            &typed.reporter,
            "Indiquez qui a appelé, et comment le joindre.",
        ),
        (
            "advice",
            &typed.advice,
            "Notez les premiers conseils de confinement donnés.",
        ),
    ] {
        if value.is_empty() {
            errors.push(field, message);
        }
    }
    // The structure: known already, or taken from the register.
    let structure = match Finess::parse(&typed.finess) {
        Err(e) => {
            errors.push("finess", format!("Numéro FINESS invalide : {e}."));
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
                    errors.push(
                        "finess",
                        "Aucune structure connue ni dans le répertoire sous ce numéro.",
                    );
                    None
                }
            },
        },
    };
    let structure = match structure {
        Some(structure) if errors.is_empty() => structure,
        _ => {
            if let Err(invalid) = raw.parse(now, crate::paris()) {
                errors.0.extend(on_form(&invalid).0);
            }
            return refuse(errors, typed);
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
    let declarant = Declarant {
        structure,
        channel: Channel::PhoneOncall,
        declared_by: Some(who.user.id),
        actor: Actor::User(who.user.id.0),
        acknowledge_to: to,
        draft: None,
    };
    let case = match declare(&app.store, &app.routing, app.portal(), declarant, &raw, now).await {
        Ok(declared) => declared.case,
        Err(DeclareError::Invalid(invalid)) => return refuse(on_form(&invalid), typed),
        Err(other) => return Err(super::declare::unexpected(other)),
    };
    let advice = format!(
        "Premiers conseils donnés par l'astreinte :\n{}",
        typed.advice
    );
    app.store
        .add_message(case, who.user.id, &advice, &Actor::User(who.user.id.0), now)
        .await?;
    Ok(super::see_other(&format!("/declarations/{case}")))
}
