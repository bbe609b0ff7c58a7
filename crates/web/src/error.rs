//! Turning use-case errors into the original's response shapes:
//! `{code, message, context}` for authentication, `{detail}` for everything else.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use sentinelops_app::{AppError, AuthError};

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Marks a response as an internal failure; the outer middleware adds the request id.
#[derive(Debug, Clone)]
pub struct InternalFailure(pub String);

/// `{detail}`: the body of every error but authentication's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Detail {
    pub detail: String,
}

/// `{code, message, context}`: the body of an authentication error (the original's shape).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthFailure {
    /// `TOKEN_MISSING`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `SESSION_INVALID`, `INVALID_CREDENTIALS`, `USER_DISABLED`.
    pub code: &'static str,
    pub message: String,
    /// Always `null`; kept for the original's clients.
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
}

/// `{detail, current}`: a change the current state refuses; `current` is that state,
/// when the refusal comes from it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
}

pub fn detail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(Detail { detail: message.into() })).into_response()
}

/// Every authentication failure is a 401 (a disabled account too: see `App::sign_in`).
pub fn auth_error(err: AuthError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut response =
        (status, Json(AuthFailure { code: err.code(), message: err.to_string(), context: None })).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// What a client is told while the database cannot be reached.
pub const UNAVAILABLE_DETAIL: &str = "Database unavailable, please retry shortly";

/// 503 with `Retry-After`: nothing was changed and the same request may be sent again.
/// The cause goes to the log (a warning: the database is away, not a bug here).
pub fn unavailable(cause: &str) -> Response {
    tracing::warn!(cause = %cause, "database unavailable");
    let mut response = detail(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_DETAIL);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// The HTTP status of a use-case error: the one table the API and the UI both answer with.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Auth(err) => StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNAUTHORIZED),
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) | AppError::StateConflict { .. } => StatusCode::CONFLICT,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What a client may read of a use-case error: the use case's own words for a refusal;
/// `None` for a failure on our side, whose cause is for the log only (the API and the UI
/// each word those for their readers).
pub fn public_message(err: &AppError) -> Option<String> {
    match err {
        AppError::Auth(_) => Some(err.to_string()),
        AppError::Forbidden(m)
        | AppError::NotFound(m)
        | AppError::BadRequest(m)
        | AppError::Validation(m)
        | AppError::Conflict(m)
        | AppError::StateConflict { message: m, .. } => Some(m.clone()),
        AppError::Unavailable(_) | AppError::Internal(_) => None,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        match self.0 {
            AppError::Auth(err) => auth_error(err),
            AppError::StateConflict { message, current } => {
                let current = crate::api::checklists::wire::current_state(*current);
                (status, Json(Conflict { detail: message, current: Some(current) })).into_response()
            }
            AppError::Unavailable(cause) => unavailable(&cause),
            AppError::Internal(m) => {
                let mut response = detail(status, "Internal server error");
                response.extensions_mut().insert(InternalFailure(m));
                response
            }
            refusal => detail(status, public_message(&refusal).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentinelops_app::checklists::CurrentState;
    use sentinelops_domain::checklist::InstanceStatus;

    #[test]
    fn each_error_has_its_status_and_only_refusals_show_their_words() {
        let refusal = |s: &str| s.to_owned();
        let cases = [
            (AppError::Forbidden(refusal("no")), StatusCode::FORBIDDEN, Some("no")),
            (AppError::NotFound(refusal("gone")), StatusCode::NOT_FOUND, Some("gone")),
            (AppError::BadRequest(refusal("odd")), StatusCode::BAD_REQUEST, Some("odd")),
            (AppError::Validation(refusal("bad")), StatusCode::UNPROCESSABLE_ENTITY, Some("bad")),
            (AppError::Conflict(refusal("taken")), StatusCode::CONFLICT, Some("taken")),
            (
                AppError::StateConflict {
                    message: refusal("moved"),
                    current: Box::new(CurrentState::Instance { instance_id: None, status: InstanceStatus::Open }),
                },
                StatusCode::CONFLICT,
                Some("moved"),
            ),
            (AppError::Unavailable(refusal("pool timed out")), StatusCode::SERVICE_UNAVAILABLE, None),
            (AppError::Internal(refusal("secret cause")), StatusCode::INTERNAL_SERVER_ERROR, None),
        ];
        for (err, status, message) in cases {
            assert_eq!(status_of(&err), status, "{err:?}");
            assert_eq!(public_message(&err).as_deref(), message, "{err:?}");
        }
        let auth = AppError::Auth(AuthError::TokenMissing);
        assert_eq!(status_of(&auth), StatusCode::UNAUTHORIZED);
        assert_eq!(public_message(&auth), Some(auth.to_string()));
    }
}
