//! `/ui/performance`: my points, grade, tier and the way to the next one, streak, the
//! four windows (`?window=`), the trend as a server-drawn SVG chart, badges with their
//! Claim forms, recent points, the leaderboard and "why didn't I get points?".
//! `/ui/performance/live` is the numbers as a fragment; `performance.js` refetches it
//! when the live stream says points arrived (`points_updated`). The section view for
//! managers is `section.rs`.

pub mod chart;
pub mod section;
pub mod view;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde::Deserialize;

use sentinelops_app::AppError;
use sentinelops_domain::performance::Window;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath, UiQuery};
use crate::ui::outcome;
use crate::ui::render::{self, Flash, Layout};
use crate::ui::session::{self, UiUser};

use self::view::PerformanceView;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/performance", get(page))
        .route("/ui/performance/live", get(live))
        .route("/ui/performance/badges/{key}/claim", post(claim))
        .merge(section::routes())
}

/// `?window=weekly|monthly|quarterly|yearly` (default monthly, as the original page).
#[derive(Debug, Default, Deserialize)]
pub struct WindowQuery {
    #[serde(default)]
    pub window: Option<String>,
}

/// The window asked for; anything else is a 422 page naming the four.
pub fn window_of(text: Option<&str>) -> Result<Window, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Window::Monthly),
        Some(key) => Window::parse(key)
            .ok_or_else(|| AppError::Validation("The window must be weekly, monthly, quarterly or yearly.".to_owned())),
    }
}

#[derive(Template)]
#[template(path = "performance.html")]
pub struct PerformancePage {
    pub layout: Layout,
    pub view: PerformanceView,
    pub csrf: String,
    /// Managers and admins get a link to the section view.
    pub section_link: bool,
}

#[derive(Template)]
#[template(path = "partials/performance_live.html")]
pub struct PerformanceLive {
    pub view: PerformanceView,
    pub csrf: String,
}

async fn page(State(state): State<AppState>, user: UiUser, UiQuery(query): UiQuery<WindowQuery>) -> UiResult {
    let window = window_of(query.window.as_deref())?;
    let view = view::load(&state, &user, window).await?;
    let layout = user.layout(&state, "Performance", "performance").await;
    let section_link = user.is_supervisor();
    Ok(render::page(&PerformancePage { layout, view, csrf: user.csrf.clone(), section_link }))
}

async fn live(State(state): State<AppState>, user: UiUser, UiQuery(query): UiQuery<WindowQuery>) -> UiResult {
    let window = window_of(query.window.as_deref())?;
    let view = view::load(&state, &user, window).await?;
    Ok(render::page(&PerformanceLive { view, csrf: user.csrf.clone() }))
}

/// The claim form's fields: the window to come back to.
#[derive(Debug, Default, Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    pub window: Option<String>,
}

/// Claims a badge, back to the page with a flash. A badge that is not ready (or not a
/// badge) is a flash too: the page says why, the claim changed nothing.
async fn claim(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(key): UiPath<String>,
    UiForm(form): UiForm<ClaimForm>,
) -> UiResult {
    let window = window_of(form.window.as_deref()).unwrap_or(Window::Monthly);
    let back = format!("/ui/performance?window={}#badges", window.as_str());
    match state.app.claim_badge(&user.actor, &key).await {
        Ok((badge, _)) => Ok(outcome::saved(&headers, &back, format!("Badge claimed: {}.", badge.def.name))),
        Err(err @ (AppError::BadRequest(_) | AppError::Validation(_) | AppError::Conflict(_)))
            if !session::is_fetch(&headers) =>
        {
            Ok(render::redirect_with_flash(&headers, &back, Flash::error(render::error_message(&err).1)))
        }
        Err(err) => Err(err.into()),
    }
}
