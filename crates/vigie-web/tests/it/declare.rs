//! One declaration, one path: the same invalid declaration sent through the portal's
//! form, the JSON API and the on-call form is refused on the same field, for the same
//! reason, with the same French message; nothing is written; the valid one lands on all
//! three. A draft that no longer reads back is reported, never shown empty.

use reqwest::StatusCode;
use serde_json::{Map, Value, json};
use vigie_access::{Role, Scope};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::declaration::{FieldError, Problem};

use crate::app::{Browser, TestApp};

/// A declaration in the channels' common terms: each field's values (empty: not sent).
/// Dates are written with their offset; the forms get their Paris local time.
#[derive(Clone)]
struct Fields {
    detected_at: &'static str,
    title: String,
    description: &'static str,
    state: &'static str,
    care: &'static str,
    hours: &'static str,
    data: Vec<&'static str>,
    kinds: Vec<&'static str>,
    danger: &'static str,
}

/// Valid at the test's `now` (2024-11-28 09:15 Paris).
fn valid() -> Fields {
    Fields {
        detected_at: "2024-11-28T07:30:00+01:00",
        title: "Chiffrement de serveurs".into(),
        description: "Des fichiers chiffrés sur deux serveurs.",
        state: "needs_cert",
        care: "degraded",
        hours: "1,5",
        data: vec!["unavailable"],
        kinds: vec!["health_personal"],
        danger: "none",
    }
}

/// One invalid declaration a row: what changes from [`valid`], the field refused and why.
type Row = (&'static str, fn(&mut Fields), &'static str, Problem);

const ROWS: &[Row] = &[
    (
        "detected after the declaration",
        |f| f.detected_at = "2024-11-28T10:00:00+01:00",
        "detected_at",
        Problem::InFuture,
    ),
    (
        "a date that does not read",
        |f| f.detected_at = "hier",
        "detected_at",
        Problem::Unreadable,
    ),
    (
        "no title",
        |f| f.title = String::new(),
        "title",
        Problem::Missing,
    ),
    (
        "a title too long",
        |f| f.title = "x".repeat(301),
        "title",
        Problem::TooLong { max: 300 },
    ),
    (
        "no description",
        |f| f.description = "",
        "description",
        Problem::Missing,
    ),
    (
        "an unknown state",
        |f| f.state = "fini",
        "state_at_declaration",
        Problem::UnknownCode,
    ),
    (
        "an unknown care impact",
        |f| f.care = "severe",
        "care_impact",
        Problem::UnknownCode,
    ),
    (
        "negative hours",
        |f| f.hours = "-2",
        "degraded_hours",
        Problem::Negative,
    ),
    (
        "degraded hours with no impact on care",
        |f| f.care = "none",
        "degraded_hours",
        Problem::WithoutCareImpact,
    ),
    (
        "no impact beside an impact",
        |f| f.data = vec!["none", "altered"],
        "data_impact",
        Problem::NoneWithOthers,
    ),
    (
        "kinds of data while none was hit",
        |f| f.data = vec!["none"],
        "data_kind",
        Problem::KindsWithoutImpact,
    ),
    (
        "an unknown impact on data",
        |f| f.data = vec!["lost"],
        "data_impact",
        Problem::UnknownCode,
    ),
    (
        "no patient danger",
        |f| f.danger = "",
        "patient_danger",
        Problem::Missing,
    ),
    (
        "an unknown patient danger",
        |f| f.danger = "grave",
        "patient_danger",
        Problem::UnknownCode,
    ),
];

/// The fields of a declaration whose errors the pages may show.
const FIELDS: [&str; 12] = vigie_model::declaration::FIELDS;

/// `2024-11-28T07:30:00+01:00` as a `datetime-local` field gives it (`2024-11-28T07:30`).
fn local(date: &str) -> String {
    match date.len() {
        25 => date[..16].to_owned(),
        _ => date.to_owned(),
    }
}

fn push(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    if !value.is_empty() {
        form.push((name.to_owned(), value.to_owned()));
    }
}

/// The fields a page shows in error, and the message of each (as the page escapes it).
fn refused_fields(body: &str, extra: &[&str]) -> Vec<(String, String)> {
    FIELDS
        .iter()
        .chain(extra)
        .filter_map(|f| {
            let at = body.find(&format!(r#"id="{f}-error">"#))?;
            let rest = &body[at..];
            let start = rest.find('>')? + 1;
            let end = rest.find("</span>")?;
            Some(((*f).to_owned(), rest[start..end].to_owned()))
        })
        .collect()
}

fn escaped(message: &str) -> String {
    message.replace('\'', "&#39;")
}

/// The portal's form, step by step: the refusal of the first step that refuses.
async fn through_the_form(b: &mut Browser, f: &Fields) -> (StatusCode, Vec<(String, String)>) {
    let mut one = Vec::new();
    push(&mut one, "detected_at", &local(f.detected_at));
    push(&mut one, "title", &f.title);
    push(&mut one, "description", f.description);
    push(&mut one, "state_at_declaration", f.state);
    push(&mut one, "support_requested", "oui");
    let mut two = Vec::new();
    push(&mut two, "care_impact", f.care);
    push(&mut two, "degraded_hours", f.hours);
    for d in &f.data {
        push(&mut two, "data_impact", d);
    }
    for k in &f.kinds {
        push(&mut two, "data_kind", k);
    }
    push(&mut two, "patient_danger", f.danger);
    let three = vec![("go".to_owned(), "next".to_owned())];
    let mut last = None;
    for (step, form) in [(1, one), (2, two), (3, three)] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let page = b.post(&format!("/declarer/etape/{step}"), &form).await;
        if page.status != StatusCode::SEE_OTHER || step == 3 {
            return (page.status, refused_fields(&page.body, &[]));
        }
        last = Some(page);
    }
    unreachable!("{:?}", last.map(|p| p.status))
}

/// The JSON API: the errors it answers, as (field, code, message).
async fn through_the_api(
    app: &TestApp,
    token: &SecretToken,
    f: &Fields,
) -> (StatusCode, Vec<(String, String, String)>) {
    let mut body = Map::new();
    let mut text = |key: &str, value: &str| {
        if !value.is_empty() {
            body.insert(key.to_owned(), json!(value));
        }
    };
    text("detected_at", f.detected_at);
    text("title", &f.title);
    text("description", f.description);
    text("state_at_declaration", f.state);
    text("care_impact", f.care);
    text("patient_danger", f.danger);
    body.insert("support_requested".into(), json!(true));
    if !f.hours.is_empty() {
        let hours: f64 = f.hours.replace(',', ".").parse().unwrap();
        body.insert("degraded_hours".into(), json!(hours));
    }
    body.insert("data_impact".into(), json!(f.data));
    if !f.kinds.is_empty() {
        body.insert("data_kind".into(), json!(f.kinds));
    }
    let answer = reqwest::Client::new()
        .post(format!("{}/api/v1/declarations", app.base))
        .bearer_auth(token.expose())
        .json(&Value::Object(body))
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let answer: Value = answer.json().await.unwrap();
    let errors = answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                    (s("field"), s("code"), s("message"))
                })
                .collect()
        })
        .unwrap_or_default();
    (status, errors)
}

/// The on-call form, as the structure's call is typed in.
async fn through_oncall(b: &mut Browser, f: &Fields) -> (StatusCode, Vec<(String, String)>) {
    let mut form = vec![
        ("finess".to_owned(), "010000024".to_owned()),
        (
            "reporter".to_owned(),
            "M. Martin, RSSI, 06 00 00 00 00".to_owned(),
        ),
        ("advice".to_owned(), "Isoler les serveurs.".to_owned()),
        ("support_requested".to_owned(), "on".to_owned()),
    ];
    push(&mut form, "detected_at", &local(f.detected_at));
    push(&mut form, "title", &f.title);
    push(&mut form, "description", f.description);
    push(&mut form, "state_at_declaration", f.state);
    push(&mut form, "care_impact", f.care);
    push(&mut form, "degraded_hours", f.hours);
    for d in &f.data {
        push(&mut form, "data_impact", d);
    }
    for k in &f.kinds {
        push(&mut form, "data_kind", k);
    }
    push(&mut form, "patient_danger", f.danger);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = b.post("/astreinte", &form).await;
    (
        page.status,
        refused_fields(&page.body, &["finess", "reporter", "advice"]),
    )
}

#[tokio::test]
async fn the_same_declaration_is_refused_alike_on_every_channel() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let author = app
        .store
        .user_by_email(&alice.email)
        .await
        .unwrap()
        .unwrap();
    let token = SecretToken::generate(TokenKind::Api).unwrap();
    app.store
        .create_api_token(
            s1,
            &token.hash().to_hex(),
            "SIEM",
            Some(author.id),
            app.now(),
        )
        .await
        .unwrap();
    let oncall = app
        .user("astreinte@cert.fr", Role::Oncall, Scope::Cert, false)
        .await;
    let mut declarant = app.signed_in(&alice).await;
    let mut on_call = app.signed_in(&oncall).await;

    for (what, change, field, problem) in ROWS {
        let mut f = valid();
        change(&mut f);
        let expected = FieldError {
            field,
            problem: *problem,
        };
        let message = expected.message();

        let (status, shown) = through_the_form(&mut declarant, &f).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "form, {what}");
        assert_eq!(
            shown,
            [((*field).to_owned(), escaped(&message))],
            "form, {what}"
        );

        let (status, answered) = through_the_api(&app, &token, &f).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "API, {what}");
        assert_eq!(
            answered,
            [(
                (*field).to_owned(),
                problem.code().to_owned(),
                message.clone()
            )],
            "API, {what}"
        );

        let (status, shown) = through_oncall(&mut on_call, &f).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "on-call, {what}");
        assert_eq!(
            shown,
            [((*field).to_owned(), escaped(&message))],
            "on-call, {what}"
        );
    }
    assert_eq!(
        app.store.count_incidents().await.unwrap(),
        0,
        "nothing written"
    );

    // The valid declaration lands on every channel, with its detection date.
    let (status, _) = through_the_form(&mut declarant, &valid()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "form");
    let (status, errors) = through_the_api(&app, &token, &valid()).await;
    assert_eq!(status, StatusCode::CREATED, "API: {errors:?}");
    let (status, errors) = through_oncall(&mut on_call, &valid()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "on-call: {errors:?}");
    let cases = app
        .store
        .list_cases(&vigie_access::Listing::All, 10, 0)
        .await
        .unwrap();
    assert_eq!(cases.len(), 3);
    for summary in cases {
        let record = app.store.case(summary.case).await.unwrap().unwrap();
        assert_eq!(
            record.incident.detected_at.map(|d| d.to_string()),
            Some("2024-11-28T07:30:00+01:00".to_owned()),
            "{}",
            summary.case
        );
        assert_eq!(record.incident.degraded_hours.map(|h| h.get()), Some(1.5));
    }
}

#[tokio::test]
async fn a_draft_changed_behind_vigies_back_is_reported_not_emptied() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let alice = app
        .user(
            "alice@ch-exemple.fr",
            Role::Declarant,
            Scope::Structure(s1),
            false,
        )
        .await;
    let mut b = app.signed_in(&alice).await;
    let (status, _) = through_the_form(
        &mut b,
        &Fields {
            danger: "",
            ..valid()
        },
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The draft resumes at step 2, with what was typed at step 1.
    let resumed = b.get("/declarer/etape/1").await;
    assert!(resumed.body.contains(r#"value="Chiffrement de serveurs""#));

    let vigie_store::Pool::Sqlite(pool) = app.store.pool() else {
        panic!("the test portal runs on SQLite");
    };
    sqlx::query("UPDATE drafts SET fields = '{\"title\": 3}'")
        .execute(pool)
        .await
        .unwrap();
    for path in ["/declarer", "/declarer/etape/1"] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(
            !page.body.contains("name=\"title\""),
            "{path}: no empty form"
        );
    }
}
