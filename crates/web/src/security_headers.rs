//! Security headers on every answer outside `/ui` (the UI sets its own, stricter ones
//! in `ui::headers`): the JSON API, auth, operations endpoints, the API reference, the
//! optional static frontend and the not-found answers.
//!
//! Caching: an answer that says nothing about caching gets `Cache-Control: no-store`,
//! because API answers carry tokens (sign-in above all) and personal data that must not
//! stay in a browser's or proxy's cache after sign-out. Two kinds keep what they set:
//! - the checklist read with an `ETag` (`api::checklists::get_instance`) says
//!   `private, no-cache`: the browser keeps its copy and revalidates it every time (a 304
//!   costs almost nothing); `no-store` would forbid keeping it and so turn every
//!   revalidation into a full render. `private` still keeps it out of shared caches;
//! - the live event stream says `no-cache` itself.
//!
//! Files of the static frontend (`SENTINELOPS_STATIC_DIR`) are left to their own
//! validators (`Last-Modified`/`ETag` from `ServeDir`), as before: the browser caches
//! the React build. They get no CSP either (the build's own policy is its business);
//! framing is refused by `X-Frame-Options`.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Marks a response served from the static frontend folder.
#[derive(Debug, Clone, Copy)]
pub struct StaticFile;

/// Data answers load nothing and may not be framed.
const DATA_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// The API reference page loads its own script and style; only framing is refused.
const PAGE_CSP: &str = "frame-ancestors 'none'";

pub async fn api_security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_static = response.extensions().get::<StaticFile>().is_some();
    let is_html = is_html(&response);
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if is_static {
        return response;
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if is_html { PAGE_CSP } else { DATA_CSP };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether an answer is an HTML page (its headers differ from data answers').
pub(crate) fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}
