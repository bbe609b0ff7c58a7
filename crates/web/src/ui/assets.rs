//! `/ui/static/{file}`: the UI's CSS and JS, compiled into the binary (one file to
//! deploy, no path on disk to traverse). `no-cache` + `ETag`: browsers revalidate each
//! load and get a 304 until a new build changes the file.
//!
//! To add a per-page file: put it in `crates/web/static/ui/` and add a line to `FILES`.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::state::AppState;
use crate::ui::session::hex;

/// (name, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    ("ui.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/ui.css")),
    ("ui.js", "text/javascript; charset=utf-8", include_bytes!("../../static/ui/ui.js")),
    ("dashboard.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/dashboard.css")),
    ("dashboard.js", "text/javascript; charset=utf-8", include_bytes!("../../static/ui/dashboard.js")),
    ("notifications.js", "text/javascript; charset=utf-8", include_bytes!("../../static/ui/notifications.js")),
    ("admin.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/admin.css")),
    ("checklist.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/checklist.css")),
    ("checklist.js", "text/javascript; charset=utf-8", include_bytes!("../../static/ui/checklist.js")),
    ("templates.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/templates.css")),
    ("performance.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/performance.css")),
    ("performance.js", "text/javascript; charset=utf-8", include_bytes!("../../static/ui/performance.js")),
    ("roster.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/roster.css")),
    ("reports.js", "text/javascript; charset=utf-8", include_bytes!("../../static/ui/reports.js")),
    ("coverage.css", "text/css; charset=utf-8", include_bytes!("../../static/ui/coverage.css")),
];

/// Strong ETags, computed once per process from the embedded bytes.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(_, _, bytes)| {
            let digest = Sha256::digest(bytes);
            format!("\"{}\"", hex(digest.get(..12).unwrap_or(&digest)))
        })
        .collect()
});

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/static/{file}", get(asset))
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = FILES.iter().position(|(name, _, _)| *name == file) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let (Some(&(_, content_type, bytes)), Some(etag)) = (FILES.get(index), ETAGS.get(index)) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let cache = [
        (header::ETAG, HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"0\""))),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if matches_etag(&headers, etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response()
}

/// `If-None-Match` holds a list (or `*`); weak validators compare equal for GET.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}
