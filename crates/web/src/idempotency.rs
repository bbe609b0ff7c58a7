//! The `Idempotency-Key` header on POST, PUT, PATCH and DELETE: see
//! `sentinelops_app::idempotency`. Only successful answers are stored.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use sentinelops_app::idempotency::Claim;

use crate::error::ApiError;
use crate::extract::{bearer_token, request_meta};
use crate::state::AppState;

/// Largest answer kept for replay.
const MAX_STORED_BODY: usize = 4 * 1024 * 1024;

pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_mutation = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let key = request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (Some(key), true) = (key, is_mutation) else {
        return next.run(request).await;
    };
    let Some(token) = bearer_token(request.headers()).map(str::to_owned) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let meta = request_meta(&parts, &state);
    let actor = match state.app.authenticate(&token, &meta).await {
        Ok(actor) => actor,
        Err(e) => return ApiError(e).into_response(),
    };
    let path = parts.uri.path().to_owned();
    let claim = match state.app.claim_idempotency_key(&actor, &key, parts.method.as_str(), &path).await {
        Ok(claim) => claim,
        Err(e) => return ApiError(e).into_response(),
    };
    let claim = match claim {
        Claim::Replay { status, body } => {
            let mut response =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), axum::Json(body)).into_response();
            response.headers_mut().insert("idempotent-replayed", axum::http::HeaderValue::from_static("true"));
            return response;
        }
        Claim::Run(id) => id,
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    if !response.status().is_success() {
        let _ = state.app.release_idempotency_key(claim).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_STORED_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let _ = state.app.release_idempotency_key(claim).await;
            return crate::error::detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
        }
    };
    let stored = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    if let Err(e) = state.app.finish_idempotency_key(claim, parts.status.as_u16(), stored).await {
        tracing::warn!(error = %e, "could not store an idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}
