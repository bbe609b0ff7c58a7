//! `/health` (the original's shape: status, database, counts) and `/health/ready`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let app = &state.app;
    let now = app.clock.now();
    match app.health_counts().await {
        Ok(counts) => (
            StatusCode::OK,
            Json(json!({
                "status": "healthy",
                "database": "connected",
                "backend": app.store.backend().name(),
                "version": env!("CARGO_PKG_VERSION"),
                "timestamp": now,
                "statistics": { "users": counts.users, "checklist_instances": counts.instances },
            })),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unhealthy",
                "database": "disconnected",
                "backend": app.store.backend().name(),
                "version": env!("CARGO_PKG_VERSION"),
                "timestamp": now,
            })),
        ),
    }
}

/// Ready when the database answers (load balancers route on this).
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.app.store.ping().await {
        (StatusCode::OK, Json(json!({ "ready": true })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "ready": false, "reason": "database unavailable" })))
    }
}
