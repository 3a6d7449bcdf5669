//! The NIS 2 panel of a case: each deadline, and the reports sent to those they concern.

use jiff::SignedDuration;
use vigie_access::IncidentAction;
use vigie_model::Code;
use vigie_store::CaseRecord;
use vigie_workflow::nis2::{self, Deadline, Report, Status};

use crate::{
    App, WebError,
    pages::choice::{Choice, choices},
    session::SignedIn,
};

/// A NIS2 deadline as shown.
pub struct ShownDeadline {
    pub(crate) report: &'static str,
    pub(crate) due: String,
    pub(crate) state: String,
    pub(crate) overdue: bool,
}

/// A NIS2 submission as shown.
pub struct ShownSubmission {
    pub(crate) report: &'static str,
    pub(crate) version: i32,
    pub(crate) at: String,
    pub(crate) by: String,
    pub(crate) body: String,
}

/// The NIS2 panel of a case: deadlines, submissions kept as versions, and the form.
pub struct Nis2View {
    pub(crate) deadlines: Vec<ShownDeadline>,
    pub(crate) submissions: Vec<ShownSubmission>,
    pub(crate) reports: Vec<Choice>,
    pub(crate) can_submit: bool,
    /// Whether the reports' texts are shown ([`reads_nis2_reports`]).
    pub(crate) shows_bodies: bool,
    pub(crate) error: Option<&'static str>,
    pub(crate) draft: String,
}

/// Who reads the texts of a case's NIS 2 reports: those the notification concerns, the
/// CERT's staff (who handle it) and the declaring structure's own accounts (who wrote it).
/// Others who read the case (its GHT, its ARS, the authorities it was routed to) see the
/// deadlines and which report was sent when, not what it says: the authorities receive
/// the notification through their own channel.
pub fn reads_nis2_reports(
    viewer: &vigie_access::Viewer,
    facts: &vigie_access::IncidentFacts,
) -> bool {
    vigie_access::allows(viewer, facts, IncidentAction::Handle)
        || (viewer.role() == vigie_access::Role::Declarant
            && vigie_access::allows(viewer, facts, IncidentAction::Message))
}

/// A refused NIS2 submission: what was typed and why.
pub struct Nis2Retry {
    /// The report chosen.
    pub report: String,
    /// What was typed.
    pub draft: String,
    /// Why it was refused.
    pub error: &'static str,
}

fn hours(d: SignedDuration) -> String {
    let h = d.as_secs() / 3600;
    if h >= 48 {
        format!("{} j {} h", h / 24, h % 24)
    } else {
        format!("{h} h {} min", (d.as_secs() % 3600) / 60)
    }
}

/// The deadlines of a case as the queue and the page show them.
pub fn shown_deadlines(deadlines: &[Deadline]) -> Vec<ShownDeadline> {
    deadlines
        .iter()
        .map(|d| ShownDeadline {
            report: d.report.label(),
            due: format!(
                "{}{}",
                vigie_model::calendar::french_date_time(d.due),
                if d.provisional {
                    " (provisoire : court à partir de la notification)"
                } else {
                    ""
                }
            ),
            state: match d.status {
                Status::Submitted { at, late: false } => {
                    format!(
                        "Transmis le {}, dans le délai",
                        vigie_model::calendar::french_date_time(at)
                    )
                }
                Status::Submitted { at, late: true } => {
                    format!(
                        "Transmis le {}, en retard",
                        vigie_model::calendar::french_date_time(at)
                    )
                }
                Status::Pending { left } => format!("À transmettre : reste {}", hours(left)),
                Status::Overdue { by } => format!("En retard de {}", hours(by)),
            },
            overdue: matches!(d.status, Status::Overdue { .. }),
        })
        .collect()
}

/// The NIS2 panel, when the case is significant or has submissions.
pub async fn nis2_view(
    app: &App,
    who: &SignedIn,
    record: &CaseRecord,
    retry: Option<Nis2Retry>,
) -> Result<Option<Nis2View>, WebError> {
    let significant = app
        .store
        .handling(record.case)
        .await?
        .is_some_and(|h| h.judgement.significant);
    let submissions = app.store.nis2_submissions(record.case).await?;
    if !significant && submissions.is_empty() && retry.is_none() {
        return Ok(None);
    }
    let aware_at = record
        .incident
        .detected_at
        .unwrap_or(record.incident.declared_at)
        .timestamp();
    let first = |r: Report| {
        submissions
            .iter()
            .filter(|s| s.report == r)
            .map(|s| s.at)
            .min()
    };
    let deadlines = nis2::deadlines(aware_at, first, app.now());
    let chosen = retry.as_ref().map(|r| r.report.as_str()).unwrap_or("");
    let shows_bodies = reads_nis2_reports(&who.user.viewer, &record.facts);
    Ok(Some(Nis2View {
        shows_bodies,
        deadlines: shown_deadlines(&deadlines),
        submissions: submissions
            .into_iter()
            .rev()
            .map(|s| ShownSubmission {
                report: s.report.label(),
                version: s.version,
                at: vigie_model::calendar::french_date_time(s.at),
                by: s.by.unwrap_or_else(|| "—".into()),
                body: if shows_bodies { s.body } else { String::new() },
            })
            .collect(),
        reports: choices::<Report>(&[chosen]),
        can_submit: vigie_access::allows(&who.user.viewer, &record.facts, IncidentAction::Message),
        error: retry.as_ref().map(|r| r.error),
        draft: retry.map(|r| r.draft).unwrap_or_default(),
    }))
}
