//! Security headers on every `/ui` answer. The CSP forbids inline script and style,
//! so an injected `<script>` or `style=` in rendered data does nothing; pages keep
//! all code in `/ui/static/*.js`.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::ui::session::{self, FLASH_COOKIE};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let had_flash = session::cookie(request.headers(), FLASH_COOKIE).is_some();
    let is_fetch = session::is_fetch(request.headers());
    let request_headers = request.headers().clone();
    let mut response = next.run(request).await;
    let is_html = crate::security_headers::is_html(&response);
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if is_html || !headers.contains_key(header::CACHE_CONTROL) {
        // Pages, fragments and exports are live, per-user data: never from a cache, never
        // after sign-out via Back. (The static files set their own revalidation.)
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // A shown flash is spent: the page that displayed it (a full page, not a fragment,
    // and not a redirect setting a new one) deletes the cookie.
    let sets_flash =
        headers.get_all(header::SET_COOKIE).iter().any(|v| v.to_str().is_ok_and(|v| v.starts_with(FLASH_COOKIE)));
    if had_flash && is_html && !is_fetch && !sets_flash && response.status().is_success() {
        let clear = session::set_cookie(&request_headers, FLASH_COOKIE, "", "/ui", Some(0));
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}
