//! The PostgreSQL writer of a group: four round trips whatever the group's size, each
//! statement's text the same every time (prepared once per connection).
//!
//! 1. `BEGIN`;
//! 2. one statement locks the journal's head (read back) and takes the group's ids from
//!    the table's sequence;
//! 3. one statement inserts the incidents, their routings, their e-mails and their journal
//!    entries, deletes the drafts they were made from, moves the head, and raises the
//!    observatory's revision: every column is bound as an array and read back by
//!    `UNNEST`, so a group of 1 and a group of 256 run the same plan (a `VALUES` list
//!    would be a new statement, parsed and planned, for every size);
//! 4. `COMMIT`.
//!
//! The foreign keys of routings to their incidents are checked at the end of the
//! statement, when every row of it is in.

use sqlx::{PgPool, Row as _};
use vigie_journal::{Action, Hash, Head, NewEntry};
use vigie_model::{CaseNumber, Code as _};

use super::{Failed, Pending, Written, mails_of, number};
use crate::{StoreError, decode::ns, portal::CaseRecord};

/// Locks the head of the journal and takes `$1` identifiers, in order.
const HEAD_AND_IDS: &str = "WITH head AS (UPDATE journal_head SET seq = seq WHERE id = 1 RETURNING seq, hash) \
     SELECT head.seq, head.hash, ARRAY(SELECT nextval(pg_get_serial_sequence('incidents', 'id')) \
     FROM generate_series(1, $1)) AS ids FROM head";

/// Everything a group writes, in one statement.
const WRITE_GROUP: &str = "WITH incident AS (INSERT INTO incidents (id, ref, structure_id, declared_at_ns, \
     declared_offset_s, detected_at_ns, detected_offset_s, channel, state_at_declaration, \
     support_requested, care_impact, degraded_hours, data_impact, data_kind, patient_danger, \
     title, description, origin, categories, ransomware_reach, infra_side, out_of_scope_reason, \
     event, technical_support, false_positive, complements_requested, complements_received, \
     local_year, local_month, deposit_slot, case_state, declared_by, measures_taken, affected_systems) \
     SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::INTEGER[], \
     $6::BIGINT[], $7::INTEGER[], $8::TEXT[], $9::TEXT[], $10::BOOLEAN[], $11::TEXT[], \
     $12::DOUBLE PRECISION[], $13::INTEGER[], $14::INTEGER[], $15::TEXT[], $16::TEXT[], $17::TEXT[], \
     $18::TEXT[], $19::INTEGER[], $20::TEXT[], $21::TEXT[], $22::TEXT[], $23::TEXT[], $24::BOOLEAN[], \
     $25::BOOLEAN[], $26::BOOLEAN[], $27::BOOLEAN[], $28::INTEGER[], $29::INTEGER[], $30::TEXT[], \
     $31::TEXT[], $32::BIGINT[], $33::TEXT[], $34::TEXT[])), \
     routed AS (INSERT INTO routings (incident_id, authority, reason, rules, routed_at_ns) \
     SELECT * FROM UNNEST($35::BIGINT[], $36::TEXT[], $37::TEXT[], $38::TEXT[], $39::BIGINT[])), \
     mailed AS (INSERT INTO outbox (recipients, subject, text_body, html_body, message_id, \
     created_at_ns, next_attempt_ns) \
     SELECT r, s, t, h, m, c, c FROM UNNEST($40::TEXT[], $41::TEXT[], $42::TEXT[], $43::TEXT[], \
     $44::TEXT[], $45::BIGINT[]) AS u (r, s, t, h, m, c)), \
     appended AS (INSERT INTO journal (seq, at_ns, actor, action, subject, payload, prev_hash, hash) \
     SELECT * FROM UNNEST($46::BIGINT[], $47::BIGINT[], $48::TEXT[], $49::TEXT[], $50::TEXT[], \
     $51::TEXT[], $52::TEXT[], $53::TEXT[])), \
     counted AS (UPDATE observatory_revision SET revision = revision + 1 WHERE id = 1), \
     dropped AS (DELETE FROM drafts d USING UNNEST($56::BIGINT[], $57::BIGINT[]) AS g (u, s) \
     WHERE d.user_id = g.u AND d.structure_id = g.s) \
     UPDATE journal_head SET seq = $54, hash = $55 WHERE id = 1";

/// Declares the struct of the group's rows, one vector per column.
macro_rules! columns {
    ($($name:ident: $t:ty),+ $(,)?) => {
        /// The group's incidents, column by column.
        #[derive(Default)]
        struct Columns<'a> {
            $($name: Vec<$t>,)+
        }
    };
}

columns! {
    id: i64, reference: Option<&'a str>, structure_id: i64, declared_at_ns: i64,
    declared_offset_s: i32, detected_at_ns: Option<i64>, detected_offset_s: Option<i32>,
    channel: &'static str, state: &'static str, support_requested: bool,
    care_impact: &'static str, degraded_hours: Option<f64>, data_impact: i32, data_kind: i32,
    patient_danger: &'static str, title: Option<&'a str>, description: Option<&'a str>,
    origin: Option<&'static str>, categories: i32, ransomware_reach: Option<&'static str>,
    infra_side: Option<&'static str>, out_of_scope_reason: Option<&'static str>,
    event: Option<&'a str>, technical_support: bool, false_positive: bool,
    complements_requested: bool, complements_received: bool, local_year: i32,
    local_month: i32, slot: &'static str, case_state: &'static str, declared_by: Option<i64>,
    measures_taken: Option<&'a str>, affected_systems: Option<&'a str>,
}

impl<'a> Columns<'a> {
    /// The columns of `incident_columns!` and the portal's, for each declaration, in the
    /// order of `WRITE_GROUP` (the declarations' story reads every one back, on both engines).
    fn of(written: &'a [Written<'a>]) -> Columns<'a> {
        let mut c = Columns::default();
        for w in written {
            let f = &w.flat;
            let p = w.pending;
            c.id.push(w.id);
            c.reference.push(f.reference);
            c.structure_id.push(f.structure_id);
            c.declared_at_ns.push(f.declared_at_ns);
            c.declared_offset_s.push(f.declared_offset_s);
            c.detected_at_ns.push(f.detected_at_ns);
            c.detected_offset_s.push(f.detected_offset_s);
            c.channel.push(f.channel);
            c.state.push(f.state_at_declaration);
            c.support_requested.push(f.support_requested);
            c.care_impact.push(f.care_impact);
            c.degraded_hours.push(f.degraded_hours);
            c.data_impact.push(f.data_impact);
            c.data_kind.push(f.data_kind);
            c.patient_danger.push(f.patient_danger);
            c.title.push(f.title);
            c.description.push(f.description);
            c.origin.push(f.origin);
            c.categories.push(f.categories);
            c.ransomware_reach.push(f.ransomware_reach);
            c.infra_side.push(f.infra_side);
            c.out_of_scope_reason.push(f.out_of_scope_reason);
            c.event.push(f.event);
            c.technical_support.push(f.technical_support);
            c.false_positive.push(f.false_positive);
            c.complements_requested.push(f.complements_requested);
            c.complements_received.push(f.complements_received);
            c.local_year.push(f.local_year);
            c.local_month.push(f.local_month);
            c.slot.push(f.slot);
            c.case_state.push(CaseRecord::INITIAL_STATE.code());
            c.declared_by.push(p.declared_by.map(|u| u.0));
            c.measures_taken.push(p.texts.measures_taken.as_deref());
            c.affected_systems.push(p.texts.affected_systems.as_deref());
        }
        c
    }
}

/// The group's routings, e-mails, journal entries and drafts, column by column.
#[derive(Default)]
struct Related {
    routed_case: Vec<i64>,
    routed_to: Vec<&'static str>,
    routed_reasons: Vec<String>,
    routed_rules: Vec<String>,
    routed_at: Vec<i64>,
    mail_to: Vec<String>,
    mail_subject: Vec<String>,
    mail_text: Vec<String>,
    mail_html: Vec<String>,
    mail_id: Vec<String>,
    mail_at: Vec<i64>,
    seq: Vec<i64>,
    at: Vec<i64>,
    actor: Vec<String>,
    action: Vec<String>,
    subject: Vec<String>,
    payload: Vec<String>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
    draft_user: Vec<i64>,
    draft_structure: Vec<i64>,
}

impl Related {
    /// What each declaration writes beside its incident, in the order of the ids; the
    /// journal entries follow `head`, which ends on the last.
    fn of(written: &[Written<'_>], head: &mut Head) -> Result<Related, StoreError> {
        let mut r = Related::default();
        for w in written {
            let p = w.pending;
            for routing in &p.routings {
                r.routed_case.push(w.case.id());
                r.routed_to.push(routing.to.code());
                r.routed_reasons.push(routing.reasons());
                r.routed_rules.push(routing.rule_ids());
                r.routed_at.push(ns(p.now));
            }
            for mail in mails_of(w)? {
                r.mail_to.push(mail.recipients.join(","));
                r.mail_subject.push(mail.subject);
                r.mail_text.push(mail.text);
                r.mail_html.push(mail.html);
                r.mail_id.push(mail.message_id);
                r.mail_at.push(ns(p.now));
            }
            if let Some(draft) = p.draft {
                r.draft_user.push(draft.user.0);
                r.draft_structure.push(draft.structure.0);
            }
            let l = head.append(NewEntry {
                at_ns: ns(p.now),
                actor: p.actor.clone(),
                action: Action::CaseDeclared,
                subject: w.case.to_string(),
                payload: p.journal.clone(),
            });
            r.seq.push(l.entry.seq);
            r.at.push(l.entry.at_ns);
            r.actor.push(l.entry.actor);
            r.action.push(l.entry.action);
            r.subject.push(l.entry.subject);
            r.payload.push(l.entry.payload);
            r.prev_hash.push(l.prev_hash);
            r.hash.push(l.hash);
        }
        Ok(r)
    }
}

/// Writes a group of declarations on PostgreSQL; their case numbers, in order.
pub(super) async fn write(pool: &PgPool, group: &[Pending]) -> Result<Vec<CaseNumber>, Failed> {
    let staged = async {
        let mut tx = pool.begin().await?;
        let n = i32::try_from(group.len()).unwrap_or(i32::MAX);
        let row = sqlx::query(HEAD_AND_IDS)
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
        let seq: i64 = row.try_get("seq")?;
        let hash: String = row.try_get("hash")?;
        let ids: Vec<i64> = row.try_get("ids")?;
        let hash = Hash::from_hex(&hash).ok_or_else(|| StoreError::Corrupt {
            table: "journal_head",
            id: 1,
            column: "hash",
            reason: "not 64 hexadecimal characters".into(),
        })?;
        let mut head = Head { seq, hash };
        let written = number(group, &ids)?;
        let c = Columns::of(&written);
        let r = Related::of(&written, &mut head)?;
        sqlx::query(WRITE_GROUP)
            .bind(&c.id)
            .bind(&c.reference)
            .bind(&c.structure_id)
            .bind(&c.declared_at_ns)
            .bind(&c.declared_offset_s)
            .bind(&c.detected_at_ns)
            .bind(&c.detected_offset_s)
            .bind(&c.channel)
            .bind(&c.state)
            .bind(&c.support_requested)
            .bind(&c.care_impact)
            .bind(&c.degraded_hours)
            .bind(&c.data_impact)
            .bind(&c.data_kind)
            .bind(&c.patient_danger)
            .bind(&c.title)
            .bind(&c.description)
            .bind(&c.origin)
            .bind(&c.categories)
            .bind(&c.ransomware_reach)
            .bind(&c.infra_side)
            .bind(&c.out_of_scope_reason)
            .bind(&c.event)
            .bind(&c.technical_support)
            .bind(&c.false_positive)
            .bind(&c.complements_requested)
            .bind(&c.complements_received)
            .bind(&c.local_year)
            .bind(&c.local_month)
            .bind(&c.slot)
            .bind(&c.case_state)
            .bind(&c.declared_by)
            .bind(&c.measures_taken)
            .bind(&c.affected_systems)
            .bind(&r.routed_case)
            .bind(&r.routed_to)
            .bind(&r.routed_reasons)
            .bind(&r.routed_rules)
            .bind(&r.routed_at)
            .bind(&r.mail_to)
            .bind(&r.mail_subject)
            .bind(&r.mail_text)
            .bind(&r.mail_html)
            .bind(&r.mail_id)
            .bind(&r.mail_at)
            .bind(&r.seq)
            .bind(&r.at)
            .bind(&r.actor)
            .bind(&r.action)
            .bind(&r.subject)
            .bind(&r.payload)
            .bind(&r.prev_hash)
            .bind(&r.hash)
            .bind(head.seq)
            .bind(head.hash.to_hex())
            .bind(&r.draft_user)
            .bind(&r.draft_structure)
            .execute(&mut *tx)
            .await?;
        let cases: Vec<CaseNumber> = written.iter().map(|w| w.case).collect();
        Ok::<_, StoreError>((tx, cases))
    };
    let (tx, cases) = staged.await.map_err(Failed::before_commit)?;
    tx.commit().await.map_err(|e| Failed {
        error: e.into(),
        committing: true,
    })?;
    Ok(cases)
}
