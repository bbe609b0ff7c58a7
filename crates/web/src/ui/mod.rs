//! The built-in web UI under `/ui`: server-rendered HTML (askama templates in
//! `crates/web/templates/`), plain forms that work without script, `ui.js` enhancing
//! them. Each page module exposes `routes()`, merged here; every route gets the
//! security headers and the CSRF guard.
//!
//! Adding a page (see `dashboard.rs`):
//! - a module with `pub fn routes() -> Router<AppState>`, merged below;
//! - the handler takes `UiUser` (redirects to sign-in when there is no session), or
//!   `roles::Admin`/`roles::Supervisor` for a page behind a role (403 page for others),
//!   and `UiPath`/`UiQuery`/`UiForm` (HTML rejections); it returns `UiResult`, calls the
//!   `App` use case with `?` (an error becomes the error page in the layout, see
//!   `error.rs`) and answers
//!   `render::page(&MyPage { layout: user.layout(&state, "Title", "nav-key").await, .. })`;
//! - the template `{% extends "layout.html" %}` and fills `{% block content %}` (and
//!   `head` for a per-page CSS/JS `<link>`/`<script src>`, `main_attrs` for `data-*` on
//!   `<main>`); with `{% import "macros.html" as m %}`, forms carry
//!   `{% call m::csrf(layout.csrf) %}{% endcall %}` and confirmations are
//!   `{% call(part) m::confirm_dialog(…) %}`;
//! - a POST answers through `outcome.rs`: 303 with a flash, the message for `ui.js`, or
//!   its page again with the message beside the form.

pub mod admin;
pub mod alerts;
pub mod assets;
pub mod audit;
pub mod checklist;
pub mod checklists;
pub mod dashboard;
pub mod error;
pub mod extract;
pub mod headers;
pub mod login;
pub mod notifications;
pub mod outcome;
pub mod performance;
pub mod profile;
pub mod render;
pub mod report_files;
pub mod reports_page;
pub mod roles;
pub mod roster;
pub mod session;
pub mod templates;
pub mod timefmt;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/ui", get(to_dashboard))
        .route("/ui/", get(to_dashboard))
        .merge(assets::routes())
        .merge(login::routes())
        .merge(dashboard::routes())
        .merge(checklists::routes())
        .merge(checklist::routes())
        .merge(notifications::routes())
        .merge(alerts::routes())
        .merge(performance::routes())
        .merge(roster::routes())
        .merge(admin::routes())
        .merge(audit::routes())
        .merge(reports_page::routes())
        .merge(report_files::routes())
        .merge(profile::routes())
        .merge(templates::routes())
        // Any other `/ui` path: the 404 page (with the layout when signed in).
        .route("/ui/{*rest}", axum::routing::any(not_found))
        .layer(from_fn_with_state(state.clone(), error::error_pages))
        .layer(from_fn_with_state(state.clone(), session::csrf_guard))
}

async fn to_dashboard() -> Response {
    Redirect::to("/ui/dashboard").into_response()
}

async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    extract::not_found(&parts, &state).await
}
