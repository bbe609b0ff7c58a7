//! Authentication policy: event and revocation vocabularies, session expiry and
//! the brute-force lockout rule.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The six auth events of the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthEventType {
    LoginSuccess,
    LoginFailure,
    Logout,
    SessionCreated,
    SessionRevoked,
    InvalidToken,
}

impl AuthEventType {
    pub const ALL: [AuthEventType; 6] = [
        AuthEventType::LoginSuccess,
        AuthEventType::LoginFailure,
        AuthEventType::Logout,
        AuthEventType::SessionCreated,
        AuthEventType::SessionRevoked,
        AuthEventType::InvalidToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthEventType::LoginSuccess => "LOGIN_SUCCESS",
            AuthEventType::LoginFailure => "LOGIN_FAILURE",
            AuthEventType::Logout => "LOGOUT",
            AuthEventType::SessionCreated => "SESSION_CREATED",
            AuthEventType::SessionRevoked => "SESSION_REVOKED",
            AuthEventType::InvalidToken => "INVALID_TOKEN",
        }
    }

    pub fn parse(name: &str) -> Option<AuthEventType> {
        AuthEventType::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// The user signed out.
    Logout,
    /// An administrator revoked it.
    Admin,
    /// The user was deactivated.
    Deactivated,
    /// The password changed.
    PasswordChanged,
    /// Idle or absolute lifetime passed.
    Expired,
    /// The user revoked one of their own other sessions.
    User,
}

impl RevokeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeReason::Logout => "logout",
            RevokeReason::Admin => "admin",
            RevokeReason::Deactivated => "deactivated",
            RevokeReason::PasswordChanged => "password_changed",
            RevokeReason::Expired => "expired",
            RevokeReason::User => "user",
        }
    }
}

/// Why a sign-in was refused (the `reason` of a LOGIN_FAILURE event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailureReason {
    UnknownUser,
    WrongPassword,
    Disabled,
    Locked,
    /// The directory could not be asked (down, timed out, service bind refused).
    DirectoryUnavailable,
    /// The directory knows the person, but none of the configured groups holds them.
    NoGroup,
    /// The directory names a section SentinelOps does not have.
    UnknownSection,
    /// A local account whose password sign-in the configuration forbids.
    LocalSignInForbidden,
    /// A password for an account that signs in elsewhere (OpenID Connect), or the
    /// directory account of a source that is not configured.
    WrongSource,
    /// An OpenID Connect sign-in that failed validation (state, nonce, token, claims).
    OidcRejected,
}

impl LoginFailureReason {
    /// Failures that say nothing about a guessed password: a directory that is down, a
    /// provider's answer that failed validation, a right password without a group or
    /// section, a password for an account that cannot sign in with one. They count for
    /// neither lock: a directory outage must not lock people (or their office's address)
    /// out, and nobody can lock a single sign-on account by typing passwords for it.
    pub const NOT_GUESSES: [LoginFailureReason; 6] = [
        LoginFailureReason::DirectoryUnavailable,
        LoginFailureReason::OidcRejected,
        LoginFailureReason::NoGroup,
        LoginFailureReason::UnknownSection,
        LoginFailureReason::WrongSource,
        LoginFailureReason::LocalSignInForbidden,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LoginFailureReason::UnknownUser => "unknown_user",
            LoginFailureReason::WrongPassword => "invalid_password",
            LoginFailureReason::Disabled => "user_disabled",
            LoginFailureReason::Locked => "locked",
            LoginFailureReason::DirectoryUnavailable => "directory_unavailable",
            LoginFailureReason::NoGroup => "no_group",
            LoginFailureReason::UnknownSection => "unknown_section",
            LoginFailureReason::LocalSignInForbidden => "local_signin_forbidden",
            LoginFailureReason::WrongSource => "wrong_source",
            LoginFailureReason::OidcRejected => "oidc_rejected",
        }
    }
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute: Duration,
}

/// The state of a stored session at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live,
    Revoked,
    Expired,
}

impl SessionPolicy {
    pub fn state(
        &self,
        now: DateTime<Utc>,
        revoked_at: Option<DateTime<Utc>>,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> SessionState {
        if revoked_at.is_some() {
            SessionState::Revoked
        } else if now >= expires_at || now >= last_seen_at + self.idle {
            SessionState::Expired
        } else {
            SessionState::Live
        }
    }
}

/// Brute-force protection: past `threshold` failures inside `window`, sign-in is
/// refused until a delay that doubles with every further failure has passed.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub threshold: u32,
    pub window: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl LockoutPolicy {
    /// When sign-in opens again, given the failures counted in the window and the
    /// time of the newest one; `None` when the subject is not locked.
    pub fn locked_until(&self, failures: u32, last_failure: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        if self.threshold == 0 || failures < self.threshold {
            return None;
        }
        let last = last_failure?;
        let doublings = (failures - self.threshold).min(20);
        let factor = 1i32.checked_shl(doublings).unwrap_or(i32::MAX);
        let delay = self.base_delay.checked_mul(factor).unwrap_or(self.max_delay).min(self.max_delay);
        Some(last + delay)
    }

    pub fn is_locked(&self, now: DateTime<Utc>, failures: u32, last_failure: Option<DateTime<Utc>>) -> bool {
        self.locked_until(failures, last_failure).is_some_and(|until| now < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).single().unwrap_or_default()
    }

    fn policy() -> LockoutPolicy {
        LockoutPolicy {
            threshold: 5,
            window: Duration::minutes(15),
            base_delay: Duration::seconds(30),
            max_delay: Duration::minutes(15),
        }
    }

    #[test]
    fn below_threshold_is_open() {
        assert_eq!(policy().locked_until(4, Some(t0())), None);
        assert!(!policy().is_locked(t0(), 4, Some(t0())));
    }

    #[test]
    fn delay_doubles_and_is_capped() {
        let p = policy();
        assert_eq!(p.locked_until(5, Some(t0())), Some(t0() + Duration::seconds(30)));
        assert_eq!(p.locked_until(6, Some(t0())), Some(t0() + Duration::seconds(60)));
        assert_eq!(p.locked_until(7, Some(t0())), Some(t0() + Duration::seconds(120)));
        assert_eq!(p.locked_until(60, Some(t0())), Some(t0() + Duration::minutes(15)));
        assert!(p.is_locked(t0() + Duration::seconds(29), 5, Some(t0())));
        assert!(!p.is_locked(t0() + Duration::seconds(30), 5, Some(t0())));
    }

    #[test]
    fn session_expires_by_idle_or_absolute_lifetime() {
        let p = SessionPolicy { idle: Duration::hours(1), absolute: Duration::hours(8) };
        let start = t0();
        let end = start + p.absolute;
        assert_eq!(p.state(start + Duration::minutes(59), None, start, end), SessionState::Live);
        assert_eq!(p.state(start + Duration::minutes(60), None, start, end), SessionState::Expired);
        let recent = start + Duration::hours(7) + Duration::minutes(30);
        assert_eq!(p.state(start + Duration::hours(8), None, recent, end), SessionState::Expired);
        assert_eq!(p.state(start, Some(start), start, end), SessionState::Revoked);
        for t in AuthEventType::ALL {
            assert_eq!(AuthEventType::parse(t.as_str()), Some(t));
        }
    }
}
