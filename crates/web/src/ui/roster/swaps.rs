//! `/ui/roster/swaps`: shift swaps. My rostered shifts of the next four weeks, each with
//! an Offer form (to the section or to one colleague); the open offers I can take; my
//! offers with Cancel; and, for managers and admins, the swaps awaiting approval with
//! Approve and Reject, and the section's "swaps need approval" setting. Every form
//! answers through `outcome` (303 with a flash, or the page again with the message).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::roster::{OfferableShift, SwapDecision, SwapOffer, SwapQuery, SwapView};
use sentinelops_domain::swap::SwapStatus;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome::{Refusal, outcome, refused};
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/roster/swaps", get(page))
        .route("/ui/roster/swaps/offer", post(offer))
        .route("/ui/roster/swaps/settings", post(settings))
        .route("/ui/roster/swaps/{swap_id}/{action}", post(decide))
}

const BACK: &str = "/ui/roster/swaps";
/// The days of my shifts the page lists.
const DAYS: u64 = 28;

/// A colleague a shift may be offered to.
pub struct Colleague {
    pub id: Uuid,
    pub name: String,
}

#[derive(Template)]
#[template(path = "roster_swaps.html")]
pub struct SwapsPage {
    pub layout: Layout,
    pub csrf: String,
    pub me: Uuid,
    pub my_shifts: Vec<OfferableShift>,
    pub colleagues: Vec<Colleague>,
    /// Offers of others I may take.
    pub open: Vec<SwapView>,
    /// My offers not decided yet.
    pub mine: Vec<SwapView>,
    /// Accepted swaps waiting for a decision (managers and admins only).
    pub awaiting: Vec<SwapView>,
    /// Completed, rejected and cancelled swaps of the section, newest dates last.
    pub history: Vec<SwapView>,
    pub supervisor: bool,
    /// The section's setting (managers of a section).
    pub swaps_need_approval: Option<bool>,
    pub error: Option<String>,
}

impl SwapsPage {
    pub fn day(&self, date: &NaiveDate) -> String {
        date.format("%a %d %b %Y").to_string()
    }

    pub fn status_words(&self, swap: &SwapView) -> &'static str {
        match (swap.row.status.get(), swap.row.auto_approved) {
            (SwapStatus::Offered, _) => "Offered",
            (SwapStatus::Accepted, _) => "Awaiting approval",
            (SwapStatus::Approved, true) => "Completed (no approval needed)",
            (SwapStatus::Approved, false) => "Approved",
            (SwapStatus::Rejected, _) => "Rejected",
            (SwapStatus::Cancelled, _) => "Cancelled",
        }
    }
}

async fn page(State(state): State<AppState>, user: UiUser) -> UiResult {
    render_page(&state, &user, StatusCode::OK, None).await
}

async fn render_page(state: &AppState, user: &UiUser, status: StatusCode, error: Option<String>) -> UiResult {
    let actor = &user.actor;
    let today = state.app.operational_today().await?.0;
    let me = actor.user_id;
    let my_shifts = state.app.my_offerable_shifts(actor, DAYS).await?;
    let colleagues = state
        .app
        .users_by_section(actor, None)
        .await?
        .into_iter()
        .filter(|u| u.id != me)
        .map(|u| Colleague { id: u.id, name: format!("{} {}", u.first_name, u.last_name).trim().to_owned() })
        .collect();
    let swaps = match actor.section_id {
        Some(section) => {
            let query = SwapQuery { section_id: Some(section), from: Some(today), ..SwapQuery::default() };
            state.app.list_shift_swaps(actor, query).await?
        }
        None if actor.is_admin() => {
            state.app.list_shift_swaps(actor, SwapQuery { from: Some(today), ..SwapQuery::default() }).await?
        }
        None => Vec::new(),
    };
    let supervisor = user.is_supervisor();
    let (mut open, mut mine, mut awaiting, mut history) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for swap in swaps {
        let status = swap.row.status.get();
        if swap.row.offered_by == me && !status.is_final() {
            mine.push(swap);
        } else if status == SwapStatus::Offered && swap.row.offered_to.is_none_or(|to| to == me) {
            if actor.section_id == Some(swap.row.section_id) {
                open.push(swap);
            }
        } else if status == SwapStatus::Accepted && supervisor {
            awaiting.push(swap);
        } else if status.is_final() {
            history.push(swap);
        }
    }
    let swaps_need_approval = match (supervisor, actor.section_id) {
        (true, Some(section)) => Some(state.app.roster_settings(actor, section).await?.swaps_need_approval),
        _ => None,
    };
    let page = SwapsPage {
        layout: user.layout(state, "Shift swaps", "roster").await,
        csrf: user.csrf.clone(),
        me,
        my_shifts,
        colleagues,
        open,
        mine,
        awaiting,
        history,
        supervisor,
        swaps_need_approval,
        error,
    };
    Ok(render::page_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfferForm {
    pub date: String,
    pub shift_id: String,
    pub to_user_id: String,
    pub note: String,
}

async fn offer(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<OfferForm>,
) -> UiResult {
    let rerender = |status, message| render_page(&state, &user, status, Some(message));
    let date = form.date.trim().parse::<NaiveDate>();
    let shift_id = form.shift_id.trim().parse::<i32>();
    let to_user_id = match form.to_user_id.trim() {
        "" => Ok(None),
        text => text.parse::<Uuid>().map(Some),
    };
    let (Ok(date), Ok(shift_id), Ok(to_user_id)) = (date, shift_id, to_user_id) else {
        return refused(&headers, Refusal::Input("Choose a shift, and a colleague or the section.".into()), rerender)
            .await;
    };
    let note = Some(form.note).filter(|n| !n.trim().is_empty());
    let result = state.app.offer_shift_swap(&user.actor, SwapOffer { date, shift_id, to_user_id, note }).await;
    let done = |swap: SwapView| format!("You offered the {} shift on {}.", swap.shift_name, swap.row.date);
    outcome(&headers, result, BACK, done, rerender).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub reason: String,
}

async fn decide(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath((id, action)): UiPath<(Uuid, String)>,
    UiForm(form): UiForm<DecisionForm>,
) -> UiResult {
    let decision = match action.as_str() {
        "accept" => SwapDecision::Accept,
        "approve" => SwapDecision::Approve,
        "reject" => SwapDecision::Reject,
        "cancel" => SwapDecision::Cancel,
        _ => return Err(AppError::NotFound("No such page".into()).into()),
    };
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    let result = state.app.decide_shift_swap(&user.actor, id, decision, reason).await;
    let done = |swap: SwapView| {
        let verb = match decision {
            SwapDecision::Accept if swap.row.status.get() == SwapStatus::Approved => "taken: it is yours now",
            SwapDecision::Accept => "taken: it now waits for a manager's approval",
            SwapDecision::Approve => "approved",
            SwapDecision::Reject => "rejected",
            SwapDecision::Cancel => "cancelled",
        };
        format!("The {} shift on {} is {verb}.", swap.shift_name, swap.row.date)
    };
    let rerender = |status, message| render_page(&state, &user, status, Some(message));
    outcome(&headers, result, BACK, done, rerender).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    /// "on" when the box is ticked (absent otherwise).
    pub swaps_need_approval: Option<String>,
}

async fn settings(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<SettingsForm>,
) -> UiResult {
    let rerender = |status, message| render_page(&state, &user, status, Some(message));
    let Some(section) = user.actor.section_id else {
        return refused(&headers, AppError::Forbidden("You are not assigned to a section".into()), rerender).await;
    };
    let need = form.swaps_need_approval.is_some();
    let result = state.app.set_roster_settings(&user.actor, section, need).await;
    let done = |s: sentinelops_app::roster::RosterSettings| {
        if s.swaps_need_approval {
            "Swaps now need a manager's approval.".to_owned()
        } else {
            "Swaps now complete when a colleague accepts them.".to_owned()
        }
    };
    outcome(&headers, result, BACK, done, rerender).await
}
