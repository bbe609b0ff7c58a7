//! `/api/v1/checklists/templates`: templates, their items, subitems and scheduled events.

use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

mod wire;

pub use wire::{
    EventInput, ItemInput, SubitemInput, TemplateChange, TemplateEventView, TemplateInput, TemplateItemView,
    TemplateSubitemView, TemplateView,
};

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::lenient::opt_uuid;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, update_template, delete_template))
        .routes(routes!(add_item))
        .routes(routes!(reorder_items))
        .routes(routes!(update_item, delete_item))
        .routes(routes!(add_subitem))
        .routes(routes!(update_subitem, delete_subitem))
        .routes(routes!(add_event))
        .routes(routes!(delete_event))
}

#[derive(Debug, Deserialize)]
pub struct TemplateQuery {
    pub shift: Option<String>,
    pub active_only: Option<bool>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub section_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReorderBody {
    pub item_ids: Vec<Uuid>,
}

/// Templates of your section (admins: all, or `section_id`), active ones by default.
#[utoipa::path(get, path = "/api/v1/checklists/templates", tag = "templates",
    params(("shift" = Option<String>, Query,), ("active_only" = Option<bool>, Query,), ("section_id" = Option<Uuid>, Query,)),
    responses((status = 200, body = [TemplateView]), SessionErrors, QueryErrors))]
pub async fn list_templates(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> ApiResult<Json<Vec<TemplateView>>> {
    let list =
        state.app.list_templates(&auth.actor, q.shift.as_deref(), q.active_only.unwrap_or(true), q.section_id).await?;
    Ok(Json(list.into_iter().map(TemplateView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/checklists/templates/{template_id}", tag = "templates",
    params(("template_id" = Uuid, Path, description = "The template's id")),
    responses((status = 200, body = TemplateView), SessionErrors, PathErrors))]
pub async fn get_template(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.app.get_template(&auth.actor, id).await?.into()))
}

/// Create a template (managers for their section; admins name the section).
#[utoipa::path(post, path = "/api/v1/checklists/templates", tag = "templates", request_body = TemplateInput,
    responses((status = 200, description = "{id, action, template, message}"), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_template(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateChange>> {
    Ok(Json(state.app.create_template(&auth.actor, body.into()).await?.into()))
}

/// Partial update; `items`, when given, is the complete list (unlisted items are retired).
#[utoipa::path(put, path = "/api/v1/checklists/templates/{template_id}", tag = "templates", request_body = TemplateInput,
    params(("template_id" = Uuid, Path, description = "The template's id")),
    responses((status = 200, description = "{id, action, template, message}"), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_template(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateChange>> {
    Ok(Json(state.app.update_template(&auth.actor, id, body.into()).await?.into()))
}

/// Soft delete (deactivate).
#[utoipa::path(delete, path = "/api/v1/checklists/templates/{template_id}", tag = "templates",
    params(("template_id" = Uuid, Path, description = "The template's id")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_template(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    let message = state.app.delete_template(&auth.actor, id).await?;
    Ok(Json(json!({ "id": id, "action": "deleted", "message": message })))
}

fn item_answer(template_id: Uuid, action: &str, item: TemplateItemView, message: &str) -> Json<Value> {
    Json(json!({ "id": item.id, "template_id": template_id, "action": action, "item": item, "message": message }))
}

#[utoipa::path(post, path = "/api/v1/checklists/templates/{template_id}/items", tag = "templates", request_body = ItemInput,
    params(("template_id" = Uuid, Path, description = "The template's id")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn add_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(tid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ItemInput>,
) -> ApiResult<Json<Value>> {
    let item = state.app.add_template_item(&auth.actor, tid, body.into()).await?;
    Ok(item_answer(tid, "created", item.into(), "Item added to template"))
}

#[utoipa::path(put, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}", tag = "templates", request_body = ItemInput,
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ItemInput>,
) -> ApiResult<Json<Value>> {
    let item = state.app.update_template_item(&auth.actor, tid, iid, body.into()).await?;
    Ok(item_answer(tid, "updated", item.into(), "Template item updated"))
}

#[utoipa::path(delete, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}", tag = "templates",
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_item(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Value>> {
    let item = state.app.delete_template_item(&auth.actor, tid, iid).await?;
    Ok(item_answer(tid, "deleted", item.into(), "Template item removed"))
}

/// Set the order of the items: every active item id, in the new order.
#[utoipa::path(post, path = "/api/v1/checklists/templates/{template_id}/items/reorder", tag = "templates", request_body = ReorderBody,
    params(("template_id" = Uuid, Path, description = "The template's id")),
    responses((status = 200, body = TemplateView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn reorder_items(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(tid): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ReorderBody>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.app.reorder_template_items(&auth.actor, tid, body.item_ids).await?.into()))
}

fn subitem_answer(item: &TemplateItemView, action: &str, subitem_id: Option<Uuid>, message: &str) -> Json<Value> {
    let subitem = match subitem_id {
        Some(id) => item.subitems.iter().find(|s| s.id == id).map(|s| json!(s)),
        None => item.subitems.last().map(|s| json!(s)),
    };
    let id = subitem.as_ref().and_then(|s| s.get("id").cloned()).unwrap_or(json!(subitem_id));
    Json(json!({ "id": id, "item_id": item.id, "action": action, "subitem": subitem, "message": message }))
}

#[utoipa::path(post, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}/subitems", tag = "templates", request_body = SubitemInput,
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn add_subitem(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<SubitemInput>,
) -> ApiResult<Json<Value>> {
    let item = state.app.change_template_subitem(&auth.actor, tid, iid, None, Some(body.into())).await?;
    Ok(subitem_answer(&item.into(), "created", None, "Subitem added"))
}

#[utoipa::path(put, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}/subitems/{subitem_id}", tag = "templates", request_body = SubitemInput,
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)"), ("subitem_id" = Uuid, Path, description = "The subitem's id (of the item in the path)")),
    responses((status = 200), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_subitem(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid, sid)): ApiPath<(Uuid, Uuid, Uuid)>,
    ApiJson(body): ApiJson<SubitemInput>,
) -> ApiResult<Json<Value>> {
    let item = state.app.change_template_subitem(&auth.actor, tid, iid, Some(sid), Some(body.into())).await?;
    Ok(subitem_answer(&item.into(), "updated", Some(sid), "Subitem updated"))
}

#[utoipa::path(delete, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}/subitems/{subitem_id}", tag = "templates",
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)"), ("subitem_id" = Uuid, Path, description = "The subitem's id (of the item in the path)")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_subitem(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid, sid)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> ApiResult<Json<Value>> {
    let item = state.app.change_template_subitem(&auth.actor, tid, iid, Some(sid), None).await?;
    Ok(Json(json!({ "id": sid, "item_id": item.row.id, "action": "deleted", "message": "Subitem deleted" })))
}

#[utoipa::path(post, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}/scheduled-events", tag = "templates", request_body = EventInput,
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)")),
    responses((status = 200, body = TemplateItemView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn add_event(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<EventInput>,
) -> ApiResult<Json<TemplateItemView>> {
    Ok(Json(state.app.change_template_event(&auth.actor, tid, iid, None, Some(body.into())).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/checklists/templates/{template_id}/items/{item_id}/scheduled-events/{event_id}", tag = "templates",
    params(("template_id" = Uuid, Path, description = "The template's id"), ("item_id" = Uuid, Path, description = "The item's id (of the checklist or template in the path)"), ("event_id" = Uuid, Path, description = "The scheduled event's id (of the item in the path)")),
    responses((status = 200, body = TemplateItemView), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_event(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((tid, iid, eid)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> ApiResult<Json<TemplateItemView>> {
    Ok(Json(state.app.change_template_event(&auth.actor, tid, iid, Some(eid), None).await?.into()))
}
