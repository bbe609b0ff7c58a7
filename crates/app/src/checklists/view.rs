//! The full instance as the original API shows it (api-sample 12), read with a fixed
//! number of queries whatever the instance's size.
//!
//! A view holds the stored rows as they are, plus only what the app resolves (the
//! people they name, who is online, each item's children) or derives (the notes,
//! the subitems' status, the completion, the time left). The web layer's DTOs are the
//! one list of the wire's fields and do the formatting.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::{ItemStatus, completion_percentage, subitems_status};
use sentinelops_domain::due::{DueState, Timing, due_state};
use sentinelops_store::Conn;
use sentinelops_store::repo::checklists;
pub use sentinelops_store::repo::checklists::{
    ActivityRow, InstanceEventRow, InstanceItemRow, InstanceRow, InstanceSubitemRow, ParticipantRow,
};
pub use sentinelops_store::repo::templates::TemplateRow;
use sentinelops_store::repo::{templates, users};

use crate::UserRow;
use crate::error::AppResult;

/// A user a view names: their row, shared by every place that names them.
pub type UserRef = Arc<UserRow>;

#[derive(Debug, Clone)]
pub struct ParticipantView {
    pub row: ParticipantRow,
    pub user: UserRef,
    pub is_online: bool,
}

#[derive(Debug, Clone)]
pub struct ActivityView {
    pub row: ActivityRow,
    pub user: Option<UserRef>,
}

#[derive(Debug, Clone)]
pub struct SubitemView {
    pub row: InstanceSubitemRow,
    pub started_by: Option<UserRef>,
    pub completed_by: Option<UserRef>,
    /// Where it stands against its time when the view was built.
    pub due: DueState,
}

/// An item with its children. Its template snapshot is the item row's own template
/// fields (copied when the instance was created).
#[derive(Debug, Clone)]
pub struct ItemView {
    pub row: InstanceItemRow,
    pub started_by: Option<UserRef>,
    pub completed_by: Option<UserRef>,
    pub final_verdict_by: Option<UserRef>,
    /// The newest non-empty activity comment.
    pub notes: Option<String>,
    pub activities: Vec<ActivityView>,
    pub subitems: Vec<SubitemView>,
    pub subitems_status: Option<&'static str>,
    pub scheduled_events: Vec<InstanceEventRow>,
    /// Where it stands against its time when the view was built.
    pub due: DueState,
}

#[derive(Debug, Clone)]
pub struct InstanceView {
    pub row: InstanceRow,
    /// The template as it stands now (`None` once deleted); the instance row keeps the
    /// name, description and version it was made from.
    pub template: Option<TemplateRow>,
    pub created_by: Option<UserRef>,
    pub closed_by: Option<UserRef>,
    pub items: Vec<ItemView>,
    pub participants: Vec<ParticipantView>,
    pub completion_percentage: f64,
    pub time_remaining_minutes: Option<i64>,
}

/// Everything inside one instance, each table read once.
#[derive(Clone)]
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

/// What a view shows besides the checklist's own rows: its template, the people it
/// names and who of its participants is online. None of it bumps the checklist's
/// revision, so a kept copy is read again once it is `SURROUNDINGS_MAX_AGE` old.
pub(crate) struct Surroundings {
    template: Option<templates::TemplateRow>,
    /// The section's grace after a timed step's time before it is MISSED.
    due_grace: chrono::Duration,
    people: HashMap<Uuid, UserRef>,
    online: HashSet<Uuid>,
    read_at: Instant,
}

/// How stale kept surroundings may be (the same bound as cached documents).
pub(crate) const SURROUNDINGS_MAX_AGE: Duration = Duration::from_secs(1);

impl Surroundings {
    /// Reads the surroundings of `loaded` (three queries); `online` is who of its
    /// participants is online.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn read(c: &impl Conn, loaded: &Loaded, online: HashSet<Uuid>) -> AppResult<Surroundings> {
        let read_at = Instant::now();
        let template = templates::find_template(c, loaded.instance.template_id).await?;
        let due_grace = crate::alerts::policy_for(c, loaded.instance.section_id).await?.due_grace();
        let people = users::find_many(c, loaded.people_named().into_iter().collect())
            .await?
            .into_iter()
            .map(|u| (u.id, Arc::new(u)))
            .collect();
        Ok(Surroundings { template, due_grace, people, online, read_at })
    }

    /// Whether these still describe `loaded`: fresh enough, and naming everyone it names.
    pub(crate) fn still_fit(&self, loaded: &Loaded) -> bool {
        self.read_at.elapsed() < SURROUNDINGS_MAX_AGE
            && loaded.people_named().iter().all(|id| self.people.contains_key(id))
    }
}

/// A step's due state at `now`, with its section's `grace`.
pub fn due_of(
    now: DateTime<Utc>,
    scheduled_at: Option<DateTime<Utc>>,
    remind_at: Option<DateTime<Utc>>,
    status: ItemStatus,
    grace: chrono::Duration,
) -> DueState {
    let timing = scheduled_at.map(|scheduled_at| Timing { scheduled_at, remind_at });
    due_state(now, timing, !ItemStatus::OPEN.contains(&status), grace)
}

/// Builds the full view from rows already read (no query), moving them into it.
pub(crate) fn assemble(loaded: Loaded, around: &Surroundings, now: DateTime<Utc>) -> InstanceView {
    let people = &around.people;
    let person = |id: Option<Uuid>| id.and_then(|id| people.get(&id)).cloned();
    let completion_percentage = completion_percentage(&loaded.item_statuses());
    let Loaded { instance, items, subitems, events, activity, participants } = loaded;

    let mut events_of: HashMap<Uuid, Vec<InstanceEventRow>> = HashMap::new();
    for e in events {
        events_of.entry(e.instance_item_id).or_default().push(e);
    }
    let mut subitems_of: HashMap<Uuid, Vec<SubitemView>> = HashMap::new();
    for row in subitems {
        let view = SubitemView {
            started_by: person(row.started_by),
            completed_by: person(row.completed_by),
            due: due_of(now, row.scheduled_at, row.remind_at, *row.status, around.due_grace),
            row,
        };
        subitems_of.entry(view.row.instance_item_id).or_default().push(view);
    }
    let mut activities_of: HashMap<Uuid, Vec<ActivityView>> = HashMap::new();
    for row in activity {
        let view = ActivityView { user: person(Some(row.user_id)), row };
        activities_of.entry(view.row.instance_item_id).or_default().push(view);
    }

    let items: Vec<ItemView> = items
        .into_iter()
        .map(|row| {
            let subitems = subitems_of.remove(&row.id).unwrap_or_default();
            let activities = activities_of.remove(&row.id).unwrap_or_default();
            let statuses: Vec<ItemStatus> = subitems.iter().map(|s| *s.row.status).collect();
            let notes = activities.iter().rev().find_map(|a| a.row.comment.clone().filter(|c| !c.trim().is_empty()));
            ItemView {
                started_by: person(row.started_by),
                completed_by: person(row.completed_by),
                final_verdict_by: person(row.final_verdict_by),
                notes,
                activities,
                subitems_status: subitems_status(&statuses),
                subitems,
                scheduled_events: events_of.remove(&row.id).unwrap_or_default(),
                due: due_of(now, row.scheduled_at, row.remind_at, *row.status, around.due_grace),
                row,
            }
        })
        .collect();

    let time_remaining_minutes = match instance.status.is_closed() {
        false if now < instance.shift_end => Some((instance.shift_end - now).num_minutes()),
        false => Some(0),
        true => None,
    };
    let participants = participants
        .into_iter()
        .filter_map(|row| {
            let user = people.get(&row.user_id)?;
            Some(ParticipantView { is_online: around.online.contains(&user.id), user: Arc::clone(user), row })
        })
        .collect();
    InstanceView {
        template: around.template.clone(),
        created_by: person(instance.created_by),
        closed_by: person(instance.closed_by),
        row: instance,
        items,
        participants,
        completion_percentage,
        time_remaining_minutes,
    }
}
