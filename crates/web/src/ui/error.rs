//! The UI's one error path. Handlers return `UiResult`; `?` on a use case's error ends
//! in the error page, in the layout (or, for `ui.js`, the message as a fragment).
//!
//! That page needs the database (the layout's badge) and the signed-in user, which an
//! `IntoResponse` does not have. So `UiError` answers a bare status carrying the error in
//! its extensions, and `error_pages`, the layer over every UI route, renders it: it knows
//! the request (is it `ui.js`?) and receives the user from the `UiUser` extractor
//! through a slot it put in the request's extensions.

use std::sync::{Arc, OnceLock};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use sentinelops_app::AppError;

use crate::error::InternalFailure;
use crate::state::AppState;
use crate::ui::render;
use crate::ui::session::{self, UiUser};

/// What a UI handler answers: a response, or a use-case error shown as the error page.
pub type UiResult<T = Response> = Result<T, UiError>;

/// A use-case error on its way to the error page.
#[derive(Debug)]
pub struct UiError(pub AppError);

impl<E: Into<AppError>> From<E> for UiError {
    fn from(err: E) -> Self {
        UiError(err.into())
    }
}

/// The error page still to render, as `UiError` leaves it for `error_pages`.
#[derive(Debug, Clone)]
struct PendingPage {
    status: StatusCode,
    message: String,
    /// Where the cause goes: the outer middleware's log (with the request id) or a warning.
    cause: Cause,
}

#[derive(Debug, Clone)]
enum Cause {
    Shown,
    Internal(String),
    Unavailable(String),
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (status, message) = render::error_message(&self.0);
        let cause = match self.0 {
            AppError::Internal(cause) => Cause::Internal(cause),
            AppError::Unavailable(cause) => Cause::Unavailable(cause),
            _ => Cause::Shown,
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(PendingPage { status, message, cause });
        response
    }
}

/// The signed-in user of the request, once `UiUser` has been extracted.
#[derive(Debug, Clone, Default)]
pub struct SignedIn(Arc<OnceLock<UiUser>>);

impl SignedIn {
    /// Called by the `UiUser` extractor (a second extraction keeps the first user).
    pub fn remember(&self, user: &UiUser) {
        let _ = self.0.set(user.clone());
    }
}

/// Layer over the UI routes: turns a `UiError`'s bare status into the error page.
pub async fn error_pages(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let signed_in = SignedIn::default();
    request.extensions_mut().insert(signed_in.clone());
    let fetch = session::is_fetch(request.headers());
    let mut response = next.run(request).await;
    let Some(pending) = response.extensions_mut().remove::<PendingPage>() else {
        return response;
    };
    let user = signed_in.0.get();
    let mut page = render::error_page_for(&state, user, fetch, pending.status, &pending.message).await;
    match pending.cause {
        Cause::Internal(cause) => {
            page.extensions_mut().insert(InternalFailure(cause));
        }
        Cause::Unavailable(cause) => tracing::warn!(cause = %cause, "database unavailable"),
        Cause::Shown => {}
    }
    page
}
