//! Directory sign-in (issue 22): LDAP / Active Directory passwords, OpenID Connect,
//! and the accounts they vouch for. The directory owns a directory account's name,
//! e-mail, role and (when mapped) section: they are written at every sign-in and by the
//! periodic check, never by hand. The directory's password is never stored.

pub mod check;
pub mod ldap;
pub mod oidc;
mod provision;
pub mod status;

use chrono::{DateTime, Duration, Utc};
use sentinelops_domain::auth::LoginFailureReason;
use sentinelops_domain::directory::{AuthSource, DirectoryPerson, Refusal};
use sentinelops_store::repo::oidc_flows::{self, OidcFlowRow};

use crate::App;
use crate::actor::RequestMeta;
use crate::auth::{Attempt, SignedIn, token_hash};
use crate::error::{AppError, AppResult, AuthError};

pub use provision::Provisioned;
pub use status::DirectoryStatus;

/// Directory state an instance keeps: the last status probe and the OpenID provider's
/// discovery document.
#[derive(Debug, Clone, Default)]
pub struct Directories {
    pub(crate) status: status::StatusCache,
    pub(crate) oidc: Option<oidc::Provider>,
}

impl Directories {
    pub fn new(config: &crate::config::DirectoryConfig) -> Directories {
        Directories {
            status: status::StatusCache::default(),
            oidc: config.oidc.as_ref().map(|c| oidc::Provider::new(c.timeout)),
        }
    }
}

/// An OpenID Connect attempt before anyone is known (its failures count against
/// the address, not an account).
const UNKNOWN_OIDC: Attempt<'static> = Attempt { subject: "oidc", user: None, typed: "oidc", source: AuthSource::Oidc };

/// Single sign-ons one address may have waiting for their browser at once (a whole
/// office behind one proxy signs in at shift change; a finished flow no longer counts).
const MAX_OIDC_FLOWS_PER_ADDRESS: u64 = 100;

/// How long a browser has between leaving for the provider and coming back.
const OIDC_FLOW_LIFETIME: Duration = Duration::minutes(10);

/// The first half's answer: where to send the browser, and the state it must bring back.
#[derive(Debug, Clone)]
pub struct OidcStart {
    pub authorize_url: String,
    pub state: String,
}

/// Where an OpenID Connect sign-in goes once it is through.
#[derive(Debug, Clone)]
pub struct OidcSignedIn {
    pub signed_in: SignedIn,
    pub next: Option<String>,
}

impl App {
    /// A password sign-in checked by the LDAP / AD server. `attempt.user` is the
    /// account the login names, if any (a local one is adopted if the directory vouches
    /// for the same person and local sign-in no longer lets it in).
    pub(crate) async fn sign_in_ldap(
        &self,
        attempt: Attempt<'_>,
        password: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<SignedIn> {
        let Some(config) = self.config.directory.ldap.as_ref() else {
            return Err(AuthError::InvalidCredentials.into());
        };
        let attempt = Attempt { source: AuthSource::Ldap, ..attempt };
        let found = if password.len() > crate::auth::MAX_PASSWORD_BYTES {
            Err(ldap::LdapFailure::InvalidCredentials)
        } else if self.directory.status.recently_failed(config.status_ttl) {
            // The directory failed moments ago: answer at once rather than wait out its timeouts.
            Err(ldap::LdapFailure::Unavailable("failed within the last few seconds".into()))
        } else {
            let found = ldap::find_for_sign_in(config, attempt.typed).await;
            self.directory.status.note(!matches!(found, Err(ldap::LdapFailure::Unavailable(_))));
            found
        };
        let pending = match found {
            Ok(pending) => pending,
            Err(failure) => return self.ldap_refusal(attempt, &failure, meta, now).await,
        };
        // Failures count against the person's one username, whichever of their e-mail,
        // account name or principal name was typed, so each spelling is no fresh set of
        // guesses; the lock is checked again under that name before the password is tried.
        let username = pending.username.clone();
        let attempt = Attempt { subject: &username, ..attempt };
        if username != attempt.typed && self.sign_in_locked(&username, meta, now).await? {
            self.record_login_failure(attempt, LoginFailureReason::Locked, None, meta, now).await?;
            return Err(AuthError::InvalidCredentials.into());
        }
        let checked = ldap::check_password(config, pending, password).await;
        self.directory.status.note(!matches!(checked, Err(ldap::LdapFailure::Unavailable(_))));
        match checked {
            Ok(found) => self.open_directory_session(attempt, found.person, "password", meta, now).await,
            Err(failure) => self.ldap_refusal(attempt, &failure, meta, now).await,
        }
    }

    /// Records a failed LDAP sign-in and answers it.
    async fn ldap_refusal(
        &self,
        attempt: Attempt<'_>,
        failure: &ldap::LdapFailure,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<SignedIn> {
        let (reason, error) = match failure {
            ldap::LdapFailure::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "LDAP sign-in: the directory did not answer");
                (LoginFailureReason::DirectoryUnavailable, AuthError::DirectoryUnavailable)
            }
            ldap::LdapFailure::InvalidCredentials => (LoginFailureReason::WrongPassword, AuthError::InvalidCredentials),
            // A local account the directory does not know: it is the local rule that refuses.
            ldap::LdapFailure::NotFound if attempt.user.is_some_and(|u| *u.auth_source == AuthSource::Local) => {
                (LoginFailureReason::LocalSignInForbidden, AuthError::InvalidCredentials)
            }
            ldap::LdapFailure::NotFound => (LoginFailureReason::UnknownUser, AuthError::InvalidCredentials),
        };
        self.record_login_failure(attempt, reason, Some(failure.class()), meta, now).await?;
        Err(error.into())
    }

    /// Turns a person the directory vouched for into a session: refuses the disabled
    /// and the ungrouped, provisions or refreshes their account, and opens the session,
    /// all in one transaction.
    async fn open_directory_session(
        &self,
        attempt: Attempt<'_>,
        person: DirectoryPerson,
        login_type: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> AppResult<SignedIn> {
        let refuse = |reason: LoginFailureReason, error: AuthError, answer: &'static str| async move {
            self.record_login_failure(attempt, reason, Some(answer), meta, now).await?;
            Err::<SignedIn, AppError>(error.into())
        };
        match person.refusal() {
            Some(Refusal::Disabled) => {
                return refuse(LoginFailureReason::Disabled, AuthError::InvalidCredentials, "disabled").await;
            }
            Some(Refusal::NoGroup) => {
                return refuse(LoginFailureReason::NoGroup, AuthError::NotInGroup, "no_group").await;
            }
            None => {}
        }
        let tx = self.store.begin_write().await?;
        let account = match self.provision(&tx, &person, now).await? {
            Provisioned::Account(account) => *account,
            Provisioned::UnknownSection => {
                drop(tx);
                return refuse(LoginFailureReason::UnknownSection, AuthError::UnknownSection, "unknown_section").await;
            }
            Provisioned::Taken => {
                drop(tx);
                return refuse(LoginFailureReason::WrongSource, AuthError::InvalidCredentials, "account_taken").await;
            }
        };
        if !account.is_active {
            // Deactivated in SentinelOps: that wins over the directory.
            drop(tx);
            let attempt = Attempt { user: Some(&account), subject: &account.username, ..attempt };
            self.record_login_failure(attempt, LoginFailureReason::Disabled, Some("ok"), meta, now).await?;
            return Err(AuthError::InvalidCredentials.into());
        }
        let signed_in = self.open_session(&tx, account, person.source, login_type, meta, now).await?;
        self.commit_sessions(tx).await?;
        Ok(signed_in)
    }

    /// The first half of an OpenID Connect sign-in: saves the flow's secrets and answers
    /// the provider's authorization URL to send the browser to.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn oidc_begin(&self, next: Option<&str>, meta: &RequestMeta) -> AppResult<OidcStart> {
        let (Some(config), Some(provider)) = (self.config.directory.oidc.as_ref(), self.directory.oidc.as_ref()) else {
            return Err(AppError::NotFound("Single sign-on is not configured".into()));
        };
        let begun = provider.begin(config).await.map_err(|failure| {
            tracing::warn!(cause = %failure, "OpenID Connect: the provider did not answer");
            AppError::Auth(AuthError::DirectoryUnavailable)
        })?;
        let now = self.clock.now();
        let tx = self.store.begin_write().await?;
        // Beginning a flow needs no account, so the number an address has waiting is
        // bounded: a flood of "Sign in with …" cannot fill the table.
        if oidc_flows::count_live_from(&tx, meta.ip.as_deref(), now).await? >= MAX_OIDC_FLOWS_PER_ADDRESS {
            return Err(AppError::Conflict(
                "Too many single sign-ons are in progress; try again in a few minutes".into(),
            ));
        }
        oidc_flows::insert(
            &tx,
            OidcFlowRow {
                state_hash: token_hash(&begun.state),
                nonce: begun.nonce,
                pkce_verifier: begun.pkce_verifier,
                next: next.map(str::to_owned),
                ip: meta.ip.clone(),
                created_at: now,
                expires_at: now + OIDC_FLOW_LIFETIME,
            },
        )
        .await?;
        crate::tx::commit(tx).await?;
        Ok(OidcStart { authorize_url: begun.authorize_url, state: begun.state })
    }

    /// A return from the provider that this browser did not begin (no state cookie, or
    /// another one): refused and recorded.
    pub async fn oidc_reject_return(&self, meta: &RequestMeta) -> AppResult<OidcSignedIn> {
        let now = self.clock.now();
        self.record_login_failure(UNKNOWN_OIDC, LoginFailureReason::OidcRejected, Some("state_mismatch"), meta, now)
            .await?;
        Err(AuthError::SingleSignOnRejected.into())
    }

    /// The second half: the provider sent the browser back with `code` and `state`.
    /// The flow is taken (good once), the code exchanged and the ID token validated;
    /// then the person gets a session like any directory sign-in.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn oidc_finish(&self, code: &str, state: &str, meta: &RequestMeta) -> AppResult<OidcSignedIn> {
        let (Some(config), Some(provider)) = (self.config.directory.oidc.as_ref(), self.directory.oidc.as_ref()) else {
            return Err(AppError::NotFound("Single sign-on is not configured".into()));
        };
        let now = self.clock.now();
        let tx = self.store.begin_write().await?;
        let flow = oidc_flows::take(&tx, &token_hash(state), now).await?;
        crate::tx::commit(tx).await?;
        let unknown = UNKNOWN_OIDC;
        let Some(flow) = flow else {
            self.record_login_failure(unknown, LoginFailureReason::OidcRejected, Some("unknown_state"), meta, now)
                .await?;
            return Err(AuthError::SingleSignOnRejected.into());
        };
        let kept = oidc::Kept { nonce: &flow.nonce, pkce_verifier: &flow.pkce_verifier };
        let person = match provider.finish(config, code, kept, now).await {
            Ok(person) => person,
            Err(failure) => {
                let (reason, error) = match &failure {
                    oidc::OidcFailure::Unavailable(_) => {
                        (LoginFailureReason::DirectoryUnavailable, AuthError::DirectoryUnavailable)
                    }
                    oidc::OidcFailure::Rejected(_) => {
                        (LoginFailureReason::OidcRejected, AuthError::SingleSignOnRejected)
                    }
                };
                tracing::warn!(cause = %failure, "OpenID Connect sign-in failed");
                self.record_login_failure(unknown, reason, Some(failure.class()), meta, now).await?;
                return Err(error.into());
            }
        };
        let existing = sentinelops_store::repo::users::find_by_external_id(
            self.store.reader(),
            AuthSource::Oidc,
            &person.external_id,
        )
        .await?;
        let subject = existing.as_ref().map_or(person.username.clone(), |u| u.username.clone());
        let typed = person.username.clone();
        let attempt = Attempt { subject: &subject, user: existing.as_ref(), typed: &typed, source: AuthSource::Oidc };
        if self.sign_in_locked(&subject, meta, now).await? {
            self.record_login_failure(attempt, LoginFailureReason::Locked, None, meta, now).await?;
            return Err(AuthError::InvalidCredentials.into());
        }
        let signed_in = self.open_directory_session(attempt, person, "oidc", meta, now).await?;
        Ok(OidcSignedIn { signed_in, next: flow.next })
    }

    /// Validates an ID token as the return from the provider does (signature, issuer,
    /// audience, expiry by our clock, nonce) and maps its claims, without signing anyone
    /// in: for diagnosing a provider's tokens.
    pub async fn oidc_person_of(&self, id_token: &str, nonce: &str) -> AppResult<DirectoryPerson> {
        let (Some(config), Some(provider)) = (self.config.directory.oidc.as_ref(), self.directory.oidc.as_ref()) else {
            return Err(AppError::NotFound("Single sign-on is not configured".into()));
        };
        provider.person_of(config, id_token, None, nonce, self.clock.now()).await.map_err(|failure| match failure {
            oidc::OidcFailure::Unavailable(_) => AuthError::DirectoryUnavailable.into(),
            oidc::OidcFailure::Rejected(cause) => AppError::BadRequest(cause),
        })
    }

    /// The name of the single sign-on provider for the sign-in page, when one is configured.
    pub fn single_sign_on(&self) -> Option<&str> {
        self.config.directory.oidc.as_ref().map(|c| c.display_name.as_str())
    }
}
