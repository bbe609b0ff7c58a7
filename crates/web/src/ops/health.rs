//! `/health` (liveness, in the original's shape: status, database, counts) and
//! `/health/ready` (readiness: the database answers now).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::state::AppState;

/// `/health`'s answer: the original's fields, plus when the database was last checked.
#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
    database: &'static str,
    backend: &'static str,
    version: &'static str,
    timestamp: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_checked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Statistics>,
}

#[derive(Debug, Serialize)]
pub struct Statistics {
    users: u64,
    checklist_instances: u64,
}

/// Liveness: answers at once whatever the database does (an orchestrator must not
/// restart a process because its database is away). `database` and `statistics`
/// are those of the last check, at most a few seconds old, never awaited here.
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    let app = &state.app;
    let check = app.database_health();
    Json(Health {
        status: "healthy",
        database: match check {
            Some(c) if c.reachable => "connected",
            Some(_) => "disconnected",
            None => "unknown",
        },
        backend: app.store.backend().name(),
        version: env!("CARGO_PKG_VERSION"),
        timestamp: app.clock.now(),
        database_checked_at: check.map(|c| c.checked_at),
        statistics: check
            .and_then(|c| c.counts)
            .map(|c| Statistics { users: c.users, checklist_instances: c.instances }),
    })
}

/// Ready when the database answers (load balancers route on this); fails within the
/// pool's acquire timeout while it does not.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.app.store.ping().await {
        (StatusCode::OK, Json(json!({ "ready": true })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "ready": false, "reason": "database unavailable" })))
    }
}
