//! The full instance as the original API shows it (api-sample 12), read with a fixed
//! number of queries whatever the instance's size.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, ItemType, completion_percentage, subitems_status};
use sentinelops_store::Conn;
use sentinelops_store::repo::checklists::{
    self, ActivityRow, InstanceEventRow, InstanceItemRow, InstanceRow, InstanceSubitemRow, ParticipantRow,
};
use sentinelops_store::repo::{templates, users};

use crate::error::AppResult;
use crate::shifts::format_time;

/// A user as embedded in checklist answers.
#[derive(Debug, Clone)]
pub struct UserRef {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct ParticipantView {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub is_online: bool,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ActivityView {
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub subitem_id: Option<Uuid>,
    pub action: String,
    pub comment: Option<String>,
    pub reason: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub duration_ms: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub user: Option<UserRef>,
}

#[derive(Debug, Clone)]
pub struct EventView {
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub template_event_id: Option<Uuid>,
    pub event_datetime: DateTime<Utc>,
    pub notify_before_minutes: i32,
    pub remind_at: DateTime<Utc>,
    pub notify_all: bool,
    pub notify_roles: Value,
}

#[derive(Debug, Clone)]
pub struct SubitemView {
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub template_subitem_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub item_type: ItemType,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub severity: i32,
    pub sort_order: i32,
    pub status: ItemStatus,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub started_by: Option<UserRef>,
    pub completed_by: Option<UserRef>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// The template fields of an item, as snapshotted when the instance was created.
#[derive(Debug, Clone)]
pub struct TemplateItemSnapshot {
    pub id: Option<Uuid>,
    pub template_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub item_type: ItemType,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub severity: i32,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ItemView {
    pub id: Uuid,
    pub template_item_id: Option<Uuid>,
    pub template_item: TemplateItemSnapshot,
    pub status: ItemStatus,
    pub has_exe_time: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub started_by: Option<UserRef>,
    pub completed_by: Option<UserRef>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    pub final_verdict: Option<String>,
    pub final_verdict_by: Option<UserRef>,
    pub final_verdict_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    /// The newest non-empty activity comment.
    pub notes: Option<String>,
    pub activities: Vec<ActivityView>,
    pub subitems: Vec<SubitemView>,
    pub subitems_status: Option<&'static str>,
    pub title: String,
    pub description: Option<String>,
    pub item_type: ItemType,
    pub is_required: bool,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub severity: i32,
    pub sort_order: i32,
    pub scheduled_events: Vec<EventView>,
    pub version: i32,
}

#[derive(Debug, Clone)]
pub struct InstanceTemplateView {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub shift: String,
    pub is_active: bool,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: Option<DateTime<Utc>>,
    pub section_id: Uuid,
    pub items: Vec<TemplateItemSnapshot>,
}

#[derive(Debug, Clone)]
pub struct InstanceView {
    pub id: Uuid,
    pub template: InstanceTemplateView,
    pub checklist_date: NaiveDate,
    pub shift: String,
    pub shift_start: DateTime<Utc>,
    pub shift_end: DateTime<Utc>,
    pub status: InstanceStatus,
    pub created_by: Option<UserRef>,
    pub closed_by: Option<UserRef>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub section_id: Uuid,
    pub items: Vec<ItemView>,
    pub participants: Vec<ParticipantView>,
    pub completion_percentage: f64,
    pub time_remaining_minutes: Option<i64>,
    pub exception_count: i32,
    pub revision: i64,
}

pub(crate) fn user_ref(u: &users::UserRow) -> UserRef {
    UserRef {
        id: u.id,
        username: u.username.clone(),
        email: u.email.clone().unwrap_or_default(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        role: *u.role,
    }
}

/// Everything inside one instance, each table read once.
pub(crate) struct Loaded {
    pub instance: InstanceRow,
    pub items: Vec<InstanceItemRow>,
    pub subitems: Vec<InstanceSubitemRow>,
    pub events: Vec<InstanceEventRow>,
    pub activity: Vec<ActivityRow>,
    pub participants: Vec<ParticipantRow>,
}

impl Loaded {
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn read(c: &impl Conn, instance: InstanceRow) -> AppResult<Loaded> {
        let id = instance.id;
        Ok(Loaded {
            items: checklists::items_of(c, id).await?,
            subitems: checklists::subitems_of(c, id).await?,
            events: checklists::events_of(c, id).await?,
            activity: checklists::activity_of(c, id).await?,
            participants: checklists::participants_of(c, id).await?,
            instance,
        })
    }

    pub(crate) fn item_statuses(&self) -> Vec<ItemStatus> {
        self.items.iter().map(|i| *i.status).collect()
    }

    pub(crate) fn subitem_statuses(&self) -> Vec<ItemStatus> {
        self.subitems.iter().map(|s| *s.status).collect()
    }

    pub(crate) fn participant_ids(&self) -> Vec<Uuid> {
        self.participants.iter().map(|p| p.user_id).collect()
    }

    /// Everyone the view shows by name.
    fn people_named(&self) -> HashSet<Uuid> {
        let mut ids: HashSet<Uuid> = HashSet::new();
        ids.extend(self.instance.created_by);
        ids.extend(self.instance.closed_by);
        for i in &self.items {
            ids.extend([i.started_by, i.completed_by, i.final_verdict_by].into_iter().flatten());
        }
        for s in &self.subitems {
            ids.extend([s.started_by, s.completed_by].into_iter().flatten());
        }
        ids.extend(self.activity.iter().map(|a| a.user_id));
        ids.extend(self.participants.iter().map(|p| p.user_id));
        ids
    }

    /// Puts one item's rows as they are now in place of what was read before, with
    /// the instance row written by the same change.
    pub(crate) fn replace_item(&mut self, instance: InstanceRow, item: ItemRows) {
        self.instance = instance;
        let id = item.row.id;
        if let Some(slot) = self.items.iter_mut().find(|i| i.id == id) {
            *slot = item.row;
        }
        // Within one item, rows keep the order of the per-item queries, which sort
        // as the per-instance ones do; the view groups rows by item.
        self.subitems.retain(|s| s.instance_item_id != id);
        self.subitems.extend(item.subitems);
        self.activity.retain(|a| a.instance_item_id != id);
        self.activity.extend(item.activity);
    }
}

/// One item's own rows, read after it changed.
pub(crate) struct ItemRows {
    pub row: InstanceItemRow,
    pub subitems: Vec<InstanceSubitemRow>,
    pub activity: Vec<ActivityRow>,
}

impl ItemRows {
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn read(c: &impl Conn, instance_id: Uuid, item_id: Uuid) -> AppResult<Option<ItemRows>> {
        let Some(row) = checklists::find_item(c, instance_id, item_id).await? else {
            return Ok(None);
        };
        Ok(Some(ItemRows {
            subitems: checklists::subitems_of_item(c, item_id).await?,
            activity: checklists::activity_of_item(c, item_id).await?,
            row,
        }))
    }
}

fn event_view(e: &InstanceEventRow) -> EventView {
    EventView {
        id: e.id,
        instance_item_id: e.instance_item_id,
        template_event_id: e.template_event_id,
        event_datetime: e.event_datetime,
        notify_before_minutes: e.notify_before_minutes,
        remind_at: e.remind_at,
        notify_all: e.notify_all,
        notify_roles: e.notify_roles.clone().unwrap_or_else(|| json!([])),
    }
}

/// What a view shows besides the checklist's own rows: its template, the people it
/// names and who of its participants is online. None of it bumps the checklist's
/// revision, so a kept copy is read again once it is `SURROUNDINGS_MAX_AGE` old.
pub(crate) struct Surroundings {
    template: Option<templates::TemplateRow>,
    people: HashMap<Uuid, users::UserRow>,
    online: HashSet<Uuid>,
    read_at: Instant,
}

/// How stale kept surroundings may be (the same bound as cached documents).
pub(crate) const SURROUNDINGS_MAX_AGE: Duration = Duration::from_secs(1);

impl Surroundings {
    /// Reads the surroundings of `loaded` (two queries); `online` is who of its
    /// participants is online.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn read(c: &impl Conn, loaded: &Loaded, online: HashSet<Uuid>) -> AppResult<Surroundings> {
        let read_at = Instant::now();
        let template = templates::find_template(c, loaded.instance.template_id).await?;
        let people = users::find_many(c, loaded.people_named().into_iter().collect())
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(Surroundings { template, people, online, read_at })
    }

    /// Whether these still describe `loaded`: fresh enough, and naming everyone it names.
    pub(crate) fn still_fit(&self, loaded: &Loaded) -> bool {
        self.read_at.elapsed() < SURROUNDINGS_MAX_AGE
            && loaded.people_named().iter().all(|id| self.people.contains_key(id))
    }
}

/// Builds the full view from rows already read (no query).
pub(crate) fn assemble(loaded: &Loaded, around: &Surroundings, now: DateTime<Utc>) -> InstanceView {
    let people = &around.people;
    let online = &around.online;
    let template = around.template.as_ref();
    let person = |id: Option<Uuid>| id.and_then(|id| people.get(&id)).map(user_ref);

    let mut events: HashMap<Uuid, Vec<EventView>> = HashMap::new();
    for e in &loaded.events {
        events.entry(e.instance_item_id).or_default().push(event_view(e));
    }
    let mut subitems: HashMap<Uuid, Vec<SubitemView>> = HashMap::new();
    for s in &loaded.subitems {
        subitems.entry(s.instance_item_id).or_default().push(SubitemView {
            id: s.id,
            instance_item_id: s.instance_item_id,
            template_subitem_id: s.template_subitem_id,
            title: s.title.clone(),
            description: s.description.clone(),
            item_type: *s.item_type,
            is_required: s.is_required,
            has_exe_time: s.has_exe_time,
            severity: s.severity,
            sort_order: s.sort_order,
            status: *s.status,
            scheduled_time: s.scheduled_time.map(format_time),
            notify_before_minutes: s.notify_before_minutes,
            scheduled_at: s.scheduled_at,
            remind_at: s.remind_at,
            started_at: s.started_at,
            started_by: person(s.started_by),
            completed_by: person(s.completed_by),
            completed_at: s.completed_at,
            skipped_reason: s.skipped_reason.clone(),
            failure_reason: s.failure_reason.clone(),
            created_at: s.created_at,
            version: s.version,
        });
    }
    let mut activities: HashMap<Uuid, Vec<ActivityView>> = HashMap::new();
    for a in &loaded.activity {
        activities.entry(a.instance_item_id).or_default().push(ActivityView {
            id: a.id,
            instance_item_id: a.instance_item_id,
            subitem_id: a.instance_subitem_id,
            action: a.action.clone(),
            comment: a.comment.clone(),
            reason: a.reason.clone(),
            from_status: a.from_status.clone(),
            to_status: a.to_status.clone(),
            duration_ms: a.duration_ms,
            created_at: a.created_at,
            user: person(Some(a.user_id)),
        });
    }

    let template_id = loaded.instance.template_id;
    let items: Vec<ItemView> = loaded
        .items
        .iter()
        .map(|i| {
            let item_events = events.remove(&i.id).unwrap_or_default();
            let item_subitems = subitems.remove(&i.id).unwrap_or_default();
            let item_activities = activities.remove(&i.id).unwrap_or_default();
            let statuses: Vec<ItemStatus> = item_subitems.iter().map(|s| s.status).collect();
            let notes = item_activities.iter().rev().find_map(|a| a.comment.clone().filter(|c| !c.trim().is_empty()));
            let snapshot = TemplateItemSnapshot {
                id: i.template_item_id,
                template_id,
                title: i.title.clone(),
                description: i.description.clone(),
                item_type: *i.item_type,
                is_required: i.is_required,
                has_exe_time: i.has_exe_time,
                scheduled_time: i.scheduled_time.map(format_time),
                notify_before_minutes: i.notify_before_minutes,
                scheduled_at: i.scheduled_at,
                remind_at: i.remind_at,
                severity: i.severity,
                sort_order: i.sort_order,
                created_at: i.created_at,
            };
            ItemView {
                id: i.id,
                template_item_id: i.template_item_id,
                template_item: snapshot,
                status: *i.status,
                has_exe_time: i.has_exe_time,
                started_at: i.started_at,
                started_by: person(i.started_by),
                completed_by: person(i.completed_by),
                completed_at: i.completed_at,
                skipped_reason: i.skipped_reason.clone(),
                failure_reason: i.failure_reason.clone(),
                final_verdict: i.final_verdict.clone(),
                final_verdict_by: person(i.final_verdict_by),
                final_verdict_at: i.final_verdict_at,
                scheduled_at: i.scheduled_at,
                remind_at: i.remind_at,
                notes,
                activities: item_activities,
                subitems_status: subitems_status(&statuses),
                subitems: item_subitems,
                title: i.title.clone(),
                description: i.description.clone(),
                item_type: *i.item_type,
                is_required: i.is_required,
                scheduled_time: i.scheduled_time.map(format_time),
                notify_before_minutes: i.notify_before_minutes,
                severity: i.severity,
                sort_order: i.sort_order,
                scheduled_events: item_events,
                version: i.version,
            }
        })
        .collect();

    let inst = &loaded.instance;
    let time_remaining_minutes = match inst.status.is_closed() {
        false if now < inst.shift_end => Some((inst.shift_end - now).num_minutes()),
        false => Some(0),
        true => None,
    };
    let participants = loaded
        .participants
        .iter()
        .filter_map(|p| {
            people.get(&p.user_id).map(|u| ParticipantView {
                id: u.id,
                username: u.username.clone(),
                email: u.email.clone().unwrap_or_default(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                role: *u.role,
                is_online: online.contains(&u.id),
                joined_at: p.joined_at,
            })
        })
        .collect();
    InstanceView {
        id: inst.id,
        template: InstanceTemplateView {
            id: template_id,
            name: inst.template_name.clone(),
            description: inst.template_description.clone(),
            shift: inst.shift.as_str().to_owned(),
            is_active: template.is_some_and(|t| t.is_active),
            version: inst.template_version,
            created_by: template.and_then(|t| t.created_by),
            created_at: template.map(|t| t.created_at),
            section_id: inst.section_id,
            items: items.iter().map(|i| i.template_item.clone()).collect(),
        },
        checklist_date: inst.checklist_date,
        shift: inst.shift.as_str().to_owned(),
        shift_start: inst.shift_start,
        shift_end: inst.shift_end,
        status: *inst.status,
        created_by: person(inst.created_by),
        closed_by: person(inst.closed_by),
        closed_at: inst.closed_at,
        created_at: inst.created_at,
        updated_at: inst.updated_at,
        section_id: inst.section_id,
        completion_percentage: completion_percentage(&loaded.item_statuses()),
        items,
        participants,
        time_remaining_minutes,
        exception_count: inst.exception_count,
        revision: inst.revision,
    }
}
