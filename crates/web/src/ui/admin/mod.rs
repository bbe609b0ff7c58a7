//! `/ui/admin`: administration for administrators only — users, departments and
//! sections, shifts and the business time zone. Every page and every POST is gated
//! here (403 page), and each use case refuses non-admins again.

pub mod org;
pub mod shifts;
pub mod users;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use sentinelops_app::AppError;

use crate::state::AppState;
use crate::ui::render::{self, Flash};
use crate::ui::session::{self, UiUser};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/admin", get(to_users))
        .route("/ui/admin/", get(to_users))
        .merge(users::routes())
        .merge(org::routes())
        .merge(shifts::routes())
}

async fn to_users() -> Response {
    Redirect::to("/ui/admin/users").into_response()
}

const ADMINS_ONLY: &str = "Administration is for administrators only.";

/// The 403 page unless the user is an administrator.
pub async fn require_admin(state: &AppState, user: &UiUser, headers: &HeaderMap) -> Result<(), Response> {
    user.require(state, headers, user.is_admin(), ADMINS_ONLY).await
}

/// A form's error shown next to that form when the page is rendered again.
#[derive(Debug, Clone)]
pub struct FormError {
    /// Which form on the page failed ("create", "timezone", "section-<id>", …).
    pub form: String,
    pub message: String,
}

impl FormError {
    pub fn new(form: impl Into<String>, message: impl Into<String>) -> FormError {
        FormError { form: form.into(), message: message.into() }
    }
}

/// For templates: the message of `form`'s error, if that form failed.
pub fn error_for<'a>(error: &'a Option<FormError>, form: &str) -> Option<&'a str> {
    error.as_ref().filter(|e| e.form == form).map(|e| e.message.as_str())
}

/// How a POST answers: on success 303 back to `back` with `done` as the flash (`ui.js`
/// follows it and reloads). On a use-case error `ui.js` gets the message for inline
/// display; a plain form gets `Err` with (status, form error) so the caller re-renders
/// its page with the message next to the form.
pub enum Outcome {
    Answered(Response),
    Rerender(StatusCode, FormError),
}

pub async fn outcome<T>(
    state: &AppState,
    user: &UiUser,
    headers: &HeaderMap,
    result: Result<T, AppError>,
    back: &str,
    form: &str,
    done: impl FnOnce(T) -> String,
) -> Outcome {
    match result {
        Ok(value) => Outcome::Answered(render::redirect_with_flash(headers, back, Flash::ok(done(value)))),
        Err(
            err @ (AppError::Internal(_) | AppError::Unavailable(_) | AppError::Forbidden(_) | AppError::NotFound(_)),
        ) => Outcome::Answered(render::app_error_page(state, user, headers, err).await),
        Err(err) => {
            let (status, message) = render::error_message(&err);
            if session::is_fetch(headers) {
                Outcome::Answered(render::fragment_status(status, &message))
            } else {
                Outcome::Rerender(status, FormError::new(form, message))
            }
        }
    }
}

/// A form's optional choice: "" means none.
pub fn non_empty(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}
