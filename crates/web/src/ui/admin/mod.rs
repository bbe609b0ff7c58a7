//! `/ui/admin`: administration for administrators only — users, departments and
//! sections, shifts and the business time zone, the sections' escalation policies.
//! Every page and every POST takes the `Admin` extractor (403 page for anyone else),
//! and each use case refuses non-admins again.

pub mod escalation;
pub mod org;
pub mod shifts;
pub mod users;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::state::AppState;
use crate::ui::roles::{Admin, FormPost};

/// A form posted to an administration page.
pub type AdminPost = FormPost<Admin>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/admin", get(to_users))
        .route("/ui/admin/", get(to_users))
        .merge(users::routes())
        .merge(org::routes())
        .merge(shifts::routes())
        .merge(escalation::routes())
}

async fn to_users() -> Response {
    Redirect::to("/ui/admin/users").into_response()
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

/// A form's optional choice: "" means none.
pub fn non_empty(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}
