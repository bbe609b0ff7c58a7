//! The periodic check of directory accounts (the `directory_check` job): a person the
//! directory no longer lets in (gone, disabled, or out of every SentinelOps group)
//! loses their sessions; a changed role, section or name is written over ours. Only
//! accounts with sessions still open are asked about: the others meet the directory at
//! their next sign-in anyway.

use chrono::{DateTime, Duration, Utc};
use sentinelops_domain::auth::RevokeReason;
use sentinelops_domain::directory::AuthSource;
use sentinelops_store::repo::{sessions, users};

use crate::App;
use crate::actor::RequestMeta;
use crate::auth::revoke_all_sessions;
use crate::directory::ldap::{self, LdapFailure};
use crate::directory::provision::Provisioned;
use crate::error::AppResult;

/// How often the directory is asked about the accounts signed in.
pub const CHECK_EVERY: Duration = Duration::minutes(5);

impl App {
    /// One pass of the check, at most every [`CHECK_EVERY`]; `state` is the time of the
    /// last pass. Answers how many accounts lost their sessions.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn check_directory_accounts(
        &self,
        state: Option<serde_json::Value>,
    ) -> AppResult<(usize, Option<serde_json::Value>)> {
        let Some(config) = self.config.directory.ldap.as_ref() else {
            return Ok((0, state));
        };
        let now = self.clock.now();
        let last = state
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc));
        if last.is_some_and(|last| now - last < CHECK_EVERY && now >= last) {
            return Ok((0, state));
        }
        let mut ended = 0;
        for account in users::active_of_source(self.store.reader(), AuthSource::Ldap).await? {
            if sessions::unrevoked_for_user(self.store.reader(), account.id).await?.is_empty() {
                continue;
            }
            let Some(external_id) = account.external_id.as_deref() else {
                continue;
            };
            let found = match ldap::look_up_by_id(config, external_id).await {
                Ok(found) => Some(found),
                Err(LdapFailure::NotFound) => None,
                Err(failure) => {
                    // One person's look-up failing proves nothing about them; a directory
                    // that does not answer a probe either is down: try again next pass.
                    tracing::warn!(cause = %failure, username = %account.username, "directory check: look-up failed");
                    if ldap::probe(config).await.is_err() {
                        return Ok((ended, state));
                    }
                    continue;
                }
            };
            let person = found
                .map(|f| f.person)
                .filter(|p| account.external_id.as_deref() == Some(p.external_id.as_str()) && p.refusal().is_none());
            let tx = self.store.begin_write().await?;
            let keeps_access = match &person {
                Some(person) => matches!(self.provision(&tx, person, now).await?, Provisioned::Account(_)),
                None => false,
            };
            if !keeps_access {
                let meta = RequestMeta { ip: None, user_agent: Some("directory check".into()) };
                // Recorded as a deactivation: the directory deactivated them.
                if revoke_all_sessions(&tx, &account, RevokeReason::Deactivated, &meta, now).await? > 0 {
                    ended += 1;
                }
            }
            self.commit_sessions(tx).await?;
        }
        Ok((ended, Some(serde_json::Value::String(now.to_rfc3339()))))
    }
}
