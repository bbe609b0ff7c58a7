//! `/api/v1/checklists/instances`: creation, views, listings, item and subitem work,
//! participants, sign-off and supervisor overrides.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, extract::State};
use sentinelops_app::AppError;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use sentinelops_app::checklists::MissingReason;

pub mod wire;

pub use wire::{
    ChangeDate, CommentBody, CompleteBody, CompletionSummary, Coverage, CreateInstance, InstanceListQuery,
    InstanceStats, InstanceSummary, InstanceView, ItemUpdate, OverrideInput, RangeQuery, StartWork, SubitemChanged,
    SubitemList, SubitemUpdate, VerdictBody, WorkStarted,
};

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::paging::{PageRequest, Paginated};
use crate::error::ApiResult;
use crate::error::{Conflict, Detail};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser, OptionalJson};
use crate::state::AppState;

/// Every route of the checklists, declared once: the router and the OpenAPI paths
/// come from each handler's `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_instances, create_instance))
        .routes(routes!(paginated_instances))
        .routes(routes!(today_instances))
        .routes(routes!(today_coverage))
        .routes(routes!(get_instance, delete_instance))
        .routes(routes!(instance_stats))
        .routes(routes!(join_instance))
        .routes(routes!(complete_instance))
        .routes(routes!(one_time_completion))
        .routes(routes!(reopen_instance))
        .routes(routes!(force_close_instance))
        .routes(routes!(change_date))
        .routes(routes!(update_item))
        .routes(routes!(start_work))
        .routes(routes!(comment_item))
        .routes(routes!(final_verdict))
        .routes(routes!(list_subitems))
        .routes(routes!(update_subitem))
        .routes(routes!(completion_summary))
}

fn effects(names: &[&str]) -> Value {
    json!({ "effects": names, "metadata": {} })
}

/// `{instance, effects}`: the view is serialized straight from its struct (going
/// through `json!` would first copy the whole checklist into a `Value` tree).
#[derive(serde::Serialize)]
pub struct WithEffects<T> {
    instance: T,
    effects: Value,
}

/// Find or create the checklist of a (section, date, shift).
#[utoipa::path(post, path = "/api/v1/checklists/instances", tag = "instances", request_body = CreateInstance,
    responses((status = 200, description = "{id, instance, message, effects}"), SessionErrors, BodyErrors, WriteErrors, (status = 404, description = "no active template", body = Detail)))]
pub async fn create_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<CreateInstance>,
) -> ApiResult<Json<Value>> {
    let (row, created) = state.app.create_instance(&auth.actor, body.into()).await?;
    let instance = InstanceView::from(state.app.instance_view(&auth.actor, row.id).await?);
    Ok(Json(json!({
        "id": row.id,
        "instance": instance,
        "message": if created { "New instance created" } else { "Existing instance returned" },
        "effects": { "background_task": false, "notification_created": false, "created": created },
    })))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances", tag = "instances",
    params(("start_date" = Option<NaiveDate>, Query,), ("end_date" = Option<NaiveDate>, Query,), ("shift" = Option<String>, Query,)),
    responses((status = 200, body = [InstanceSummary]), SessionErrors, QueryErrors))]
pub async fn list_instances(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Vec<InstanceSummary>>> {
    let summaries = state.app.list_instances(&auth.actor, q.start_date, q.end_date, q.shift.as_deref()).await?;
    Ok(Json(summaries.into_iter().map(InstanceSummary::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances/paginated", tag = "instances",
    params(("start_date" = Option<NaiveDate>, Query,), ("end_date" = Option<NaiveDate>, Query,), ("shift" = Option<String>, Query,),
           ("status" = Option<String>, Query,), ("search" = Option<String>, Query,), ("page" = Option<u64>, Query,),
           ("limit" = Option<u64>, Query,), ("sort_by" = Option<String>, Query,), ("sort_order" = Option<String>, Query,)),
    responses((status = 200, description = "{items,total,page,pages,has_next,has_prev}"), SessionErrors, QueryErrors))]
pub async fn paginated_instances(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<InstanceListQuery>,
) -> ApiResult<Json<Paginated<InstanceSummary>>> {
    let request = PageRequest::new(q.page, q.limit, 18, 100)?;
    let page = state.app.paginated_instances(&auth.actor, &q.into(), request.window()).await?;
    let rows = page.rows.into_iter().map(InstanceSummary::from).collect();
    Ok(Json(Paginated::new(rows, page.total, request)))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances/today", tag = "instances",
    responses((status = 200, body = [InstanceView]), SessionErrors))]
pub async fn today_instances(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Vec<InstanceView>>> {
    Ok(Json(state.app.today_instances(&auth.actor).await?.into_iter().map(InstanceView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances/today/coverage", tag = "instances",
    responses((status = 200), SessionErrors))]
pub async fn today_coverage(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Coverage>> {
    Ok(Json(state.app.today_coverage(&auth.actor).await?.into()))
}

/// The whole checklist. Carries an `ETag`; a request whose `If-None-Match` names the
/// current one gets 304 and no body.
#[utoipa::path(get, path = "/api/v1/checklists/instances/{instance_id}", tag = "instances",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200, body = InstanceView), (status = 304), SessionErrors, PathErrors))]
pub async fn get_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    // A client asking for `no-cache` (a hard reload, say) gets a fresh render.
    let fresh = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-cache")));
    let document = state.app.instance_document(&auth.actor, id, fresh, serialize_view).await?;
    let etag = HeaderValue::from_str(&document.etag).map_err(|e| AppError::Internal(e.to_string()))?;
    // Browsers revalidate every time: the checklist changes under their eyes.
    let validators = [(header::ETAG, etag), (header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"))];
    if if_none_match(&headers, &document.etag) {
        return Ok((StatusCode::NOT_MODIFIED, validators).into_response());
    }
    // The response borrows the cached bytes instead of copying them.
    let body = Bytes::from_owner(SharedDocument(document));
    Ok((validators, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response())
}

/// The checklist's JSON, written once per revision into the app's document cache.
fn serialize_view(view: sentinelops_app::checklists::InstanceView) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(&InstanceView::from(view))
        .map_err(|e| AppError::Internal(format!("serialising a checklist: {e}")))
}

struct SharedDocument(std::sync::Arc<sentinelops_app::checklists::cache::InstanceDocument>);

impl AsRef<[u8]> for SharedDocument {
    fn as_ref(&self) -> &[u8] {
        &self.0.body
    }
}

/// Whether `If-None-Match` lists `etag` (or is `*`); weak tags compare by their value.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |tag| {
            let tag = tag.trim();
            tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
        },
    )
}

/// Delete an instance and all its records (admins; managers of its section); audited.
#[utoipa::path(delete, path = "/api/v1/checklists/instances/{instance_id}", tag = "instances",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    state.app.delete_instance(&auth.actor, id).await?;
    Ok(Json(json!({ "id": id, "action": "deleted", "message": "Checklist instance deleted" })))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances/{instance_id}/stats", tag = "instances",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors))]
pub async fn instance_stats(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<InstanceStats>> {
    Ok(Json(state.app.instance_stats(&auth.actor, id).await?.into()))
}

/// Join as a participant (idempotent).
#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/join", tag = "instances",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn join_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<WithEffects<InstanceView>>> {
    let (instance, _) = state.app.join_instance(&auth.actor, id).await?;
    Ok(Json(WithEffects { instance: instance.into(), effects: effects(&["CHECKLIST_JOINED"]) }))
}

/// Sign off (managers, admins) from PENDING_REVIEW; the outcome follows the evidence.
#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/complete", tag = "instances", request_body = Option<CompleteBody>,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors, (status = 409, description = "not pending review", body = Conflict)))]
pub async fn complete_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<CompleteBody>,
) -> ApiResult<Json<Value>> {
    let instance =
        InstanceView::from(state.app.complete_instance(&auth.actor, id, body.and_then(|b| b.comment)).await?);
    Ok(Json(json!({
        "message": format!("Checklist completed successfully ({})", instance.status),
        "instance": instance,
        "effects": effects(&["CHECKLIST_COMPLETED"]),
    })))
}

/// Supervisor override: complete all open work and move to review. The original frontend
/// sends no reason (`{}`): the override is then recorded as "(no reason given)" and flagged.
#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/one-time-completion", tag = "instances", request_body = OverrideInput,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn one_time_completion(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<OverrideInput>,
) -> ApiResult<Json<WithEffects<InstanceView>>> {
    let input = body.unwrap_or_default().into();
    let instance = state.app.one_time_completion(&auth.actor, id, input, MissingReason::RecordAsNotGiven).await?;
    Ok(Json(WithEffects { instance: instance.into(), effects: effects(&["OVERRIDE_APPLIED"]) }))
}

/// Supervisor override: reopen a closed checklist (reason required).
#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/reopen", tag = "instances", request_body = OverrideInput,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn reopen_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<OverrideInput>,
) -> ApiResult<Json<WithEffects<InstanceView>>> {
    let instance = state.app.reopen_instance(&auth.actor, id, body.unwrap_or_default().into()).await?;
    Ok(Json(WithEffects { instance: instance.into(), effects: effects(&["OVERRIDE_APPLIED"]) }))
}

/// Supervisor override: close an open checklist with exceptions (reason required).
#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/force-close", tag = "instances", request_body = OverrideInput,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn force_close_instance(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<OverrideInput>,
) -> ApiResult<Json<WithEffects<InstanceView>>> {
    let instance = state.app.force_close_instance(&auth.actor, id, body.unwrap_or_default().into()).await?;
    Ok(Json(WithEffects { instance: instance.into(), effects: effects(&["OVERRIDE_APPLIED"]) }))
}

/// Correct the date of a closed checklist (audited; no recorded timestamp changes).
#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/change-date", tag = "instances", request_body = ChangeDate,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn change_date(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ChangeDate>,
) -> ApiResult<Json<Value>> {
    let target = body.target_date;
    let (instance, moved) = state.app.change_instance_date(&auth.actor, id, body.into()).await?;
    Ok(Json(json!({
        "message": format!("Checklist date corrected to {target}"),
        "instance": InstanceView::from(instance),
        "target_date": target,
        "verification": [{ "from_date": moved.from_date, "to_date": moved.to_date }],
    })))
}

/// Change an item's status (the transition policy applies).
#[utoipa::path(patch, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}", tag = "instances", request_body = ItemUpdate,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200, description = "{instance, effects}"), SessionErrors, PathErrors, BodyErrors, WriteErrors, (status = 409, description = "refused by the current state", body = Conflict)))]
pub async fn update_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ItemUpdate>,
) -> ApiResult<Json<WithEffects<InstanceView>>> {
    let instance = state.app.update_item(&auth.actor, id, item, body.try_into()?).await?;
    Ok(Json(WithEffects { instance: instance.into(), effects: effects(&["ITEM_UPDATED"]) }))
}

#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}/start-work", tag = "instances", request_body = Option<StartWork>,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn start_work(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    OptionalJson(body): OptionalJson<StartWork>,
) -> ApiResult<Json<WorkStarted>> {
    Ok(Json(state.app.start_work(&auth.actor, id, item, body.unwrap_or_default().into()).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}/comment", tag = "instances", request_body = CommentBody,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn comment_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<CommentBody>,
) -> ApiResult<Json<Value>> {
    let _ = body.action;
    let (instance, activity) = state.app.comment_item(&auth.actor, id, item, &body.comment).await?;
    let activity = wire::CommentActivity::from(activity);
    Ok(Json(json!({
        "instance": InstanceView::from(instance),
        "effects": { "item_id": item, "activity": activity, "comment": body.comment },
    })))
}

#[utoipa::path(post, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}/final-verdict", tag = "instances", request_body = VerdictBody,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn final_verdict(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<VerdictBody>,
) -> ApiResult<Json<WithEffects<InstanceView>>> {
    let instance = state.app.final_verdict(&auth.actor, id, item, &body.final_verdict).await?;
    Ok(Json(WithEffects { instance: instance.into(), effects: effects(&["FINAL_VERDICT_CAPTURED"]) }))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}/subitems", tag = "instances",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors))]
pub async fn list_subitems(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<SubitemList>> {
    Ok(Json(state.app.list_subitems(&auth.actor, id, item).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}/subitems/{subitem_id}", tag = "instances", request_body = SubitemUpdate,
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)"), ("subitem_id" = Uuid, Path, description = "The subitem's id (of the item in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_subitem(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item, subitem)): ApiPath<(Uuid, Uuid, Uuid)>,
    ApiJson(body): ApiJson<SubitemUpdate>,
) -> ApiResult<Json<SubitemChanged>> {
    Ok(Json(state.app.update_subitem(&auth.actor, id, item, subitem, body.try_into()?).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/checklists/instances/{instance_id}/items/{item_id}/completion-summary", tag = "instances",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors))]
pub async fn completion_summary(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<CompletionSummary>> {
    Ok(Json(state.app.completion_summary(&auth.actor, id, item).await?.into()))
}
