//! `/ui/dashboard`: the landing page after sign-in. Only the frame for now (the
//! dashboard's content is its own piece of work).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::state::AppState;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/dashboard", get(dashboard))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
}

async fn dashboard(State(state): State<AppState>, user: UiUser) -> Response {
    let layout = user.layout(&state, "Today", "dashboard").await;
    render::page(&DashboardPage { layout })
}
