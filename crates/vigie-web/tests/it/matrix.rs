//! The access matrix, built from the router's own table: every route, for every role and
//! anonymous visitors, on an object inside and outside their scope. A route added to the
//! table is checked here; a rule added without its expectation does not compile.

use reqwest::StatusCode;
use vigie_access::{Authority, IncidentAction, Role, Scope, Viewer, allows};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::CaseNumber;
use vigie_web::routes::{Rule, specs};

use crate::app::{Browser, TestApp, TestUser};

/// A path to request, the case it shows (with the action it needs), and whether it names
/// the first declarant's own API token.
type Target = (String, Option<(CaseNumber, IncidentAction)>, bool);

struct Actor {
    name: &'static str,
    browser: Option<Browser>,
    viewer: Option<Viewer>,
}

/// What an answer may be for one actor, route and object.
fn expected(
    rule: Rule,
    post: bool,
    actor: &Actor,
    case_allowed: Option<bool>,
    own_token: bool,
) -> &'static [StatusCode] {
    use StatusCode as S;
    let Some(viewer) = &actor.viewer else {
        // Anonymous visitors: public pages open, everything else sends them to log in.
        return match rule {
            Rule::ApiToken | Rule::ApiCase => &[S::UNAUTHORIZED],
            Rule::Public if post => &[S::UNAUTHORIZED],
            Rule::Public => &[S::OK],
            Rule::Invitation => &[S::NOT_FOUND],
            _ => &[S::SEE_OTHER],
        };
    };
    let role = viewer.role();
    match rule {
        Rule::Public if post => &[S::UNAUTHORIZED],
        Rule::Public => &[S::OK],
        Rule::Invitation => &[S::NOT_FOUND],
        // Signed in already: the second-factor page sends on; enrolment opens; posts without data are refused.
        Rule::Session if post => &[S::BAD_REQUEST, S::UNPROCESSABLE_ENTITY, S::SEE_OTHER],
        Rule::Session => &[S::OK, S::SEE_OTHER],
        Rule::SignedIn if post => &[S::SEE_OTHER],
        Rule::SignedIn => &[S::OK],
        Rule::Declarant if role != Role::Declarant => &[S::FORBIDDEN],
        Rule::Declarant if post && own_token => &[S::SEE_OTHER],
        Rule::Declarant if post => &[S::OK, S::NOT_FOUND, S::UNPROCESSABLE_ENTITY],
        Rule::Declarant => &[S::OK, S::SEE_OTHER],
        Rule::Members if matches!(role, Role::Declarant | Role::Admin) => {
            &[S::UNPROCESSABLE_ENTITY]
        }
        Rule::Members => &[S::FORBIDDEN],
        // Pages carry no API token.
        Rule::ApiToken | Rule::ApiCase => &[S::UNAUTHORIZED],
        // An empty on-call form is refused, and kept on the page.
        Rule::Staff if matches!(role, Role::Analyst | Role::Oncall) && post => {
            &[S::UNPROCESSABLE_ENTITY]
        }
        Rule::Staff if matches!(role, Role::Analyst | Role::Oncall) => &[S::OK],
        Rule::Staff => &[S::FORBIDDEN],
        Rule::Observers if matches!(role, Role::Analyst | Role::Oncall | Role::Authority) => {
            &[S::OK]
        }
        Rule::Observers => &[S::FORBIDDEN],
        // An empty rules document is refused, and kept on the page.
        Rule::Admin if role == Role::Admin && post => &[S::UNPROCESSABLE_ENTITY],
        Rule::Admin if role == Role::Admin => &[S::OK],
        Rule::Admin => &[S::FORBIDDEN],
        // Readable but not handled: refused; not even readable: not found.
        Rule::CaseHandle => match (case_allowed, post) {
            (Some(true), true) => &[S::SEE_OTHER, S::UNPROCESSABLE_ENTITY],
            (Some(true), false) => &[S::OK],
            _ => &[S::FORBIDDEN, S::NOT_FOUND],
        },
        Rule::CaseRead | Rule::CaseMessage => match (case_allowed, post) {
            (Some(true), true) => &[S::SEE_OTHER],
            (Some(true), false) => &[S::OK],
            _ => &[S::NOT_FOUND],
        },
    }
}

#[tokio::test]
async fn nobody_reads_or_changes_what_their_scope_excludes() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let s2 = app.structure("010000032", "53", "GHT Beta").await;
    let c1 = app.case(s1, "010000024", "76", "GHT Alpha").await;
    let c2 = app.case(s2, "010000032", "53", "GHT Beta").await;
    app.store
        .route_case(
            c1,
            Authority::Anssi,
            "structure OSE",
            &vigie_store::Actor::System,
            app.now(),
        )
        .await
        .unwrap();
    let users: Vec<(&'static str, TestUser)> = vec![
        (
            "declarant s1",
            app.user("d1@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
                .await,
        ),
        (
            "declarant s2",
            app.user("d2@ch2.fr", Role::Declarant, Scope::Structure(s2), true)
                .await,
        ),
        (
            "GHT Alpha",
            app.user(
                "ght@alpha.fr",
                Role::Ght,
                Scope::Ght("GHT Alpha".into()),
                false,
            )
            .await,
        ),
        (
            "ARS Occitanie",
            app.user(
                "ars@occitanie.fr",
                Role::Ars,
                Scope::Region(vigie_model::Region::Occitanie),
                false,
            )
            .await,
        ),
        (
            "ANSSI",
            app.user(
                "cert@anssi.fr",
                Role::Authority,
                Scope::Authority(Authority::Anssi),
                false,
            )
            .await,
        ),
        (
            "FSSI",
            app.user(
                "fssi@social.fr",
                Role::Authority,
                Scope::Authority(Authority::Fssi),
                false,
            )
            .await,
        ),
        (
            "analyst",
            app.user("analyste@cert.fr", Role::Analyst, Scope::Cert, false)
                .await,
        ),
        (
            "on-call",
            app.user("astreinte@cert.fr", Role::Oncall, Scope::Cert, false)
                .await,
        ),
        (
            "admin",
            app.user("admin@cert.fr", Role::Admin, Scope::Platform, false)
                .await,
        ),
    ];
    let token = app
        .store
        .create_api_token(s1, "hash-of-a-token", "SIEM", None, app.now())
        .await
        .unwrap();
    let analyst = app
        .store
        .user_by_email("analyste@cert.fr")
        .await
        .unwrap()
        .unwrap();
    let event_id = app
        .store
        .create_event(
            "Panne du prestataire",
            "Hébergeur indisponible",
            Some(analyst.id),
            app.now(),
        )
        .await
        .unwrap()
        .unwrap();
    app.publish(2024).await;
    let mut actors = vec![Actor {
        name: "anonymous",
        browser: Some(app.browser()),
        viewer: None,
    }];
    for (name, user) in &users {
        let viewer = app
            .store
            .user_by_email(&user.email)
            .await
            .unwrap()
            .unwrap()
            .viewer;
        actors.push(Actor {
            name,
            browser: Some(app.signed_in(user).await),
            viewer: Some(viewer),
        });
    }
    let cases = [
        (c1, app.store.case(c1).await.unwrap().unwrap().facts),
        (c2, app.store.case(c2).await.unwrap().unwrap().facts),
    ];

    let mut checked = 0;
    for spec in specs() {
        let post = spec.method == reqwest::Method::POST;
        // Routes whose effect would end the session or open one are checked elsewhere.
        if post && matches!(spec.path, "/deconnexion") {
            continue;
        }
        let objects: Vec<Target> = if spec.path.contains("{case}") {
            let action = if spec.rule == Rule::CaseMessage || (spec.rule == Rule::ApiCase && post) {
                IncidentAction::Message
            } else if spec.rule == Rule::CaseHandle {
                IncidentAction::Handle
            } else {
                IncidentAction::Read
            };
            cases
                .iter()
                .map(|(c, _)| {
                    (
                        spec.path
                            .replace("{case}", &c.to_string())
                            .replace("{format}", "stix"),
                        Some((*c, action)),
                        false,
                    )
                })
                .collect()
        } else if spec.path.starts_with("/administration/") && spec.path.contains("{id}") {
            // The administration's acts on an account or a token that does not exist
            // (their effects are checked in `lifecycle`).
            vec![(spec.path.replace("{id}", "999999"), None, false)]
        } else if spec.path.contains("{id}") {
            vec![(spec.path.replace("{id}", &token.to_string()), None, true)]
        } else if spec.path.contains("{year}") {
            vec![(
                spec.path
                    .replace("{year}", "2024")
                    .replace("{file}", "figure-6.csv"),
                None,
                false,
            )]
        } else if spec.path.contains("{event}") {
            vec![(
                spec.path.replace("{event}", &event_id.to_string()),
                None,
                false,
            )]
        } else if spec.path.contains("{sheet}") {
            vec![(spec.path.replace("{sheet}", "ransomware"), None, false)]
        } else if spec.path.contains("{step}") {
            vec![(spec.path.replace("{step}", "1"), None, false)]
        } else if spec.path.contains("{token}") {
            vec![(
                spec.path
                    .replace("{token}", "vgi_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                None,
                false,
            )]
        } else {
            assert!(
                !spec.path.contains('{'),
                "the matrix does not know how to fill {}",
                spec.path
            );
            vec![(spec.path.to_owned(), None, false)]
        };
        for (path, object, is_token) in &objects {
            for actor in actors.iter_mut() {
                let case_allowed = object.map(|(case, action)| {
                    let facts = &cases.iter().find(|(c, _)| *c == case).unwrap().1;
                    actor
                        .viewer
                        .as_ref()
                        .is_some_and(|v| allows(v, facts, action))
                });
                let own_token = *is_token && actor.name == "declarant s1";
                let want = match (&actor.viewer, post) {
                    // No account or token of that number.
                    (Some(v), true) if v.role() == Role::Admin && path.contains("999999") => {
                        &[StatusCode::NOT_FOUND][..]
                    }
                    // An empty password form: the current password is wrong.
                    (Some(_), true) if spec.path == "/compte/mot-de-passe" => {
                        &[StatusCode::UNPROCESSABLE_ENTITY][..]
                    }
                    _ => expected(spec.rule, post, actor, case_allowed, own_token),
                };
                let browser = actor.browser.as_mut().unwrap();
                let form: &[(&str, &str)] = if spec.path.ends_with("/nis2") {
                    &[
                        ("report", "early_warning"),
                        ("body", "Alerte de la matrice"),
                    ]
                } else if spec.rule == Rule::CaseMessage {
                    &[("body", "Message de la matrice")]
                } else {
                    &[]
                };
                let page = if post {
                    browser.post(path, form).await
                } else {
                    browser.get(path).await
                };
                assert!(
                    want.contains(&page.status),
                    "{} {} {path} as {}: got {}, expected one of {want:?}",
                    spec.method,
                    spec.path,
                    actor.name,
                    page.status
                );
                if page.status == StatusCode::SEE_OTHER
                    && actor.viewer.is_none()
                    && spec.rule != Rule::Public
                {
                    assert_eq!(page.location.as_deref(), Some("/connexion"), "{path}");
                }
                if page.status == StatusCode::NOT_FOUND {
                    // A refusal shows nothing of the case.
                    for title in ["Incident de 010000024", "Incident de 010000032"] {
                        assert!(
                            !page.body.contains(title),
                            "{path} as {} leaked {title}",
                            actor.name
                        );
                    }
                }
                checked += 1;
            }
        }
    }

    // The API, with each structure's token, another's, a forged one and none.
    let mut tokens: Vec<(&str, Option<String>, Option<Viewer>)> = vec![
        ("no token", None, None),
        (
            "forged token",
            Some("vga_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
            None,
        ),
    ];
    for (name, structure, user) in [
        ("token of s1", s1, &users[0].1),
        ("token of s2", s2, &users[1].1),
    ] {
        let secret = SecretToken::generate(TokenKind::Api).unwrap();
        let author = app.store.user_by_email(&user.email).await.unwrap().unwrap();
        app.store
            .create_api_token(
                structure,
                &secret.hash().to_hex(),
                name,
                Some(author.id),
                app.now(),
            )
            .await
            .unwrap();
        tokens.push((name, Some(secret.expose().to_owned()), Some(author.viewer)));
    }
    let http = reqwest::Client::new();
    for spec in specs()
        .into_iter()
        .filter(|s| matches!(s.rule, Rule::ApiToken | Rule::ApiCase))
    {
        let post = spec.method == reqwest::Method::POST;
        let targets: Vec<(String, Option<&vigie_access::IncidentFacts>)> =
            if spec.path.contains("{case}") {
                cases
                    .iter()
                    .map(|(c, f)| (spec.path.replace("{case}", &c.to_string()), Some(f)))
                    .collect()
            } else {
                vec![(spec.path.to_owned(), None)]
            };
        for (path, facts) in &targets {
            for (name, token, viewer) in &tokens {
                let mut request = if post {
                    http.post(format!("{}{path}", app.base))
                } else {
                    http.get(format!("{}{path}", app.base))
                };
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if post {
                    let body = if facts.is_some() {
                        r#"{"body":"Message de la matrice"}"#
                    } else {
                        "{}"
                    };
                    request = request
                        .header("content-type", "application/json")
                        .body(body);
                }
                let status = request.send().await.unwrap().status();
                let want = match (viewer, facts) {
                    (None, _) => StatusCode::UNAUTHORIZED,
                    (Some(v), Some(f)) => {
                        let action = if post {
                            IncidentAction::Message
                        } else {
                            IncidentAction::Read
                        };
                        match (allows(v, f, action), post) {
                            (true, true) => StatusCode::CREATED,
                            (true, false) => StatusCode::OK,
                            (false, _) => StatusCode::NOT_FOUND,
                        }
                    }
                    (Some(_), None) if post => StatusCode::UNPROCESSABLE_ENTITY,
                    (Some(_), None) => StatusCode::OK,
                };
                assert_eq!(status, want, "{} {path} with {name}", spec.method);
                checked += 1;
            }
        }
    }

    assert!(checked > 180, "only {checked} checks");

    // Listings follow the same scopes.
    for actor in actors.iter_mut().skip(1) {
        let list = actor.browser.as_mut().unwrap().get("/declarations").await;
        let viewer = actor.viewer.as_ref().unwrap();
        for (case, facts) in &cases {
            let shown = list.body.contains(&case.to_string());
            assert_eq!(
                shown,
                allows(viewer, facts, IncidentAction::Read),
                "{} listing {case}",
                actor.name
            );
        }
    }
}
