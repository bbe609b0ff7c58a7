//! The auth audit log.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, Set,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::{After, Page, Window, newest_first, newest_first_after};
use crate::Conn;
use crate::entity::auth_events::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type AuthEventRow = Model;

#[derive(Debug, Clone)]
pub struct NewAuthEvent {
    pub id: Uuid,
    pub event_type: &'static str,
    pub event_time: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub session_id: Option<Uuid>,
    pub metadata: Json,
    /// Why a sign-in failed (LOGIN_FAILURE only).
    pub failure_reason: Option<&'static str>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, e: NewAuthEvent) -> StoreResult<()> {
    ActiveModel {
        id: Set(e.id),
        event_type: Set(e.event_type.to_owned()),
        event_time: Set(e.event_time),
        user_id: Set(e.user_id),
        username: Set(e.username),
        ip: Set(e.ip),
        user_agent: Set(e.user_agent),
        session_id: Set(e.session_id),
        metadata: Set(e.metadata),
        failure_reason: Set(e.failure_reason.map(str::to_owned)),
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Whose events a lockout or flood check counts.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Username(&'a str),
    Ip(&'a str),
}

/// How many events of a type a subject has had since an instant, and the newest one's time.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_since(
    c: &impl Conn,
    subject: Subject<'_>,
    event_type: &str,
    since: DateTime<Utc>,
) -> StoreResult<(u64, Option<DateTime<Utc>>)> {
    count_and_newest(c, || {
        let query = of_type_since(event_type, since);
        match subject {
            Subject::Username(name) => query.filter(Column::Username.eq(name)),
            Subject::Ip(ip) => query.filter(Column::Ip.eq(ip)),
        }
    })
    .await
}

/// As `count_since`, leaving out the events recorded with one of the `except` failure
/// reasons (rows without a reason count).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_since_except(
    c: &impl Conn,
    subject: Subject<'_>,
    event_type: &str,
    since: DateTime<Utc>,
    except: &[&str],
) -> StoreResult<(u64, Option<DateTime<Utc>>)> {
    count_and_newest(c, || {
        let query = of_type_since(event_type, since).filter(
            Condition::any()
                .add(Column::FailureReason.is_null())
                .add(Column::FailureReason.is_not_in(except.iter().copied())),
        );
        match subject {
            Subject::Username(name) => query.filter(Column::Username.eq(name)),
            Subject::Ip(ip) => query.filter(Column::Ip.eq(ip)),
        }
    })
    .await
}

fn of_type_since(event_type: &str, since: DateTime<Utc>) -> Select<Entity> {
    Entity::find().filter(Column::EventType.eq(event_type)).filter(Column::EventTime.gt(since))
}

/// How many rows `query` finds, and the newest one's time (no second query when none).
async fn count_and_newest(
    c: &impl Conn,
    query: impl Fn() -> Select<Entity>,
) -> StoreResult<(u64, Option<DateTime<Utc>>)> {
    let count = query().count(c).await?;
    if count == 0 {
        return Ok((0, None));
    }
    let newest = query().order_by_desc(Column::EventTime).limit(1).one(c).await?;
    Ok((count, newest.map(|row| row.event_time)))
}

/// The time of a subject's newest event of a type.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn latest_time(c: &impl Conn, username: &str, event_type: &str) -> StoreResult<Option<DateTime<Utc>>> {
    let newest = Entity::find()
        .filter(Column::Username.eq(username))
        .filter(Column::EventType.eq(event_type))
        .order_by_desc(Column::EventTime)
        .limit(1)
        .one(c)
        .await?;
    Ok(newest.map(|row| row.event_time))
}

/// Filters of the audit listing; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuthEventQuery {
    pub event_types: Vec<String>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn filtered(q: &AuthEventQuery) -> Select<Entity> {
    Entity::find()
        .apply_if((!q.event_types.is_empty()).then_some(&q.event_types), |s, types| {
            s.filter(Column::EventType.is_in(types.clone()))
        })
        .apply_if(q.user_id, |s, user| s.filter(Column::UserId.eq(user)))
        .apply_if(q.username.as_deref(), |s, name| s.filter(Column::Username.eq(name)))
        .apply_if(q.ip.as_deref(), |s, ip| s.filter(Column::Ip.eq(ip)))
        .apply_if(q.from, |s, from| s.filter(Column::EventTime.gte(from)))
        .apply_if(q.to, |s, to| s.filter(Column::EventTime.lt(to)))
}

/// Newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, q: &AuthEventQuery, window: Window) -> StoreResult<Page<AuthEventRow>> {
    newest_first(c, || filtered(q), (Column::EventTime, Column::Id), window).await
}

/// A keyset page of the listing (same filters and order), for streamed exports.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn page_after(
    c: &impl Conn,
    q: &AuthEventQuery,
    after: Option<After>,
    limit: u64,
) -> StoreResult<Vec<AuthEventRow>> {
    newest_first_after(c, filtered(q), (Column::EventTime, Column::Id), after, limit).await
}

/// Events of one session, oldest first (tests and the profile page read these).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_user(c: &impl Conn, user_id: Uuid, limit: u64) -> StoreResult<Vec<AuthEventRow>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_desc(Column::EventTime)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}
