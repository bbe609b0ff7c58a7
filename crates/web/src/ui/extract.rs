//! Extractors for UI handlers whose rejections are HTML (a page, or a fragment for
//! `ui.js`), never the API's JSON and never a 500. The CSRF token was already
//! checked by `session::csrf_guard`; a form struct may ignore the `csrf` field (serde
//! skips unknown fields unless told otherwise).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::state::AppState;
use crate::ui::render;
use crate::ui::session;

/// An `application/x-www-form-urlencoded` body. Malformed → 400, a field of the wrong
/// type or a NUL character (PostgreSQL cannot store it) → 422, with the message.
#[derive(Debug, Clone)]
pub struct UiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for UiForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(render::fragment_status(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large."));
            }
            Err(_) => return Err(render::fragment_status(StatusCode::BAD_REQUEST, "The form could not be read.")),
        };
        // Encoded or raw: PostgreSQL cannot store NUL in text, and a client must not cause a 500.
        if bytes.contains(&0) || bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00")) {
            return Err(render::fragment_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Text must not contain NUL characters.",
            ));
        }
        serde_urlencoded::from_bytes::<T>(&bytes).map(UiForm).map_err(|err| {
            render::fragment_status(StatusCode::UNPROCESSABLE_ENTITY, &format!("The form is not valid: {err}"))
        })
    }
}

/// Path parameters (ids). A malformed one is the 404 page: no such page exists.
#[derive(Debug, Clone, Copy)]
pub struct UiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for UiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(UiPath(value)),
            Err(_) => Err(not_found(parts, state).await),
        }
    }
}

/// Query parameters (filters). A value of the wrong type is a 422 with the message.
#[derive(Debug, Clone, Copy, Default)]
pub struct UiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for UiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        if query.contains("%00") {
            return Err(render::fragment_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Filters must not contain NUL characters.",
            ));
        }
        serde_urlencoded::from_str::<T>(query)
            .map(UiQuery)
            .map_err(|err| render::fragment_status(StatusCode::UNPROCESSABLE_ENTITY, &format!("Invalid filter: {err}")))
    }
}

/// The 404 page, with the layout when the request has a live session.
pub async fn not_found(parts: &Parts, state: &AppState) -> Response {
    let user = session::current_user(parts, state).await;
    let message = "There is no such page. It may have moved, or the link is wrong.";
    render::error_page(state, user.as_ref(), &parts.headers, StatusCode::NOT_FOUND, message).await
}
