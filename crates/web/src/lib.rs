//! HTTP for SentinelOps: the only crate that imports axum.
//!
//! `api/` keeps the original system's JSON contract; `ops/` holds health, metrics and
//! the API reference; `extract` and `error` turn requests into use-case calls and
//! use-case results into the original's response shapes; `ui/` is the built-in,
//! server-rendered web UI.

pub mod api;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod live;
pub mod middleware;
pub mod ops;
pub mod state;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use state::{AppState, WebConfig};

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    ops::install_recorder();
    let routes =
        Router::new().merge(api::routes()).merge(live::routes()).merge(ops::routes()).merge(ui::routes(&state));
    let routes = match &state.web.static_dir {
        // A frontend build (the original React app, say): files by path, and
        // `index.html` for any other path so client-side routes load the app.
        // Unknown API paths still answer 404, never the app's page.
        Some(dir) => routes
            .route("/api/{*rest}", axum::routing::any(api_not_found))
            .route("/auth/{*rest}", axum::routing::any(api_not_found))
            .fallback_service(
                tower_http::services::ServeDir::new(dir)
                    .fallback(tower_http::services::ServeFile::new(dir.join("index.html"))),
            ),
        // No frontend build: the built-in UI is the front door.
        None => routes.route("/", axum::routing::get(|| async { axum::response::Redirect::to("/ui/") })),
    };
    middleware::wrap(routes.with_state(state.clone()), &state)
}

async fn api_not_found() -> axum::http::StatusCode {
    axum::http::StatusCode::NOT_FOUND
}

/// Accepted sockets with TCP_NODELAY: without it a response written in several
/// pieces waits for the client's delayed ACK (~40 ms on Linux) before its last piece.
pub fn no_delay(listener: TcpListener) -> axum::serve::TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    axum::serve::ListenerExt::tap_io(listener, set_no_delay)
}

fn set_no_delay(tcp: &mut tokio::net::TcpStream) {
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::debug!("cannot set TCP_NODELAY: {err}");
    }
}

/// Serves until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = state.app.live.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Long-lived streams and sockets end first, so the graceful drain can finish.
    let shutdown = async move {
        shutdown.await;
        live.begin_shutdown();
    };
    axum::serve(no_delay(listener), app).with_graceful_shutdown(shutdown).await
}
