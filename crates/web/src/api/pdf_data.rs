//! `GET /api/pdf/instances/{id}/data`: the original's `InstanceData`, the facts its PDF
//! was made from, in its field names (contract §2.2) — with the exceptions counted from
//! the items rather than read from a column nothing wrote.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::UserRow;
use sentinelops_app::checklists::InstanceView;
use sentinelops_app::checklists::view::{ItemView, SubitemView};
use sentinelops_app::reports::{ShiftFacts, counts};

use super::error_responses::{PathErrors, SessionErrors};
use crate::error::ApiResult;
use crate::extract::{ApiPath, AuthUser};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InstanceDataAnswer {
    pub success: bool,
    pub data: InstanceData,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InstanceData {
    pub instance_id: Uuid,
    pub template_id: Uuid,
    pub checklist_date: NaiveDate,
    pub shift: String,
    pub shift_start: DateTime<Utc>,
    pub shift_end: DateTime<Utc>,
    pub instance_status: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub completion_time_seconds: i32,
    /// Skipped and failed items.
    pub exception_count: u32,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub template_name: String,
    pub template_description: Option<String>,
    pub template_version: i32,
    pub section_id: Uuid,
    pub section_name: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_by_email: Option<String>,
    pub closed_by: Option<Uuid>,
    pub closed_by_name: Option<String>,
    pub closed_by_email: Option<String>,
    /// Notes this checklist handed on, newest first.
    pub handover_notes: Vec<NoteData>,
    pub items_data: Vec<ItemData>,
    pub summary_statistics: SummaryStatistics,
    pub completed_by_users: Vec<Completer>,
    pub completed_by_summary: String,
    pub download_filename: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoteData {
    pub note: String,
    /// The author's name.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub priority: i32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemData {
    pub item_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub item_type: String,
    pub is_required: bool,
    /// "07:40:00".
    pub scheduled_time: Option<String>,
    pub severity: i32,
    pub sort_order: i32,
    pub status: String,
    pub has_exe_time: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_by_name: Option<String>,
    pub completed_by_email: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    pub subitems: Vec<SubitemData>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubitemData {
    pub subitem_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub item_type: String,
    pub is_required: bool,
    pub severity: i32,
    pub sort_order: i32,
    pub status: String,
    pub has_exe_time: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completed_by_name: Option<String>,
    pub completed_by_email: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Counts by status; an item in progress falls in no bucket, as in the original.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryStatistics {
    pub total_items: u32,
    pub completed_items: u32,
    pub pending_items: u32,
    pub skipped_items: u32,
    pub failed_items: u32,
    pub total_subitems: u32,
    pub completed_subitems: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Completer {
    pub name: String,
    pub email: Option<String>,
}

/// The facts a checklist's PDF is made from, as data.
#[utoipa::path(get, path = "/api/pdf/instances/{instance_id}/data", tag = "pdf",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200, body = InstanceDataAnswer), SessionErrors, PathErrors))]
pub async fn instance_data(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<InstanceDataAnswer>> {
    let facts = state.app.shift_report_facts(&auth.actor, id).await?;
    Ok(Json(InstanceDataAnswer { success: true, data: InstanceData::from(facts) }))
}

/// "First Last", or nothing when either is blank (the original's SQL concatenation).
fn full_name(user: &UserRow) -> Option<String> {
    let (first, last) = (user.first_name.trim(), user.last_name.trim());
    (!first.is_empty() && !last.is_empty()).then(|| format!("{first} {last}"))
}

fn name_of(user: Option<&UserRow>) -> Option<String> {
    user.and_then(full_name)
}

fn email_of(user: Option<&UserRow>) -> Option<String> {
    user.and_then(|u| u.email.clone())
}

impl From<ShiftFacts> for InstanceData {
    fn from(facts: ShiftFacts) -> InstanceData {
        let ShiftFacts { view, section_name, outgoing, filename } = facts;
        let summary = summary(&view);
        let completed_by_users = completers(&view);
        let completed_by_summary = if completed_by_users.is_empty() {
            "No completed checklist items recorded".to_owned()
        } else {
            completed_by_users.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        };
        let row = &view.row;
        InstanceData {
            instance_id: row.id,
            template_id: row.template_id,
            checklist_date: row.checklist_date,
            shift: row.shift.get().as_str().to_owned(),
            shift_start: row.shift_start,
            shift_end: row.shift_end,
            instance_status: row.status.get().as_str().to_owned(),
            created_at: row.created_at,
            closed_at: row.closed_at,
            completion_time_seconds: row.completion_time_seconds.unwrap_or(0),
            exception_count: summary.skipped_items + summary.failed_items,
            metadata: Value::Object(serde_json::Map::new()),
            template_name: row.template_name.clone(),
            template_description: row.template_description.clone(),
            template_version: row.template_version,
            section_id: row.section_id,
            section_name,
            created_by: row.created_by,
            created_by_name: name_of(view.created_by.as_deref()),
            created_by_email: email_of(view.created_by.as_deref()),
            closed_by: row.closed_by,
            closed_by_name: name_of(view.closed_by.as_deref()),
            closed_by_email: email_of(view.closed_by.as_deref()),
            handover_notes: outgoing
                .into_iter()
                .map(|(note, author)| NoteData {
                    note: note.content,
                    created_by: author,
                    created_at: note.created_at,
                    priority: note.priority,
                })
                .collect(),
            items_data: view.items.iter().map(item_data).collect(),
            summary_statistics: summary,
            completed_by_users,
            completed_by_summary,
            download_filename: filename,
        }
    }
}

fn summary(view: &InstanceView) -> SummaryStatistics {
    let c = counts(view);
    SummaryStatistics {
        total_items: c.items,
        completed_items: c.completed,
        pending_items: c.pending,
        skipped_items: c.skipped,
        failed_items: c.failed,
        total_subitems: c.subitems,
        completed_subitems: c.subitems_completed,
    }
}

/// Distinct item completers in first-seen order (the name falls back to the e-mail);
/// when no item was completed by anyone, the subitem completers.
fn completers(view: &InstanceView) -> Vec<Completer> {
    let collect = |users: &mut dyn Iterator<Item = &UserRow>| {
        let mut seen: Vec<Uuid> = Vec::new();
        let mut out = Vec::new();
        for user in users {
            if seen.contains(&user.id) {
                continue;
            }
            seen.push(user.id);
            let name = full_name(user).or_else(|| user.email.clone()).unwrap_or_else(|| user.username.clone());
            out.push(Completer { name, email: user.email.clone() });
        }
        out
    };
    let items = collect(&mut view.items.iter().filter_map(|i| i.completed_by.as_deref()));
    if !items.is_empty() {
        return items;
    }
    collect(&mut view.items.iter().flat_map(|i| &i.subitems).filter_map(|s| s.completed_by.as_deref()))
}

fn item_data(item: &ItemView) -> ItemData {
    let row = &item.row;
    ItemData {
        item_id: row.id,
        title: row.title.clone(),
        description: row.description.clone(),
        item_type: row.item_type.get().as_str().to_owned(),
        is_required: row.is_required,
        scheduled_time: row.scheduled_time.map(|t| t.format("%H:%M:%S").to_string()),
        severity: row.severity,
        sort_order: row.sort_order,
        status: row.status.get().as_str().to_owned(),
        has_exe_time: row.has_exe_time,
        started_at: row.started_at,
        completed_by_name: name_of(item.completed_by.as_deref()),
        completed_by_email: email_of(item.completed_by.as_deref()),
        completed_at: row.completed_at,
        skipped_reason: row.skipped_reason.clone(),
        failure_reason: row.failure_reason.clone(),
        subitems: item.subitems.iter().map(subitem_data).collect(),
    }
}

fn subitem_data(sub: &SubitemView) -> SubitemData {
    let row = &sub.row;
    SubitemData {
        subitem_id: row.id,
        title: row.title.clone(),
        description: row.description.clone(),
        item_type: row.item_type.get().as_str().to_owned(),
        is_required: row.is_required,
        severity: row.severity,
        sort_order: row.sort_order,
        status: row.status.get().as_str().to_owned(),
        has_exe_time: row.has_exe_time,
        started_at: row.started_at,
        completed_by: row.completed_by,
        completed_by_name: name_of(sub.completed_by.as_deref()),
        completed_by_email: email_of(sub.completed_by.as_deref()),
        completed_at: row.completed_at,
        skipped_reason: row.skipped_reason.clone(),
        failure_reason: row.failure_reason.clone(),
        created_at: row.created_at,
    }
}
