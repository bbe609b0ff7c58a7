//! Writing and reading the two audit trails: auth events and ops events.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::auth::{AuthEventType, LoginFailureReason};
use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::auth_events::{self, AuthEventQuery, AuthEventRow, NewAuthEvent};
use sentinelops_store::repo::ops_events::{self, OpsEventQuery, OpsEventRow};
use sentinelops_store::repo::{After, Page, Window};

use crate::App;
use crate::actor::{Actor, RequestMeta};
use crate::error::{AppResult, forbidden};

/// One auth event about to be written.
#[derive(Debug, Clone)]
pub struct AuthEvent<'a> {
    pub kind: AuthEventType,
    pub user_id: Option<Uuid>,
    pub username: Option<&'a str>,
    pub session_id: Option<Uuid>,
    pub metadata: Value,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_auth(c: &impl Conn, at: DateTime<Utc>, meta: &RequestMeta, event: AuthEvent<'_>) -> AppResult<()> {
    insert_auth(c, at, meta, event, None).await
}

/// A LOGIN_FAILURE with its reason, in `metadata.reason` and in the column the lockout
/// filters on.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_sign_in_failure(
    c: &impl Conn,
    at: DateTime<Utc>,
    meta: &RequestMeta,
    mut event: AuthEvent<'_>,
    reason: LoginFailureReason,
) -> AppResult<()> {
    event.kind = AuthEventType::LoginFailure;
    if let Value::Object(map) = &mut event.metadata {
        map.insert("reason".into(), json!(reason.as_str()));
    }
    insert_auth(c, at, meta, event, Some(reason.as_str())).await
}

async fn insert_auth(
    c: &impl Conn,
    at: DateTime<Utc>,
    meta: &RequestMeta,
    event: AuthEvent<'_>,
    failure_reason: Option<&'static str>,
) -> AppResult<()> {
    auth_events::insert(
        c,
        NewAuthEvent {
            id: new_id(),
            event_type: event.kind.as_str(),
            event_time: at,
            user_id: event.user_id,
            username: event.username.map(str::to_owned),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            session_id: event.session_id,
            metadata: event.metadata,
            failure_reason,
        },
    )
    .await?;
    Ok(())
}

/// One ops event about to be written.
#[derive(Debug, Clone)]
pub struct OpsEvent {
    pub event_type: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub section_id: Option<Uuid>,
    pub payload: Value,
}

/// Writes an ops event; the actor's id and username are added to the payload.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_ops(c: &impl Conn, at: DateTime<Utc>, actor: &Actor, event: OpsEvent) -> AppResult<()> {
    let mut payload = event.payload;
    if let Value::Object(map) = &mut payload {
        map.insert("actor_id".into(), json!(actor.recorded_id()));
        map.insert("actor_username".into(), json!(actor.username));
    }
    ops_events::insert(
        c,
        OpsEventRow {
            id: new_id(),
            event_type: event.event_type.to_owned(),
            entity_type: event.entity_type.to_owned(),
            entity_id: event.entity_id,
            actor_id: actor.recorded_id(),
            section_id: event.section_id,
            payload,
            created_at: at,
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// The auth audit log, for admins.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn auth_events(
        &self,
        actor: &Actor,
        query: &AuthEventQuery,
        window: Window,
    ) -> AppResult<Page<AuthEventRow>> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can read the authentication audit log"));
        }
        Ok(auth_events::list(self.store.reader(), query, window).await?)
    }

    /// The acting user's own recent sign-ins (successes and failures), newest first:
    /// any role may read these, and only about themselves.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_sign_ins(&self, actor: &Actor, limit: u64) -> AppResult<Vec<AuthEventRow>> {
        let query = AuthEventQuery {
            event_types: vec![
                AuthEventType::LoginSuccess.as_str().to_owned(),
                AuthEventType::LoginFailure.as_str().to_owned(),
            ],
            user_id: Some(actor.user_id),
            ..AuthEventQuery::default()
        };
        let window = Window { offset: 0, limit: limit.clamp(1, 100) };
        Ok(auth_events::list(self.store.reader(), &query, window).await?.rows)
    }

    /// The operational event log: admins see everything, managers their section.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn ops_events(
        &self,
        actor: &Actor,
        query: &OpsEventQuery,
        window: Window,
    ) -> AppResult<Page<OpsEventRow>> {
        let query = scoped_ops_query(actor, query)?;
        Ok(ops_events::list(self.store.reader(), &query, window).await?)
    }

    /// A keyset page of the auth audit log (newest first, strictly after `after`), for
    /// streamed exports: every page costs the same however deep.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn auth_events_after(
        &self,
        actor: &Actor,
        query: &AuthEventQuery,
        after: Option<After>,
        limit: u64,
    ) -> AppResult<Vec<AuthEventRow>> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can read the authentication audit log"));
        }
        Ok(auth_events::page_after(self.store.reader(), query, after, limit).await?)
    }

    /// A keyset page of the operational event log, scoped as `ops_events`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn ops_events_after(
        &self,
        actor: &Actor,
        query: &OpsEventQuery,
        after: Option<After>,
        limit: u64,
    ) -> AppResult<Vec<OpsEventRow>> {
        let query = scoped_ops_query(actor, query)?;
        Ok(ops_events::page_after(self.store.reader(), &query, after, limit).await?)
    }
}

/// `query` narrowed to what `actor` may read: admins everything, managers their
/// section; operators nothing.
fn scoped_ops_query(actor: &Actor, query: &OpsEventQuery) -> AppResult<OpsEventQuery> {
    let mut query = query.clone();
    match actor.role {
        sentinelops_domain::Role::Admin => {}
        sentinelops_domain::Role::Manager => match actor.section_id {
            Some(section) => query.section_id = Some(section),
            None => return Err(forbidden("You are not assigned to a section")),
        },
        sentinelops_domain::Role::User => {
            return Err(forbidden("Only administrators and managers can read the operational event log"));
        }
    }
    Ok(query)
}
