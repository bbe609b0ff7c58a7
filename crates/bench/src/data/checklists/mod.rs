//! One checklist instance of a past shift: the template snapshot (items, subitems,
//! scheduled events), who joined, what each operator did and when, the activity and
//! ops-event trail, and the outcome the app's sign-off would have produced.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::entity::{checklist_instances as instances, checklist_participants as participants, ops_events};
use serde_json::{Value, json};
use uuid::Uuid;

use super::org::{Person, SectionOrg};
use super::rng::Gen;
use super::sink::Batch;
use super::templates::Template;

mod steps;

/// A step reaching an actioned status, for the notifications that follow it.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    pub title: &'a str,
    pub status: &'static str,
    pub reason: Option<&'static str>,
    pub subitem: bool,
    pub by: &'a Person,
    pub at: DateTime<Utc>,
}

/// What the notifications and the handover of an instance need to know.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub id: Uuid,
    pub section_id: Uuid,
    pub shift: ShiftType,
    pub date: NaiveDate,
    pub template_name: &'a str,
    pub created_at: DateTime<Utc>,
    pub shift_end: DateTime<Utc>,
    pub status: &'static str,
    pub joined: Vec<(&'a Person, DateTime<Utc>)>,
    pub actions: Vec<Action<'a>>,
    pub pending_review_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub total_items: usize,
    pub completed_items: usize,
    pub exceptions: usize,
    /// Items completed with a failed subitem (the automatic carry-over source).
    pub carried: Vec<(Uuid, &'a str, String)>,
}

impl Run<'_> {
    pub fn percentage(&self) -> f64 {
        if self.total_items == 0 {
            return 0.0;
        }
        let share = self.completed_items as f64 / self.total_items as f64;
        (share * 1000.0).round() / 10.0
    }
}

/// How a shift went: the odds that one step ends in an exception, and for a shift
/// nobody finished, the share of steps done.
struct Scenario {
    exception_rate: f64,
    done_share: f64,
}

fn scenario(g: &mut Gen) -> Scenario {
    let roll = g.unit();
    if roll < 0.03 {
        Scenario { exception_rate: 0.10, done_share: 0.6 + g.unit() * 0.3 }
    } else if roll < 0.40 {
        Scenario { exception_rate: 0.27, done_share: 1.0 }
    } else {
        Scenario { exception_rate: 0.0, done_share: 1.0 }
    }
}

fn ops(
    g: &mut Gen,
    run: &Run<'_>,
    event: (&str, &str, String),
    actor: Option<&Person>,
    payload: Value,
    at: DateTime<Utc>,
) -> ops_events::Model {
    let mut payload = payload;
    if let Value::Object(map) = &mut payload {
        map.insert("actor_id".into(), json!(actor.map(|a| a.id)));
        map.insert("actor_username".into(), json!(actor.map_or("system", |a| a.username.as_str())));
    }
    ops_events::Model {
        id: g.id_at(at),
        event_type: event.0.to_owned(),
        entity_type: event.1.to_owned(),
        entity_id: event.2,
        actor_id: actor.map(|a| a.id),
        section_id: Some(run.section_id),
        payload,
        created_at: at,
    }
}

pub struct Slot<'a> {
    pub section: &'a SectionOrg,
    pub template: &'a Template,
    pub shift: ShiftType,
    pub date: NaiveDate,
    pub now: DateTime<Utc>,
}

struct Sim<'a, 'b> {
    g: &'b mut Gen,
    batch: &'b mut Batch,
    run: Run<'a>,
    now: DateTime<Utc>,
    revision: i64,
}

/// Generates one instance into `batch` and describes it.
pub fn simulate<'a>(g: &mut Gen, batch: &mut Batch, slot: &Slot<'a>) -> Run<'a> {
    let (start, end) = slot.shift.default_window().bounds(slot.date, Tz::UTC);
    let created_at = start + g.seconds(0, 480);
    let id = g.id_at(created_at);
    let crew_size = usize::try_from(g.between(2, 5)).unwrap_or(2);
    let crew: Vec<&'a Person> = {
        let picks = g.sample(&(0..slot.section.operators.len()).collect::<Vec<_>>(), crew_size);
        picks.into_iter().filter_map(|i| slot.section.operators.get(i)).collect()
    };
    let mut joined = Vec::new();
    for (n, person) in crew.iter().enumerate() {
        let at = if n == 0 { created_at } else { created_at + g.seconds(60, 3600) };
        joined.push((*person, at));
    }
    let run = Run {
        id,
        section_id: slot.section.id,
        shift: slot.shift,
        date: slot.date,
        template_name: &slot.template.name,
        created_at,
        shift_end: end,
        status: "OPEN",
        joined,
        actions: Vec::new(),
        pending_review_at: None,
        closed_at: None,
        total_items: slot.template.items.len(),
        completed_items: 0,
        exceptions: 0,
        carried: Vec::new(),
    };
    let mut sim = Sim { g, batch, run, now: slot.now, revision: 1 };
    sim.participants(&crew);
    let scenario = scenario(sim.g);
    let steps = slot.template.items.len().max(1);
    let done = (steps as f64 * scenario.done_share).round() as usize;
    let mut all_actioned = true;
    let mut last_action = created_at;
    let span = (end - start - Duration::minutes(20)).num_seconds().max(60);
    for (n, step) in slot.template.items.iter().enumerate() {
        let nominal = start
            + Duration::seconds(span * i64::try_from(2 * n + 1).unwrap_or(1) / i64::try_from(2 * steps).unwrap_or(1));
        let planned = step.item.scheduled_time.map(|t| slot.shift.default_window().resolve(slot.date, t, Tz::UTC));
        let at = planned.unwrap_or(nominal).max(created_at) + sim.g.seconds(0, 540);
        let by = crew.get(sim.g.index(crew.len())).copied().or(crew.first().copied());
        let (Some(by), true) = (by, n < done) else {
            all_actioned = false;
            sim.item(slot, step, None, at, scenario.exception_rate);
            continue;
        };
        let finished = sim.item(slot, step, Some(by), at, scenario.exception_rate);
        match finished {
            Some(t) => last_action = last_action.max(t),
            None => all_actioned = false,
        }
    }
    sim.close(slot, all_actioned, last_action, end);
    sim.run
}

impl<'a> Sim<'a, '_> {
    fn participants(&mut self, crew: &[&'a Person]) {
        let joined = self.run.joined.clone();
        for (person, at) in joined {
            self.batch.participants.push(participants::Model {
                id: self.g.id_at(at),
                instance_id: self.run.id,
                user_id: person.id,
                joined_at: at,
            });
            let payload = json!({ "instance_id": self.run.id, "user_id": person.id, "username": person.username });
            let event = ("PARTICIPANT_JOINED", "CHECKLIST_INSTANCE", self.run.id.to_string());
            let row = ops(self.g, &self.run, event, Some(person), payload, at);
            self.batch.ops.push(row);
            self.revision += 1;
        }
        let payload = json!({
            "instance_id": self.run.id, "checklist_date": self.run.date, "shift": self.run.shift.as_str(),
        });
        let event = ("CHECKLIST_CREATED", "CHECKLIST_INSTANCE", self.run.id.to_string());
        let row = ops(self.g, &self.run, event, crew.first().copied(), payload, self.run.created_at);
        self.batch.ops.push(row);
    }

    /// Review, sign-off or the stale-shift job, as far as `now` allows.
    fn close(&mut self, slot: &Slot<'a>, all_actioned: bool, last_action: DateTime<Utc>, end: DateTime<Utc>) {
        let created_at = self.run.created_at;
        let mut status = if self.run.actions.is_empty() { InstanceStatus::Open } else { InstanceStatus::InProgress };
        let mut updated_at = last_action;
        let mut closed_by = None;
        let mut exception_count = 0;
        let mut completion = None;
        if all_actioned {
            status = InstanceStatus::PendingReview;
            self.run.pending_review_at = Some(last_action);
            let closed_at = last_action.max(end) + self.g.seconds(300, 6600);
            if closed_at <= self.now {
                status = if self.run.exceptions == 0 {
                    InstanceStatus::Completed
                } else {
                    InstanceStatus::CompletedWithExceptions
                };
                self.run.closed_at = Some(closed_at);
                (closed_by, updated_at) = (Some(slot.section.manager.id), closed_at);
                exception_count = i32::try_from(self.run.exceptions).unwrap_or(i32::MAX);
                completion = i32::try_from((closed_at - created_at).num_seconds()).ok();
                let event = if status == InstanceStatus::Completed {
                    "CHECKLIST_COMPLETED"
                } else {
                    "CHECKLIST_COMPLETED_WITH_EXCEPTIONS"
                };
                let payload = json!({
                    "instance_id": self.run.id, "status": status.as_str(), "completion_percentage": self.run.percentage(),
                    "total_items": self.run.total_items, "completed_items": self.run.completed_items,
                    "exception_count": exception_count,
                });
                let row = ops(
                    self.g,
                    &self.run,
                    (event, "CHECKLIST_INSTANCE", self.run.id.to_string()),
                    Some(&slot.section.manager),
                    payload,
                    closed_at,
                );
                self.batch.ops.push(row);
                self.revision += 1;
            }
        } else {
            // The stale-shift job closes what nobody finished two hours after the shift.
            let closed_at = end + Duration::hours(2) + self.g.seconds(0, 300);
            if closed_at <= self.now {
                let previous = status;
                status = InstanceStatus::Incomplete;
                self.run.closed_at = Some(closed_at);
                updated_at = closed_at;
                let payload = json!({
                    "instance_id": self.run.id, "previous_status": previous.as_str(), "shift": self.run.shift.as_str(),
                    "checklist_date": self.run.date, "shift_end": end, "grace_minutes": 120,
                });
                let row = ops(
                    self.g,
                    &self.run,
                    ("CHECKLIST_INCOMPLETE", "CHECKLIST_INSTANCE", self.run.id.to_string()),
                    None,
                    payload,
                    closed_at,
                );
                self.batch.ops.push(row);
                self.revision += 1;
            }
        }
        self.run.status = status.as_str();
        let (start, end) = slot.shift.default_window().bounds(slot.date, Tz::UTC);
        self.batch.instances.push(instances::Model {
            id: self.run.id,
            template_id: slot.template.id,
            template_version: slot.template.version,
            template_name: slot.template.name.clone(),
            template_description: slot.template.description.clone(),
            section_id: slot.section.id,
            checklist_date: slot.date,
            shift: slot.shift.into(),
            shift_start: start,
            shift_end: end,
            status: status.into(),
            created_by: self.run.joined.first().map(|(p, _)| p.id),
            created_at,
            closed_by,
            closed_at: self.run.closed_at,
            completion_time_seconds: completion,
            exception_count,
            revision: self.revision,
            updated_at: updated_at.max(created_at),
        });
    }
}
