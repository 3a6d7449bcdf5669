//! The NIS2 clocks of a significant incident (directive (EU) 2022/2555, article 23): an
//! early warning within 24 hours of becoming aware of it, an incident notification within
//! 72 hours, a final report one month after the notification.
//!
//! Pure: the time the structure became aware, the submissions made and `now` in, the
//! deadlines and their state out.

use jiff::{SignedDuration, Timestamp, ToSpan};
use vigie_model::vocabulary;

use vigie_model::calendar::paris;

vocabulary! {
    /// A report NIS2 asks of an essential or important entity.
    pub enum Report ("NIS2 report") {
        /// Alerte précoce, within 24 hours.
        EarlyWarning = ("early_warning", "Alerte précoce (24 heures)"),
        /// Notification d'incident, within 72 hours.
        Notification = ("notification", "Notification d'incident (72 heures)"),
        /// Rapport final, one month after the notification.
        FinalReport = ("final_report", "Rapport final (un mois après la notification)"),
    }
}

/// Where a deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Submitted at `at` (the first submission counts), in time or `late`.
    Submitted {
        /// When.
        at: Timestamp,
        /// After the deadline.
        late: bool,
    },
    /// Not submitted; `left` until the deadline.
    Pending {
        /// Time left.
        left: SignedDuration,
    },
    /// Not submitted and the deadline has passed, `by` this much.
    Overdue {
        /// Time past the deadline.
        by: SignedDuration,
    },
}

/// One deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// The report.
    pub report: Report,
    /// When it is due.
    pub due: Timestamp,
    /// The final report's due date is provisional until the notification is submitted.
    pub provisional: bool,
    /// Its state at `now`.
    pub status: Status,
}

/// The three deadlines of a significant incident. `submitted` gives the first submission
/// of each report, if any.
pub fn deadlines(
    aware_at: Timestamp,
    submitted: impl Fn(Report) -> Option<Timestamp>,
    now: Timestamp,
) -> [Deadline; 3] {
    let early = aware_at + SignedDuration::from_hours(24);
    let notification = aware_at + SignedDuration::from_hours(72);
    let notified = submitted(Report::Notification);
    let base = notified.unwrap_or(notification);
    // One calendar month in Paris time (31 January + 1 month = 28 or 29 February).
    let final_due = base
        .to_zoned_datetime(paris().clone())
        .checked_add(1.month())
        .map(|z| z.timestamp())
        .unwrap_or(base);
    let status = |report: Report, due: Timestamp| match submitted(report) {
        Some(at) => Status::Submitted { at, late: at > due },
        None if now <= due => Status::Pending {
            left: now.duration_until(due),
        },
        None => Status::Overdue {
            by: due.duration_until(now),
        },
    };
    [
        Deadline {
            report: Report::EarlyWarning,
            due: early,
            provisional: false,
            status: status(Report::EarlyWarning, early),
        },
        Deadline {
            report: Report::Notification,
            due: notification,
            provisional: false,
            status: status(Report::Notification, notification),
        },
        Deadline {
            report: Report::FinalReport,
            due: final_due,
            provisional: notified.is_none(),
            status: status(Report::FinalReport, final_due),
        },
    ]
}

/// Whether any deadline is overdue (the queue makes those cases stand out).
pub fn any_overdue(deadlines: &[Deadline]) -> bool {
    deadlines
        .iter()
        .any(|d| matches!(d.status, Status::Overdue { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Renders the deadlines as `report due state`, states as `pending 3h`, `overdue 2h`,
    /// `on-time`, `late`.
    fn check(aware: &str, subs: &[(Report, &str)], now: &str, expected: [&str; 3]) {
        let subs: Vec<(Report, Timestamp)> = subs.iter().map(|(r, s)| (*r, at(s))).collect();
        let got = deadlines(
            at(aware),
            |r| subs.iter().filter(|(k, _)| *k == r).map(|(_, t)| *t).min(),
            at(now),
        );
        let rendered = got.map(|d| {
            let state = match d.status {
                Status::Submitted { late: false, .. } => "on-time".to_owned(),
                Status::Submitted { late: true, .. } => "late".to_owned(),
                Status::Pending { left } => format!("pending {}h", left.as_hours()),
                Status::Overdue { by } => format!("overdue {}h", by.as_hours()),
            };
            format!(
                "{} {}{} {state}",
                d.report,
                d.due,
                if d.provisional { "?" } else { "" }
            )
        });
        assert_eq!(rendered, expected.map(str::to_owned));
    }

    #[test]
    fn clocks_run_from_awareness() {
        use Report::*;
        check(
            "2025-03-10T08:00:00Z",
            &[],
            "2025-03-10T10:00:00Z",
            [
                "early_warning 2025-03-11T08:00:00Z pending 22h",
                "notification 2025-03-13T08:00:00Z pending 70h",
                "final_report 2025-04-13T07:00:00Z? pending 813h",
            ],
        );
        // Late early warning, notification on time: the final report runs from it.
        check(
            "2025-03-10T08:00:00Z",
            &[
                (EarlyWarning, "2025-03-11T09:00:00Z"),
                (Notification, "2025-03-12T12:00:00Z"),
            ],
            "2025-03-14T00:00:00Z",
            [
                "early_warning 2025-03-11T08:00:00Z late",
                "notification 2025-03-13T08:00:00Z on-time",
                "final_report 2025-04-12T11:00:00Z pending 707h",
            ],
        );
        // Nothing sent after four days: both first clocks overdue.
        check(
            "2025-03-10T08:00:00Z",
            &[],
            "2025-03-14T08:00:00Z",
            [
                "early_warning 2025-03-11T08:00:00Z overdue 72h",
                "notification 2025-03-13T08:00:00Z overdue 24h",
                "final_report 2025-04-13T07:00:00Z? pending 719h",
            ],
        );
        // Exactly on the deadline is still in time.
        check(
            "2025-03-10T08:00:00Z",
            &[(EarlyWarning, "2025-03-11T08:00:00Z")],
            "2025-03-11T08:00:00Z",
            [
                "early_warning 2025-03-11T08:00:00Z on-time",
                "notification 2025-03-13T08:00:00Z pending 48h",
                "final_report 2025-04-13T07:00:00Z? pending 791h",
            ],
        );
    }

    #[test]
    fn one_month_is_a_paris_calendar_month() {
        use Report::*;
        // Notified 31 January 2024 at 23:30 Paris: due 29 February (leap year) 23:30 Paris.
        let got = deadlines(
            at("2024-01-30T00:00:00Z"),
            |r| (r == Notification).then(|| at("2024-01-31T22:30:00Z")),
            at("2024-02-01T00:00:00Z"),
        );
        assert_eq!(got[2].due, at("2024-02-29T22:30:00Z"));
        // Across the spring DST change, the wall-clock hour is kept.
        let got = deadlines(
            at("2025-03-01T00:00:00Z"),
            |r| (r == Notification).then(|| at("2025-03-20T09:00:00Z")),
            at("2025-03-21T00:00:00Z"),
        );
        assert_eq!(got[2].due, at("2025-04-20T08:00:00Z"));
        assert!(!got[2].provisional);
    }

    #[test]
    fn overdue_is_seen() {
        let late = deadlines(
            at("2025-03-10T08:00:00Z"),
            |_| None,
            at("2025-03-12T08:00:00Z"),
        );
        assert!(any_overdue(&late));
        let fine = deadlines(
            at("2025-03-10T08:00:00Z"),
            |_| None,
            at("2025-03-10T09:00:00Z"),
        );
        assert!(!any_overdue(&fine));
    }
}
