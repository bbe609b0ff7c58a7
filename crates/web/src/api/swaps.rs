//! Shift swaps (issue 20 item 3) under `/api/v1/checklists`, beside the roster: an
//! operator offers one of their rostered shifts, a colleague of the section accepts it,
//! a manager approves or rejects it (unless the section's roster settings let
//! acceptance complete it); the offerer cancels it until then. Section-scoped.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::roster::{RosterSettings, SwapDecision, SwapOffer, SwapQuery, SwapView};

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::lenient::opt_uuid;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_swaps, offer_swap))
        .routes(routes!(accept_swap))
        .routes(routes!(approve_swap))
        .routes(routes!(reject_swap))
        .routes(routes!(cancel_swap))
        .routes(routes!(get_roster_settings, put_roster_settings))
}

/// A shift swap.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShiftSwapView {
    pub id: Uuid,
    pub section_id: Uuid,
    pub date: NaiveDate,
    pub shift_id: i32,
    pub shift_name: String,
    pub offered_by: Uuid,
    pub offered_by_name: String,
    /// A directed offer's colleague; null: open to the section.
    pub offered_to: Option<Uuid>,
    pub offered_to_name: Option<String>,
    pub taken_by: Option<Uuid>,
    pub taken_by_name: Option<String>,
    /// OFFERED, ACCEPTED (awaiting approval), APPROVED, REJECTED or CANCELLED.
    pub status: String,
    pub note: Option<String>,
    /// Completed on acceptance: the section needs no approval.
    pub auto_approved: bool,
    pub decided_by: Option<Uuid>,
    /// A rejection's or cancellation's reason.
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<SwapView> for ShiftSwapView {
    fn from(v: SwapView) -> Self {
        let r = v.row;
        ShiftSwapView {
            id: r.id,
            section_id: r.section_id,
            date: r.date,
            shift_id: r.shift_id,
            shift_name: v.shift_name,
            offered_by: r.offered_by,
            offered_by_name: v.offered_by_name,
            offered_to: r.offered_to,
            offered_to_name: v.offered_to_name,
            taken_by: r.taken_by,
            taken_by_name: v.taken_by_name,
            status: r.status.as_str().to_owned(),
            note: r.note,
            auto_approved: r.auto_approved,
            decided_by: r.decided_by,
            decision_reason: r.decision_reason,
            created_at: r.created_at,
            accepted_at: r.accepted_at,
            decided_at: r.decided_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SwapParams {
    /// Admins: one section (default all); others: their own.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
    /// OFFERED, ACCEPTED, APPROVED, REJECTED or CANCELLED.
    pub status: Option<String>,
    /// First date, included.
    pub from: Option<NaiveDate>,
    /// Last date, included (at most 366 days after `from`).
    pub to: Option<NaiveDate>,
}

/// The swaps of the section, by date.
#[utoipa::path(get, path = "/api/v1/checklists/shift-swaps", tag = "roster", params(SwapParams),
    responses((status = 200, body = [ShiftSwapView]), SessionErrors, QueryErrors))]
pub async fn list_swaps(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<SwapParams>,
) -> ApiResult<Json<Vec<ShiftSwapView>>> {
    let query = SwapQuery { section_id: q.section_id, status: q.status, from: q.from, to: q.to };
    Ok(Json(state.app.list_shift_swaps(&auth.actor, query).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SwapOfferBody {
    /// The day of the shift (today or later).
    pub date: NaiveDate,
    /// A shift the caller is rostered for that day.
    #[serde(deserialize_with = "super::roster::required_int")]
    #[schema(value_type = i32)]
    pub shift_id: i32,
    /// One colleague of the section the offer is for; absent or null: the whole section.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[schema(value_type = Option<Uuid>)]
    pub to_user_id: Option<Uuid>,
    pub note: Option<String>,
}

/// Offer one of your rostered shifts (today or later) to a colleague or to the section.
#[utoipa::path(post, path = "/api/v1/checklists/shift-swaps", tag = "roster", request_body = SwapOfferBody,
    responses((status = 200, body = ShiftSwapView), SessionErrors, BodyErrors, WriteErrors,
              (status = 404, description = "You are not rostered for that shift that day", body = crate::error::Detail)))]
pub async fn offer_swap(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<SwapOfferBody>,
) -> ApiResult<Json<ShiftSwapView>> {
    let offer = SwapOffer { date: b.date, shift_id: b.shift_id, to_user_id: b.to_user_id, note: b.note };
    Ok(Json(state.app.offer_shift_swap(&auth.actor, offer).await?.into()))
}

/// Take an offered shift (a colleague of the section, free that day). It then waits for
/// a manager's approval, or is completed at once when the section needs none.
#[utoipa::path(post, path = "/api/v1/checklists/shift-swaps/{swap_id}/accept", tag = "roster",
    params(("swap_id" = Uuid, Path, description = "The swap's id")),
    responses((status = 200, body = ShiftSwapView), SessionErrors, PathErrors, WriteErrors))]
pub async fn accept_swap(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ShiftSwapView>> {
    Ok(Json(state.app.decide_shift_swap(&auth.actor, id, SwapDecision::Accept, None).await?.into()))
}

/// Approve an accepted swap (managers of the section, admins): the shift moves to the taker.
#[utoipa::path(post, path = "/api/v1/checklists/shift-swaps/{swap_id}/approve", tag = "roster",
    params(("swap_id" = Uuid, Path, description = "The swap's id")),
    responses((status = 200, body = ShiftSwapView), SessionErrors, PathErrors, WriteErrors))]
pub async fn approve_swap(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ShiftSwapView>> {
    Ok(Json(state.app.decide_shift_swap(&auth.actor, id, SwapDecision::Approve, None).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SwapReasonBody {
    /// Why (required, up to 500 characters).
    pub reason: Option<String>,
}

/// Reject an accepted swap (managers of the section, admins), saying why.
#[utoipa::path(post, path = "/api/v1/checklists/shift-swaps/{swap_id}/reject", tag = "roster",
    request_body = SwapReasonBody, params(("swap_id" = Uuid, Path, description = "The swap's id")),
    responses((status = 200, body = ShiftSwapView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn reject_swap(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<SwapReasonBody>,
) -> ApiResult<Json<ShiftSwapView>> {
    Ok(Json(state.app.decide_shift_swap(&auth.actor, id, SwapDecision::Reject, b.reason).await?.into()))
}

/// Cancel a swap before it is decided (the offerer, managers of the section, admins).
#[utoipa::path(post, path = "/api/v1/checklists/shift-swaps/{swap_id}/cancel", tag = "roster",
    params(("swap_id" = Uuid, Path, description = "The swap's id")),
    responses((status = 200, body = ShiftSwapView), SessionErrors, PathErrors, WriteErrors))]
pub async fn cancel_swap(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ShiftSwapView>> {
    Ok(Json(state.app.decide_shift_swap(&auth.actor, id, SwapDecision::Cancel, None).await?.into()))
}

/// A section's roster settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RosterSettingsView {
    pub section_id: Uuid,
    /// Whether an accepted swap waits for a manager's approval (default true).
    pub swaps_need_approval: bool,
    pub updated_by: Option<Uuid>,
    /// Null: never set (the defaults).
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<RosterSettings> for RosterSettingsView {
    fn from(s: RosterSettings) -> Self {
        RosterSettingsView {
            section_id: s.section_id,
            swaps_need_approval: s.swaps_need_approval,
            updated_by: s.updated_by,
            updated_at: s.updated_at,
        }
    }
}

/// The section's roster settings (its people, admins).
#[utoipa::path(get, path = "/api/v1/checklists/roster-settings/{section_id}", tag = "roster",
    params(("section_id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, body = RosterSettingsView), SessionErrors, PathErrors))]
pub async fn get_roster_settings(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
) -> ApiResult<Json<RosterSettingsView>> {
    Ok(Json(state.app.roster_settings(&auth.actor, section_id).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RosterSettingsBody {
    pub swaps_need_approval: bool,
}

/// Set the section's roster settings (its managers, admins).
#[utoipa::path(put, path = "/api/v1/checklists/roster-settings/{section_id}", tag = "roster",
    request_body = RosterSettingsBody, params(("section_id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, body = RosterSettingsView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn put_roster_settings(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<RosterSettingsBody>,
) -> ApiResult<Json<RosterSettingsView>> {
    Ok(Json(state.app.set_roster_settings(&auth.actor, section_id, b.swaps_need_approval).await?.into()))
}
