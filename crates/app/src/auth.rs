//! Sign-in, per-request authentication, sign-out and session management.
//!
//! Every flow writes its auth events in the same transaction as the session change
//! it records. Tokens are 256 random bits; only their SHA-256 is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use sentinelops_domain::Login;
use sentinelops_domain::auth::{AuthEventType, LoginFailureReason, RevokeReason, SessionState};
use sentinelops_domain::directory::AuthSource;
use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::auth_events::{self, Subject};
use sentinelops_store::repo::sessions::{self, NewSession, SessionRow};
use sentinelops_store::repo::users::{self, UserRow};
use sentinelops_store::{Conn, Tx};

use crate::actor::{Actor, RequestMeta};
use crate::audit::{AuthEvent, record_auth, record_sign_in_failure};
use crate::error::{AppError, AppResult, AuthError, forbidden, not_found};
use crate::tx::commit;
use crate::{App, password};

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: UserRow,
    pub session: SessionRow,
    /// Who vouched for the person: SentinelOps' own password, LDAP or OpenID Connect.
    pub source: AuthSource,
}

/// One sign-in attempt, as its failure is recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    /// The username failures count against (the account's, else the typed login).
    pub subject: &'a str,
    pub user: Option<&'a UserRow>,
    pub typed: &'a str,
    pub source: AuthSource,
}

/// Who checks a typed password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PasswordRoute {
    Local,
    Ldap,
    Refused(LoginFailureReason),
}

impl PasswordRoute {
    fn source(self) -> AuthSource {
        match self {
            PasswordRoute::Ldap => AuthSource::Ldap,
            PasswordRoute::Local | PasswordRoute::Refused(_) => AuthSource::Local,
        }
    }
}

/// Longest password checked (the policy allows 128 characters).
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;

/// Sign-in lanes: a fixed set of locks that attempts are spread over by subject, so
/// memory stays bounded whatever the number of distinct logins.
fn sign_in_lanes() -> &'static [tokio::sync::Mutex<()>; 256] {
    static LANES: std::sync::OnceLock<[tokio::sync::Mutex<()>; 256]> = std::sync::OnceLock::new();
    LANES.get_or_init(|| std::array::from_fn(|_| tokio::sync::Mutex::new(())))
}

/// Attempts from one client address running at once. Many people sign in from behind
/// one proxy at shift change, so an address gets as many lanes as there are hashing
/// slots; a burst of guesses from it can then overshoot the address lockout by at
/// most this many attempts.
const ATTEMPTS_PER_ADDRESS: usize = 4;

fn address_lanes() -> &'static [tokio::sync::Semaphore; 256] {
    static LANES: std::sync::OnceLock<[tokio::sync::Semaphore; 256]> = std::sync::OnceLock::new();
    LANES.get_or_init(|| std::array::from_fn(|_| tokio::sync::Semaphore::new(ATTEMPTS_PER_ADDRESS)))
}

fn lane_of(subject: &str) -> usize {
    usize::from(Sha256::digest(subject.as_bytes()).first().copied().unwrap_or(0))
}

/// What an attempt holds while it runs.
struct Lanes {
    _account: Option<tokio::sync::MutexGuard<'static, ()>>,
    address: Option<tokio::sync::SemaphorePermit<'static>>,
}

impl Lanes {
    /// Gives the address's lane back before a slow directory call, so that a directory
    /// that hangs cannot queue the local sign-ins of the same office behind it.
    fn leave_address(&mut self) {
        self.address = None;
    }
}

/// Takes the account's lane (attempts on one account run one at a time, so a burst of
/// parallel guesses meets the lockout it would otherwise outrun), then one of the
/// address's lanes. Always in that order, so two attempts never wait crosswise.
async fn enter_lanes(account: &str, ip: Option<&str>) -> Lanes {
    let account = match sign_in_lanes().get(lane_of(&format!("account:{account}"))) {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    let address = match ip.and_then(|ip| address_lanes().get(lane_of(&format!("ip:{ip}")))) {
        Some(lanes) => lanes.acquire().await.ok(),
        None => None,
    };
    Lanes { _account: account, address }
}

/// Length of an encoded token: 32 bytes in unpadded base64url.
const TOKEN_LEN: usize = 43;

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Commits a change to sessions or accounts and drops the cached sessions.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn commit_sessions(&self, tx: Tx) -> AppResult<()> {
        commit(tx).await?;
        self.sessions.invalidate();
        Ok(())
    }
}

impl App {
    /// Signs a user in by e-mail or username, with a password kept by SentinelOps or,
    /// for directory accounts, checked by the LDAP / AD server.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sign_in(&self, login: &str, password: &str, meta: &RequestMeta) -> AppResult<SignedIn> {
        // What is kept of a typed login is bounded (a password typed into the wrong box
        // or a megabyte of junk must not land whole in the audit log).
        let typed = Login::typed(login);
        let login = typed.as_str();
        // Attempts on one account, or from one address, run one at a time, so a burst
        // of parallel guesses meets the lockout it would otherwise outrun.
        let mut lanes = enter_lanes(login, meta.ip.as_deref()).await;
        let now = self.clock.now();
        let user = users::find_by_login(self.store.reader(), login).await?;
        // Failures are counted against the account's username when it exists, so that
        // signing in by e-mail or by username locks the same account.
        let subject = user.as_ref().map_or(login, |u| u.username.as_str()).to_owned();
        let route = self.password_route(user.as_ref());
        let attempt = Attempt { subject: &subject, user: user.as_ref(), typed: login, source: route.source() };

        if self.sign_in_locked(&subject, meta, now).await? {
            self.record_login_failure(attempt, LoginFailureReason::Locked, None, meta, now).await?;
            return Err(AuthError::InvalidCredentials.into());
        }
        match route {
            PasswordRoute::Local => {}
            PasswordRoute::Ldap => {
                lanes.leave_address();
                return self.sign_in_ldap(attempt, password, meta, now).await;
            }
            PasswordRoute::Refused(reason) => {
                // As long as a real check, so the answer's timing says nothing.
                let _ = password::verify(self.dummy_hash.to_string(), password.to_owned()).await;
                self.record_login_failure(attempt, reason, None, meta, now).await?;
                return Err(AuthError::InvalidCredentials.into());
            }
        }

        let stored_hash = user.as_ref().map_or_else(|| self.dummy_hash.to_string(), |u| u.password_hash.clone());
        // No password is longer than this; hashing a huge one would only cost CPU.
        let password_ok =
            password.len() <= MAX_PASSWORD_BYTES && password::verify(stored_hash, password.to_owned()).await?;
        let user = match user.as_ref() {
            Some(user) if password_ok => user,
            found => {
                let reason =
                    if found.is_some() { LoginFailureReason::WrongPassword } else { LoginFailureReason::UnknownUser };
                self.record_login_failure(attempt, reason, None, meta, now).await?;
                return Err(AuthError::InvalidCredentials.into());
            }
        };
        if !user.is_active {
            // The same answer as a wrong password: a distinct one would confirm the
            // password to whoever guessed it. The audit log keeps the true cause.
            self.record_login_failure(attempt, LoginFailureReason::Disabled, None, meta, now).await?;
            return Err(AuthError::InvalidCredentials.into());
        }

        let tx = self.store.begin_write().await?;
        let signed_in = self.open_session(&tx, user.clone(), AuthSource::Local, "password", meta, now).await?;
        commit(tx).await?;
        Ok(signed_in)
    }

    /// Who checks a password typed for this account (or for an unknown login).
    fn password_route(&self, user: Option<&UserRow>) -> PasswordRoute {
        let directory = &self.config.directory;
        let ldap = directory.ldap.is_some();
        match user {
            Some(u) if *u.auth_source == AuthSource::Local => {
                if directory.local_sign_in.allows(*u.role) {
                    PasswordRoute::Local
                } else if ldap {
                    // A local account the configuration no longer lets in locally: the
                    // directory may vouch for the same person (and the account is adopted).
                    PasswordRoute::Ldap
                } else {
                    PasswordRoute::Refused(LoginFailureReason::LocalSignInForbidden)
                }
            }
            Some(u) if *u.auth_source == AuthSource::Ldap && ldap => PasswordRoute::Ldap,
            Some(_) => PasswordRoute::Refused(LoginFailureReason::WrongSource),
            None if ldap => PasswordRoute::Ldap,
            None => PasswordRoute::Local,
        }
    }

    /// Opens a session for `user` in `tx`: the session row, the last sign-in time, and
    /// LOGIN_SUCCESS and SESSION_CREATED, which commit together.
    pub(crate) async fn open_session(
        &self,
        tx: &Tx,
        user: UserRow,
        source: AuthSource,
        login_type: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<SignedIn> {
        let token = new_token();
        let session = sessions::insert(
            tx,
            NewSession {
                id: new_id(),
                user_id: user.id,
                token_hash: token_hash(&token),
                created_at: now,
                expires_at: now + self.config.sessions.absolute,
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
            },
        )
        .await?;
        users::set_last_login(tx, user.id, now).await?;
        let mut metadata = json!({
            "username": user.username,
            "email": user.email,
            "source": source.as_str(),
            "login_type": login_type,
        });
        if source.is_directory()
            && let Value::Object(map) = &mut metadata
        {
            map.insert("directory_answer".into(), json!("ok"));
        }
        record_auth(
            tx,
            now,
            meta,
            AuthEvent {
                kind: AuthEventType::LoginSuccess,
                user_id: Some(user.id),
                username: Some(&user.username),
                session_id: Some(session.id),
                metadata,
            },
        )
        .await?;
        record_auth(
            tx,
            now,
            meta,
            AuthEvent {
                kind: AuthEventType::SessionCreated,
                user_id: Some(user.id),
                username: Some(&user.username),
                session_id: Some(session.id),
                metadata: json!({ "expires_at": session.expires_at, "idle_minutes": self.config.sessions.idle.num_minutes() }),
            },
        )
        .await?;
        Ok(SignedIn { token, user, session, source })
    }

    /// True while the account or the client address is locked out. The account's lock
    /// counts the failures that reached the password check: attempts refused because it
    /// was locked do not lengthen it (else a trickle of guesses could keep a named account
    /// locked for ever). The address's lock counts every guess from it.
    pub(crate) async fn sign_in_locked(
        &self,
        subject: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let reader = self.store.reader();
        let failure = AuthEventType::LoginFailure.as_str();
        // Refusals that say nothing about a guessed password count for neither lock
        // (see NOT_GUESSES); attempts refused by the lock count for the address only.
        let not_guesses = LoginFailureReason::NOT_GUESSES.map(LoginFailureReason::as_str);
        let mut not_account_guesses = not_guesses.to_vec();
        not_account_guesses.push(LoginFailureReason::Locked.as_str());
        let account = self.config.account_lockout;
        let last_success = auth_events::latest_time(reader, subject, AuthEventType::LoginSuccess.as_str()).await?;
        let since = last_success.map_or(now - account.window, |t| t.max(now - account.window));
        let (failures, last) =
            auth_events::count_since_except(reader, Subject::Username(subject), failure, since, &not_account_guesses)
                .await?;
        if account.is_locked(now, u32::try_from(failures).unwrap_or(u32::MAX), last) {
            return Ok(true);
        }
        if let Some(ip) = &meta.ip {
            let per_ip = self.config.ip_lockout;
            let (failures, last) =
                auth_events::count_since_except(reader, Subject::Ip(ip), failure, now - per_ip.window, &not_guesses)
                    .await?;
            if per_ip.is_locked(now, u32::try_from(failures).unwrap_or(u32::MAX), last) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Records a LOGIN_FAILURE with its reason, the source that was asked and, for a
    /// directory, its answer class (never a password or a directory's message).
    pub(crate) async fn record_login_failure(
        &self,
        attempt: Attempt<'_>,
        reason: LoginFailureReason,
        directory_answer: Option<&str>,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut metadata = json!({ "email": attempt.typed, "source": attempt.source.as_str() });
        if let (Some(answer), Value::Object(map)) = (directory_answer, &mut metadata) {
            map.insert("directory_answer".into(), json!(answer));
        }
        let tx = self.store.begin_write().await?;
        record_sign_in_failure(
            &tx,
            now,
            meta,
            AuthEvent {
                kind: AuthEventType::LoginFailure,
                user_id: attempt.user.map(|u| u.id),
                username: Some(attempt.subject),
                session_id: None,
                metadata,
            },
            reason,
        )
        .await?;
        commit(tx).await
    }

    /// Resolves a bearer token to the acting user, or says why it cannot.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(&self, token: &str, meta: &RequestMeta) -> AppResult<Actor> {
        let now = self.clock.now();
        let hash = (token.len() == TOKEN_LEN).then(|| token_hash(token));
        if let Some((session, user)) = hash.as_deref().and_then(|h| self.sessions.get(h))
            && user.is_active
            && self.config.sessions.state(now, session.revoked_at, session.last_seen_at, session.expires_at)
                == SessionState::Live
            && session.last_seen_at + self.config.session_touch_granularity > now
        {
            return Ok(actor_of(&user, session.id));
        }
        let (epoch, read_at) = (self.sessions.epoch(), std::time::Instant::now());
        let session = match &hash {
            Some(hash) => sessions::find_by_token_hash(self.store.reader(), hash).await?,
            None => None,
        };
        let Some(session) = session else {
            self.record_invalid_token(None, "unknown_token", meta, now).await?;
            return Err(AuthError::TokenInvalid.into());
        };
        match self.config.sessions.state(now, session.revoked_at, session.last_seen_at, session.expires_at) {
            SessionState::Live => {}
            SessionState::Revoked => {
                self.record_invalid_token(Some(&session), "revoked_session", meta, now).await?;
                return Err(AuthError::SessionInvalid.into());
            }
            SessionState::Expired => {
                self.end_session(&session, RevokeReason::Expired, meta, now).await?;
                return Err(AuthError::TokenExpired.into());
            }
        }
        let user = users::find(self.store.reader(), session.user_id).await?;
        let Some(user) = user.filter(|u| u.is_active) else {
            // Deactivation revokes sessions in its own transaction; this is the safety net.
            self.end_session(&session, RevokeReason::Deactivated, meta, now).await?;
            return Err(AuthError::SessionInvalid.into());
        };
        if session.last_seen_at + self.config.session_touch_granularity <= now {
            let tx = self.store.begin_write().await?;
            sessions::touch(&tx, session.id, now, self.config.session_touch_granularity).await?;
            commit(tx).await?;
        } else if let Some(hash) = hash {
            // Only a row that needs no touch is cached: the touch must reach the database.
            self.sessions.put(hash, session.clone(), user.clone(), epoch, read_at);
        }
        Ok(actor_of(&user, session.id))
    }

    /// Records INVALID_TOKEN, at most `invalid_token_limit` per client per window, so
    /// that a flood of bad tokens cannot fill the table.
    async fn record_invalid_token(
        &self,
        session: Option<&SessionRow>,
        reason: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let client = meta.ip.as_deref().unwrap_or("unknown");
        let (recent, _) = auth_events::count_since(
            self.store.reader(),
            Subject::Ip(client),
            AuthEventType::InvalidToken.as_str(),
            now - self.config.invalid_token_window,
        )
        .await?;
        if recent >= self.config.invalid_token_limit {
            return Ok(());
        }
        let meta = RequestMeta { ip: Some(client.to_owned()), user_agent: meta.user_agent.clone() };
        let username = match session {
            Some(s) => users::find(self.store.reader(), s.user_id).await?.map(|u| u.username),
            None => None,
        };
        let tx = self.store.begin_write().await?;
        record_auth(
            &tx,
            now,
            &meta,
            AuthEvent {
                kind: AuthEventType::InvalidToken,
                user_id: session.map(|s| s.user_id),
                username: username.as_deref(),
                session_id: session.map(|s| s.id),
                metadata: json!({ "reason": reason }),
            },
        )
        .await?;
        commit(tx).await
    }

    /// Revokes one session (if still live) with its SESSION_REVOKED event.
    async fn end_session(
        &self,
        session: &SessionRow,
        reason: RevokeReason,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let tx = self.store.begin_write().await?;
        let username = users::find(&tx, session.user_id).await?.map(|u| u.username);
        let revoked = revoke_session(&tx, session, username.as_deref(), reason, meta, now).await?;
        self.commit_sessions(tx).await?;
        Ok(revoked)
    }

    /// Signs out: revokes the session behind the token, if any. Always succeeds.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn logout(&self, token: Option<&str>, meta: &RequestMeta) -> AppResult<()> {
        let Some(token) = token.filter(|t| t.len() == TOKEN_LEN) else {
            return Ok(());
        };
        let now = self.clock.now();
        let Some(session) = sessions::find_by_token_hash(self.store.reader(), &token_hash(token)).await? else {
            return Ok(());
        };
        if self.config.sessions.state(now, session.revoked_at, session.last_seen_at, session.expires_at)
            != SessionState::Live
        {
            return Ok(());
        }
        let tx = self.store.begin_write().await?;
        let username = users::find(&tx, session.user_id).await?.map(|u| u.username);
        if revoke_session(&tx, &session, username.as_deref(), RevokeReason::Logout, meta, now).await? {
            record_auth(
                &tx,
                now,
                meta,
                AuthEvent {
                    kind: AuthEventType::Logout,
                    user_id: Some(session.user_id),
                    username: username.as_deref(),
                    session_id: Some(session.id),
                    metadata: json!({ "username": username }),
                },
            )
            .await?;
        }
        self.commit_sessions(tx).await
    }

    /// The acting user's own row.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn me(&self, actor: &Actor) -> AppResult<UserRow> {
        users::find(self.store.reader(), actor.user_id).await?.ok_or_else(|| not_found("User not found"))
    }

    /// The acting user's recent sessions, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_sessions(&self, actor: &Actor) -> AppResult<Vec<SessionRow>> {
        Ok(sessions::recent_for_user(self.store.reader(), actor.user_id, 50).await?)
    }

    /// Revokes one of the acting user's own sessions.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_my_session(&self, actor: &Actor, session_id: Uuid, meta: &RequestMeta) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let session = sessions::find(&tx, session_id).await?.filter(|s| s.user_id == actor.user_id);
        let Some(session) = session else {
            return Err(not_found("Session not found"));
        };
        if session.id == actor.session_id {
            return Err(AppError::BadRequest("Use sign-out to end the current session".into()));
        }
        if !revoke_session(&tx, &session, Some(&actor.username), RevokeReason::User, meta, now).await? {
            return Err(AppError::Conflict("Session already revoked".into()));
        }
        self.commit_sessions(tx).await
    }

    /// An administrator revokes every session of a user.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_user_sessions(&self, actor: &Actor, user_id: Uuid, meta: &RequestMeta) -> AppResult<usize> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can revoke sessions"));
        }
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let user = users::find(&tx, user_id).await?.ok_or_else(|| not_found("User not found"))?;
        let revoked = revoke_all_sessions(&tx, &user, RevokeReason::Admin, meta, now).await?;
        crate::audit::record_ops(
            &tx,
            now,
            actor,
            crate::audit::OpsEvent {
                event_type: "USER_SESSIONS_REVOKED",
                entity_type: "USER",
                entity_id: user.id.to_string(),
                section_id: user.section_id,
                payload: json!({ "user_id": user.id, "username": user.username, "sessions_revoked": revoked }),
            },
        )
        .await?;
        self.commit_sessions(tx).await?;
        Ok(revoked)
    }
}

/// The actor a session and its user act as.
pub fn actor_of(user: &UserRow, session_id: Uuid) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        role: *user.role,
        section_id: user.section_id,
        department_id: user.department_id,
        session_id,
    }
}

/// Revokes a session if it is still unrevoked and writes SESSION_REVOKED.
async fn revoke_session(
    c: &impl Conn,
    session: &SessionRow,
    username: Option<&str>,
    reason: RevokeReason,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if !sessions::revoke(c, session.id, now, reason.as_str()).await? {
        return Ok(false);
    }
    record_auth(
        c,
        now,
        meta,
        AuthEvent {
            kind: AuthEventType::SessionRevoked,
            user_id: Some(session.user_id),
            username,
            session_id: Some(session.id),
            metadata: json!({ "reason": reason.as_str() }),
        },
    )
    .await?;
    Ok(true)
}

/// Revokes every session of a user (deactivation, password change, admin action).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn revoke_all_sessions(
    c: &impl Conn,
    user: &UserRow,
    reason: RevokeReason,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut count = 0;
    for session in sessions::unrevoked_for_user(c, user.id).await? {
        if revoke_session(c, &session, Some(&user.username), reason, meta, now).await? {
            count += 1;
        }
    }
    Ok(count)
}
