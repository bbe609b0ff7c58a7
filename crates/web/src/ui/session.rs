//! The UI's cookie session and CSRF defence.
//!
//! The session cookie holds the same token as the API's bearer token, so a sign-in
//! here is an ordinary session (listed, revocable, audited). Cookies ride along on
//! cross-site requests, hence the CSRF token: derived one-way from the session token
//! (nothing to store, and it dies with the session), required on every non-GET under
//! `/ui` as the form field `csrf` or the header `X-CSRF-Token`.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use sentinelops_app::{Actor, AppError, RequestMeta};

use crate::extract::request_meta;
use crate::live::SESSION_COOKIE;
use crate::state::AppState;
use crate::ui::error::SignedIn;
use crate::ui::render::{self, Flash, Layout};

/// The sign-in form's double-submit cookie (there is no session to derive from yet).
pub const LOGIN_CSRF_COOKIE: &str = "sentinelops_login_csrf";
/// A one-shot message for the next page (set by `render::redirect_with_flash`).
pub const FLASH_COOKIE: &str = "sentinelops_flash";
/// Form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in user of the UI: who acts, from where, and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct UiUser {
    pub actor: Actor,
    pub meta: RequestMeta,
    pub csrf: String,
    /// The message a previous POST left for this page, if any.
    pub flash: Option<Flash>,
}

impl UiUser {
    /// The base layout for a page of this user (with the unread count for the bell).
    pub async fn layout(&self, state: &AppState, title: impl Into<String>, nav: &'static str) -> Layout {
        Layout::for_user(state, self, title.into(), nav).await
    }

    pub fn is_supervisor(&self) -> bool {
        self.actor.role.is_supervisor()
    }

    pub fn is_admin(&self) -> bool {
        self.actor.is_admin()
    }
}

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match signed_in_user(parts, state).await {
            Ok(Some(user)) => {
                // For the error page `error::error_pages` renders if the handler fails.
                if let Some(slot) = parts.extensions.get::<SignedIn>() {
                    slot.remember(&user);
                }
                Ok(user)
            }
            Ok(None) => Err(unauthenticated(parts)),
            Err(err) => {
                // The session could not be checked: say so, rather than send the user
                // to a sign-in page that cannot work either.
                let (status, message) = render::error_message(&err);
                tracing::warn!(error = %err, "session check failed");
                Err(render::error_page(state, None, &parts.headers, status, &message).await)
            }
        }
    }
}

/// The signed-in user of a request, or `None` (no cookie, or a dead session, or the
/// session could not be checked).
pub async fn current_user(parts: &Parts, state: &AppState) -> Option<UiUser> {
    signed_in_user(parts, state).await.ok().flatten()
}

/// The signed-in user of a request: `Ok(None)` without a cookie or for a dead session,
/// `Err` when the session could not be checked (the database is unavailable, say).
async fn signed_in_user(parts: &Parts, state: &AppState) -> Result<Option<UiUser>, AppError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let meta = request_meta(parts, state);
    let actor = match state.app.authenticate(&token, &meta).await {
        Ok(actor) => actor,
        Err(AppError::Auth(_)) => return Ok(None),
        Err(err) => return Err(err),
    };
    let flash = cookie(&parts.headers, FLASH_COOKIE).and_then(|v| Flash::decode(&v));
    Ok(Some(UiUser { actor, meta, csrf: csrf_token(&token), flash }))
}

/// No session: a script gets 401 (it shows "sign in again"); a page GET is sent to the
/// sign-in page with the way back; any other request goes to the sign-in page.
fn unauthenticated(parts: &Parts) -> Response {
    if is_fetch(&parts.headers) {
        return render::fragment_status(StatusCode::UNAUTHORIZED, "Your session has ended. Please sign in again.");
    }
    let mut target = "/ui/login".to_owned();
    if parts.method == Method::GET {
        let path = parts.uri.path_and_query().map_or("/ui/dashboard", |pq| pq.as_str());
        if safe_next(path).is_some() {
            target = format!("/ui/login?next={}", encode_component(path));
        }
    }
    Redirect::to(&target).into_response()
}

/// True for requests made by `ui.js` (`X-Requested-With: fetch`).
pub fn is_fetch(headers: &HeaderMap) -> bool {
    headers.get("x-requested-with").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("fetch"))
}

/// A cookie's value by name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The CSRF token of a session token: one-way, so it reveals nothing of the session.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::new().chain_update(b"sentinelops-ui-csrf:").chain_update(session_token.as_bytes()).finalize();
    hex(&digest)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without an early exit, so timing does not reveal how much matched.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A path we may send the user back to after sign-in: a UI path on this site only
/// (no scheme, no `//host`, no backslashes or control characters that browsers
/// reinterpret).
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = (next == "/ui" || next.starts_with("/ui/") || next.starts_with("/ui?"))
        && next.len() <= 2048
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !next.starts_with("/ui/login");
    ok.then_some(next)
}

/// Percent-encodes everything but unreserved characters (for a query value).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// True when the request's Host is this machine and no proxy forwarded it: cookies
/// then go without `Secure` so plain-HTTP local use works; anywhere else, including
/// behind a reverse proxy that connects to 127.0.0.1, they need HTTPS.
pub fn is_local_host(headers: &HeaderMap) -> bool {
    let forwarded = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"];
    if forwarded.iter().any(|name| headers.contains_key(*name)) {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().map(|h| format!("[{h}]")).unwrap_or_default(),
        None => host.split(':').next().unwrap_or("").to_owned(),
    };
    matches!(name.to_ascii_lowercase().as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

/// A `Set-Cookie` value with the UI's attributes. `max_age` 0 deletes the cookie;
/// `None` makes it last until the browser closes.
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, path: &str, max_age: Option<u64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if !is_local_host(headers) {
        cookie.push_str("; Secure");
    }
    // Names and values are ours (hex, base64url) so this cannot fail; fall back to a
    // harmless deletion rather than panic.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("sentinelops_invalid=; Max-Age=0"))
}

/// Middleware over `/ui`: every request that may change something must come from our
/// own pages — same origin (when the browser says) and carrying the CSRF token.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), forwarded_host(&request, &state).as_deref()) {
        return forbidden("This request came from another site and was refused.");
    }
    let expected = if request.uri().path() == "/ui/login" {
        cookie(request.headers(), LOGIN_CSRF_COOKIE)
    } else {
        cookie(request.headers(), SESSION_COOKIE).map(|token| csrf_token(&token))
    };
    let Some(expected) = expected else {
        // No session at all: nothing to forge; the sign-in page explains.
        if request.uri().path() == "/ui/login" {
            return forbidden("Your sign-in form expired. Reload the page and try again.");
        }
        return unauthenticated_parts(request);
    };
    if let Some(sent) = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(sent, &expected) { next.run(request).await } else { forbidden(CSRF_MESSAGE) };
    }
    // No header: a plain form post; the token is its `csrf` field.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, state.web.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => return render::fragment_status(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large."),
    };
    let sent = form_field(&bytes, CSRF_FIELD);
    if !sent.is_some_and(|sent| constant_time_eq(&sent, &expected)) {
        return forbidden(CSRF_MESSAGE);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

const CSRF_MESSAGE: &str = "This form is out of date or did not come from SentinelOps. Reload the page and try again.";

fn unauthenticated_parts(request: Request) -> Response {
    let (parts, _) = request.into_parts();
    unauthenticated(&parts)
}

fn forbidden(message: &str) -> Response {
    render::fragment_status(StatusCode::FORBIDDEN, message)
}

/// One field of an `application/x-www-form-urlencoded` body (other bodies have none).
fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// With an `Origin` header, it must name the host we were reached at: the `Host`
/// header, or the `X-Forwarded-Host` a trusted proxy passed on.
fn same_origin(headers: &HeaderMap, forwarded_host: Option<&str>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin_host) = origin.to_str().ok().and_then(|o| o.split_once("://")).map(|(_, rest)| rest) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    [host, forwarded_host].into_iter().flatten().any(|h| h.eq_ignore_ascii_case(origin_host))
}

/// The host a trusted proxy says the browser asked for (its first `X-Forwarded-Host`).
fn forwarded_host(request: &Request, state: &AppState) -> Option<String> {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())?;
    if !state.web.trusted_proxies.iter().any(|net| net.contains(&peer)) {
        return None;
    }
    let value = request.headers().get("x-forwarded-host")?.to_str().ok()?;
    value.split(',').next().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ui_paths_of_this_site_are_a_way_back() {
        for ok in ["/ui", "/ui/", "/ui/dashboard", "/ui/checklists/1?tab=items"] {
            assert_eq!(safe_next(ok), Some(ok));
        }
        for bad in [
            "",
            "/",
            "//evil.example",
            "/ui//evil",
            "https://evil.example/ui/",
            "/ui\\x",
            "/api/v1/users",
            "/ui/login?next=/ui/",
            "/uix",
            "/ui/\n",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_csrf_token_is_fixed_per_session_and_differs_between_sessions() {
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_eq!(csrf_token("a").len(), 64);
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd") && !constant_time_eq("abc", "ab"));
    }

    #[test]
    fn cookies_are_secure_except_on_this_machine() {
        let with_host = |host: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap_or(HeaderValue::from_static("x")));
            headers
        };
        for local in ["localhost:8080", "127.0.0.1", "[::1]:8080", "LOCALHOST"] {
            assert!(is_local_host(&with_host(local)), "{local}");
        }
        for remote in ["ops.example.com", "127.0.0.1.evil.example", "localhost.evil.example:80", "[::2]"] {
            assert!(!is_local_host(&with_host(remote)), "{remote}");
            let cookie = set_cookie(&with_host(remote), "n", "v", "/", None);
            assert!(cookie.to_str().is_ok_and(|c| c.ends_with("; Secure")));
        }
    }
}
