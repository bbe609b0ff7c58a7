//! The banner on every page of a supervisor while an alert of their sections is OPEN:
//! the newest one's title, how many are unacknowledged, an Acknowledge button and a
//! link to the list. `Layout::for_user` reads it (one query, supervisors only); `ui.js`
//! swaps in `/ui/alerts/banner` when an ALERT_* live event arrives.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use uuid::Uuid;

use sentinelops_app::Actor;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::render;
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/alerts/banner", get(fragment))
}

/// What the banner shows.
#[derive(Debug, Clone)]
pub struct AlertBanner {
    pub alert_id: Uuid,
    pub title: String,
    /// Unacknowledged alerts in all.
    pub total: u64,
}

/// The banner of `actor`, if any. The banner is a courtesy: a failed read shows none
/// rather than no page.
pub async fn for_actor(state: &AppState, actor: &Actor) -> Option<AlertBanner> {
    if !actor.role.is_supervisor() {
        return None;
    }
    match state.app.unacknowledged_alerts(actor).await {
        Ok(page) => page.rows.into_iter().next().map(|newest| AlertBanner {
            alert_id: newest.id,
            title: newest.title,
            total: page.total,
        }),
        Err(err) => {
            tracing::warn!("unacknowledged alerts for the layout failed: {err}");
            None
        }
    }
}

/// `partials/alert_banner.html` alone, for `#alert-banner`.
#[derive(Template)]
#[template(
    source = "{% if let Some(banner) = banner %}{% include \"partials/alert_banner.html\" %}{% endif %}",
    ext = "html"
)]
pub struct BannerFragment {
    pub banner: Option<AlertBanner>,
    pub token: String,
}

async fn fragment(State(state): State<AppState>, user: UiUser) -> UiResult {
    let banner = for_actor(&state, &user.actor).await;
    Ok(render::page(&BannerFragment { banner, token: user.csrf.clone() }))
}
