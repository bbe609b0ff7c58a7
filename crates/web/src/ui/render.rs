//! Rendering for the UI: templates into responses (a template error is a logged 500
//! page, never a panic), the base layout's data, error pages, flash messages, and
//! use-case errors turned into messages for re-rendered forms.

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use sentinelops_app::AppError;

use crate::error::{InternalFailure, public_message, status_of};
use crate::state::AppState;
use crate::ui::alerts::banner::{self, AlertBanner};
use crate::ui::session::{self, FLASH_COOKIE, UiUser};

/// What `layout.html` needs: every page template has a `layout: Layout` field.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    /// The nav entry to mark current: "dashboard", "checklists", "templates",
    /// "notifications", "alerts", "roster", "performance", "admin", "reports", "audit", "profile", or "" for none.
    pub nav: &'static str,
    pub user: Option<LayoutUser>,
    /// The CSRF token for forms (`{% call m::csrf(layout.csrf) %}{% endcall %}`, see `macros.html`)
    /// and for `ui.js` (`<meta name="csrf-token">`).
    pub csrf: String,
    pub flash: Option<Flash>,
    pub unread: u64,
    /// A supervisor's unacknowledged-alert banner (see `ui::alerts::banner`).
    pub alert_banner: Option<AlertBanner>,
}

#[derive(Debug, Clone)]
pub struct LayoutUser {
    pub name: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub is_supervisor: bool,
}

impl Layout {
    pub async fn for_user(state: &AppState, user: &UiUser, title: String, nav: &'static str) -> Layout {
        // The badge is a courtesy: a failed count shows no number rather than no page.
        let unread = match state.app.unread_notification_count(&user.actor).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!("unread count for the layout failed: {err}");
                0
            }
        };
        let alert_banner = banner::for_actor(state, &user.actor).await;
        Layout {
            title,
            nav,
            user: Some(LayoutUser {
                name: user.actor.username.clone(),
                role: role_label(user.actor.role.as_str()),
                is_admin: user.is_admin(),
                is_supervisor: user.is_supervisor(),
            }),
            csrf: user.csrf.clone(),
            flash: user.flash.clone(),
            unread,
            alert_banner,
        }
    }

    /// For pages without a signed-in user (sign-in, errors before sign-in).
    pub fn anonymous(title: impl Into<String>, csrf: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            nav: "",
            user: None,
            csrf: csrf.into(),
            flash: None,
            unread: 0,
            alert_banner: None,
        }
    }

    /// The bell's text: empty at zero, "99+" at the count's cap.
    pub fn badge(&self) -> String {
        badge_text(self.unread)
    }

    /// `aria-current="page"` belongs on the nav link whose key this is.
    pub fn is_current(&self, key: &str) -> bool {
        self.nav == key
    }
}

pub fn badge_text(count: u64) -> String {
    match count {
        0 => String::new(),
        n if n >= UNREAD_CAP => format!("{UNREAD_CAP}+"),
        n => n.to_string(),
    }
}

/// The app counts unread notifications up to 99 (its cost stays flat), so 99 means "99 or more".
pub const UNREAD_CAP: u64 = 99;

pub fn role_label(role: &str) -> &'static str {
    match role {
        "admin" => "Administrator",
        "manager" => "Manager",
        _ => "Operator",
    }
}

/// A one-shot message shown on the next page ("Saved", "Checklist signed off").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// "ok" or "error": the CSS class `flash-ok` / `flash-error`.
    pub kind: &'static str,
    pub text: String,
}

impl Flash {
    pub fn ok(text: impl Into<String>) -> Flash {
        Flash { kind: "ok", text: text.into() }
    }

    pub fn error(text: impl Into<String>) -> Flash {
        Flash { kind: "error", text: text.into() }
    }

    /// Cookie-safe form: kind letter + hex of the text (bounded).
    fn encode(&self) -> String {
        let text: String = self.text.chars().take(300).collect();
        let kind = if self.kind == "ok" { 'o' } else { 'e' };
        format!("{kind}{}", session::hex(text.as_bytes()))
    }

    /// Anything malformed is dropped: the cookie is client input.
    pub fn decode(value: &str) -> Option<Flash> {
        let kind = match value.get(..1)? {
            "o" => "ok",
            "e" => "error",
            _ => return None,
        };
        let hex = value.get(1..)?;
        if hex.is_empty() || hex.len() % 2 != 0 || hex.len() > 2400 {
            return None;
        }
        let bytes: Option<Vec<u8>> =
            (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
        let text = String::from_utf8(bytes?).ok()?;
        Some(Flash { kind, text })
    }
}

/// 303 to `to`, leaving `flash` for the page there (a cookie that lives a minute; the
/// page that shows it clears it, see `headers::security_headers`).
pub fn redirect_with_flash(request_headers: &HeaderMap, to: &str, flash: Flash) -> Response {
    let mut response = Redirect::to(to).into_response();
    let cookie = session::set_cookie(request_headers, FLASH_COOKIE, &flash.encode(), "/ui", Some(60));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Renders a template as a 200 HTML response.
pub fn page<T: Template>(template: &T) -> Response {
    page_status(StatusCode::OK, template)
}

/// Renders a template with a status (a form re-rendered with its error is 422, say).
pub fn page_status<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => render_failure(&err.to_string()),
    }
}

/// A template's render failure: logged (by the outer middleware, with the request id)
/// and answered with a plain 500 page.
fn render_failure(cause: &str) -> Response {
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!doctype html><title>Error</title><p>Something went wrong on the server. It has been logged.</p>"),
    )
        .into_response();
    response.extensions_mut().insert(InternalFailure(format!("template render: {cause}")));
    response
}

/// A small HTML answer for `ui.js` (or a refused form): a status and an escaped message.
pub fn fragment_status(status: StatusCode, message: &str) -> Response {
    let html = format!("<p class=\"error-text\" role=\"alert\">{}</p>", escape(message));
    let mut response = (status, Html(html)).into_response();
    if status.is_server_error() {
        response.extensions_mut().insert(InternalFailure(message.to_owned()));
    }
    response
}

/// The error page: the layout (nav and all when signed in) with a heading and message.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
}

/// An error page for a status; `ui.js` callers get just the message.
pub async fn error_page(
    state: &AppState,
    user: Option<&UiUser>,
    headers: &HeaderMap,
    status: StatusCode,
    message: &str,
) -> Response {
    error_page_for(state, user, session::is_fetch(headers), status, message).await
}

/// The error page, or for a `ui.js` request (`fetch`) its message alone.
pub async fn error_page_for(
    state: &AppState,
    user: Option<&UiUser>,
    fetch: bool,
    status: StatusCode,
    message: &str,
) -> Response {
    if fetch {
        return fragment_status(status, message);
    }
    let heading = match status {
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::SERVICE_UNAVAILABLE => "Temporarily unavailable",
        s if s.is_server_error() => "Server error",
        _ => "Something is wrong",
    };
    // The signed-in layout reads the database (badges), which a 503 says is away.
    let layout = match user {
        Some(user) if status != StatusCode::SERVICE_UNAVAILABLE => user.layout(state, heading, "").await,
        _ => Layout::anonymous(heading, ""),
    };
    let mut response =
        page_status(status, &ErrorPage { layout, heading: heading.to_owned(), message: message.to_owned() });
    if status.is_server_error() && response.extensions().get::<InternalFailure>().is_none() {
        response.extensions_mut().insert(InternalFailure(message.to_owned()));
    }
    response
}

/// A use-case error as (status, message shown to the user) — for the error page and for
/// re-rendering a form with the message next to it. Internal causes are never shown.
pub fn error_message(err: &AppError) -> (StatusCode, String) {
    let status = status_of(err);
    let message = public_message(err).unwrap_or_else(|| match err {
        AppError::Unavailable(_) => {
            "The database cannot be reached right now; nothing was changed. Please try again in a moment.".to_owned()
        }
        _ => "Something went wrong on the server. It has been logged.".to_owned(),
    });
    (status, message)
}

/// HTML-escapes text for the few answers built without a template.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_survives_its_cookie_and_junk_is_dropped() {
        let flash = Flash::error("Checklist <b>signed</b> off; 100 % done — ünïcode");
        assert_eq!(Flash::decode(&flash.encode()), Some(flash));
        for junk in ["", "x00", "o0", "ozz", "o", "e\u{e9}\u{e9}"] {
            assert_eq!(Flash::decode(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn the_badge_is_empty_at_zero_and_99_plus_at_the_cap() {
        assert_eq!(badge_text(0), "");
        assert_eq!(badge_text(7), "7");
        assert_eq!(badge_text(98), "98");
        assert_eq!(badge_text(99), "99+");
    }
}
