//! Durability and integrity, read back through the store: every acknowledged declaration
//! is there and equal to what was sent, with its acknowledgment e-mail; nothing else is
//! there but declarations whose request had no answer (in flight at a kill, say), and
//! those are whole too.

use std::collections::{HashMap, HashSet};

use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use jiff::Timestamp;
use vigie_access::Listing;
use vigie_model::CaseNumber;
use vigie_store::Store;

use super::{
    load::Outcome,
    sample::{self, Key},
    server::Account,
};

/// What the bench knows of every request it sent to one database.
#[derive(Default)]
pub struct Ledger {
    /// Acknowledged: incident identifier → case number and request.
    acked: HashMap<i64, (CaseNumber, Key)>,
    /// Sent without acknowledgment: the declaration may exist or not, but whole.
    unknown: HashSet<Key>,
}

impl Ledger {
    /// Records the outcomes of a load.
    pub fn record(&mut self, outcomes: &[Outcome]) {
        for o in outcomes {
            match o.result {
                Ok(case) => {
                    self.acked.insert(case.id(), (case, o.key));
                }
                Err(_) => {
                    self.unknown.insert(o.key);
                }
            }
        }
    }

    /// Records one acknowledged request.
    pub fn acknowledged(&mut self, case: CaseNumber, key: Key) {
        self.acked.insert(case.id(), (case, key));
    }
}

/// What a check found.
#[derive(Debug, Default)]
pub struct Check {
    /// Incidents in the database.
    pub incidents: usize,
    /// Acknowledged declarations, all of which must be there.
    pub acked: usize,
    /// Unacknowledged requests whose declaration exists (whole).
    pub landed: usize,
    /// Every problem found (empty when the check passes).
    pub problems: Vec<String>,
}

impl Check {
    /// Whether nothing is missing, incomplete or unexpected.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// One line: counts, and the first problems.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} incidents = {} acknowledged + {} unacknowledged that landed whole",
            self.incidents, self.acked, self.landed
        );
        if !self.ok() {
            s.push_str(&format!("; {} PROBLEMS: ", self.problems.len()));
            s.push_str(
                &self
                    .problems
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        s
    }
}

/// The incident identifier an acknowledgment's Message-ID names (`<ack.ID@domain>`).
fn acknowledged_id(message_id: &str) -> Option<i64> {
    let rest = &message_id[message_id.find("<ack.")? + 5..];
    rest[..rest.find('@')?].parse().ok()
}

/// Checks the database against the ledger; `seed` rebuilds what each request sent.
pub async fn check(
    store: &Store,
    ledger: &Ledger,
    accounts: &[Account],
    seed: u64,
) -> anyhow::Result<Check> {
    let mut check = Check {
        acked: ledger.acked.len(),
        ..Check::default()
    };
    let cases = store.list_cases(&Listing::All, i64::MAX, 0).await?;
    check.incidents = cases.len();
    // Which request each incident is, by the key its title carries.
    let mut present = HashSet::with_capacity(cases.len());
    let mut key_of: HashMap<i64, Key> = HashMap::with_capacity(cases.len());
    let mut seen_keys = HashSet::with_capacity(cases.len());
    let mut to_read: Vec<(CaseNumber, Key)> = Vec::with_capacity(cases.len());
    for summary in &cases {
        let id = summary.case.id();
        present.insert(id);
        let Some(key) = summary.title.as_deref().and_then(Key::from_title) else {
            check
                .problems
                .push(format!("{}: not a declaration of the bench", summary.case));
            continue;
        };
        key_of.insert(id, key);
        if !seen_keys.insert(key) {
            check
                .problems
                .push(format!("{}: request {key:?} stored twice", summary.case));
        }
        match ledger.acked.get(&id) {
            Some(&(case, acked)) if acked == key && case == summary.case => {}
            Some(&(case, acked)) => check.problems.push(format!(
                "{}: holds request {key:?}, acknowledged as {case} for {acked:?}",
                summary.case
            )),
            None if ledger.unknown.contains(&key) => check.landed += 1,
            None => check.problems.push(format!(
                "{}: request {key:?} was never sent or was refused, yet it exists",
                summary.case
            )),
        }
        to_read.push((summary.case, key));
    }
    for (id, (case, key)) in &ledger.acked {
        if !present.contains(id) {
            check
                .problems
                .push(format!("{case} ({key:?}): acknowledged but missing"));
        }
    }
    // Every incident there, read back whole and compared with what was sent.
    let incomplete: Vec<String> = stream::iter(to_read)
        .map(|(case, key)| async move {
            let account = &accounts[key.account(accounts.len())];
            let problem = match store.case(case).await? {
                None => Some(format!("{case}: listed but unreadable")),
                Some(record) => {
                    let sent = sample::declaration(seed, key, &account.structure);
                    let diff = sample::differences(&sent, &record, account.user);
                    let other_structure = record.facts.structure != account.structure_id;
                    (!diff.is_empty() || other_structure).then(|| {
                        format!(
                            "{case}: differs from what was sent in {}{}",
                            diff.join(", "),
                            if other_structure { " structure_id" } else { "" }
                        )
                    })
                }
            };
            anyhow::Ok(problem)
        })
        .buffer_unordered(16)
        .try_filter_map(|p| async move { Ok(p) })
        .try_collect()
        .await?;
    check.problems.extend(incomplete);
    // One acknowledgment e-mail per incident, to its declarant, and no other.
    let mails = store.due_mails(Timestamp::MAX, i64::MAX).await?;
    let mut mail_of: HashMap<i64, usize> = HashMap::with_capacity(mails.len());
    for due in &mails {
        let Some(id) = acknowledged_id(&due.mail.message_id) else {
            check.problems.push(format!(
                "outbox mail {} is not an acknowledgment",
                due.mail.message_id
            ));
            continue;
        };
        *mail_of.entry(id).or_default() += 1;
        if !present.contains(&id) {
            check.problems.push(format!(
                "acknowledgment of incident {id}, which does not exist"
            ));
        }
        let expected = key_of
            .get(&id)
            .map(|k| accounts[k.account(accounts.len())].email.as_str());
        if expected.is_some_and(|e| due.mail.recipients != [e]) {
            check.problems.push(format!(
                "acknowledgment of incident {id} goes to {:?}",
                due.mail.recipients
            ));
        }
    }
    for summary in &cases {
        let n = mail_of.get(&summary.case.id()).copied().unwrap_or(0);
        if n != 1 {
            check
                .problems
                .push(format!("{}: {n} acknowledgment e-mails", summary.case));
        }
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgment_ids() {
        assert_eq!(acknowledged_id("<ack.42@127.0.0.1>"), Some(42));
        assert_eq!(acknowledged_id("<outbox-42@x>"), None);
    }
}

#[cfg(test)]
mod store_tests {
    use jiff::Timestamp;
    use vigie_store::OutboxMail;

    use super::*;
    use crate::declarations::server;

    /// Declares request `key` straight into the store, as the API would.
    async fn declare(store: &Store, accounts: &[Account], key: Key) -> CaseNumber {
        let account = &accounts[key.account(accounts.len())];
        let mut sent = sample::declaration(5, key, &account.structure);
        let now = Timestamp::from_second(1_750_000_000).unwrap();
        sent.incident.declared_at = vigie_model::DateTime::new(now, jiff::tz::Offset::UTC).unwrap();
        let email = account.email.clone();
        store
            .declare(
                account.structure_id,
                &sent.incident,
                Some(account.user),
                &vigie_store::Actor::User(account.user.0),
                &sent.texts,
                &[],
                move |case| {
                    vec![OutboxMail {
                        recipients: vec![email.clone()],
                        subject: "Accusé".into(),
                        text: "t".into(),
                        html: "h".into(),
                        message_id: format!("<ack.{}@test>", case.id()),
                    }]
                },
                now,
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn finds_missing_unexpected_and_mismatched_declarations() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("v.db").display());
        let store = Store::open(&url).await.unwrap();
        let accounts = server::accounts(&store, 3, 1).await.unwrap();
        let key = |seq| Key {
            run: 1,
            client: seq % 3,
            seq,
        };
        let mut ledger = Ledger::default();
        for seq in 0..5 {
            let case = declare(&store, &accounts, key(seq)).await;
            ledger.acknowledged(case, key(seq));
        }
        // Sent, unanswered, landed: fine.
        declare(&store, &accounts, key(5)).await;
        ledger.unknown.insert(key(5));
        // Sent, unanswered, not landed: fine.
        ledger.unknown.insert(key(6));
        let ok = check(&store, &ledger, &accounts, 5).await.unwrap();
        assert!(ok.ok(), "{}", ok.summary());
        assert_eq!((ok.incidents, ok.acked, ok.landed), (6, 5, 1));

        // Acknowledged but missing.
        let mut missing = Ledger {
            acked: ledger.acked.clone(),
            unknown: ledger.unknown.clone(),
        };
        missing
            .acked
            .insert(999, (CaseNumber::new(2025, 999).unwrap(), key(7)));
        let c = check(&store, &missing, &accounts, 5).await.unwrap();
        assert!(c.problems.iter().any(|p| p.contains("missing")), "{c:?}");

        // There, but never acknowledged nor in flight.
        declare(&store, &accounts, key(8)).await;
        let c = check(&store, &ledger, &accounts, 5).await.unwrap();
        assert!(c.problems.iter().any(|p| p.contains("never sent")), "{c:?}");

        // Stored content differs from what the key sends (another seed).
        ledger.unknown.insert(key(8));
        let c = check(&store, &ledger, &accounts, 6).await.unwrap();
        assert!(c.problems.iter().any(|p| p.contains("differs")), "{c:?}");
        store.close().await;
    }
}
