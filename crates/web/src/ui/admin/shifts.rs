//! `/ui/admin/shifts`: the shift definitions and the business time zone. Shifts are
//! defined once each (MORNING, AFTERNOON, NIGHT); their windows and colours can be
//! changed (checklists created afterwards use the new window) and a shift nothing uses
//! can be deleted.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use sentinelops_app::settings::TimezoneSetting;
use sentinelops_app::shifts::{self as app, ShiftChange, ShiftInput};

use crate::api::shifts::ShiftView;
use sentinelops_domain::shift::ShiftType;

use super::{AdminPost, FormError, error_for, non_empty};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome::outcome;
use crate::ui::render::{self, Layout};
use crate::ui::roles::Admin;
use crate::ui::session::UiUser;
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/admin/shifts", get(shifts_page).post(create_shift))
        .route("/ui/admin/shifts/{id}", axum::routing::post(update_shift))
        .route("/ui/admin/shifts/{id}/delete", axum::routing::post(delete_shift))
        .route("/ui/admin/timezone", post(set_timezone))
}

const BACK: &str = "/ui/admin/shifts";

#[derive(Template)]
#[template(path = "admin_shifts.html")]
pub struct ShiftsPage {
    pub layout: Layout,
    pub tab: &'static str,
    pub csrf: String,
    pub shifts: Vec<ShiftView>,
    /// Shift names not defined yet (the only ones the create form offers).
    pub undefined: Vec<&'static str>,
    pub timezone: TimezoneSetting,
    pub server_local: String,
    pub updated_at: String,
    /// Every IANA zone name, for the picker's datalist.
    pub zone_names: Vec<&'static str>,
    /// What the time zone field held when it was refused.
    pub zone_draft: String,
    pub error: Option<FormError>,
}

impl ShiftsPage {
    /// "07:00:00" → "07:00", for a time input.
    pub fn hm<'a>(&self, time: &'a str) -> &'a str {
        time.get(..5).unwrap_or(time)
    }

    pub fn error_for(&self, form: &str) -> Option<&str> {
        error_for(&self.error, form)
    }
}

async fn shifts_page(State(state): State<AppState>, Admin(user, ..): Admin) -> UiResult {
    render_page(&state, &user, StatusCode::OK, None, String::new()).await
}

async fn render_page(
    state: &AppState,
    user: &UiUser,
    status: StatusCode,
    error: Option<FormError>,
    zone_draft: String,
) -> UiResult {
    let shifts: Vec<ShiftView> = state.app.list_shifts().await?.into_iter().map(ShiftView::from).collect();
    let timezone = state.app.timezone_setting().await?;
    let tz = state.app.business_timezone().await?;
    let undefined = ShiftType::ALL
        .into_iter()
        .map(ShiftType::as_str)
        .filter(|name| !shifts.iter().any(|s| s.name == *name))
        .collect();
    let page = ShiftsPage {
        layout: user.layout(state, "Shifts and time zone", "admin").await,
        tab: "shifts",
        csrf: user.csrf.clone(),
        shifts,
        undefined,
        server_local: timefmt::minute(tz, timezone.server_utc),
        updated_at: timefmt::minute_or_never(tz, timezone.updated_at),
        timezone,
        zone_names: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        zone_draft,
        error,
    };
    Ok(render::page_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShiftForm {
    pub name: String,
    pub start_time: String,
    pub end_time: String,
    pub timezone: String,
    pub color: String,
}

async fn create_shift(post: AdminPost, UiForm(form): UiForm<ShiftForm>) -> UiResult {
    let AdminPost { state, user, headers, .. } = &post;
    let input = ShiftInput {
        timezone: non_empty(&form.timezone).map(str::to_owned),
        color: non_empty(&form.color).map(str::to_owned),
        name: form.name,
        start_time: form.start_time,
        end_time: form.end_time,
    };
    let result = state.app.create_shift(&user.actor, input).await;
    let done = |shift: app::ShiftView| format!("Shift {} defined.", shift.row.name);
    outcome(headers, result, BACK, done, |status, message| {
        render_page(state, user, status, Some(FormError::new("shift", message)), String::new())
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TimezoneForm {
    pub timezone: String,
}

async fn set_timezone(post: AdminPost, UiForm(form): UiForm<TimezoneForm>) -> UiResult {
    let AdminPost { state, user, headers, .. } = &post;
    let result = state.app.set_timezone(&user.actor, &form.timezone).await;
    let done = |setting: TimezoneSetting| format!("The business time zone is now {}.", setting.timezone);
    let draft = form.timezone.chars().take(100).collect();
    outcome(headers, result, BACK, done, |status, message| {
        render_page(state, user, status, Some(FormError::new("timezone", message)), draft)
    })
    .await
}

async fn update_shift(post: AdminPost, UiPath(id): UiPath<i32>, UiForm(form): UiForm<ShiftForm>) -> UiResult {
    let AdminPost { state, user, headers, .. } = &post;
    // Blank time zone or colour clears it; the name is the shift's code and stays.
    let change = ShiftChange {
        name: None,
        start_time: Some(form.start_time),
        end_time: Some(form.end_time),
        timezone: Some(form.timezone.trim().to_owned()),
        color: Some(form.color.trim().to_owned()),
    };
    let result = state.app.update_shift(&user.actor, id, change).await;
    let done =
        |shift: app::ShiftView| format!("Shift {} changed: checklists created from now on use it.", shift.row.name);
    outcome(headers, result, BACK, done, |status, message| {
        render_page(state, user, status, Some(FormError::new("shift", message)), String::new())
    })
    .await
}

async fn delete_shift(post: AdminPost, UiPath(id): UiPath<i32>) -> UiResult {
    let AdminPost { state, user, headers, .. } = &post;
    let result = state.app.delete_shift(&user.actor, id).await;
    outcome(
        headers,
        result,
        BACK,
        |()| "Shift deleted.".to_owned(),
        |status, message| render_page(state, user, status, Some(FormError::new("shift", message)), String::new()),
    )
    .await
}
