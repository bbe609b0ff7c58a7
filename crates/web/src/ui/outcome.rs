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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use axum::http::{HeaderValue, header};

    use super::*;

    fn fetch() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-requested-with", HeaderValue::from_static("fetch"));
        headers
    }

    /// What `rerender` was given, as the response's status and a header.
    async fn page_again(status: StatusCode, message: String) -> UiResult {
        let mut response = render::fragment_status(status, "page");
        response.headers_mut().insert("x-message", HeaderValue::from_str(&message).unwrap());
        Ok(response)
    }

    #[tokio::test]
    async fn failures_beyond_the_input_are_the_error_page() {
        for err in [
            AppError::Forbidden("not yours".into()),
            AppError::NotFound("gone".into()),
            AppError::Internal("cause".into()),
            AppError::Unavailable("cause".into()),
        ] {
            let answer = refused(&HeaderMap::new(), err, page_again).await;
            assert!(matches!(answer, Err(UiError(_))), "{answer:?}");
        }
    }

    #[tokio::test]
    async fn a_refused_input_is_the_message_for_ui_js_and_the_page_again_otherwise() {
        let answer = refused(&fetch(), AppError::Conflict("taken".into()), page_again).await.unwrap();
        assert_eq!(answer.status(), StatusCode::CONFLICT);
        assert!(answer.headers().get("x-message").is_none(), "no page for ui.js");

        let answer = refused(&HeaderMap::new(), Refusal::Input("no date".into()), page_again).await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.headers().get("x-message").unwrap(), "no date");
    }

    #[tokio::test]
    async fn done_is_a_303_back_with_the_flash() {
        let answer = outcome(&HeaderMap::new(), Ok::<_, AppError>(7), "/ui/back", |n| format!("{n} saved"), page_again)
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        assert_eq!(answer.headers().get(header::LOCATION).unwrap(), "/ui/back");
        assert!(answer.headers().get(header::SET_COOKIE).is_some(), "the flash");
    }
}
