//! `/ui/roster/me`: my schedule for the next four weeks (shifts, days off, rest days),
//! a form to request days off, and my requests with a way to cancel them.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use chrono::{Days, NaiveDate};
use serde::Deserialize;

use sentinelops_app::roster::{DayOffInput, MyDay};

use super::week::{ShiftOption, span};
use super::{answer, required_date};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::UiForm;
use crate::ui::outcome::Refusal;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

/// Days the page shows.
const DAYS: u64 = 28;
const BACK: &str = "/ui/roster/me";

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/roster/me", get(my_page)).route("/ui/roster/me/days-off", post(request_day_off))
}

#[derive(Template)]
#[template(path = "roster_me.html")]
pub struct MyPage {
    pub layout: Layout,
    pub csrf: String,
    pub days: Vec<MyDayView>,
    pub requests: Vec<RequestView>,
    pub back: &'static str,
}

#[derive(Debug, Clone)]
pub struct MyDayView {
    pub iso: String,
    pub label: String,
    pub today: bool,
    /// "shift", "off" or "none".
    pub kind: &'static str,
    pub shift: Option<ShiftOption>,
    /// "07:00 – 15:00", the reason of a day off, or "Not scheduled".
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct RequestView {
    pub id: String,
    pub dates: String,
    pub reason: String,
    pub status: String,
    pub can_cancel: bool,
}

async fn my_page(State(state): State<AppState>, user: UiUser) -> UiResult {
    let (today, _, _) = state.app.operational_today().await?;
    let last = today.checked_add_days(Days::new(DAYS - 1)).unwrap_or(today);
    let (_, _, days) = state.app.my_schedule(&user.actor, Some(today), Some(last)).await?;
    let days = days.into_iter().map(|d| day_view(d, today)).collect();
    let requests = state
        .app
        .list_days_off(&user.actor, None, None)
        .await?
        .into_iter()
        .filter(|d| d.user_id == user.actor.user_id)
        .take(20)
        .map(|d| RequestView {
            id: d.id.to_string(),
            dates: span(d.start_date, d.end_date),
            can_cancel: matches!(d.status.as_str(), "PENDING" | "APPROVED") && d.end_date >= today,
            reason: d.reason,
            status: d.status,
        })
        .collect();
    let page = MyPage {
        layout: user.layout(&state, "My schedule", "roster").await,
        csrf: user.csrf.clone(),
        days,
        requests,
        back: BACK,
    };
    Ok(render::page(&page))
}

fn day_view(day: MyDay, today: NaiveDate) -> MyDayView {
    let head = |date: NaiveDate| (date.to_string(), date.format("%a %-d %b").to_string(), date == today);
    match day {
        MyDay::Shift { date, shift, .. } => {
            let (iso, label, today) = head(date);
            let text = format!("{} – {}", shift.start_time.format("%H:%M"), shift.end_time.format("%H:%M"));
            let shift =
                ShiftOption { id: shift.id.to_string(), class: format!("shift-{}", shift.id), name: shift.name };
            MyDayView { iso, label, today, kind: "shift", shift: Some(shift), text }
        }
        MyDay::Off { date, reason, .. } => {
            let (iso, label, today) = head(date);
            MyDayView { iso, label, today, kind: "off", shift: None, text: reason }
        }
        MyDay::Unscheduled { date } => {
            let (iso, label, today) = head(date);
            MyDayView { iso, label, today, kind: "none", shift: None, text: "Not scheduled".to_owned() }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayOffForm {
    pub start_date: String,
    pub end_date: String,
    pub reason: String,
}

async fn request_day_off(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<DayOffForm>,
) -> UiResult {
    let result = async {
        let start_date = required_date("The first day", &form.start_date)?;
        let end_date = super::date_field("The last day", &form.end_date)?.unwrap_or(start_date);
        let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
        let input = DayOffInput { user_id: None, start_date, end_date, reason, approved: false };
        state.app.request_day_off(&user.actor, input).await.map_err(Refusal::from)
    }
    .await;
    answer(&headers, BACK, result, |done| {
        format!("Days off requested ({}): your manager decides.", span(done.row.start_date, done.row.end_date))
    })
    .await
}
