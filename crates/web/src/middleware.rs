//! The middleware stack: request ids, tracing without query strings, CORS, body
//! limits, timeouts, panic capture, metrics, and the final error shape.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{InternalFailure, detail};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn wrap(router: Router, state: &AppState) -> Router {
    let router = router
        .layer(DefaultBodyLimit::max(state.web.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(state.web.max_body_bytes))
        .layer(CatchPanicLayer::custom(|_| detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.web.request_timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::idempotency::idempotency))
        .layer(from_fn(record_metrics))
        .layer(from_fn(finalize_errors))
        .layer(from_fn(security_headers));
    let router = match cors(&state.web.cors_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(
            TraceLayer::new_for_http()
                // The span names the path only: query strings may carry tokens.
                .make_span_with(|req: &Request| {
                    let request_id = req
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %request_id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Micros)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION, header::COOKIE]))
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-debug-context"),
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([header::CONTENT_DISPOSITION, header::CONTENT_LENGTH])
            .max_age(Duration::from_secs(600)),
    )
}

/// Every error leaves in the `{detail}` shape; a 500 carries the request id and no
/// internals, and its cause is logged once, here, inside the request span.
async fn finalize_errors(request: Request, next: Next) -> Response {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        let cause =
            response.extensions().get::<InternalFailure>().map_or("panic or unexpected failure", |f| f.0.as_str());
        tracing::error!(request_id = %request_id, cause = %cause, "internal server error");
        // The UI's own error page (no internals in it) stays a page.
        if is_html(&response) {
            return response;
        }
        let body = serde_json::json!({ "detail": "Internal server error", "request_id": request_id });
        return (status, axum::Json(body)).into_response();
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // The UI answers its errors with pages; everything else speaks `{detail}`.
    if (status.is_client_error() || status.is_server_error()) && !is_json && !is_html(&response) {
        let reason = status.canonical_reason().unwrap_or("Error");
        let mut fixed = detail(status, reason);
        for name in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
            if let Some(value) = response.headers().get(&name) {
                fixed.headers_mut().insert(name, value.clone());
            }
        }
        return fixed;
    }
    response
}

/// Security headers go on every answer, including those made outside the routes: a
/// 404 or 405, a body-limit 413, a timeout 408, a caught panic. `/ui` has its own set.
async fn security_headers(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/ui") {
        crate::ui::headers::security_headers(request, next).await
    } else {
        crate::security_headers::api_security_headers(request, next).await
    }
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Requests begun by this process, for telling when it has gone idle.
static REQUESTS_STARTED: AtomicU64 = AtomicU64::new(0);

/// How many requests this process has begun so far (all servers in it together).
/// The binary reads it to give memory back once no request has come for a while.
pub fn requests_started() -> u64 {
    REQUESTS_STARTED.load(Ordering::Relaxed)
}

/// Request counts and latency per route template (never per raw path, so ids do
/// not explode the label space).
async fn record_metrics(request: Request<Body>, next: Next) -> Response {
    REQUESTS_STARTED.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2]).record(started.elapsed().as_secs_f64());
    response
}
