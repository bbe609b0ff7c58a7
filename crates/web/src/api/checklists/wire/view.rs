//! The checklist as the API shows it (api-sample 12), and the light summaries of the
//! listings, converted from the app's typed views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_app::UserRow;
use sentinelops_app::checklists::{self as app, view};
use sentinelops_app::shifts::format_time;

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
    /// Where a timed subitem stands against its time: NOT_TIMED, UPCOMING, DUE,
    /// OVERDUE, MISSED or DONE (beyond the original's fields).
    #[schema(value_type = String)]
    pub due_state: &'static str,
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
    /// Where a timed item stands against its time: NOT_TIMED, UPCOMING, DUE, OVERDUE,
    /// MISSED or DONE (beyond the original's fields).
    #[schema(value_type = String)]
    pub due_state: &'static str,
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
    user.as_deref().map(UserRef::from)
}

fn all<T, U: From<T>>(list: Vec<T>) -> Vec<U> {
    list.into_iter().map(U::from).collect()
}

impl From<&UserRow> for UserRef {
    fn from(u: &UserRow) -> Self {
        UserRef {
            id: u.id,
            username: u.username.clone(),
            email: u.email.clone().unwrap_or_default(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            role: u.role.as_str().to_owned(),
        }
    }
}

impl From<view::ParticipantView> for ParticipantView {
    fn from(p: view::ParticipantView) -> Self {
        let u = UserRef::from(&*p.user);
        ParticipantView {
            id: u.id,
            username: u.username,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            role: u.role,
            is_online: p.is_online,
            joined_at: p.row.joined_at,
        }
    }
}

impl From<view::ActivityView> for ActivityView {
    fn from(a: view::ActivityView) -> Self {
        let r = a.row;
        ActivityView {
            id: r.id,
            instance_item_id: r.instance_item_id,
            subitem_id: r.instance_subitem_id,
            action: r.action,
            comment: r.comment,
            reason: r.reason,
            from_status: r.from_status,
            to_status: r.to_status,
            duration_ms: r.duration_ms,
            created_at: r.created_at,
            user: users(a.user),
        }
    }
}

impl From<view::InstanceEventRow> for EventView {
    fn from(e: view::InstanceEventRow) -> Self {
        EventView {
            id: e.id,
            instance_item_id: e.instance_item_id,
            template_event_id: e.template_event_id,
            event_datetime: e.event_datetime,
            notify_before_minutes: e.notify_before_minutes,
            remind_at: e.remind_at,
            notify_all: e.notify_all,
            notify_roles: e.notify_roles.unwrap_or_else(|| json!([])),
        }
    }
}

impl From<view::SubitemView> for SubitemView {
    fn from(s: view::SubitemView) -> Self {
        let r = s.row;
        SubitemView {
            id: r.id,
            instance_item_id: r.instance_item_id,
            template_subitem_id: r.template_subitem_id,
            title: r.title,
            description: r.description,
            item_type: r.item_type.as_str().to_owned(),
            is_required: r.is_required,
            has_exe_time: r.has_exe_time,
            severity: r.severity,
            sort_order: r.sort_order,
            status: r.status.as_str().to_owned(),
            scheduled_time: r.scheduled_time.map(format_time),
            notify_before_minutes: r.notify_before_minutes,
            scheduled_at: r.scheduled_at,
            remind_at: r.remind_at,
            started_at: r.started_at,
            started_by: users(s.started_by),
            completed_by: users(s.completed_by),
            completed_at: r.completed_at,
            skipped_reason: r.skipped_reason,
            failure_reason: r.failure_reason,
            created_at: r.created_at,
            version: r.version,
            due_state: s.due.as_str(),
        }
    }
}

impl TemplateItemSnapshot {
    /// The template fields an item row keeps from when the instance was created.
    fn of(i: &view::InstanceItemRow, template_id: Uuid) -> TemplateItemSnapshot {
        TemplateItemSnapshot {
            id: i.template_item_id,
            template_id,
            title: i.title.clone(),
            description: i.description.clone(),
            item_type: i.item_type.as_str().to_owned(),
            is_required: i.is_required,
            has_exe_time: i.has_exe_time,
            scheduled_time: i.scheduled_time.map(format_time),
            notify_before_minutes: i.notify_before_minutes,
            scheduled_at: i.scheduled_at,
            remind_at: i.remind_at,
            severity: i.severity,
            sort_order: i.sort_order,
            created_at: i.created_at,
            // The original shows a snapshot's subitems and events on the item itself.
            subitems: Vec::new(),
            scheduled_events: Vec::new(),
        }
    }
}

impl ItemView {
    fn of(i: view::ItemView, template_item: TemplateItemSnapshot) -> ItemView {
        let r = i.row;
        ItemView {
            id: r.id,
            template_item_id: r.template_item_id,
            template_item,
            status: r.status.as_str().to_owned(),
            has_exe_time: r.has_exe_time,
            started_at: r.started_at,
            started_by: users(i.started_by),
            completed_by: users(i.completed_by),
            completed_at: r.completed_at,
            skipped_reason: r.skipped_reason,
            failure_reason: r.failure_reason,
            final_verdict: r.final_verdict,
            final_verdict_by: users(i.final_verdict_by),
            final_verdict_at: r.final_verdict_at,
            scheduled_at: r.scheduled_at,
            remind_at: r.remind_at,
            notes: i.notes,
            activities: all(i.activities),
            subitems: all(i.subitems),
            subitems_status: i.subitems_status,
            due_state: i.due.as_str(),
            title: r.title,
            description: r.description,
            item_type: r.item_type.as_str().to_owned(),
            is_required: r.is_required,
            scheduled_time: r.scheduled_time.map(format_time),
            notify_before_minutes: r.notify_before_minutes,
            severity: r.severity,
            sort_order: r.sort_order,
            scheduled_events: all(i.scheduled_events),
            version: r.version,
        }
    }
}

impl From<app::InstanceView> for InstanceView {
    fn from(v: app::InstanceView) -> Self {
        let r = v.row;
        let t = v.template.as_ref();
        // Each item shows its template snapshot, and the template lists them all.
        let snapshots: Vec<TemplateItemSnapshot> =
            v.items.iter().map(|i| TemplateItemSnapshot::of(&i.row, r.template_id)).collect();
        let items = v.items.into_iter().zip(snapshots.iter().cloned()).map(|(i, s)| ItemView::of(i, s)).collect();
        InstanceView {
            id: r.id,
            template: InstanceTemplateView {
                id: r.template_id,
                name: r.template_name,
                description: r.template_description,
                shift: r.shift.as_str().to_owned(),
                is_active: t.is_some_and(|t| t.is_active),
                version: r.template_version,
                created_by: t.and_then(|t| t.created_by),
                created_at: t.map(|t| t.created_at),
                section_id: r.section_id,
                items: snapshots,
            },
            checklist_date: r.checklist_date,
            shift: r.shift.as_str().to_owned(),
            shift_start: r.shift_start,
            shift_end: r.shift_end,
            status: r.status.as_str().to_owned(),
            created_by: users(v.created_by),
            closed_by: users(v.closed_by),
            closed_at: r.closed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            section_id: r.section_id,
            items,
            participants: all(v.participants),
            completion_percentage: v.completion_percentage,
            time_remaining_minutes: v.time_remaining_minutes,
            exception_count: r.exception_count,
            revision: r.revision,
        }
    }
}

impl From<app::InstanceSummary> for InstanceSummary {
    fn from(s: app::InstanceSummary) -> Self {
        let r = s.row;
        let shift = r.shift.as_str();
        InstanceSummary {
            id: r.id,
            template: json!({ "id": r.template_id, "name": r.template_name, "shift": shift, "version": r.template_version }),
            checklist_date: r.checklist_date,
            shift: shift.to_owned(),
            shift_start: r.shift_start,
            shift_end: r.shift_end,
            status: r.status.as_str().to_owned(),
            created_by: r.created_by,
            closed_by: r.closed_by,
            closed_at: r.closed_at,
            created_at: r.created_at,
            section_id: r.section_id,
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
