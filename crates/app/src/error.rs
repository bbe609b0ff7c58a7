//! Application errors. The web layer maps them to status codes and the original's
//! shapes: `{code, message, context}` for authentication, `{detail}` for the rest.

use sentinelops_store::StoreError;

use crate::checklists::CurrentState;

/// Authentication failures, with the original's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Invalid email or password")]
    InvalidCredentials,
    #[error("Authentication required")]
    TokenMissing,
    #[error("Invalid authentication token")]
    TokenInvalid,
    #[error("Session expired, please sign in again")]
    TokenExpired,
    #[error("Session invalid or expired")]
    SessionInvalid,
    /// The directory (LDAP / AD or the OpenID provider) could not be asked: directory
    /// accounts cannot sign in until it answers again. Local accounts are unaffected.
    #[error("The directory cannot be reached, so directory accounts cannot sign in right now. Try again shortly.")]
    DirectoryUnavailable,
    /// The directory knows the person, but no SentinelOps group holds them.
    #[error("Your directory account is not in a SentinelOps group. Ask an administrator for access.")]
    NotInGroup,
    /// The directory names a section SentinelOps does not have.
    #[error("Your directory account names a section SentinelOps does not have. Ask an administrator.")]
    UnknownSection,
    /// An OpenID Connect return that failed validation (expired, replayed or forged).
    #[error("Single sign-on failed: the answer from the identity provider was not valid. Please sign in again.")]
    SingleSignOnRejected,
}

impl AuthError {
    pub fn code(self) -> &'static str {
        match self {
            AuthError::InvalidCredentials => "INVALID_CREDENTIALS",
            AuthError::TokenMissing => "TOKEN_MISSING",
            AuthError::TokenInvalid => "TOKEN_INVALID",
            AuthError::TokenExpired => "TOKEN_EXPIRED",
            AuthError::SessionInvalid => "SESSION_INVALID",
            // The original's code for a directory that failed.
            AuthError::DirectoryUnavailable => "AD_AUTH_FAILED",
            AuthError::NotInGroup | AuthError::UnknownSection => "ACCESS_DENIED",
            AuthError::SingleSignOnRejected => "SSO_REJECTED",
        }
    }

    /// The HTTP status number: 401 for credentials and tokens, 403 for a person the
    /// directory vouches for but who may not enter, 502 (the original's) for a
    /// directory that did not answer.
    pub fn status(self) -> u16 {
        match self {
            AuthError::DirectoryUnavailable => 502,
            AuthError::NotInGroup | AuthError::UnknownSection => 403,
            _ => 401,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Authenticated but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A request that breaks a rule (400).
    #[error("{0}")]
    BadRequest(String),
    /// Input that is well-formed but invalid (422).
    #[error("{0}")]
    Validation(String),
    /// The state changed under the request, or a unique value is taken (409).
    #[error("{0}")]
    Conflict(String),
    /// A change refused by the current state of a resource; `current` describes that
    /// state so the client can show it instead of losing the user's intent (409).
    #[error("{message}")]
    StateConflict { message: String, current: Box<CurrentState> },
    /// The database cannot be reached right now (503); the cause is for the log.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(_) => AppError::Conflict("A record with the same unique value already exists".into()),
            StoreError::ForeignKey(_) => AppError::Validation("A referenced record does not exist".into()),
            StoreError::Unavailable(e) => AppError::Unavailable(e),
            StoreError::Db(e) => AppError::Internal(with_causes(&e)),
            StoreError::Config(e) => AppError::Internal(e),
            StoreError::Corrupt(e) => AppError::Internal(format!("corrupt stored value: {e}")),
        }
    }
}

/// An error's message followed by each of its sources (`outer: cause: root cause`), so
/// the log shows why a database call failed, not only that it did.
pub fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some wrappers repeat their source's message in their own; say it once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

pub fn forbidden(message: impl Into<String>) -> AppError {
    AppError::Forbidden(message.into())
}

pub fn not_found(message: impl Into<String>) -> AppError {
    AppError::NotFound(message.into())
}

pub fn invalid(message: impl Into<String>) -> AppError {
    AppError::Validation(message.into())
}

/// A name read from a text column the store does not type yet (template item types and
/// shifts): an unknown one is corrupt data, a 500, never a default.
pub(crate) fn stored_name<T: sentinelops_domain::Named>(name: &str) -> AppResult<T> {
    T::from_name(name).ok_or_else(|| AppError::Internal(format!("corrupt stored value: {name:?} is no {}", T::KIND)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("query failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn internal_errors_keep_their_causes() {
        let err = Outer(std::io::Error::other("connection reset by peer"));
        assert_eq!(with_causes(&err), "query failed: connection reset by peer");
    }
}
