//! `/api/v1/notifications`: the signed-in user's notifications (the bell), read state
//! and notification preferences.

use axum::routing::get;
use axum::{Json, extract::State};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::notifications::{self as app, DEFAULT_LIMIT, PreferencesUpdate};

use super::lenient::patch_text;
use super::notification_wire::NotificationJson;

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(unread_count))
        .routes(routes!(mark_all_read))
        .routes(routes!(get_preferences, put_preferences))
        .routes(routes!(mark_read))
        // Not in the document: the original also answered without the trailing slash.
        .route("/api/v1/notifications", get(list_notifications))
}

/// Booleans as the original (FastAPI) accepted them in a query string:
/// true/false, 1/0, yes/no, on/off, in any case.
fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Ok(Some(true)),
        "false" | "0" | "no" | "off" | "f" | "n" => Ok(Some(false)),
        _ => Err(serde::de::Error::custom(format!("{text:?} is not a boolean"))),
    }
}

/// Parameters of the list. Read notifications are included when any parameter asks
/// for them (`unread_only=false`, `unreadOnly=false` or `include_read=true`).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default, deserialize_with = "opt_flag")]
    pub unread_only: Option<bool>,
    #[serde(default, rename = "unreadOnly", deserialize_with = "opt_flag")]
    pub unread_only_camel: Option<bool>,
    #[serde(default, deserialize_with = "opt_flag")]
    pub include_read: Option<bool>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

impl ListParams {
    fn unread_only(&self) -> bool {
        let wants_read =
            self.include_read == Some(true) || self.unread_only == Some(false) || self.unread_only_camel == Some(false);
        !wants_read
    }
}

/// The signed-in user's notifications, newest first (a bare array). Unread ones only unless
/// `unread_only=false` or `include_read=true`; `limit` 1–100 (default 50), `offset` from 0.
#[utoipa::path(get, path = "/api/v1/notifications/", tag = "notifications",
    params(("unread_only" = Option<bool>, Query, description = "default true"),
           ("unreadOnly" = Option<bool>, Query, description = "alias of unread_only"),
           ("include_read" = Option<bool>, Query, description = "true includes read notifications"),
           ("limit" = Option<u64>, Query, description = "1-100, default 50"),
           ("offset" = Option<u64>, Query, description = "default 0")),
    responses((status = 200, body = [NotificationJson]), SessionErrors, QueryErrors))]
pub async fn list_notifications(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<NotificationJson>>> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    let offset = params.offset.unwrap_or(0);
    let found = state.app.list_notifications(&auth.actor, params.unread_only(), limit, offset).await?;
    Ok(Json(found.into_iter().map(NotificationJson::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub count: u64,
}

/// How many of the signed-in user's notifications are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread/count", tag = "notifications",
    responses((status = 200, body = UnreadCount), SessionErrors))]
pub async fn unread_count(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<UnreadCount>> {
    Ok(Json(UnreadCount { count: state.app.unread_notification_count(&auth.actor).await? }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkReadAnswer {
    pub message: String,
}

/// Mark one of your notifications read (repeating it is harmless); 404 when it is not yours.
#[utoipa::path(patch, path = "/api/v1/notifications/{notification_id}/read", tag = "notifications",
    params(("notification_id" = Uuid, Path,)),
    responses((status = 200, body = MarkReadAnswer), SessionErrors, PathErrors, WriteErrors))]
pub async fn mark_read(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(notification_id): ApiPath<Uuid>,
) -> ApiResult<Json<MarkReadAnswer>> {
    state.app.mark_notification_read(&auth.actor, notification_id).await?;
    Ok(Json(MarkReadAnswer { message: "Notification marked as read".to_owned() }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkAllReadAnswer {
    pub message: String,
    pub updated: u64,
}

/// Mark every unread notification of yours read.
#[utoipa::path(post, path = "/api/v1/notifications/mark-all-read", tag = "notifications",
    responses((status = 200, body = MarkAllReadAnswer), SessionErrors, WriteErrors))]
pub async fn mark_all_read(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<MarkAllReadAnswer>> {
    let updated = state.app.mark_all_notifications_read(&auth.actor).await?;
    Ok(Json(MarkAllReadAnswer { message: format!("Marked {updated} notifications as read"), updated }))
}

/// A user's notification preferences (the original's `NotificationPreferences`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationPreferences {
    pub email_notifications: bool,
    pub push_notifications: bool,
    pub desktop_notifications: bool,
    pub sms_notifications: bool,
    /// "HH:MM" (or "HH:MM:SS" when seconds were given), in the business time zone.
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
    /// The PDF shift report mailed when a checklist of a section you supervise closes
    /// (managers and administrators; on by default for managers).
    pub shift_report_email: bool,
    /// One e-mail a day summing up the day's checklists of your section(s) (managers
    /// and administrators; off by default).
    pub daily_digest_email: bool,
    /// The notification priorities sent to you by e-mail, lowest first (all four by
    /// default). "critical" is always in it: CRITICAL is e-mailed whenever e-mail is on,
    /// and also during quiet hours, when other e-mail is held for one digest at their end.
    #[schema(value_type = Vec<String>, example = json!(["high", "critical"]))]
    pub email_priorities: Vec<&'static str>,
}

impl From<app::PreferencesRow> for NotificationPreferences {
    fn from(p: app::PreferencesRow) -> Self {
        NotificationPreferences {
            email_notifications: p.email_enabled,
            push_notifications: p.push_enabled,
            desktop_notifications: p.desktop_enabled,
            sms_notifications: p.sms_enabled,
            quiet_hours_start: p.quiet_hours_start.map(app::format_quiet_hour),
            quiet_hours_end: p.quiet_hours_end.map(app::format_quiet_hour),
            shift_report_email: p.shift_report_email.unwrap_or(false),
            daily_digest_email: p.daily_digest_email.unwrap_or(false),
            email_priorities: sentinelops_app::quiet::email_priorities(p.email_priorities.as_deref())
                .into_iter()
                .map(app::Priority::as_str)
                .collect(),
        }
    }
}

/// Your notification preferences (the defaults until you change them).
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications",
    responses((status = 200, body = NotificationPreferences), SessionErrors))]
pub async fn get_preferences(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<NotificationPreferences>> {
    Ok(Json(state.app.notification_preferences(&auth.actor).await?.into()))
}

/// Every field optional: absent fields keep their value; a null or empty quiet hour clears it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PreferencesBody {
    pub email_notifications: Option<bool>,
    pub push_notifications: Option<bool>,
    pub desktop_notifications: Option<bool>,
    pub sms_notifications: Option<bool>,
    /// "HH:MM" or "HH:MM:SS".
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub quiet_hours_start: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub quiet_hours_end: Option<Option<String>>,
    /// Per-category settings, a JSON object.
    #[schema(value_type = Option<Object>)]
    pub categories: Option<Value>,
    /// The PDF shift report by e-mail at sign-off (managers and administrators).
    pub shift_report_email: Option<bool>,
    /// The daily shift digest by e-mail (managers and administrators).
    pub daily_digest_email: Option<bool>,
    /// The priorities to e-mail: any of "low", "medium", "high", "critical" (anything
    /// else is refused with 422). "critical" is kept whether listed or not.
    pub email_priorities: Option<Vec<String>>,
}

/// Change your notification preferences; answers them as stored.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notifications", request_body = PreferencesBody,
    responses((status = 200, body = NotificationPreferences), SessionErrors, BodyErrors, WriteErrors))]
pub async fn put_preferences(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<PreferencesBody>,
) -> ApiResult<Json<NotificationPreferences>> {
    let update = PreferencesUpdate {
        email_notifications: body.email_notifications,
        push_notifications: body.push_notifications,
        desktop_notifications: body.desktop_notifications,
        sms_notifications: body.sms_notifications,
        quiet_hours_start: body.quiet_hours_start,
        quiet_hours_end: body.quiet_hours_end,
        categories: body.categories,
        shift_report_email: body.shift_report_email,
        daily_digest_email: body.daily_digest_email,
        email_priorities: body.email_priorities,
    };
    Ok(Json(state.app.put_notification_preferences(&auth.actor, update).await?.into()))
}
