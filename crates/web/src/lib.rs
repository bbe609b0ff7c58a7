//! HTTP for SentinelOps: the only crate that imports axum.
//!
//! `api/` keeps the original system's JSON contract; `ops/` holds health, metrics and
//! the API reference; `extract` and `error` turn requests into use-case calls and
//! use-case results into the original's response shapes; `ui/` is the built-in,
//! server-rendered web UI.

mod alert_link;
pub mod api;
pub mod error;
pub mod export;
pub mod extract;
mod feeds;
pub mod idempotency;
pub mod live;
pub mod middleware;
pub mod ops;
mod security_headers;
mod serve;
pub mod state;
pub mod ui;

use std::path::Path;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{any, get};
use tokio::net::TcpListener;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::{ServeDir, ServeFile};

pub use serve::serve;
pub use state::{AppState, WebConfig};

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    ops::install_recorder();
    let (api, document) = ops::openapi::split(api::routes());
    let routes = Router::new().merge(api).merge(live::routes()).merge(ops::routes(document)).merge(ui::routes(&state));
    let routes = routes.merge(feeds::routes()).merge(alert_link::routes());
    let routes = match &state.web.static_dir {
        // A frontend build (the original React app, say): files by path, and
        // `index.html` for any other path so client-side routes load the app.
        // Unknown API paths still answer 404, never the app's page.
        Some(dir) => routes
            .route("/api/{*rest}", any(not_found))
            .route("/auth/{*rest}", any(not_found))
            .fallback_service(static_frontend(dir)),
        // No frontend build: the built-in UI is the front door.
        None => routes.route("/", get(|| async { axum::response::Redirect::to("/ui/") })).fallback(not_found),
    };
    middleware::wrap(routes.with_state(state.clone()), &state)
}

/// Any path no route has, whatever the method: the original's `{detail}` 404. It must
/// be set here, after the merges: otherwise the fallback is the UI router's, wrapped in
/// its CSRF guard, which sent a POST or PUT to an unknown API path to the sign-in page
/// (a 303 that an API client follows to a 200 HTML page).
async fn not_found() -> axum::response::Response {
    error::detail(StatusCode::NOT_FOUND, "Not Found")
}

/// The static frontend's files, marked so the security headers leave their caching be.
/// Methods other than GET and HEAD get `ServeDir`'s 405 (with `Allow`), which leaves as
/// `{detail}`.
fn static_frontend(dir: &Path) -> StaticFiles {
    let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    tower::util::MapResponse::new(files, mark_static as fn(FileResponse) -> FileResponse)
}

type FileResponse = axum::http::Response<ServeFileSystemResponseBody>;
type StaticFiles = tower::util::MapResponse<ServeDir<ServeFile>, fn(FileResponse) -> FileResponse>;

fn mark_static(mut response: FileResponse) -> FileResponse {
    response.extensions_mut().insert(security_headers::StaticFile);
    response
}

/// Accepted sockets with TCP_NODELAY, for serving with `axum::serve` (the benchmark's
/// ceiling server); `serve` sets it itself.
pub fn no_delay(listener: TcpListener) -> axum::serve::TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    axum::serve::ListenerExt::tap_io(listener, |tcp| serve::set_no_delay(tcp))
}
