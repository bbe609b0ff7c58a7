//! How every UI form answers, in one place. Done: 303 back to its page with a flash
//! (`ui.js` follows it and reloads). Refused: a failure that is not about the input —
//! not allowed, gone, or the server — is the error page; otherwise `ui.js` gets the
//! message alone (shown inside the form), and a plain form gets its page again with the
//! message beside the form and what was typed still in it.

use std::future::Future;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use sentinelops_app::AppError;

use crate::ui::error::{UiError, UiResult};
use crate::ui::render::{self, Flash};
use crate::ui::session;

/// Why a form was refused: the use case said no, or the input did not even parse.
#[derive(Debug)]
pub enum Refusal {
    App(AppError),
    Input(String),
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Refusal::App(err)
    }
}

/// Done: 303 to `back`, leaving `message` for the page there.
pub fn saved(headers: &HeaderMap, back: &str, message: impl Into<String>) -> Response {
    render::redirect_with_flash(headers, back, Flash::ok(message))
}

/// A refused form; `rerender(status, message)` draws the plain form's page again.
pub async fn refused<F, Fut>(headers: &HeaderMap, refusal: impl Into<Refusal>, rerender: F) -> UiResult
where
    F: FnOnce(StatusCode, String) -> Fut,
    Fut: Future<Output = UiResult>,
{
    let (status, message) = match refusal.into() {
        Refusal::App(
            err @ (AppError::Forbidden(_) | AppError::NotFound(_) | AppError::Internal(_) | AppError::Unavailable(_)),
        ) => return Err(UiError(err)),
        Refusal::App(err) => render::error_message(&err),
        Refusal::Input(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    if session::is_fetch(headers) {
        return Ok(render::fragment_status(status, &message));
    }
    rerender(status, message).await
}

/// A use case's result as the form's answer: `saved` with `done`'s flash, or `refused`.
pub async fn outcome<T, F, Fut>(
    headers: &HeaderMap,
    result: Result<T, impl Into<Refusal>>,
    back: &str,
    done: impl FnOnce(T) -> String,
    rerender: F,
) -> UiResult
where
    F: FnOnce(StatusCode, String) -> Fut,
    Fut: Future<Output = UiResult>,
{
    match result {
        Ok(value) => Ok(saved(headers, back, done(value))),
        Err(refusal) => refused(headers, refusal, rerender).await,
    }
}
