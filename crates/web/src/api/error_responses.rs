//! The error answers of the API as OpenAPI responses, in sets an operation lists by what it
//! takes (a session, ids in its path, a query, a JSON body) and whether it writes. They
//! describe what `crate::error` and `crate::extract` send, with the same body types, so a
//! schema-driven client (or fuzzer) knows every status it can get.

use utoipa::IntoResponses;

use crate::error::{AuthFailure, Conflict, Detail};

/// A 403's body: `{detail}` when the role or section does not allow it, `{code, message,
/// context}` (`USER_DISABLED`) when the account is disabled.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only its schema is used
pub enum Refusal {
    Denied(Detail),
    Disabled(AuthFailure),
}

/// Operations that need a signed-in session (`Authorization: Bearer <token>`).
#[derive(IntoResponses)]
#[allow(dead_code)] // only the documentation is used
pub enum SessionErrors {
    /// No token, or an invalid, expired or revoked session; or wrong credentials at sign-in.
    #[response(status = 401)]
    Unauthorized(AuthFailure),
    /// A disabled account, or the role or section does not allow it.
    #[response(status = 403)]
    Forbidden(Refusal),
}

/// Operations with ids in their path.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum PathErrors {
    /// No such object (or none you may see).
    #[response(status = 404)]
    NotFound(Detail),
    /// A malformed path parameter (e.g. not a UUID), or an invalid input.
    #[response(status = 422)]
    Invalid(Detail),
}

/// Operations with query parameters.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum QueryErrors {
    /// A query parameter of the wrong type or out of range.
    #[response(status = 422)]
    Invalid(Detail),
}

/// Operations that take a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// Malformed JSON.
    #[response(status = 400)]
    Malformed(Detail),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(Detail),
    /// The body is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(Detail),
    /// The body has the wrong shape, a missing field or an invalid value.
    #[response(status = 422)]
    Invalid(Detail),
}

/// Operations that change something: the current state may refuse the change.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    /// Not possible in the current state (e.g. a note already acknowledged).
    #[response(status = 400)]
    BadRequest(Detail),
    /// A conflicting change: a duplicate unique value, a transition the current state refuses
    /// (`current` then holds that state), or an `Idempotency-Key` still being processed.
    #[response(status = 409)]
    Conflict(Conflict),
}
