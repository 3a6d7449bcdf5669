//! The access matrix, written by hand and independent of `vigie_access`: who reads,
//! writes on and handles which case, for cases that differ from one another in one
//! dimension at a time, checked on every route of the router's own table (a route added
//! is walked here), with valid forms, and on the rows that lists, exports and the API
//! return, not only on status codes. Half-signed-in, disabled and demo accounts are
//! among the actors; tokens and invitations are tried across structures and roles.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use vigie_access::{Authority, Role, Scope};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::CaseNumber;
use vigie_web::routes::{Rule, specs};

use crate::app::{Browser, PASSWORD, TestApp};

/// The cases, each differing from the one before it in one dimension:
///
/// | case | structure | GHT   | region    | routed to |
/// |------|-----------|-------|-----------|-----------|
/// | A    | s1        | Alpha | Occitanie | ANSSI     |
/// | B    | s1        | Alpha | Occitanie | —         |  (A, not routed)
/// | C    | s2        | Alpha | Occitanie | —         |  (B, another structure)
/// | D    | s3        | Beta  | Occitanie | —         |  (C, another GHT)
/// | E    | s4        | Beta  | Bretagne  | —         |  (D, another region)
const CASES: [char; 5] = ['A', 'B', 'C', 'D', 'E'];

/// The expected answer, by hand: for each signed-in actor, the cases it reads, the cases
/// it writes on (messages, NIS2 reports) and the cases it handles (CERT staff's acts).
const MATRIX: &[(&str, &str, &str, &str)] = &[
    // actor            reads    writes   handles
    ("declarant s1", "AB", "AB", ""),
    ("declarant s2", "C", "C", ""),
    ("GHT Alpha", "ABC", "ABC", ""),
    ("GHT Beta", "DE", "DE", ""),
    ("ARS Occitanie", "ABCD", "", ""),
    ("ARS Bretagne", "E", "", ""),
    ("ANSSI", "A", "", ""),
    ("FSSI", "", "", ""),
    ("analyst", "ABCDE", "ABCDE", "ABCDE"),
    ("on-call", "ABCDE", "ABCDE", "ABCDE"),
    ("admin", "", "", ""),
];

/// What an actor is to the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No session: a visitor, a disabled account (its sessions ended), a demo account on
    /// a real portal (its login refused).
    Anonymous,
    /// Password checked, second factor not yet.
    HalfSignedIn,
    /// Signed in, with this role.
    Signed(Role),
}

struct Actor {
    name: &'static str,
    kind: Kind,
    browser: Browser,
}

/// The row of the matrix of a signed-in actor.
fn row(name: &str) -> (&'static str, &'static str, &'static str) {
    let (_, reads, writes, handles) = MATRIX
        .iter()
        .find(|(actor, ..)| *actor == name)
        .unwrap_or_else(|| panic!("{name} has no row in the matrix"));
    (reads, writes, handles)
}

/// A valid form for each route that acts on a case.
fn case_form(path: &str) -> Vec<(&'static str, &'static str)> {
    let action = path.rsplit('/').next().unwrap();
    match action {
        "messages" => vec![("body", "Message de la matrice")],
        "nis2" => vec![
            ("report", "early_warning"),
            ("body", "Alerte de la matrice"),
        ],
        // Not malicious: no new authority is routed to mid-walk.
        "qualification" => vec![("origin", "non_malicious"), ("categories", "app_bug")],
        "attribution" => vec![("assignee", "")],
        "complements" => vec![("question", "À quelle heure l'incident a-t-il commencé ?")],
        "etat" => vec![("state", "supporting")],
        "accompagnement" => vec![("action", "first_interview"), ("note", "Entretien")],
        "fiche" => vec![("sheet", "ransomware")],
        "evenement" => vec![("event", "Panne du prestataire")],
        other => panic!("the matrix has no valid form for /{other}"),
    }
}

/// What a route that names no case answers an actor (empty forms: refusals come before
/// the form is read).
fn expected(rule: Rule, post: bool, kind: Kind) -> &'static [StatusCode] {
    use StatusCode as S;
    let role = match kind {
        Kind::Anonymous => {
            return match rule {
                Rule::ApiToken | Rule::ApiCase => &[S::UNAUTHORIZED],
                Rule::Public if post => &[S::UNAUTHORIZED],
                Rule::Public => &[S::OK],
                Rule::Invitation => &[S::NOT_FOUND],
                _ => &[S::SEE_OTHER],
            };
        }
        Kind::HalfSignedIn => {
            return match rule {
                Rule::ApiToken | Rule::ApiCase => &[S::UNAUTHORIZED],
                Rule::Public if post => &[S::UNAUTHORIZED],
                Rule::Public => &[S::OK],
                Rule::Invitation => &[S::NOT_FOUND],
                // The code form opens; enrolment sends to it (a factor exists).
                Rule::Session => &[S::OK, S::SEE_OTHER],
                _ => &[S::SEE_OTHER],
            };
        }
        Kind::Signed(role) => role,
    };
    match rule {
        Rule::Public if post => &[S::UNAUTHORIZED],
        Rule::Public => &[S::OK],
        Rule::Invitation => &[S::NOT_FOUND],
        Rule::Session if post => &[S::BAD_REQUEST, S::UNPROCESSABLE_ENTITY, S::SEE_OTHER],
        Rule::Session => &[S::OK, S::SEE_OTHER],
        Rule::SignedIn if post => &[S::SEE_OTHER],
        Rule::SignedIn => &[S::OK],
        Rule::Declarant if role != Role::Declarant => &[S::FORBIDDEN],
        Rule::Declarant if post => &[S::OK, S::UNPROCESSABLE_ENTITY],
        Rule::Declarant => &[S::OK, S::SEE_OTHER],
        Rule::Members if matches!(role, Role::Declarant | Role::Admin) => {
            &[S::UNPROCESSABLE_ENTITY]
        }
        Rule::Members => &[S::FORBIDDEN],
        Rule::ApiToken | Rule::ApiCase => &[S::UNAUTHORIZED],
        Rule::Staff if matches!(role, Role::Analyst | Role::Oncall) && post => {
            &[S::UNPROCESSABLE_ENTITY]
        }
        Rule::Staff if matches!(role, Role::Analyst | Role::Oncall) => &[S::OK],
        Rule::Staff => &[S::FORBIDDEN],
        Rule::Observers if matches!(role, Role::Analyst | Role::Oncall | Role::Authority) => {
            &[S::OK]
        }
        Rule::Observers => &[S::FORBIDDEN],
        Rule::Admin if role == Role::Admin && post => &[S::UNPROCESSABLE_ENTITY],
        Rule::Admin if role == Role::Admin => &[S::OK],
        Rule::Admin => &[S::FORBIDDEN],
        Rule::CaseRead | Rule::CaseMessage | Rule::CaseHandle => {
            unreachable!("case routes are checked against the matrix")
        }
    }
}

/// Where a refused visitor is sent.
fn sign_in_page(kind: Kind) -> &'static str {
    match kind {
        Kind::HalfSignedIn => "/connexion/totp",
        _ => "/connexion",
    }
}

#[tokio::test]
async fn nobody_reads_or_changes_what_their_scope_excludes() {
    let app = TestApp::spawn().await;
    let alpha = "GHT Alpha";
    let beta = "GHT Beta";
    let s1 = app.structure("010000024", "76", alpha).await;
    let s2 = app.structure("010000032", "76", alpha).await;
    let s3 = app.structure("010000040", "76", beta).await;
    let s4 = app.structure("010000057", "53", beta).await;
    let mut cases: BTreeMap<char, CaseNumber> = BTreeMap::new();
    for (label, structure, finess, region, ght) in [
        ('A', s1, "010000024", "76", alpha),
        ('B', s1, "010000024", "76", alpha),
        ('C', s2, "010000032", "76", alpha),
        ('D', s3, "010000040", "76", beta),
        ('E', s4, "010000057", "53", beta),
    ] {
        let title = format!("Incident {label} de la matrice");
        let case = app
            .case_titled(structure, finess, region, ght, &title)
            .await;
        cases.insert(label, case);
    }
    let title = |label: char| format!("Incident {label} de la matrice");
    app.store
        .route_case(
            cases[&'A'],
            Authority::Anssi,
            "structure OSE",
            &vigie_store::Actor::System,
            app.now(),
        )
        .await
        .unwrap();

    let accounts: Vec<(&'static str, &str, Role, Scope)> = vec![
        (
            "declarant s1",
            "d1@ch1.fr",
            Role::Declarant,
            Scope::Structure(s1),
        ),
        (
            "declarant s2",
            "d2@ch2.fr",
            Role::Declarant,
            Scope::Structure(s2),
        ),
        (
            "GHT Alpha",
            "ght@alpha.fr",
            Role::Ght,
            Scope::Ght(alpha.into()),
        ),
        (
            "GHT Beta",
            "ght@beta.fr",
            Role::Ght,
            Scope::Ght(beta.into()),
        ),
        (
            "ARS Occitanie",
            "ars@occitanie.fr",
            Role::Ars,
            Scope::Region(vigie_model::Region::Occitanie),
        ),
        (
            "ARS Bretagne",
            "ars@bretagne.fr",
            Role::Ars,
            Scope::Region(vigie_model::Region::Bretagne),
        ),
        (
            "ANSSI",
            "cert@anssi.fr",
            Role::Authority,
            Scope::Authority(Authority::Anssi),
        ),
        (
            "FSSI",
            "fssi@social.fr",
            Role::Authority,
            Scope::Authority(Authority::Fssi),
        ),
        ("analyst", "analyste@cert.fr", Role::Analyst, Scope::Cert),
        ("on-call", "astreinte@cert.fr", Role::Oncall, Scope::Cert),
        ("admin", "admin@cert.fr", Role::Admin, Scope::Platform),
    ];
    let mut actors = vec![Actor {
        name: "anonymous",
        kind: Kind::Anonymous,
        browser: app.browser(),
    }];
    for (name, email, role, scope) in &accounts {
        let user = app.user(email, *role, scope.clone(), false).await;
        actors.push(Actor {
            name,
            kind: Kind::Signed(*role),
            browser: app.signed_in(&user).await,
        });
    }
    // A colleague of s1 half signed in: right password, second factor not given.
    app.user("half@ch1.fr", Role::Declarant, Scope::Structure(s1), true)
        .await;
    let mut half = app.browser();
    let page = half
        .post(
            "/connexion",
            &[("email", "half@ch1.fr"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/connexion/totp"));
    half.get("/connexion/totp").await;
    actors.push(Actor {
        name: "half-signed-in",
        kind: Kind::HalfSignedIn,
        browser: half,
    });
    // A colleague of s1 signed in, then disabled: the session it kept is over.
    let gone = app
        .user("gone@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
        .await;
    let gone_browser = app.signed_in(&gone).await;
    let gone_id = app
        .store
        .user_by_email(&gone.email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let gone_token = SecretToken::generate(TokenKind::Api).unwrap();
    app.store
        .create_api_token(
            s1,
            &gone_token.hash().to_hex(),
            "outil",
            Some(gone_id),
            app.now(),
        )
        .await
        .unwrap();
    app.store
        .disable_user(gone_id, &vigie_store::Actor::System, app.now())
        .await
        .unwrap();
    actors.push(Actor {
        name: "disabled",
        kind: Kind::Anonymous,
        browser: gone_browser,
    });
    // A demo account of s1 on a portal not running the demo: refused at login.
    app.user("demo@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
        .await;
    let demo_id = app
        .store
        .user_by_email("demo@ch1.fr")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.store.mark_demo(demo_id).await.unwrap();
    let mut demo = app.browser();
    let refused = demo
        .post(
            "/connexion",
            &[("email", "demo@ch1.fr"), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(
        refused.status,
        StatusCode::SEE_OTHER,
        "a demo account logged in"
    );
    assert!(demo.cookie.is_none());
    actors.push(Actor {
        name: "demo",
        kind: Kind::Anonymous,
        browser: demo,
    });

    let own_token = app
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

    let mut checked = 0;
    for spec in specs() {
        let post = spec.method == reqwest::Method::POST;
        // Routes whose effect would end the session are checked elsewhere, as are the
        // second-factor posts of a half-signed-in session (they spend its attempts).
        if post && spec.path == "/deconnexion" {
            continue;
        }
        if matches!(spec.rule, Rule::ApiToken | Rule::ApiCase) {
            continue;
        }
        let on_case = matches!(
            spec.rule,
            Rule::CaseRead | Rule::CaseMessage | Rule::CaseHandle
        );
        let targets: Vec<(String, Option<char>)> = if on_case {
            cases
                .iter()
                .map(|(label, c)| {
                    let path = spec
                        .path
                        .replace("{case}", &c.to_string())
                        .replace("{format}", "stix");
                    (path, Some(*label))
                })
                .collect()
        } else {
            let path = if spec.path.starts_with("/administration/") {
                // Acts on an account or a token that does not exist (their effects are
                // checked in `lifecycle`).
                spec.path.replace("{id}", "999999")
            } else {
                spec.path
                    .replace("{id}", &own_token.to_string())
                    .replace("{year}", "2024")
                    .replace("{file}", "figure-6.csv")
                    .replace("{event}", &event_id.to_string())
                    .replace("{sheet}", "ransomware")
                    .replace("{step}", "1")
                    .replace("{token}", "vgi_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            };
            assert!(
                !path.contains('{'),
                "the matrix does not know how to fill {}",
                spec.path
            );
            vec![(path, None)]
        };
        for (path, case) in &targets {
            for actor in actors.iter_mut() {
                if post && actor.kind == Kind::HalfSignedIn && spec.rule == Rule::Session {
                    continue;
                }
                let form = match case {
                    Some(_) if post => case_form(spec.path),
                    _ => Vec::new(),
                };
                let page = if post {
                    actor.browser.post(path, &form).await
                } else {
                    actor.browser.get(path).await
                };
                let what = format!("{} {path} as {}", spec.method, actor.name);
                match (case, actor.kind) {
                    (Some(_), Kind::Anonymous | Kind::HalfSignedIn) => {
                        assert_eq!(page.status, StatusCode::SEE_OTHER, "{what}");
                        assert_eq!(
                            page.location.as_deref(),
                            Some(sign_in_page(actor.kind)),
                            "{what}"
                        );
                    }
                    (Some(label), Kind::Signed(_)) => {
                        let (reads, writes, handles) = row(actor.name);
                        let (allowed, refused_as) = match spec.rule {
                            Rule::CaseRead => (reads.contains(*label), StatusCode::NOT_FOUND),
                            Rule::CaseMessage => (writes.contains(*label), StatusCode::NOT_FOUND),
                            _ if reads.contains(*label) => {
                                (handles.contains(*label), StatusCode::FORBIDDEN)
                            }
                            _ => (false, StatusCode::NOT_FOUND),
                        };
                        let want = match (allowed, post) {
                            (true, true) => StatusCode::SEE_OTHER,
                            (true, false) => StatusCode::OK,
                            (false, _) => refused_as,
                        };
                        assert_eq!(page.status, want, "{what}: {}", page.body);
                        if spec.rule == Rule::CaseRead && allowed {
                            let number = cases[label].to_string();
                            assert!(page.body.contains(&number), "{what} shows its case");
                        }
                        if !allowed {
                            for other in CASES {
                                assert!(
                                    !page.body.contains(&title(other)),
                                    "{what} leaked case {other}"
                                );
                            }
                        }
                    }
                    (None, kind) => {
                        let want: &[StatusCode] = match (kind, post, spec.path) {
                            // No account or token of that number.
                            (Kind::Signed(Role::Admin), true, p)
                                if p.starts_with("/administration/") && p.contains("{id}") =>
                            {
                                &[StatusCode::NOT_FOUND]
                            }
                            // An empty password form: the current password is wrong.
                            (Kind::Signed(_), true, "/compte/mot-de-passe") => {
                                &[StatusCode::UNPROCESSABLE_ENTITY]
                            }
                            // Its own token, revoked; another structure's is not found.
                            (
                                Kind::Signed(Role::Declarant),
                                true,
                                "/compte/jetons/{id}/revoquer",
                            ) => {
                                if actor.name == "declarant s1" {
                                    &[StatusCode::SEE_OTHER]
                                } else {
                                    &[StatusCode::NOT_FOUND]
                                }
                            }
                            _ => expected(spec.rule, post, kind),
                        };
                        assert!(
                            want.contains(&page.status),
                            "{what}: got {}, expected one of {want:?}",
                            page.status
                        );
                        if page.status == StatusCode::SEE_OTHER
                            && spec.rule != Rule::Public
                            && !matches!(kind, Kind::Signed(_))
                        {
                            assert_eq!(
                                page.location.as_deref(),
                                Some(sign_in_page(kind)),
                                "{what}"
                            );
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 700, "only {checked} checks");

    // The rows each list shows: exactly the cases of the actor's row.
    for actor in actors.iter_mut() {
        let Kind::Signed(_) = actor.kind else {
            let list = actor.browser.get("/declarations").await;
            assert_eq!(
                list.location.as_deref(),
                Some(sign_in_page(actor.kind)),
                "{}",
                actor.name
            );
            continue;
        };
        let (reads, _, handles) = row(actor.name);
        let list = actor.browser.get("/declarations").await;
        assert_eq!(list.status, StatusCode::OK, "{}", actor.name);
        for label in CASES {
            assert_eq!(
                list.body.contains(&cases[&label].to_string()),
                reads.contains(label),
                "{} listing case {label}",
                actor.name
            );
        }
        // The staff's export of the queue holds the cases they handle, and only staff export.
        let export = actor.browser.get("/traitement/export?format=misp").await;
        if handles.is_empty() {
            assert_eq!(export.status, StatusCode::FORBIDDEN, "{}", actor.name);
        } else {
            assert_eq!(export.status, StatusCode::OK, "{}", actor.name);
            for label in CASES {
                assert_eq!(
                    export.body.contains(&cases[&label].to_string()),
                    handles.contains(label),
                    "{} exporting case {label}",
                    actor.name
                );
            }
        }
    }

    // The API, with each structure's token, a disabled author's, a forged one and none:
    // each reads and lists its own structure's cases only. A route added to the API must
    // be added here.
    let api: Vec<String> = specs()
        .into_iter()
        .filter(|s| matches!(s.rule, Rule::ApiToken | Rule::ApiCase))
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(
        api,
        [
            "POST /api/v1/declarations",
            "GET /api/v1/declarations",
            "GET /api/v1/declarations/{case}",
            "POST /api/v1/declarations/{case}/messages",
        ],
        "the matrix checks these API routes below (declaring is checked in `api`)"
    );
    let http = reqwest::Client::new();
    let mut tokens: Vec<(&str, Option<String>, &str)> = vec![
        ("no token", None, ""),
        (
            "forged token",
            Some("vga_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
            "",
        ),
        (
            "disabled author's token",
            Some(gone_token.expose().to_owned()),
            "",
        ),
    ];
    for (name, structure, author, reads) in [
        ("token of s1", s1, "d1@ch1.fr", "AB"),
        ("token of s2", s2, "d2@ch2.fr", "C"),
    ] {
        let secret = SecretToken::generate(TokenKind::Api).unwrap();
        let author = app.store.user_by_email(author).await.unwrap().unwrap().id;
        app.store
            .create_api_token(
                structure,
                &secret.hash().to_hex(),
                name,
                Some(author),
                app.now(),
            )
            .await
            .unwrap();
        tokens.push((name, Some(secret.expose().to_owned()), reads));
    }
    for (name, token, reads) in &tokens {
        let valid = !reads.is_empty();
        let with = |r: reqwest::RequestBuilder| match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        };
        let list = with(http.get(format!("{}/api/v1/declarations", app.base)))
            .send()
            .await
            .unwrap();
        let status = list.status();
        let body = list.text().await.unwrap();
        if !valid {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "list with {name}");
        } else {
            assert_eq!(status, StatusCode::OK, "list with {name}");
        }
        for label in CASES {
            let case = cases[&label].to_string();
            assert_eq!(
                body.contains(&case),
                reads.contains(label),
                "{name} listing {label}"
            );
            let read = with(http.get(format!("{}/api/v1/declarations/{case}", app.base)))
                .send()
                .await
                .unwrap();
            let want = match (valid, reads.contains(label)) {
                (false, _) => StatusCode::UNAUTHORIZED,
                (true, true) => StatusCode::OK,
                (true, false) => StatusCode::NOT_FOUND,
            };
            assert_eq!(read.status(), want, "{name} reading {label}");
            let written =
                with(http.post(format!("{}/api/v1/declarations/{case}/messages", app.base)))
                    .header("content-type", "application/json")
                    .body(r#"{"body":"Message de la matrice"}"#)
                    .send()
                    .await
                    .unwrap();
            let want = match (valid, reads.contains(label)) {
                (false, _) => StatusCode::UNAUTHORIZED,
                (true, true) => StatusCode::CREATED,
                (true, false) => StatusCode::NOT_FOUND,
            };
            assert_eq!(written.status(), want, "{name} writing on {label}");
        }
    }
}

#[tokio::test]
async fn tokens_and_invitations_stay_within_their_structure_and_role() {
    let app = TestApp::spawn().await;
    let s1 = app.structure("010000024", "76", "GHT Alpha").await;
    let s2 = app.structure("010000032", "76", "GHT Alpha").await;
    let d1 = app
        .user("d1@ch1.fr", Role::Declarant, Scope::Structure(s1), false)
        .await;
    let d2 = app
        .user("d2@ch2.fr", Role::Declarant, Scope::Structure(s2), false)
        .await;
    let mut b1 = app.signed_in(&d1).await;
    let mut b2 = app.signed_in(&d2).await;
    let page = b1.post("/compte/jetons", &[("label", "Outil-de-s1")]).await;
    let start = page.body.find("<code>vga_").unwrap() + 6;
    let token = page.body[start..].split('<').next().unwrap().to_owned();
    let id = app.store.api_tokens(s1).await.unwrap()[0].id;
    let works = || async {
        reqwest::Client::new()
            .get(format!("{}/api/v1/declarations", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    };
    // Another structure's declarant cannot revoke it, nor see it on its account page.
    assert!(!b2.get("/compte").await.body.contains("Outil-de-s1"));
    let refused = b2.post(&format!("/compte/jetons/{id}/revoquer"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(works().await, StatusCode::OK);
    assert!(
        app.store.api_tokens(s1).await.unwrap()[0]
            .revoked_at
            .is_none()
    );
    // Its own declarant can.
    let revoked = b1.post(&format!("/compte/jetons/{id}/revoquer"), &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(works().await, StatusCode::UNAUTHORIZED);

    // A declarant inviting "an administrator of another structure" invites a declarant of
    // its own structure: the role and scope come from the inviter, not from the form.
    let invited = b2
        .post(
            "/compte/invitations",
            &[
                ("email", "escalade@ch2.fr"),
                ("display_name", "Escalade"),
                ("role", "admin"),
                ("finess", "010000024"),
                ("authority", "anssi"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let pending = app.store.pending_invitations(app.now()).await.unwrap();
    let escalade = pending
        .iter()
        .find(|p| p.invitation.email == "escalade@ch2.fr")
        .unwrap();
    assert_eq!(escalade.invitation.role, Role::Declarant);
    assert_eq!(escalade.invitation.scope, Scope::Structure(s2));
    // GHT, ARS and authority accounts invite nobody.
    let ght = app
        .user(
            "ght@alpha.fr",
            Role::Ght,
            Scope::Ght("GHT Alpha".into()),
            false,
        )
        .await;
    let mut g = app.signed_in(&ght).await;
    let refused = g
        .post(
            "/compte/invitations",
            &[
                ("email", "x@alpha.fr"),
                ("display_name", "X"),
                ("role", "declarant"),
                ("finess", "010000024"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .pending_invitations(app.now())
            .await
            .unwrap()
            .len(),
        1
    );
}
