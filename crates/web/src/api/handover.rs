//! Handover notes: `/api/v1/checklists/handover-notes` and an instance's notes.

use axum::routing::{get, post};
use axum::{Json, Router, extract::State};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::handover::HandoverInput;

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, OptionalJson};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/checklists/handover-notes", post(create_note))
        .route("/api/v1/checklists/handover-notes/{note_id}/acknowledge", post(acknowledge))
        .route("/api/v1/checklists/handover-notes/{note_id}/resolve", post(resolve))
        .route("/api/v1/checklists/instances/{instance_id}/handover-notes", get(instance_notes))
}

/// Write a note for the next shift (routed to its checklist, created if missing).
#[utoipa::path(post, path = "/api/v1/checklists/handover-notes", tag = "handover", request_body = HandoverInput,
    responses((status = 200), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_note(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<HandoverInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.create_handover(&auth.actor, body).await?))
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
) -> ApiResult<Json<Value>> {
    let (incoming, outgoing) = (q.include_incoming.unwrap_or(true), q.include_outgoing.unwrap_or(true));
    Ok(Json(state.app.instance_handover(&auth.actor, id, incoming, outgoing).await?))
}

#[utoipa::path(post, path = "/api/v1/checklists/handover-notes/{note_id}/acknowledge", tag = "handover",
    params(("note_id" = Uuid, Path, description = "The handover note's id")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn acknowledge(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.acknowledge_handover(&auth.actor, id).await?))
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
) -> ApiResult<Json<Value>> {
    let body = body.unwrap_or_default();
    let notes = q.resolution_notes.or(body.resolution_notes).or(body.resolution_notes_camel);
    Ok(Json(state.app.resolve_handover(&auth.actor, id, notes).await?))
}
