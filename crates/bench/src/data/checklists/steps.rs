//! What operators do to each step: items and subitems move from PENDING to an
//! outcome drawn at the scenario's exception rate, each move leaving an activity row
//! (and, for items, an ops event) as the app's item updates do.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sentinelops_domain::checklist::ItemStatus;
use sentinelops_store::entity::{
    checklist_instance_items as items, checklist_instance_scheduled_events as events,
    checklist_instance_subitems as subitems, checklist_item_activity as activity,
};
use sentinelops_store::repo::templates::TemplateSubitemRow;
use serde_json::json;
use uuid::Uuid;

use super::super::org::Person;
use super::super::rng::Gen;
use super::super::templates::Step;
use super::{Action, Sim, Slot, ops};

pub const SKIP_REASONS: [&str; 6] = [
    "Service owner confirmed the check is not needed today",
    "System under planned maintenance",
    "Access to the jump server unavailable, ticket raised",
    "Duplicate of the previous hourly check",
    "Vendor portal down, will retry next shift",
    "Not applicable: no batch scheduled",
];
pub const FAIL_REASONS: [&str; 6] = [
    "Grafana failing to load, ticket I-080478",
    "EOD error in BT350HB, escalated to LMS",
    "RTGS files pending in the outgoing folder, escalated to payments team",
    "Disk usage above 90% on the DB server, escalated to DBAs",
    "SAF queue growing, Postilion support engaged",
    "Backup job failed with timeout, rerun scheduled",
];

/// The outcome of one step as simulated (before the `now` cut-off).
struct Outcome {
    status: ItemStatus,
    reason: Option<&'static str>,
}

fn roll(g: &mut Gen, rate: f64, may_skip: bool) -> Outcome {
    if !g.chance(rate) {
        return Outcome { status: ItemStatus::Completed, reason: None };
    }
    if may_skip && g.chance(0.75) {
        let reason = g.pick(&SKIP_REASONS).copied();
        Outcome { status: ItemStatus::Skipped, reason }
    } else {
        let reason = g.pick(&FAIL_REASONS).copied();
        Outcome { status: ItemStatus::Failed, reason }
    }
}

fn action_of(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Skipped => "SKIPPED",
        ItemStatus::Failed => "ESCALATED",
        _ => "COMPLETED",
    }
}

impl<'a> Sim<'a, '_> {
    /// One activity row; `target` is (item, subitem), `when` is (time, duration in ms).
    fn activity(
        &mut self,
        (item, sub): (Uuid, Option<Uuid>),
        by: &Person,
        (action, from, to): (&str, &str, &str),
        reason: Option<&str>,
        (at, duration): (DateTime<Utc>, Option<i64>),
    ) {
        self.batch.activity.push(activity::Model {
            id: self.g.id_at(at),
            instance_id: self.run.id,
            instance_item_id: item,
            instance_subitem_id: sub,
            user_id: by.id,
            action: action.to_owned(),
            from_status: Some(from.to_owned()),
            to_status: Some(to.to_owned()),
            comment: None,
            reason: reason.map(str::to_owned),
            duration_ms: duration,
            created_at: at,
        });
        self.revision += 1;
    }

    /// One item (and its subitems); returns when it was finished, if it was.
    pub(super) fn item(
        &mut self,
        slot: &Slot<'a>,
        step: &'a Step,
        by: Option<&'a Person>,
        at: DateTime<Utc>,
        rate: f64,
    ) -> Option<DateTime<Utc>> {
        let created = self.run.created_at;
        let id = self.g.id_at(created);
        let scheduled_at = step.item.scheduled_time.map(|t| slot.shift.default_window().resolve(slot.date, t, Tz::UTC));
        let mut row =
            items::Model::pending(id, self.run.id, Some(step.item.id), step.item.fields(), scheduled_at, created);
        for e in &step.events {
            self.batch.events.push(events::Model {
                id: self.g.id_at(created),
                instance_item_id: id,
                instance_id: self.run.id,
                template_event_id: Some(e.id),
                event_datetime: e.event_datetime,
                notify_before_minutes: e.notify_before_minutes,
                remind_at: e.event_datetime - Duration::minutes(i64::from(e.notify_before_minutes)),
                notify_all: e.notify_all,
                notify_roles: e.notify_roles.clone(),
                created_at: created,
            });
        }
        let outcome = roll(self.g, rate, step.subitems.is_empty());
        // Work takes seconds to ten minutes, plus up to a few minutes per subitem.
        let parts = i64::try_from(step.subitems.len()).unwrap_or(0);
        let started = at - self.g.seconds(20, 600) - self.g.seconds(30 * parts, 150 * parts + 1);
        let mut finished = by.map(|_| at).filter(|t| *t <= self.now);
        if let Some(by) = by.filter(|_| started <= self.now && outcome.status != ItemStatus::Skipped) {
            row.status = ItemStatus::InProgress.into();
            (row.started_by, row.started_at, row.updated_at, row.version) = (Some(by.id), Some(started), started, 2);
            self.activity((id, None), by, ("STARTED", "PENDING", "IN_PROGRESS"), None, (started, None));
        }
        let mut failed_subitems = Vec::new();
        for (n, sub) in step.subitems.iter().enumerate() {
            // Subitems are ticked in order between the item's start and its completion.
            let share = i64::try_from(n + 1).unwrap_or(1) * 1000 / (parts + 1);
            let clock = started + (at - started) * i32::try_from(share).unwrap_or(0) / 1000;
            let sub_by = by.filter(|_| clock <= self.now);
            if let Some(reason) = self.subitem(slot, id, sub, sub_by, clock, rate * 0.5) {
                failed_subitems.push(format!("- {}: {reason}", sub.title));
            }
            if sub_by.is_none() {
                finished = None;
            }
        }
        if let (Some(by), Some(done)) = (by, finished) {
            let from = if row.started_at.is_some() { "IN_PROGRESS" } else { "PENDING" };
            row.status = outcome.status.into();
            (row.completed_by, row.completed_at, row.updated_at, row.version) = (Some(by.id), Some(done), done, 3);
            match outcome.status {
                ItemStatus::Skipped => row.skipped_reason = outcome.reason.map(str::to_owned),
                ItemStatus::Failed => row.failure_reason = outcome.reason.map(str::to_owned),
                _ => {}
            }
            let duration = row.started_at.map(|s| (done - s).num_milliseconds());
            self.activity(
                (id, None),
                by,
                (action_of(outcome.status), from, outcome.status.as_str()),
                outcome.reason,
                (done, duration),
            );
            if !failed_subitems.is_empty() {
                let verdict = format!("Escalated and monitored; {} subitem(s) failed", failed_subitems.len());
                (row.final_verdict, row.final_verdict_by, row.final_verdict_at) =
                    (Some(verdict.clone()), Some(by.id), Some(done));
                self.activity(
                    (id, None),
                    by,
                    ("VERDICT", outcome.status.as_str(), outcome.status.as_str()),
                    None,
                    (done, None),
                );
                if outcome.status == ItemStatus::Completed {
                    self.run.carried.push((id, &step.item.title, failed_subitems.join("\n")));
                }
            }
            self.record_item(&step.item.title, id, outcome.status.as_str(), outcome.reason, by, done);
        }
        self.batch.items.push(row);
        finished
    }

    fn record_item(
        &mut self,
        title: &'a str,
        id: Uuid,
        status: &'static str,
        reason: Option<&'static str>,
        by: &'a Person,
        at: DateTime<Utc>,
    ) {
        if status == "COMPLETED" {
            self.run.completed_items += 1;
        } else {
            self.run.exceptions += 1;
        }
        let event_type = match status {
            "SKIPPED" => "ITEM_SKIPPED",
            "FAILED" => "ITEM_FAILED",
            _ => "ITEM_COMPLETED",
        };
        let payload = json!({
            "instance_id": self.run.id, "item_id": id, "item_title": title, "status": status, "reason": reason,
            "shift": self.run.shift.as_str(), "checklist_date": self.run.date,
        });
        let row = ops(self.g, &self.run, (event_type, "CHECKLIST_ITEM", id.to_string()), Some(by), payload, at);
        self.batch.ops.push(row);
        self.run.actions.push(Action { title, status, reason, subitem: false, by, at });
    }

    /// One subitem; returns the failure reason when it failed.
    fn subitem(
        &mut self,
        slot: &Slot<'a>,
        item: Uuid,
        step: &'a TemplateSubitemRow,
        by: Option<&'a Person>,
        at: DateTime<Utc>,
        rate: f64,
    ) -> Option<&'static str> {
        let created = self.run.created_at;
        let id = self.g.id_at(created);
        let scheduled_at = step.scheduled_time.map(|t| slot.shift.default_window().resolve(slot.date, t, Tz::UTC));
        let outcome = roll(self.g, rate, true);
        let fields = step.fields();
        let mut row = subitems::Model::pending(id, item, self.run.id, Some(step.id), fields, scheduled_at, created);
        let mut failed = None;
        if let Some(by) = by {
            row.status = outcome.status.into();
            (row.completed_by, row.completed_at, row.updated_at, row.version) = (Some(by.id), Some(at), at, 2);
            match outcome.status {
                ItemStatus::Skipped => row.skipped_reason = outcome.reason.map(str::to_owned),
                ItemStatus::Failed => {
                    row.failure_reason = outcome.reason.map(str::to_owned);
                    failed = outcome.reason;
                }
                _ => {}
            }
            if outcome.status != ItemStatus::Completed {
                self.run.exceptions += 1;
            }
            let transition = (action_of(outcome.status), "PENDING", outcome.status.as_str());
            self.activity((item, Some(id)), by, transition, outcome.reason, (at, None));
            let action = Action {
                title: &step.title,
                status: outcome.status.as_str(),
                reason: outcome.reason,
                subitem: true,
                by,
                at,
            };
            self.run.actions.push(action);
        }
        self.batch.subitems.push(row);
        failed
    }
}
