//! The analyst queue: filters, sorts, pages.

use super::*;

/// What the queue's filter form sends (every field optional).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct QueueQuery {
    etat: String,
    origine: String,
    impact: String,
    danger: String,
    region: String,
    structure: String,
    anciennete: String,
    attribution: String,
    tri: String,
    page: String,
}

/// One line of the queue as shown.
pub struct QueueRow {
    case: String,
    title: String,
    structure: String,
    kind: &'static str,
    region: &'static str,
    declared: String,
    age: String,
    state: &'static str,
    care: &'static str,
    danger: &'static str,
    origin: &'static str,
    assignee: String,
    significant: bool,
    urgent: bool,
    nis2_overdue: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    states: Vec<Choice>,
    origins: Vec<Choice>,
    impacts: Vec<Choice>,
    dangers: Vec<Choice>,
    regions: Vec<Choice>,
    kinds: Vec<Choice>,
    ages: Vec<Choice>,
    assignees: Vec<Choice>,
    sorts: Vec<Choice>,
    page: i64,
    more: bool,
    query: String,
}

const QUEUE_PAGE: i64 = 50;

const AGES: [(&str, &str, i64); 3] = [
    ("24h", "Plus de 24 heures", 24),
    ("72h", "Plus de 72 heures", 72),
    ("7j", "Plus de 7 jours", 24 * 7),
];

fn age_of(declared: Timestamp, now: Timestamp) -> String {
    let minutes = now.duration_since(declared).as_secs().max(0) / 60;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} j", m / (24 * 60)),
    }
}

/// `GET /traitement`: the analyst queue.
pub async fn queue(
    State(app): State<App>,
    who: SignedIn,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    crate::pages::require(&who, crate::pages::STAFF)?;
    let now = app.now();
    let filter = q.filter(&who, now);
    let page = crate::pages::cases::clamp_page(q.page.parse::<i64>().unwrap_or(1));
    let lines = app
        .store
        .queue(&filter, QUEUE_PAGE + 1, (page - 1) * QUEUE_PAGE)
        .await?;
    let more = lines.len() as i64 > QUEUE_PAGE;
    let rows = lines
        .into_iter()
        .take(QUEUE_PAGE as usize)
        .map(|l| QueueRow {
            nis2_overdue: (l.significant || l.nis2_first.iter().any(Option::is_some))
                && nis2::any_overdue(&nis2::deadlines(
                    l.aware_at,
                    |r| l.nis2_first[usize::from(r.index())],
                    now,
                )),
            case: l.case.to_string(),
            title: l.title.unwrap_or_else(|| "(sans titre)".into()),
            structure: l.structure_name,
            kind: l.structure_type.label(),
            region: l.region.label(),
            declared: french(l.declared_at),
            age: age_of(l.declared_at.timestamp(), now),
            state: l.state.label(),
            care: l.care_impact.label(),
            danger: l.patient_danger.label(),
            origin: l.origin.map_or("Non qualifié", |o| o.label()),
            assignee: l.assignee.unwrap_or_else(|| "—".into()),
            significant: l.significant,
            urgent: l.care_impact == CareImpact::Interrupted
                || l.patient_danger == PatientDanger::Actual,
        })
        .collect();
    let staff = app.store.staff().await?;
    let mut assignees = vec![
        Choice {
            value: "moi".into(),
            label: "Moi".into(),
            selected: q.attribution == "moi",
        },
        Choice {
            value: "personne".into(),
            label: "Personne".into(),
            selected: q.attribution == "personne",
        },
    ];
    assignees.extend(staff.into_iter().map(|s| Choice {
        selected: q.attribution == s.id.0.to_string(),
        value: s.id.0.to_string(),
        label: s.name,
    }));
    let mut states = choices::<CaseState>(&[q.etat.as_str()]);
    states.push(Choice {
        value: "tous".into(),
        label: "Tous, clos compris".into(),
        selected: q.etat == "tous",
    });
    let mut origins = vec![Choice {
        value: "none".into(),
        label: "Non qualifié".into(),
        selected: q.origine == "none",
    }];
    origins.extend(choices::<Origin>(&[q.origine.as_str()]));
    let ages = AGES
        .iter()
        .map(|(code, label, _)| Choice {
            value: (*code).into(),
            label: (*label).into(),
            selected: q.anciennete == *code,
        })
        .collect();
    // By default the newest first: a case declared a minute ago is on the first page.
    let sorts = [
        ("", "Les plus récentes d'abord (par défaut)"),
        ("ancien", "Les plus anciennes d'abord"),
        ("gravite", "Les plus graves d'abord"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: (*v).into(),
        label: (*l).into(),
        selected: q.tri == *v,
    })
    .collect();
    let query = serde_urlencoded::to_string([
        ("etat", &q.etat),
        ("origine", &q.origine),
        ("impact", &q.impact),
        ("danger", &q.danger),
        ("region", &q.region),
        ("structure", &q.structure),
        ("anciennete", &q.anciennete),
        ("attribution", &q.attribution),
        ("tri", &q.tri),
    ])
    .unwrap_or_default();
    crate::pages::render(&QueuePage {
        layout: Layout::signed_in("File de traitement", "queue", &who),
        rows,
        states: pick(states, "Ouverts (non clos)"),
        origins: pick(origins, "Toutes"),
        impacts: pick(choices::<CareImpact>(&[q.impact.as_str()]), "Tous"),
        dangers: pick(choices::<PatientDanger>(&[q.danger.as_str()]), "Toutes"),
        regions: pick(choices::<Region>(&[q.region.as_str()]), "Toutes"),
        kinds: pick(choices::<StructureType>(&[q.structure.as_str()]), "Tous"),
        ages: pick(ages, "Toutes"),
        assignees: pick(assignees, "Tous"),
        sorts,
        page,
        more,
        query,
    })
}

impl QueueQuery {
    /// The store's filter for this query, as seen by `who` at `now`.
    pub(crate) fn filter(&self, who: &SignedIn, now: Timestamp) -> QueueFilter {
        let q = self;
        fn parse(s: &str) -> Option<&str> {
            Some(s).filter(|s| !s.is_empty())
        }
        let mut filter = QueueFilter {
            states: parse(&q.etat)
                .and_then(|s| CaseState::parse(s).ok())
                .map(|s| vec![s])
                .unwrap_or_default(),
            origin: match q.origine.as_str() {
                "" => None,
                "none" => Some(None),
                code => Origin::parse(code).ok().map(Some),
            },
            care_impact: parse(&q.impact).and_then(|s| CareImpact::parse(s).ok()),
            patient_danger: parse(&q.danger).and_then(|s| PatientDanger::parse(s).ok()),
            region: parse(&q.region).and_then(|s| Region::parse(s).ok()),
            structure_type: parse(&q.structure).and_then(|s| StructureType::parse(s).ok()),
            declared_before: AGES
                .iter()
                .find(|(code, _, _)| *code == q.anciennete)
                .map(|(_, _, hours)| now - SignedDuration::from_hours(*hours)),
            assignee: match q.attribution.as_str() {
                "" => None,
                "personne" => Some(None),
                "moi" => Some(Some(who.user.id)),
                other => other.parse::<i64>().ok().map(|id| Some(UserId(id))),
            },
            sort: match q.tri.as_str() {
                "ancien" => QueueSort::Oldest,
                "gravite" => QueueSort::Severity,
                _ => QueueSort::Newest,
            },
        };
        if q.etat == "tous" {
            filter.states = CaseState::ALL.to_vec();
        }
        filter
    }
}

// ---------------------------------------------------------------------------------------
// The handling panel of a case.
