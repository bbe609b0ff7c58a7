//! Settlement in the transaction of whatever closes, reopens, re-dates or deletes a
//! checklist: the awards its final state earns (`domain::scoring::settlement`) are
//! compared with the rows it already counts, grouped by (user, kind, subject, date);
//! what is new is CONFIRMED, what is gone or changed is REVERSED (opposite signs,
//! `metadata.reverses`), and refusals not yet recorded are written once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::scoring::{
    Award, ChecklistFacts, LedgerState, Refusal, RefusalRule, ScoreKind, StepFacts, settlement,
};
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::{self, InstanceRow};
use sentinelops_store::repo::gamification::{self, LedgerRow};

use super::entries::{self, checklist_row, note, refuse};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// What a checklist's rows are reconciled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// What its current state earns (nothing while it is open).
    CurrentState,
    /// Nothing at all, handover points included: the checklist is being deleted.
    Nothing,
}

type Key = (Uuid, ScoreKind, Option<Uuid>, NaiveDate);

/// The kinds a checklist's settlement owns (handover and adjustment rows are not).
fn settled_kind(kind: ScoreKind) -> bool {
    !matches!(kind, ScoreKind::HandoverCreated | ScoreKind::HandoverResolved | ScoreKind::Adjustment)
}

fn text_of<'a>(row: &'a LedgerRow, key: &str) -> Option<&'a str> {
    row.metadata.get(key).and_then(Value::as_str)
}

impl App {
    /// Reconciles a checklist's counting rows with `target`, in the caller's transaction.
    /// `instance` is the row as it now stands in this transaction.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn settle_points(
        &self,
        tx: &Tx,
        instance: &InstanceRow,
        actor: &Actor,
        target: Target,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let existing = gamification::rows_of_instance(tx, instance.id).await?;
        let awards = match target {
            Target::CurrentState if instance.status.is_closed() => {
                settlement(&self.facts_of(tx, instance, &existing).await?, &self.config.scoring)
            }
            _ => Vec::new(),
        };
        let owned = |kind: ScoreKind| target == Target::Nothing || settled_kind(kind);
        // What the checklist counts now, per key, and the confirmed rows not yet undone.
        let undone: BTreeSet<String> = existing
            .iter()
            .filter_map(|r| r.metadata.get("reverses").and_then(Value::as_array))
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let mut counted: BTreeMap<Key, (i32, i32, Vec<Uuid>)> = BTreeMap::new();
        let mut refused: BTreeSet<(Uuid, String, Option<Uuid>, String)> = BTreeSet::new();
        for row in &existing {
            let (Some(state), Some(kind)) = (LedgerState::parse(&row.state), ScoreKind::parse(&row.kind)) else {
                continue;
            };
            if state == LedgerState::Refused {
                let rule = text_of(row, "rule").unwrap_or_default().to_owned();
                refused.insert((row.user_id, row.kind.clone(), row.subject_id, rule));
            }
            if !state.counts() || !owned(kind) {
                continue;
            }
            let entry = counted.entry((row.user_id, kind, row.subject_id, row.activity_date)).or_default();
            entry.0 += row.points;
            entry.1 += row.quantity;
            if state == LedgerState::Confirmed && !undone.contains(&row.id.to_string()) {
                entry.2.push(row.id);
            }
        }
        let date = instance.checklist_date;
        let mut wanted: BTreeMap<Key, &Award> = BTreeMap::new();
        let mut rows = Vec::new();
        for award in &awards {
            match &award.refusal {
                Some(refusal) => {
                    let key = (award.user, award.kind.as_str().to_owned(), award.subject, refusal.rule.as_str().into());
                    if refused.insert(key) {
                        rows.push(self.award_row(instance, award, LedgerState::Refused, Some(refusal), now));
                    }
                }
                None => {
                    wanted.insert((award.user, award.kind, award.subject, date), award);
                }
            }
        }
        let awarded_by = instance.closed_by;
        for (key, (points, quantity, ids)) in &counted {
            let same = wanted.get(key).is_some_and(|a| (a.points, a.quantity) == (*points, *quantity));
            if same || (*points, *quantity) == (0, 0) {
                continue;
            }
            let (user, kind, subject, day) = *key;
            let undoes = existing.iter().find(|r| ids.contains(&r.id));
            let title = undoes.and_then(|r| text_of(r, "title")).unwrap_or(&instance.template_name).to_owned();
            let mut row =
                checklist_row(instance, user, kind, LedgerState::Reversal, &title, now).paying(-points, -quantity);
            row.subject_id = subject;
            row.activity_date = day;
            // Where the undone points were earned (before a date correction, the old date).
            if let Some(detail) = undoes.and_then(|r| r.metadata.get("detail")) {
                note(&mut row, "detail", detail.clone());
            }
            row.awarded_by = actor.recorded_id();
            note(&mut row, "reverses", json!(ids));
            rows.push(row);
        }
        for (key, award) in &wanted {
            let current = counted.get(key).map(|(p, q, _)| (*p, *q)).unwrap_or_default();
            if current != (award.points, award.quantity) {
                let mut row = self.award_row(instance, award, LedgerState::Confirmed, None, now);
                row.awarded_by = awarded_by;
                rows.push(row);
            }
        }
        entries::append(tx, rows, now).await
    }

    /// A row of an award in `state` (its points only when it counts).
    fn award_row(
        &self,
        instance: &InstanceRow,
        award: &Award,
        state: LedgerState,
        refusal: Option<&Refusal>,
        now: DateTime<Utc>,
    ) -> LedgerRow {
        let title = award.title.clone().unwrap_or_else(|| instance.template_name.clone());
        let mut row = checklist_row(instance, award.user, award.kind, state, &title, now);
        row.subject_id = award.subject;
        if state.counts() {
            row = row.paying(award.points, award.quantity);
        }
        let inputs: serde_json::Map<String, Value> =
            award.inputs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
        note(&mut row, "inputs", Value::Object(inputs));
        note(&mut row, "outcome", json!(instance.status.as_str()));
        if !award.cuts.is_empty() {
            note(&mut row, "cuts", json!(award.cuts));
        }
        if let Some(refusal) = refusal {
            refuse(&mut row, refusal);
        }
        row
    }

    /// The checklist's final state with what its action rows recorded: who reported a
    /// skip or failure, and the completions flagged when they happened.
    async fn facts_of(&self, tx: &Tx, instance: &InstanceRow, rows: &[LedgerRow]) -> AppResult<ChecklistFacts> {
        let mut reporters: BTreeMap<(Uuid, String), Uuid> = BTreeMap::new();
        let mut flags: BTreeMap<Uuid, Refusal> = BTreeMap::new();
        for row in rows.iter().filter(|r| text_of(r, "at") == Some("action")) {
            let Some(subject) = row.subject_id else { continue };
            let step_kind = matches!(
                ScoreKind::parse(&row.kind),
                Some(ScoreKind::Item | ScoreKind::Subitem | ScoreKind::FailureReported)
            );
            if let (true, Some(status)) = (step_kind, text_of(row, "status")) {
                reporters.insert((subject, status.to_owned()), row.user_id);
            }
            let rule = text_of(row, "rule").and_then(RefusalRule::parse).filter(|r| r.flags_completion());
            if let Some(rule) = rule {
                let sentence = text_of(row, "refusal").unwrap_or_default().to_owned();
                flags.insert(subject, Refusal { rule, sentence });
            }
        }
        let reporter = |id: Uuid, status: ItemStatus| reporters.get(&(id, status.as_str().to_owned())).copied();
        // Items and subitems share their step columns (one macro: they are two entities).
        macro_rules! facts {
            ($row:expr, $is_subitem:expr) => {{
                let row = $row;
                StepFacts {
                    id: row.id,
                    title: row.title.clone(),
                    is_subitem: $is_subitem,
                    status: *row.status,
                    severity: row.severity,
                    required: row.is_required,
                    started_by: row.started_by,
                    started_at: row.started_at,
                    completed_by: row.completed_by,
                    completed_at: row.completed_at,
                    scheduled_at: row.scheduled_at,
                    lead_minutes: row.notify_before_minutes,
                    reported_by: reporter(row.id, *row.status),
                    flag: flags.get(&row.id).cloned(),
                }
            }};
        }
        let mut steps: Vec<StepFacts> =
            checklists::items_of(tx, instance.id).await?.iter().map(|row| facts!(row, false)).collect();
        steps.extend(checklists::subitems_of(tx, instance.id).await?.iter().map(|row| facts!(row, true)));
        Ok(ChecklistFacts {
            status: *instance.status,
            closed_by: instance.closed_by,
            closed_at: instance.closed_at,
            shift_end: instance.shift_end,
            steps,
            rostered: crate::roster::rostered_for(tx, instance).await?.into_iter().collect(),
        })
    }
}
