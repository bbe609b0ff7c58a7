//! Operations endpoints: health, readiness, Prometheus metrics, the OpenAPI
//! document and a browsable API reference served by the binary itself.

mod docs;
mod health;
mod metrics;
pub mod openapi;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub use metrics::install_recorder;

/// The operations endpoints; `document` is the API's OpenAPI document (`openapi::split`).
pub fn routes(document: utoipa::openapi::OpenApi) -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/openapi/v1.json", openapi::serve(document))
        .route("/api/docs", get(docs::page))
        .route("/api/docs/reference.js", get(docs::script))
        .route("/api/docs/reference.css", get(docs::style))
}
