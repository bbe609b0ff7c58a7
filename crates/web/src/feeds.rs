//! `GET /calendar/{token}.ics`: a private iCalendar feed (issue 20), served without a
//! session — the secret token in the path is the key (managed at
//! `/api/v1/checklists/calendar-feed`). An unknown or revoked token is a 404. Not an API
//! operation, so not in the OpenAPI document (like `/health`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/calendar/{file}", get(ics))
}

async fn ics(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return crate::error::detail(StatusCode::NOT_FOUND, "Not Found");
    };
    match state.app.calendar_ics(token).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8")),
                (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            ],
            text,
        )
            .into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}
