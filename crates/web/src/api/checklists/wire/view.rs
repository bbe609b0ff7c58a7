//! The checklist as the API shows it (api-sample 12), and the light summaries of the
//! listings, converted from the app's typed views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_app::checklists::{self as app, view};

/// A user as embedded in checklist answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParticipantView {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub is_online: bool,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubitemView {
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub template_subitem_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub item_type: String,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub severity: i32,
    pub sort_order: i32,
    pub status: String,
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateItemSnapshot {
    pub id: Option<Uuid>,
    pub template_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub item_type: String,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub severity: i32,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub subitems: Vec<Value>,
    pub scheduled_events: Vec<EventView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: Uuid,
    pub template_item_id: Option<Uuid>,
    pub template_item: TemplateItemSnapshot,
    pub status: String,
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
    pub item_type: String,
    pub is_required: bool,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub severity: i32,
    pub sort_order: i32,
    pub scheduled_events: Vec<EventView>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstanceView {
    pub id: Uuid,
    pub template: InstanceTemplateView,
    pub checklist_date: NaiveDate,
    pub shift: String,
    pub shift_start: DateTime<Utc>,
    pub shift_end: DateTime<Utc>,
    pub status: String,
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

/// A light instance for timelines (no items).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstanceSummary {
    pub id: Uuid,
    pub template: Value,
    pub checklist_date: NaiveDate,
    pub shift: String,
    pub shift_start: DateTime<Utc>,
    pub shift_end: DateTime<Utc>,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub section_id: Uuid,
    pub items: Vec<Value>,
    pub participants: Vec<Value>,
    pub total_items: usize,
    pub completed_items: usize,
    pub actioned_items: usize,
    pub exception_items: usize,
    pub completion_percentage: f64,
}

fn users(user: Option<view::UserRef>) -> Option<UserRef> {
    user.map(UserRef::from)
}

impl From<view::UserRef> for UserRef {
    fn from(u: view::UserRef) -> Self {
        UserRef {
            id: u.id,
            username: u.username,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            role: u.role.as_str().to_owned(),
        }
    }
}

impl From<view::ParticipantView> for ParticipantView {
    fn from(p: view::ParticipantView) -> Self {
        ParticipantView {
            id: p.id,
            username: p.username,
            email: p.email,
            first_name: p.first_name,
            last_name: p.last_name,
            role: p.role.as_str().to_owned(),
            is_online: p.is_online,
            joined_at: p.joined_at,
        }
    }
}

impl From<view::ActivityView> for ActivityView {
    fn from(a: view::ActivityView) -> Self {
        ActivityView {
            id: a.id,
            instance_item_id: a.instance_item_id,
            subitem_id: a.subitem_id,
            action: a.action,
            comment: a.comment,
            reason: a.reason,
            from_status: a.from_status,
            to_status: a.to_status,
            duration_ms: a.duration_ms,
            created_at: a.created_at,
            user: users(a.user),
        }
    }
}

impl From<view::EventView> for EventView {
    fn from(e: view::EventView) -> Self {
        EventView {
            id: e.id,
            instance_item_id: e.instance_item_id,
            template_event_id: e.template_event_id,
            event_datetime: e.event_datetime,
            notify_before_minutes: e.notify_before_minutes,
            remind_at: e.remind_at,
            notify_all: e.notify_all,
            notify_roles: e.notify_roles,
        }
    }
}

impl From<view::SubitemView> for SubitemView {
    fn from(s: view::SubitemView) -> Self {
        SubitemView {
            id: s.id,
            instance_item_id: s.instance_item_id,
            template_subitem_id: s.template_subitem_id,
            title: s.title,
            description: s.description,
            item_type: s.item_type.as_str().to_owned(),
            is_required: s.is_required,
            has_exe_time: s.has_exe_time,
            severity: s.severity,
            sort_order: s.sort_order,
            status: s.status.as_str().to_owned(),
            scheduled_time: s.scheduled_time,
            notify_before_minutes: s.notify_before_minutes,
            scheduled_at: s.scheduled_at,
            remind_at: s.remind_at,
            started_at: s.started_at,
            started_by: users(s.started_by),
            completed_by: users(s.completed_by),
            completed_at: s.completed_at,
            skipped_reason: s.skipped_reason,
            failure_reason: s.failure_reason,
            created_at: s.created_at,
            version: s.version,
        }
    }
}

impl From<view::TemplateItemSnapshot> for TemplateItemSnapshot {
    fn from(t: view::TemplateItemSnapshot) -> Self {
        TemplateItemSnapshot {
            id: t.id,
            template_id: t.template_id,
            title: t.title,
            description: t.description,
            item_type: t.item_type.as_str().to_owned(),
            is_required: t.is_required,
            has_exe_time: t.has_exe_time,
            scheduled_time: t.scheduled_time,
            notify_before_minutes: t.notify_before_minutes,
            scheduled_at: t.scheduled_at,
            remind_at: t.remind_at,
            severity: t.severity,
            sort_order: t.sort_order,
            created_at: t.created_at,
            // The original shows a snapshot's subitems and events on the item itself.
            subitems: Vec::new(),
            scheduled_events: Vec::new(),
        }
    }
}

fn all<T, U: From<T>>(list: Vec<T>) -> Vec<U> {
    list.into_iter().map(U::from).collect()
}

impl From<view::ItemView> for ItemView {
    fn from(i: view::ItemView) -> Self {
        ItemView {
            id: i.id,
            template_item_id: i.template_item_id,
            template_item: i.template_item.into(),
            status: i.status.as_str().to_owned(),
            has_exe_time: i.has_exe_time,
            started_at: i.started_at,
            started_by: users(i.started_by),
            completed_by: users(i.completed_by),
            completed_at: i.completed_at,
            skipped_reason: i.skipped_reason,
            failure_reason: i.failure_reason,
            final_verdict: i.final_verdict,
            final_verdict_by: users(i.final_verdict_by),
            final_verdict_at: i.final_verdict_at,
            scheduled_at: i.scheduled_at,
            remind_at: i.remind_at,
            notes: i.notes,
            activities: all(i.activities),
            subitems: all(i.subitems),
            subitems_status: i.subitems_status,
            title: i.title,
            description: i.description,
            item_type: i.item_type.as_str().to_owned(),
            is_required: i.is_required,
            scheduled_time: i.scheduled_time,
            notify_before_minutes: i.notify_before_minutes,
            severity: i.severity,
            sort_order: i.sort_order,
            scheduled_events: all(i.scheduled_events),
            version: i.version,
        }
    }
}

impl From<view::InstanceTemplateView> for InstanceTemplateView {
    fn from(t: view::InstanceTemplateView) -> Self {
        InstanceTemplateView {
            id: t.id,
            name: t.name,
            description: t.description,
            shift: t.shift,
            is_active: t.is_active,
            version: t.version,
            created_by: t.created_by,
            created_at: t.created_at,
            section_id: t.section_id,
            items: all(t.items),
        }
    }
}

impl From<app::InstanceView> for InstanceView {
    fn from(v: app::InstanceView) -> Self {
        InstanceView {
            id: v.id,
            template: v.template.into(),
            checklist_date: v.checklist_date,
            shift: v.shift,
            shift_start: v.shift_start,
            shift_end: v.shift_end,
            status: v.status.as_str().to_owned(),
            created_by: users(v.created_by),
            closed_by: users(v.closed_by),
            closed_at: v.closed_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
            section_id: v.section_id,
            items: all(v.items),
            participants: all(v.participants),
            completion_percentage: v.completion_percentage,
            time_remaining_minutes: v.time_remaining_minutes,
            exception_count: v.exception_count,
            revision: v.revision,
        }
    }
}

impl From<app::InstanceSummary> for InstanceSummary {
    fn from(s: app::InstanceSummary) -> Self {
        let t = s.template;
        InstanceSummary {
            id: s.id,
            template: json!({ "id": t.id, "name": t.name, "shift": t.shift, "version": t.version }),
            checklist_date: s.checklist_date,
            shift: s.shift,
            shift_start: s.shift_start,
            shift_end: s.shift_end,
            status: s.status,
            created_by: s.created_by,
            closed_by: s.closed_by,
            closed_at: s.closed_at,
            created_at: s.created_at,
            section_id: s.section_id,
            items: Vec::new(),
            participants: Vec::new(),
            total_items: s.total_items,
            completed_items: s.completed_items,
            actioned_items: s.actioned_items,
            exception_items: s.exception_items,
            completion_percentage: s.completion_percentage,
        }
    }
}
