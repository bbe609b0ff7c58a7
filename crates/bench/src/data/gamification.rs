//! A year of points-ledger rows, written as the app writes them: PROVISIONAL (or
//! REFUSED, for skips) rows at each action, CONFIRMED rows per acting user when a
//! checklist settles (items, subitems, critical items, reported failures, timed starts,
//! the run, on-time, clean, collaboration), REVERSAL rows for a reopened checklist,
//! handover rows, a few supervisor adjustments. The daily tallies and streak rows are the
//! sums of the counting rows (`store::repo::gamification::tally_of`, as `append` adds
//! them), written once at the end instead of one upsert per row.
//!
//! Points follow the default scoring weights (backend §4.7 numbers): the benchmark
//! needs the real volume and shape of rows, not the exact rule engine.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::scoring::{DailyTally, LedgerState, ScoreKind, streak};
use sentinelops_store::entity::{gamification_daily, gamification_scores, user_streaks};
use sentinelops_store::repo::gamification::{LedgerRow, tally_of};
use serde_json::{Value, json};
use uuid::Uuid;

use super::checklists::Run;
use super::rng::Gen;
use super::sink::Batch;

const TIMED_GRACE_SECONDS: i64 = 5 * 60;
const CRITICAL_BONUS: i32 = 10;
const ON_TIME_START: i32 = 4;
const CHECKLIST_ON_TIME: i32 = 14;
const CHECKLIST_CLEAN: i32 = 18;
const COLLABORATION: i32 = 8;
const PER_COLLABORATIVE_ACTION: i32 = 2;
const HANDOVER_CREATED: i32 = 6;
const HANDOVER_RESOLVED: i32 = 12;
/// Late completions and the items of an INCOMPLETE checklist pay this share.
const CUT_PERCENT: i32 = 50;
/// Every this-many slots a settled checklist was reopened and signed off again
/// (REVERSAL rows), and (offset differently) a supervisor adjusted someone's points.
const REOPEN_EVERY: u64 = 40;
const ADJUST_EVERY: u64 = 50;

/// One step of a checklist as settlement sees it (an item or a subitem).
struct Step<'r> {
    subject: Uuid,
    subitem: bool,
    title: &'r str,
    status: ItemStatus,
    severity: i32,
    required: bool,
    by: Option<Uuid>,
    at: Option<DateTime<Utc>>,
    started: Option<DateTime<Utc>>,
    scheduled: Option<DateTime<Utc>>,
}

impl Step<'_> {
    /// Execution points (items: 5 + 3·severity, +2 required, +3 critical; subitems:
    /// 2 + severity, +1 required, +2 critical).
    fn base_points(&self) -> i32 {
        let critical = self.severity >= 4;
        if self.subitem {
            2 + self.severity + i32::from(self.required) + if critical { 2 } else { 0 }
        } else {
            5 + 3 * self.severity + if self.required { 2 } else { 0 } + if critical { 3 } else { 0 }
        }
    }

    fn kind(&self) -> ScoreKind {
        if self.subitem { ScoreKind::Subitem } else { ScoreKind::Item }
    }
}

/// The original's late-start penalty.
fn late_penalty(late_seconds: i64) -> i32 {
    if late_seconds <= 15 * 60 {
        -2
    } else if late_seconds <= 60 * 60 {
        -4
    } else {
        -7
    }
}

/// Where one checklist's rows go and what they carry in common.
struct Sheet<'r, 'a> {
    run: &'r Run<'a>,
    detail: String,
    awarded_by: Option<Uuid>,
}

impl Sheet<'_, '_> {
    fn row(
        &self,
        g: &mut Gen,
        (user, kind, state): (Uuid, ScoreKind, LedgerState),
        (points, quantity): (i32, i32),
        (subject, title, at): (Option<Uuid>, &str, DateTime<Utc>),
        extra: Value,
    ) -> LedgerRow {
        let mut metadata = json!({ "title": title, "detail": self.detail });
        if let (Value::Object(map), Value::Object(more)) = (&mut metadata, extra) {
            map.extend(more);
        }
        LedgerRow {
            id: g.id_at(at),
            instance_id: Some(self.run.id),
            subject_id: subject,
            shift: Some(self.run.shift.as_str().to_owned()),
            section_id: Some(self.run.section_id),
            metadata,
            awarded_by: if state == LedgerState::Provisional { None } else { self.awarded_by },
            ..gamification_scores::Model::new(user, kind, state, self.run.date, at).paying(points, quantity)
        }
    }
}

/// The ledger of the generated year: rows go to the batch as they are made; the
/// per-day sums stay here until `finish`.
#[derive(Default)]
pub struct Ledger {
    days: BTreeMap<(Uuid, NaiveDate), DailyTally>,
    pub rows: u64,
}

impl Ledger {
    fn push(&mut self, batch: &mut Batch, row: LedgerRow) {
        let tally = tally_of(&row);
        if tally != DailyTally::default() {
            self.days.entry((row.user_id, row.activity_date)).or_default().add(&tally);
        }
        self.rows += 1;
        batch.scores.push(row);
    }

    /// The rows of the checklist `run` just generated (its items and subitems are the
    /// last ones in `batch`); `slot` numbers it among all checklists.
    pub fn checklist(&mut self, g: &mut Gen, batch: &mut Batch, run: &Run<'_>, slot: u64, manager: Uuid) {
        let steps = steps_of(batch, run.id);
        let sheet = Sheet {
            run,
            detail: format!("{} shift on {}", run.shift.as_str(), run.date),
            awarded_by: if run.status == InstanceStatus::Incomplete.as_str() { None } else { Some(manager) },
        };
        let mut rows = Vec::new();
        for step in &steps {
            rows.extend(at_action(g, &sheet, step));
        }
        if let Some(closed_at) = run.closed_at {
            if slot % REOPEN_EVERY == 7 {
                // Signed off, reopened, signed off again: confirm, reverse, confirm.
                let first = settle(g, &sheet, &steps, closed_at - chrono::Duration::seconds(240));
                let undo = reversals(g, &first, closed_at - chrono::Duration::seconds(120));
                rows.extend(first);
                rows.extend(undo);
            }
            rows.extend(settle(g, &sheet, &steps, closed_at));
            if slot % ADJUST_EVERY == 3
                && let Some(user) = steps.iter().find_map(|s| s.by)
            {
                let at = closed_at + chrono::Duration::minutes(30);
                let why = json!({ "reason": "Stayed on after the shift to clear the RTGS backlog" });
                let what = (user, ScoreKind::Adjustment, LedgerState::Adjustment);
                rows.push(sheet.row(g, what, (15, 0), (None, "Supervisor adjustment", at), why));
            }
        }
        for row in rows {
            self.push(batch, row);
        }
    }
}

impl Ledger {
    /// The rows of the handover notes just written from `from` (the tail of the batch):
    /// HANDOVER_CREATED for the author of a hand-written note, HANDOVER_RESOLVED for its
    /// resolver (REFUSED when they resolved their own note), dated by the source checklist.
    pub fn handover(&mut self, g: &mut Gen, batch: &mut Batch, from: &Run<'_>) {
        let sheet =
            Sheet { run: from, detail: format!("{} shift on {}", from.shift.as_str(), from.date), awarded_by: None };
        let mut rows = Vec::new();
        for note in batch.handover.iter().rev().take_while(|n| n.from_instance_id == from.id) {
            if note.is_automatic {
                continue;
            }
            let title: String = note.content.chars().take(60).collect();
            let created = (note.created_by, ScoreKind::HandoverCreated, LedgerState::Confirmed);
            rows.push(sheet.row(
                g,
                created,
                (HANDOVER_CREATED, 1),
                (Some(note.id), &title, note.created_at),
                json!({}),
            ));
            let (Some(resolver), Some(at)) = (note.resolved_by, note.resolved_at) else { continue };
            let row = if resolver == note.created_by {
                let why = json!({ "rule": "own_note", "refusal": "Resolving your own handover note pays nothing." });
                let what = (resolver, ScoreKind::HandoverResolved, LedgerState::Refused);
                sheet.row(g, what, (0, 0), (Some(note.id), &title, at), why)
            } else {
                let what = (resolver, ScoreKind::HandoverResolved, LedgerState::Confirmed);
                sheet.row(g, what, (HANDOVER_RESOLVED, 1), (Some(note.id), &title, at), json!({}))
            };
            rows.push(row);
        }
        for row in rows {
            self.push(batch, row);
        }
    }

    /// The daily tallies and every scoring user's streak row, from the sums kept so far.
    pub fn finish(self, batch: &mut Batch, now: DateTime<Utc>) {
        let mut users: BTreeMap<Uuid, (DailyTally, Vec<NaiveDate>)> = BTreeMap::new();
        for ((user_id, date), tally) in self.days {
            let entry = users.entry(user_id).or_default();
            entry.0.add(&tally);
            if tally.is_active() {
                entry.1.push(date);
            }
            batch.daily.push(daily_row(user_id, date, &tally, now));
        }
        let clamp = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        for (user_id, (total, active)) in users {
            let runs = streak::runs(&active);
            batch.streaks.push(user_streaks::Model {
                user_id,
                current_streak_days: clamp(i64::from(runs.current)),
                longest_streak_days: clamp(i64::from(runs.longest)),
                perfect_shifts_count: clamp(total.clean_checklists),
                total_points: clamp(total.points),
                last_shift_date: runs.last,
                updated_at: now,
                revision: 1,
            });
        }
    }
}

fn daily_row(user_id: Uuid, activity_date: NaiveDate, t: &DailyTally, now: DateTime<Utc>) -> gamification_daily::Model {
    sentinelops_store::repo::gamification::day_row(user_id, activity_date, t, now)
}

/// The REVERSAL of each of `rows` at `at`: opposite points and quantity, naming the row.
fn reversals(g: &mut Gen, rows: &[LedgerRow], at: DateTime<Utc>) -> Vec<LedgerRow> {
    rows.iter()
        .map(|row| {
            let mut metadata = row.metadata.clone();
            if let Value::Object(map) = &mut metadata {
                map.insert("reverses".into(), json!([row.id]));
                map.insert("why".into(), json!("checklist reopened"));
            }
            LedgerRow {
                id: g.id_at(at),
                state: LedgerState::Reversal.as_str().to_owned(),
                points: -row.points,
                quantity: -row.quantity,
                metadata,
                awarded_at: at,
                ..row.clone()
            }
        })
        .collect()
}

/// The items and subitems of instance `id`, the tail of the batch's buffers.
fn steps_of<'r>(batch: &'r Batch, id: Uuid) -> Vec<Step<'r>> {
    let items = batch.items.iter().rev().take_while(|i| i.instance_id == id).map(|i| Step {
        subject: i.id,
        subitem: false,
        title: &i.title,
        status: i.status.get(),
        severity: i.severity,
        required: i.is_required,
        by: i.completed_by,
        at: i.completed_at,
        started: i.started_at,
        scheduled: i.scheduled_at,
    });
    let subitems = batch.subitems.iter().rev().take_while(|s| s.instance_id == id).map(|s| Step {
        subject: s.id,
        subitem: true,
        title: &s.title,
        status: s.status.get(),
        severity: s.severity,
        required: s.is_required,
        by: s.completed_by,
        at: s.completed_at,
        started: None,
        scheduled: None,
    });
    items.chain(subitems).collect()
}

/// What an action writes when it happens: a PROVISIONAL row with what it would pay, or
/// a REFUSED row saying why it pays nothing.
fn at_action(g: &mut Gen, sheet: &Sheet<'_, '_>, step: &Step<'_>) -> Vec<LedgerRow> {
    let mut rows = Vec::new();
    if let (Some(user), Some(started), Some(scheduled)) = (step.by, step.started, step.scheduled) {
        let late = (started - scheduled).num_seconds();
        let (kind, points) = timed_start(late);
        let extra = json!({ "provisional_points": points, "late_seconds": late.max(0) });
        rows.push(sheet.row(
            g,
            (user, kind, LedgerState::Provisional),
            (0, 0),
            (Some(step.subject), step.title, started),
            extra,
        ));
    }
    let (Some(user), Some(at)) = (step.by, step.at) else { return rows };
    let who = (Some(step.subject), step.title, at);
    let row = match step.status {
        ItemStatus::Skipped => {
            let why = json!({ "rule": "skipped", "refusal": "A skipped step pays nothing." });
            sheet.row(g, (user, step.kind(), LedgerState::Refused), (0, 0), who, why)
        }
        ItemStatus::Failed => {
            let extra = json!({ "provisional_points": 4 + step.severity, "severity": step.severity });
            sheet.row(g, (user, ScoreKind::FailureReported, LedgerState::Provisional), (0, 0), who, extra)
        }
        _ => {
            let extra = json!({ "provisional_points": step.base_points(), "severity": step.severity });
            sheet.row(g, (user, step.kind(), LedgerState::Provisional), (0, 0), who, extra)
        }
    };
    rows.push(row);
    rows
}

fn timed_start(late_seconds: i64) -> (ScoreKind, i32) {
    if late_seconds <= TIMED_GRACE_SECONDS {
        (ScoreKind::TimedStartOnTime, ON_TIME_START)
    } else {
        (ScoreKind::TimedStartLate, late_penalty(late_seconds))
    }
}

/// The CONFIRMED rows of a settled checklist, signed off at `at`.
fn settle(g: &mut Gen, sheet: &Sheet<'_, '_>, steps: &[Step<'_>], at: DateTime<Utc>) -> Vec<LedgerRow> {
    let run = sheet.run;
    let incomplete = run.status == InstanceStatus::Incomplete.as_str();
    let confirmed = LedgerState::Confirmed;
    let mut rows = Vec::new();
    let mut actions: BTreeMap<Uuid, i32> = BTreeMap::new();
    for step in steps {
        if let (Some(user), Some(started), Some(scheduled)) = (step.by, step.started, step.scheduled) {
            let late = (started - scheduled).num_seconds();
            let (kind, points) = timed_start(late);
            let extra = json!({ "late_seconds": late.max(0) });
            rows.push(sheet.row(g, (user, kind, confirmed), (points, 1), (Some(step.subject), step.title, at), extra));
        }
        let (Some(user), Some(done)) = (step.by, step.at) else { continue };
        *actions.entry(user).or_default() += 1;
        let who = (Some(step.subject), step.title, at);
        match step.status {
            ItemStatus::Completed => {
                let late = done > run.shift_end;
                let cut = if late || incomplete { CUT_PERCENT } else { 100 };
                let points = step.base_points() * cut / 100;
                let extra =
                    json!({ "severity": step.severity, "required": step.required, "late": late, "percent": cut });
                rows.push(sheet.row(g, (user, step.kind(), confirmed), (points, 1), who, extra));
                if !step.subitem && step.severity >= 4 {
                    let extra = json!({ "severity": step.severity });
                    rows.push(sheet.row(
                        g,
                        (user, ScoreKind::CriticalItem, confirmed),
                        (CRITICAL_BONUS, 1),
                        who,
                        extra,
                    ));
                }
            }
            ItemStatus::Failed => {
                let extra = json!({ "severity": step.severity });
                rows.push(sheet.row(
                    g,
                    (user, ScoreKind::FailureReported, confirmed),
                    (4 + step.severity, 1),
                    who,
                    extra,
                ));
            }
            _ => {}
        }
    }
    let title = run.template_name;
    let on_time = run.pending_review_at.is_some_and(|t| t <= run.shift_end) && !incomplete;
    let clean = run.status == InstanceStatus::Completed.as_str();
    let together = actions.len() > 1;
    for (&user, &count) in &actions {
        let put = |g: &mut Gen, kind: ScoreKind, (points, quantity): (i32, i32)| {
            let extra = json!({ "status": run.status, "actions": count });
            sheet.row(g, (user, kind, confirmed), (points, quantity), (None, title, at), extra)
        };
        rows.push(put(g, ScoreKind::ChecklistRun, (0, 1)));
        if on_time {
            rows.push(put(g, ScoreKind::ChecklistOnTime, (CHECKLIST_ON_TIME, 1)));
        }
        if clean {
            rows.push(put(g, ScoreKind::ChecklistClean, (CHECKLIST_CLEAN, 1)));
        }
        if together {
            rows.push(put(g, ScoreKind::Collaboration, (COLLABORATION, 1)));
            rows.push(put(g, ScoreKind::CollaborativeActions, (PER_COLLABORATIVE_ACTION * count, count)));
        }
    }
    rows
}
