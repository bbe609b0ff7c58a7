//! Handover notes: `/api/v1/checklists/handover-notes` and an instance's notes.

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::handover::{
    HandoverAcknowledged, HandoverCreated, HandoverResolved, HandoverView, InstanceHandover, NewHandover,
};

use super::lenient::opt_uuid;

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, OptionalJson};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_note))
        .routes(routes!(acknowledge))
        .routes(routes!(resolve))
        .routes(routes!(instance_notes))
}

/// `POST /handover-notes` body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HandoverInput {
    pub content: String,
    pub priority: Option<i32>,
    pub to_shift: Option<String>,
    pub to_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub from_instance_id: Option<Uuid>,
}

impl From<HandoverInput> for NewHandover {
    fn from(b: HandoverInput) -> NewHandover {
        NewHandover {
            content: b.content,
            priority: b.priority,
            to_shift: b.to_shift,
            to_date: b.to_date,
            from_instance_id: b.from_instance_id,
        }
    }
}

/// The answer to a new note.
#[derive(Debug, Serialize)]
pub struct CreatedNote {
    pub id: Uuid,
    pub from_instance_id: Uuid,
    pub to_instance_id: Option<Uuid>,
    pub content: String,
    pub priority: i32,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub notification_summary: NotificationSummary,
}

#[derive(Debug, Serialize)]
pub struct NotificationSummary {
    pub current_shift_notified: usize,
    pub next_shift_notified: usize,
    /// The original sent e-mail alerts here; notes raise in-app notifications only.
    pub email_alerts: u32,
}

impl From<HandoverCreated> for CreatedNote {
    fn from(c: HandoverCreated) -> CreatedNote {
        let n = c.note;
        CreatedNote {
            id: n.id,
            from_instance_id: n.from_instance_id,
            to_instance_id: n.to_instance_id,
            content: n.content,
            priority: n.priority,
            created_by: n.created_by,
            created_at: n.created_at,
            notification_summary: NotificationSummary {
                current_shift_notified: c.notified.current_shift_notified,
                next_shift_notified: c.notified.next_shift_notified,
                email_alerts: 0,
            },
        }
    }
}

/// A note as listed for an instance.
#[derive(Debug, Serialize)]
pub struct NoteJson {
    pub id: Uuid,
    pub from_instance_id: Uuid,
    pub to_instance_id: Option<Uuid>,
    pub section_id: Uuid,
    pub content: String,
    pub priority: i32,
    pub is_automatic: bool,
    pub created_by: Uuid,
    pub created_by_username: Option<String>,
    pub created_by_first_name: Option<String>,
    pub created_by_last_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_by_username: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
    pub resolved_by_username: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_notes: Option<String>,
    pub from_shift: Option<String>,
    pub from_date: Option<NaiveDate>,
    pub to_shift: Option<String>,
    pub to_date: Option<NaiveDate>,
    pub direction: &'static str,
}

impl From<HandoverView> for NoteJson {
    fn from(v: HandoverView) -> NoteJson {
        let r = v.row;
        let (from_shift, from_date) = v.from.unzip();
        let (to_shift, to_date) = v.to.unzip();
        NoteJson {
            id: r.id,
            from_instance_id: r.from_instance_id,
            to_instance_id: r.to_instance_id,
            section_id: r.section_id,
            content: r.content,
            priority: r.priority,
            is_automatic: r.is_automatic,
            created_by: r.created_by,
            created_by_username: v.created_by_username,
            created_by_first_name: v.created_by_first_name,
            created_by_last_name: v.created_by_last_name,
            created_at: r.created_at,
            acknowledged_by: r.acknowledged_by,
            acknowledged_by_username: v.acknowledged_by_username,
            acknowledged_at: r.acknowledged_at,
            resolved_by: r.resolved_by,
            resolved_by_username: v.resolved_by_username,
            resolved_at: r.resolved_at,
            resolution_notes: r.resolution_notes,
            from_shift,
            from_date,
            to_shift,
            to_date,
            direction: v.direction.as_str(),
        }
    }
}

/// An instance's notes.
#[derive(Debug, Serialize)]
pub struct InstanceNotes {
    pub instance_id: Uuid,
    pub handover_notes: Vec<NoteJson>,
    pub count: usize,
}

impl From<InstanceHandover> for InstanceNotes {
    fn from(h: InstanceHandover) -> InstanceNotes {
        let count = h.notes.len();
        InstanceNotes {
            instance_id: h.instance_id,
            handover_notes: h.notes.into_iter().map(NoteJson::from).collect(),
            count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AcknowledgedNote {
    pub id: Uuid,
    pub acknowledged_by: Uuid,
    pub acknowledged_at: DateTime<Utc>,
    pub message: &'static str,
}

impl From<HandoverAcknowledged> for AcknowledgedNote {
    fn from(a: HandoverAcknowledged) -> AcknowledgedNote {
        AcknowledgedNote {
            id: a.id,
            acknowledged_by: a.acknowledged_by,
            acknowledged_at: a.acknowledged_at,
            message: "Handover note acknowledged",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ResolvedNote {
    pub id: Uuid,
    pub resolved_by: Uuid,
    pub resolved_at: DateTime<Utc>,
    pub resolution_notes: Option<String>,
    pub message: &'static str,
}

impl From<HandoverResolved> for ResolvedNote {
    fn from(r: HandoverResolved) -> ResolvedNote {
        ResolvedNote {
            id: r.id,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at,
            resolution_notes: r.resolution_notes,
            message: "Handover note resolved",
        }
    }
}

/// Write a note for the next shift (routed to its checklist, created if missing).
#[utoipa::path(post, path = "/api/v1/checklists/handover-notes", tag = "handover", request_body = HandoverInput,
    responses((status = 200), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_note(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<HandoverInput>,
) -> ApiResult<Json<CreatedNote>> {
    Ok(Json(state.app.create_handover(&auth.actor, body.into()).await?.into()))
}

#[derive(Debug, Deserialize)]
pub struct NotesQuery {
    pub include_outgoing: Option<bool>,
    pub include_incoming: Option<bool>,
}

/// Notes reaching and leaving an instance, incoming first.
#[utoipa::path(get, path = "/api/v1/checklists/instances/{instance_id}/handover-notes", tag = "handover",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("include_outgoing" = Option<bool>, Query,), ("include_incoming" = Option<bool>, Query,)),
    responses((status = 200), SessionErrors, PathErrors, QueryErrors))]
pub async fn instance_notes(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<NotesQuery>,
) -> ApiResult<Json<InstanceNotes>> {
    let (incoming, outgoing) = (q.include_incoming.unwrap_or(true), q.include_outgoing.unwrap_or(true));
    Ok(Json(state.app.instance_handover(&auth.actor, id, incoming, outgoing).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/checklists/handover-notes/{note_id}/acknowledge", tag = "handover",
    params(("note_id" = Uuid, Path, description = "The handover note's id")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn acknowledge(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AcknowledgedNote>> {
    Ok(Json(state.app.acknowledge_handover(&auth.actor, id).await?.into()))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ResolveBody {
    pub resolution_notes: Option<String>,
    #[serde(rename = "resolutionNotes")]
    pub resolution_notes_camel: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ResolveQuery {
    pub resolution_notes: Option<String>,
}

/// Resolve a note (notes in the query string, as the original, or in a JSON body).
#[utoipa::path(post, path = "/api/v1/checklists/handover-notes/{note_id}/resolve", tag = "handover", request_body = Option<ResolveBody>,
    params(("note_id" = Uuid, Path, description = "The handover note's id"), ("resolution_notes" = Option<String>, Query,)),
    responses((status = 200), SessionErrors, PathErrors, QueryErrors, BodyErrors, WriteErrors))]
pub async fn resolve(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ResolveQuery>,
    OptionalJson(body): OptionalJson<ResolveBody>,
) -> ApiResult<Json<ResolvedNote>> {
    let body = body.unwrap_or_default();
    let notes = q.resolution_notes.or(body.resolution_notes).or(body.resolution_notes_camel);
    Ok(Json(state.app.resolve_handover(&auth.actor, id, notes).await?.into()))
}
