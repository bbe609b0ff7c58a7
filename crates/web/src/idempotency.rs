//! The `Idempotency-Key` header on POST, PUT, PATCH and DELETE: see
//! `sentinelops_app::idempotency`. Only successful answers are stored.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use sentinelops_app::idempotency::Claim;

use crate::error::ApiError;
use crate::extract::{bearer_token, request_meta};
use crate::state::AppState;

/// Largest answer kept for replay.
const MAX_STORED_BODY: usize = 4 * 1024 * 1024;

pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_mutation = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let key = request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    // Sign-in answers carry tokens: they are never stored for replay.
    let is_auth = request.uri().path().starts_with("/auth/");
    let (Some(key), true, false) = (key, is_mutation, is_auth) else {
        return next.run(request).await;
    };
    let Some(token) = bearer_token(request.headers()).map(str::to_owned) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    // The key names one request: its method, path and body (a different body under the
    // same key is refused, not answered with the first request's result).
    let Ok(body) = to_bytes(body, state.web.max_body_bytes).await else {
        return crate::error::detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large");
    };
    let fingerprint: String = Sha256::digest(&body).iter().take(16).map(|b| format!("{b:02x}")).collect();
    let body = Body::from(body);
    let meta = request_meta(&parts, &state);
    let actor = match state.app.authenticate(&token, &meta).await {
        Ok(actor) => actor,
        Err(e) => return ApiError(e).into_response(),
    };
    let path = format!("{}#{fingerprint}", parts.uri.path());
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
    if response.status().is_client_error() {
        // Refused without effect: the key is free for a corrected retry.
        let _ = state.app.release_idempotency_key(claim).await;
        return response;
    }
    if !response.status().is_success() {
        // A server error may have happened after the change committed: keep the key
        // claimed, so a retry is not run twice (it may be retried once the claim lapses).
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
