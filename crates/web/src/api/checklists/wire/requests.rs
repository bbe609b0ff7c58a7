//! Request bodies and queries of the checklist endpoints (the original's fields, with
//! its loose ids), and their conversions to the app's commands.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::checklists::{self as app, parse_item_status};
use sentinelops_app::{AppError, AppResult};
use sentinelops_domain::checklist::ItemStatus;

use crate::api::lenient::opt_uuid;

/// `POST /instances` body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CreateInstance {
    pub checklist_date: Option<NaiveDate>,
    pub shift: Option<String>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub template_id: Option<Uuid>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub section_id: Option<Uuid>,
}

impl From<CreateInstance> for app::CreateInstance {
    fn from(b: CreateInstance) -> Self {
        app::CreateInstance {
            checklist_date: b.checklist_date,
            shift: b.shift,
            template_id: b.template_id,
            section_id: b.section_id,
        }
    }
}

/// `GET /instances` query.
#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub shift: Option<String>,
}

/// Filters of `GET /instances/paginated`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstanceListQuery {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub shift: Option<String>,
    pub status: Option<String>,
    pub search: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub page: Option<u64>,
    pub limit: Option<u64>,
}

impl From<InstanceListQuery> for app::InstanceListQuery {
    fn from(q: InstanceListQuery) -> Self {
        app::InstanceListQuery {
            start_date: q.start_date,
            end_date: q.end_date,
            shift: q.shift,
            status: q.status,
            search: q.search,
            sort_by: q.sort_by,
            sort_order: q.sort_order,
            page: q.page,
            limit: q.limit,
        }
    }
}

/// `PATCH …/items/{id}` body (the original's fields; `evidence_data`, `action_type`
/// and `metadata` are accepted, and `metadata.previous_status` guards against races).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemUpdate {
    pub status: String,
    pub comment: Option<String>,
    pub notes: Option<String>,
    pub reason: Option<String>,
    pub final_verdict: Option<String>,
    pub evidence_data: Option<Value>,
    pub action_type: Option<String>,
    pub metadata: Option<Value>,
}

impl TryFrom<ItemUpdate> for app::ItemUpdate {
    type Error = AppError;

    /// An unknown status is the app's 422; `notes` is the original's other name for
    /// the comment.
    fn try_from(b: ItemUpdate) -> AppResult<Self> {
        let expected = b
            .metadata
            .as_ref()
            .and_then(|m| m.get("previous_status"))
            .and_then(Value::as_str)
            .and_then(ItemStatus::parse);
        Ok(app::ItemUpdate {
            status: parse_item_status(&b.status)?,
            comment: b.comment.or(b.notes),
            reason: b.reason,
            final_verdict: b.final_verdict,
            expected,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StartWork {
    pub comment: Option<String>,
}

impl From<StartWork> for app::StartWork {
    fn from(b: StartWork) -> Self {
        app::StartWork { comment: b.comment }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SubitemUpdate {
    pub status: String,
    pub reason: Option<String>,
    pub comment: Option<String>,
}

impl TryFrom<SubitemUpdate> for app::SubitemUpdate {
    type Error = AppError;

    fn try_from(b: SubitemUpdate) -> AppResult<Self> {
        Ok(app::SubitemUpdate { status: parse_item_status(&b.status)?, reason: b.reason, comment: b.comment })
    }
}

/// A supervisor override's reason (`reason` or the original's `comment`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OverrideInput {
    pub reason: Option<String>,
    pub comment: Option<String>,
}

impl From<OverrideInput> for app::OverrideInput {
    fn from(b: OverrideInput) -> Self {
        app::OverrideInput { reason: b.reason, comment: b.comment }
    }
}

/// `POST …/change-date` body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ChangeDate {
    pub target_date: NaiveDate,
    pub reason: Option<String>,
}

impl From<ChangeDate> for app::ChangeDate {
    fn from(b: ChangeDate) -> Self {
        app::ChangeDate { target_date: b.target_date, reason: b.reason }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CompleteBody {
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CommentBody {
    pub action: Option<String>,
    pub comment: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerdictBody {
    pub final_verdict: String,
}
