//! `vigie journal verify|show|head`: check the tamper-evident journal (and, with `--data`,
//! the data it vouches for), read its latest entries, print its head.

use std::process::ExitCode;

use clap::Subcommand;
use vigie_model::{CaseNumber, Code as _};
use vigie_store::{Actor, Anchor, DataCheck, DataReport};

/// Exit code of a verification that found a bad entry (1 is any other failure, 2 a
/// mistake on the command line).
const TAMPERED: u8 = 3;

/// What to do with the journal.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Check every entry against the hash chain and the head; print the head to keep
    /// elsewhere. Exits with 3 and names the first bad entry if the journal was altered.
    Verify {
        /// A head printed by an earlier verification and kept outside the database
        /// (`SEQ:HASH`): the journal must still hold that entry with that hash.
        #[arg(long = "anchor", value_name = "SEQ:HASH")]
        anchors: Vec<Anchor>,
        /// Also recompute the hashes of every incident's v1 line, every message's text and
        /// the set of routings, and compare them with the last ones journaled; exits with
        /// 3 and names the first ones that differ.
        #[arg(long)]
        data: bool,
    },
    /// Print the head of the journal as `SEQ:HASH`, one line, to keep elsewhere (from cron,
    /// piped to `logger` or `mail`). It is not verified: `verify --anchor` checks it later.
    Head,
    /// Print the latest entries, oldest first.
    Show {
        /// Only the entries of this case (`VIG-2024-000042`).
        #[arg(long, conflicts_with = "subject")]
        case: Option<String>,
        /// Only the entries of this subject (`user:42`, `incidents`).
        #[arg(long)]
        subject: Option<String>,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// The person at the command line, by their system login.
pub fn operator() -> Actor {
    let name = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    Actor::Operator(name)
}

/// The time of the entries the command line journals.
#[allow(clippy::disallowed_methods)]
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// An instant of the journal, in Paris time.
fn paris(at_ns: i64) -> String {
    match jiff::Timestamp::from_nanosecond(i128::from(at_ns)) {
        Ok(at) => {
            let offset = vigie_model::calendar::paris().to_offset(at);
            let second = jiff::Timestamp::from_second(at.as_second()).unwrap_or(at);
            format!("{}", second.display_with_offset(offset))
        }
        Err(_) => format!("{at_ns} ns"),
    }
}

/// Runs `vigie journal`.
pub async fn run(db: &str, action: Action) -> anyhow::Result<ExitCode> {
    let store = crate::open(db).await?;
    let code = match action {
        Action::Verify { anchors, data } => {
            let mut code = match store.verify_journal(&anchors).await? {
                Ok(verified) => {
                    println!("Journal intact : {} entrées vérifiées.", verified.entries);
                    let anchor = Anchor::from(verified.head);
                    println!("Tête : {anchor}");
                    println!(
                        "Conservez cette tête hors de la base ; `vigie journal verify --anchor {anchor}` \
                         vérifiera plus tard que rien n'a été réécrit jusqu'à elle."
                    );
                    ExitCode::SUCCESS
                }
                Err(tamper) => {
                    eprintln!(
                        "Journal altéré : l'entrée n° {} {} ({}).",
                        tamper.seq,
                        tamper.kind.label(),
                        tamper.kind.code()
                    );
                    ExitCode::from(TAMPERED)
                }
            };
            if data {
                let report = store.verify_data().await?;
                print_data(&report);
                if !report.sound() {
                    code = ExitCode::from(TAMPERED);
                }
            }
            code
        }
        Action::Head => {
            let head = store.journal_head().await?;
            match head {
                Some(head) => println!("{}:{}", head.seq, head.hash),
                None => anyhow::bail!("the journal has no head row (see `vigie journal verify`)"),
            }
            ExitCode::SUCCESS
        }
        Action::Show {
            case,
            subject,
            limit,
        } => {
            let subject = match case {
                Some(case) => Some(CaseNumber::parse(&case)?.to_string()),
                None => subject,
            };
            let records = store
                .journal_entries(subject.as_deref(), i64::from(limit))
                .await?;
            for r in &records {
                let e = &r.entry;
                println!(
                    "{:>6}  {}  {:<16}  {:<16}  {:<16}  {}",
                    e.seq,
                    paris(e.at_ns),
                    e.actor,
                    e.action,
                    e.subject,
                    e.payload
                );
            }
            if records.is_empty() {
                eprintln!("Aucune entrée.");
            }
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(code)
}

/// Prints what `verify --data` found: counts on standard output, differences on standard
/// error.
fn print_data(report: &DataReport) {
    let kinds: [(&str, &DataCheck); 3] = [
        ("incidents", &report.incidents),
        ("messages", &report.messages),
        ("transmissions", &report.routings),
    ];
    let counts: Vec<String> = kinds
        .iter()
        .map(|(name, check)| format!("{} {name}", check.checked))
        .collect();
    println!("Données comparées au journal : {}.", counts.join(", "));
    for (name, check) in kinds {
        if check.not_vouched > 0 {
            println!(
                "Non garantis : {} {name} (importés, ou modifiés par une entrée écrite avant que \
                 le journal n'en enregistre l'empreinte) ne sont pas comparés.",
                check.not_vouched
            );
        }
    }
    if report.sound() {
        println!("Données conformes au journal.");
        return;
    }
    for (name, check) in kinds {
        if check.differing == 0 {
            continue;
        }
        eprintln!(
            "Données altérées : {} {name} diffèrent du journal.",
            check.differing
        );
        for d in &check.first {
            eprintln!("  {} {} ({}).", d.subject, d.what.label(), d.what.code());
        }
        let more = check.differing - check.first.len() as u64;
        if more > 0 {
            eprintln!("  … et {more} autres.");
        }
    }
}
