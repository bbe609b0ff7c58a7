//! `/ui/checklists/{id}`: the live checklist, the page operators work in during a
//! shift. `GET …/live` is the region `ui.js` refreshes on the checklist's live events
//! (`main[data-live-checklist]` → `[data-live-region]`); the actions (`actions.rs`)
//! answer it too when submitted by `ui.js`.

mod actions;
pub mod model;
#[cfg(test)]
mod snapshots;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use uuid::Uuid;

use sentinelops_app::AppError;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::UiPath;
use crate::ui::render::{self, Layout};
use crate::ui::session::{self, UiUser};
use model::{LiveChecklist, Notice, Viewer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/checklists/{id}", get(page))
        .route("/ui/checklists/{id}/live", get(live))
        .merge(actions::routes())
}

#[derive(Template)]
#[template(path = "checklist.html")]
pub struct ChecklistPage {
    pub layout: Layout,
    pub live: LiveChecklist,
    pub csrf: String,
    pub checklist_id: String,
}

#[derive(Template)]
#[template(path = "partials/checklist_live.html")]
pub struct LiveFragment {
    pub live: LiveChecklist,
    pub csrf: String,
    pub checklist_id: String,
}

async fn page(State(state): State<AppState>, user: UiUser, headers: HeaderMap, UiPath(id): UiPath<Uuid>) -> UiResult {
    answer(&state, &user, &headers, id, StatusCode::OK, None, None).await
}

async fn live(State(state): State<AppState>, user: UiUser, UiPath(id): UiPath<Uuid>) -> UiResult {
    let live = load(&state, &user, id).await?;
    Ok(render::page(&LiveFragment { csrf: user.csrf.clone(), checklist_id: live.id.clone(), live }))
}

/// Everything the page shows, read through the use cases (which decide who may see it).
async fn load(state: &AppState, user: &UiUser, id: Uuid) -> Result<LiveChecklist, AppError> {
    let view = state.app.instance_view(&user.actor, id).await?;
    let handover = state.app.instance_handover(&user.actor, id, true, true).await?;
    let tz = state.app.business_timezone().await?;
    // The section's name is a label: a failed lookup shows none rather than no page.
    let section = match state.app.list_sections(None).await {
        Ok(sections) => sections.into_iter().find(|s| s.id == view.row.section_id).map(|s| s.name).unwrap_or_default(),
        Err(err) => {
            tracing::warn!("section name for the checklist page failed: {err}");
            String::new()
        }
    };
    let viewer =
        Viewer { user_id: user.actor.user_id, is_supervisor: user.is_supervisor(), tz, now: state.app.clock.now() };
    Ok(LiveChecklist::build(&view, section, &handover, &viewer))
}

/// The checklist as the answer to a request: the live fragment for `ui.js`, else the
/// whole page; with a notice (and the user's unsaved text) after a refused change.
async fn answer(
    state: &AppState,
    user: &UiUser,
    headers: &HeaderMap,
    id: Uuid,
    status: StatusCode,
    notice: Option<Notice>,
    draft: Option<(&str, &str)>,
) -> UiResult {
    let mut live = load(state, user, id).await?;
    live.notice = notice;
    if let Some((item_id, text)) = draft {
        live.keep_draft(item_id, text);
    }
    let checklist_id = live.id.clone();
    if session::is_fetch(headers) {
        return Ok(render::page_status(status, &LiveFragment { live, csrf: user.csrf.clone(), checklist_id }));
    }
    let title = format!("{} · {}", live.name, live.shift);
    let layout = user.layout(state, title, "checklists").await;
    Ok(render::page_status(status, &ChecklistPage { csrf: layout.csrf.clone(), layout, live, checklist_id }))
}
