//! The shift record's facts: one checklist as its view shows it, plus its overrides,
//! its handover notes in and out, and the names of everyone they mention.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_reports::{ActivityLine, Counts, HandoverLine, Item, OverrideLine, ShiftReport, Subitem};
use sentinelops_store::repo::checklists::{self, OverrideRow};
use sentinelops_store::repo::handover::{self, HandoverRow};
use sentinelops_store::repo::users;

use super::format::{self, Clock};
use crate::checklists::view::{ActivityView, InstanceView, ItemView, SubitemView};
use crate::error::AppResult;
use crate::gamification::scope::display_name;
use crate::{App, UserRow};

/// What a shift record reads besides the checklist's own view.
pub(super) struct Around {
    pub overrides: Vec<OverrideRow>,
    pub incoming: Vec<HandoverRow>,
    pub outgoing: Vec<HandoverRow>,
    /// People the overrides and notes name (the view names its own).
    pub people: HashMap<Uuid, String>,
    /// The shift and date of the checklists the notes come from or go to.
    pub neighbours: HashMap<Uuid, String>,
}

impl App {
    /// Reads the overrides and notes of `view`, and the people and checklists they name.
    pub(super) async fn report_surroundings(&self, view: &InstanceView) -> AppResult<Around> {
        let c = self.store.reader();
        let id = view.row.id;
        let overrides = checklists::overrides_of(c, id).await?;
        let (incoming, outgoing): (Vec<HandoverRow>, Vec<HandoverRow>) =
            handover::for_instance(c, id, true, true).await?.into_iter().partition(|n| n.to_instance_id == Some(id));
        let mut ids: Vec<Uuid> = overrides.iter().map(|o| o.supervisor_id).collect();
        for note in incoming.iter().chain(&outgoing) {
            ids.extend([Some(note.created_by), note.acknowledged_by, note.resolved_by].into_iter().flatten());
        }
        ids.sort_unstable();
        ids.dedup();
        let people = users::find_many(c, ids).await?.iter().map(|u| (u.id, display_name(u))).collect();
        let others: Vec<Uuid> = incoming
            .iter()
            .map(|n| n.from_instance_id)
            .chain(outgoing.iter().filter_map(|n| n.to_instance_id))
            .collect();
        let neighbours = handover::slots_of(c, others)
            .await?
            .into_iter()
            .map(|(id, shift, date)| (id, format::slot(&shift, date)))
            .collect();
        Ok(Around { overrides, incoming, outgoing, people, neighbours })
    }
}

/// The report of `view` as of `now`.
pub(super) fn shift_report(
    view: &InstanceView,
    around: &Around,
    section: String,
    clock: Clock,
    now: DateTime<Utc>,
) -> ShiftReport {
    let row = &view.row;
    let person = |id: Uuid| around.people.get(&id).cloned().unwrap_or_else(|| "Unknown user".to_owned());
    let reviewed = row.closed_at.filter(|_| row.status.is_closed());
    ShiftReport {
        checklist: row.template_name.clone(),
        description: row.template_description.clone().filter(|d| !d.trim().is_empty()),
        section,
        shift: row.shift.get().title().to_owned(),
        date: format::date(row.checklist_date),
        window: clock.window(row.shift_start, row.shift_end),
        timezone: clock.tz.name().to_owned(),
        status: format::instance_status(*row.status),
        created_by: view.created_by.as_deref().map(display_name).unwrap_or_else(|| "System".to_owned()),
        worked_by: worked_by(view),
        reviewed_by: reviewed.map(|_| match (view.closed_by.as_deref(), *row.status) {
            (Some(reviewer), _) => display_name(reviewer),
            // The stale-shift job's closure: nobody signed it.
            (None, InstanceStatus::Incomplete) => {
                "Nobody: SentinelOps closed it when the shift ended unsigned".to_owned()
            }
            (None, _) => "SentinelOps".to_owned(),
        }),
        signed_off: reviewed.is_some() && view.closed_by.is_some(),
        reviewed_at: reviewed.map(|t| clock.at(t)),
        counts: counts(view),
        items: view.items.iter().map(|item| report_item(item, clock)).collect(),
        activity: activity(view, clock),
        overrides: around
            .overrides
            .iter()
            .map(|o| OverrideLine {
                at: clock.at(o.created_at),
                who: person(o.supervisor_id),
                kind: o.kind.clone(),
                change: match (&o.from_status, &o.to_status) {
                    (Some(from), Some(to)) => Some(format!("{from} → {to}")),
                    _ => None,
                },
                reason: o.reason.clone(),
            })
            .collect(),
        handovers_in: around.incoming.iter().map(|n| note(n, around, clock, Route::From)).collect(),
        handovers_out: around.outgoing.iter().map(|n| note(n, around, clock, Route::To)).collect(),
        generated_at: clock.at(now),
        reference: row.id.to_string(),
    }
}

/// Counted from the items themselves (the original printed a column nothing wrote).
pub fn counts(view: &InstanceView) -> Counts {
    let mut counts = Counts::default();
    for item in &view.items {
        counts.items += 1;
        match *item.row.status {
            ItemStatus::Completed => counts.completed += 1,
            ItemStatus::InProgress => counts.in_progress += 1,
            ItemStatus::Pending => counts.pending += 1,
            ItemStatus::Skipped => counts.skipped += 1,
            ItemStatus::Failed => counts.failed += 1,
        }
        for sub in &item.subitems {
            counts.subitems += 1;
            counts.subitems_completed += u32::from(*sub.row.status == ItemStatus::Completed);
            counts.subitem_exceptions += u32::from(sub.row.status.is_exception());
        }
    }
    counts
}

/// Participants in the order they joined, then anyone else who acted, first act first.
fn worked_by(view: &InstanceView) -> Vec<String> {
    let mut seen: Vec<Uuid> = Vec::new();
    let mut names = Vec::new();
    let mut add = |user: &UserRow| {
        if !seen.contains(&user.id) {
            seen.push(user.id);
            names.push(display_name(user));
        }
    };
    let mut participants: Vec<_> = view.participants.iter().collect();
    participants.sort_by_key(|p| p.row.joined_at);
    participants.iter().for_each(|p| add(&p.user));
    let mut acts: Vec<&ActivityView> = view.items.iter().flat_map(|i| &i.activities).collect();
    acts.sort_by_key(|a| a.row.created_at);
    acts.iter().filter_map(|a| a.user.as_deref()).for_each(&mut add);
    names
}

/// Who last moved a step to its current status, and when: the newest activity that
/// did, else the row's own stamps.
fn last_move(
    activities: &[ActivityView],
    subitem: Option<Uuid>,
    status: ItemStatus,
) -> Option<(Option<String>, DateTime<Utc>)> {
    activities
        .iter()
        .filter(|a| a.row.instance_subitem_id == subitem && a.row.to_status.as_deref() == Some(status.as_str()))
        .max_by_key(|a| a.row.created_at)
        .map(|a| (a.user.as_deref().map(display_name), a.row.created_at))
}

fn report_item(item: &ItemView, clock: Clock) -> Item {
    let row = &item.row;
    let status = *row.status;
    let (by, at) = match last_move(&item.activities, None, status) {
        Some((by, at)) => (by, Some(at)),
        None => match status {
            ItemStatus::Completed => (item.completed_by.as_deref().map(display_name), row.completed_at),
            ItemStatus::Pending => (None, None),
            _ => (item.started_by.as_deref().map(display_name), row.started_at),
        },
    };
    let mut kind = row.item_type.get().label().to_owned();
    if let Some(time) = row.scheduled_time {
        kind.push_str(&format!(" {}", time.format("%H:%M")));
    }
    kind.push_str(&format!(" · severity {}", row.severity));
    kind.push_str(if row.is_required { " · required" } else { " · optional" });
    Item {
        title: row.title.clone(),
        description: row.description.clone().filter(|d| !d.trim().is_empty()),
        kind,
        status: format::item_status(status),
        by,
        at: at.map(|t| clock.at(t)),
        execution: execution(row.has_exe_time, row.started_at, row.completed_at),
        skipped_reason: row.skipped_reason.clone().filter(|r| !r.trim().is_empty()),
        failure_reason: row.failure_reason.clone().filter(|r| !r.trim().is_empty()),
        verdict: row.final_verdict.clone(),
        verdict_by: row.final_verdict.as_ref().and(item.final_verdict_by.as_deref()).map(display_name),
        verdict_at: row.final_verdict.as_ref().and(row.final_verdict_at).map(|at| clock.at(at)),
        subitems: item.subitems.iter().map(|sub| report_subitem(sub, &item.activities, clock)).collect(),
    }
}

fn report_subitem(sub: &SubitemView, activities: &[ActivityView], clock: Clock) -> Subitem {
    let row = &sub.row;
    let status = *row.status;
    let (by, at) = match last_move(activities, Some(row.id), status) {
        Some((by, at)) => (by, Some(at)),
        None => match status {
            ItemStatus::Completed => (sub.completed_by.as_deref().map(display_name), row.completed_at),
            ItemStatus::Pending => (None, None),
            _ => (sub.started_by.as_deref().map(display_name), row.started_at),
        },
    };
    let reason = match (status, &row.skipped_reason, &row.failure_reason) {
        (ItemStatus::Skipped, Some(r), _) => Some(format!("Skipped: {r}")),
        (ItemStatus::Failed, _, Some(r)) => Some(format!("Failed: {r}")),
        _ => None,
    };
    Subitem {
        title: row.title.clone(),
        description: row.description.clone().filter(|d| !d.trim().is_empty()),
        status: format::item_status(status),
        by,
        at: at.map(|t| clock.at(t)),
        execution: execution(row.has_exe_time, row.started_at, row.completed_at),
        reason,
    }
}

fn execution(tracked: bool, started: Option<DateTime<Utc>>, completed: Option<DateTime<Utc>>) -> Option<String> {
    match (tracked, started, completed) {
        (true, Some(from), Some(to)) => format::duration(from, to),
        _ => None,
    }
}

/// Every recorded move, oldest first, naming the item (and subitem) it was on.
fn activity(view: &InstanceView, clock: Clock) -> Vec<ActivityLine> {
    let mut lines: Vec<(DateTime<Utc>, ActivityLine)> = Vec::new();
    for item in &view.items {
        let subitem_titles: HashMap<Uuid, &str> =
            item.subitems.iter().map(|s| (s.row.id, s.row.title.as_str())).collect();
        for a in &item.activities {
            let target = match a.row.instance_subitem_id.and_then(|id| subitem_titles.get(&id)) {
                Some(sub) => format!("{} › {sub}", item.row.title),
                None => item.row.title.clone(),
            };
            let mut action = a.row.action.replace('_', " ").to_lowercase();
            if let Some(first) = action.get(..1) {
                action = first.to_uppercase() + action.get(1..).unwrap_or_default();
            }
            if let (Some(from), Some(to)) = (&a.row.from_status, &a.row.to_status) {
                action.push_str(&format!(" ({from} → {to})"));
            }
            let detail = [&a.row.reason, &a.row.comment]
                .into_iter()
                .flatten()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" — ");
            lines.push((
                a.row.created_at,
                ActivityLine {
                    at: clock.at(a.row.created_at),
                    who: a.user.as_deref().map(display_name).unwrap_or_else(|| "Unknown user".to_owned()),
                    item: target,
                    action,
                    detail: Some(detail).filter(|d| !d.is_empty()),
                },
            ));
        }
    }
    lines.sort_by_key(|(at, _)| *at);
    lines.into_iter().map(|(_, line)| line).collect()
}

#[derive(Clone, Copy)]
enum Route {
    From,
    To,
}

fn note(n: &HandoverRow, around: &Around, clock: Clock, route: Route) -> HandoverLine {
    let person = |id: Uuid| around.people.get(&id).cloned().unwrap_or_else(|| "Unknown user".to_owned());
    let route = match route {
        Route::From => format!("From {}", neighbour(around, Some(n.from_instance_id))),
        Route::To => format!("To {}", neighbour(around, n.to_instance_id)),
    };
    handover_line(n, route, clock, &person)
}

fn neighbour(around: &Around, id: Option<Uuid>) -> String {
    id.and_then(|id| around.neighbours.get(&id).cloned()).unwrap_or_else(|| "another shift".to_owned())
}

/// A note as reports print it, its route already worded.
pub(super) fn handover_line(
    n: &HandoverRow,
    route: String,
    clock: Clock,
    person: &dyn Fn(Uuid) -> String,
) -> HandoverLine {
    let state = match (n.resolved_by, n.acknowledged_by) {
        (Some(by), _) => {
            let mut state = format!("Resolved by {}", person(by));
            if let Some(at) = n.resolved_at {
                state.push_str(&format!(", {}", clock.at(at)));
            }
            if let Some(notes) = n.resolution_notes.as_deref().filter(|t| !t.trim().is_empty()) {
                state.push_str(&format!(": {notes}"));
            }
            state
        }
        (None, Some(by)) => format!("Acknowledged by {}; open", person(by)),
        (None, None) => "Open".to_owned(),
    };
    HandoverLine {
        at: clock.at(n.created_at),
        author: person(n.created_by),
        priority: format!("Priority {}", n.priority),
        route,
        content: n.content.clone(),
        state,
    }
}
