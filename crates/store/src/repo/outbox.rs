//! The transactional outbox: e-mails and webhooks written in the transaction of the
//! change that causes them, then claimed, sent and settled by a delivery job.
//!
//! A claim is a conditional UPDATE (`… AND status = 'PENDING' AND lock free`) over the
//! candidate ids, read back by the claimer's unique holder token: two deliverers, in one
//! process or on several instances, never hold the same row at once. A claim lapses at
//! `locked_until`, so a deliverer that dies mid-batch delays its rows, never loses them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Conn;
use crate::entity::outbox::{ActiveModel, Column, Entity, Model};
use crate::entity::{notification_preferences as prefs, users};
use crate::error::StoreResult;
use sentinelops_domain::OutboxStatus;

pub type OutboxRow = Model;

pub const EMAIL: &str = "email";
pub const WEBHOOK: &str = "webhook";

/// Rows per INSERT statement (12 parameters per row) and ids per `IN (…)` list: far
/// below the bind-parameter limits of both backends.
const ROWS_PER_STATEMENT: usize = 200;
const IDS_PER_STATEMENT: usize = 1000;

/// A message about to be queued.
#[derive(Debug, Clone)]
pub struct NewOutbox {
    pub id: Uuid,
    /// `EMAIL` or `WEBHOOK`.
    pub kind: &'static str,
    /// A second row with the same key is silently not queued.
    pub dedupe_key: Option<String>,
    pub payload: Json,
}

/// Queues messages, due at once; returns how many were queued (rows whose dedupe key
/// is already taken are skipped).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn enqueue(c: &impl Conn, now: DateTime<Utc>, rows: Vec<NewOutbox>) -> StoreResult<u64> {
    let mut queued = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<ActiveModel> = rows
            .by_ref()
            .take(ROWS_PER_STATEMENT)
            .map(|row| ActiveModel {
                id: Set(row.id),
                kind: Set(row.kind.to_owned()),
                dedupe_key: Set(row.dedupe_key),
                payload: Set(row.payload),
                status: Set(OutboxStatus::Pending.into()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                locked_until: Set(None),
                locked_by: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                sent_at: Set(None),
            })
            .collect();
        queued += Entity::insert_many(chunk)
            .on_conflict(OnConflict::column(Column::DedupeKey).do_nothing().to_owned())
            .exec_without_returning(c)
            .await?;
    }
    Ok(queued)
}

/// Among `user_ids`, the active users with an e-mail address who have not turned e-mail
/// off (no preferences row means e-mail on), as (id, address), in the order given.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn email_recipients(c: &impl Conn, user_ids: &[Uuid]) -> StoreResult<Vec<(Uuid, String)>> {
    let mut found = Vec::new();
    for chunk in user_ids.chunks(IDS_PER_STATEMENT) {
        let with_address: Vec<(Uuid, Option<String>)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Email)
            .filter(users::Column::Id.is_in(chunk.iter().copied()))
            .filter(users::Column::IsActive.eq(true))
            .filter(users::Column::Email.is_not_null())
            .into_tuple()
            .all(c)
            .await?;
        if with_address.is_empty() {
            continue;
        }
        let opted_out: HashSet<Uuid> = prefs::Entity::find()
            .select_only()
            .column(prefs::Column::UserId)
            .filter(prefs::Column::UserId.is_in(with_address.iter().map(|(id, _)| *id)))
            .filter(prefs::Column::EmailEnabled.eq(false))
            .into_tuple::<Uuid>()
            .all(c)
            .await?
            .into_iter()
            .collect();
        found.extend(with_address.into_iter().filter_map(|(id, email)| {
            let email = email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty())?;
            (!opted_out.contains(&id)).then_some((id, email))
        }));
    }
    let order: std::collections::HashMap<Uuid, usize> = user_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    found.sort_by_key(|(id, _)| order.get(id).copied().unwrap_or(usize::MAX));
    Ok(found)
}

/// Rows that may be claimed at `now`: pending, due, and not held by a live claim.
fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(Column::Status.eq(OutboxStatus::Pending.as_str()))
        .add(Column::NextAttemptAt.lte(now))
        .add(Condition::any().add(Column::LockedUntil.is_null()).add(Column::LockedUntil.lt(now)))
}

/// Claims up to `limit` due rows for `holder` (a token unique to this claim) until
/// `until`, oldest due first, and returns them. A row another deliverer claimed in the
/// meantime fails the conditional UPDATE and is not returned.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim_due(
    c: &impl Conn,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<OutboxRow>> {
    let candidates: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(claimable(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    Entity::update_many()
        .col_expr(Column::LockedBy, Expr::value(Some(holder.to_owned())))
        .col_expr(Column::LockedUntil, Expr::value(Some(until)))
        .filter(Column::Id.is_in(candidates.iter().copied()))
        .filter(claimable(now))
        .exec(c)
        .await?;
    Ok(Entity::find()
        .filter(Column::Id.is_in(candidates))
        .filter(Column::LockedBy.eq(holder))
        .filter(Column::Status.eq(OutboxStatus::Pending.as_str()))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}

/// Settles a row `holder` still holds; false when the claim was lost (lapsed and taken).
async fn settle(c: &impl Conn, id: Uuid, holder: &str, mut update: sea_orm::UpdateMany<Entity>) -> StoreResult<bool> {
    update = update
        .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None));
    let result = update
        .filter(Column::Id.eq(id))
        .filter(Column::LockedBy.eq(holder))
        .filter(Column::Status.eq(OutboxStatus::Pending.as_str()))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records a delivery: SENT at `now` after `attempts` attempts; `payload` replaces the
/// stored one when given.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_sent(
    c: &impl Conn,
    id: Uuid,
    holder: &str,
    attempts: i32,
    now: DateTime<Utc>,
    payload: Option<Json>,
) -> StoreResult<bool> {
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(OutboxStatus::Sent.as_str()))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::SentAt, Expr::value(Some(now)))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None));
    if let Some(payload) = payload {
        update = update.col_expr(Column::Payload, Expr::value(payload));
    }
    settle(c, id, holder, update).await
}

/// Records a failed attempt to be retried at `next_attempt_at`; `payload` replaces the
/// stored one when given (progress of a partly delivered message).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_retry(
    c: &impl Conn,
    id: Uuid,
    holder: &str,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    error: &str,
    payload: Option<Json>,
) -> StoreResult<bool> {
    let mut update = Entity::update_many()
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(Column::LastError, Expr::value(Some(error.to_owned())));
    if let Some(payload) = payload {
        update = update.col_expr(Column::Payload, Expr::value(payload));
    }
    settle(c, id, holder, update).await
}

/// Gives a row up: DEAD, never tried again, with the reason.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_dead(
    c: &impl Conn,
    id: Uuid,
    holder: &str,
    attempts: i32,
    error: &str,
    payload: Option<Json>,
) -> StoreResult<bool> {
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(OutboxStatus::Dead.as_str()))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::LastError, Expr::value(Some(error.to_owned())));
    if let Some(payload) = payload {
        update = update.col_expr(Column::Payload, Expr::value(payload));
    }
    settle(c, id, holder, update).await
}

/// Rows of a kind and/or status, oldest first (tests and diagnostics).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, kind: Option<&str>, status: Option<OutboxStatus>) -> StoreResult<Vec<OutboxRow>> {
    let mut query = Entity::find();
    if let Some(kind) = kind {
        query = query.filter(Column::Kind.eq(kind));
    }
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    Ok(query.order_by_asc(Column::CreatedAt).order_by_asc(Column::Id).all(c).await?)
}

/// When the oldest message still waiting was queued (for the outbox-lag metric).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn oldest_pending(c: &impl Conn) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(Entity::find()
        .filter(Column::Status.eq(OutboxStatus::Pending.as_str()))
        .order_by_asc(Column::CreatedAt)
        .limit(1)
        .one(c)
        .await?
        .map(|row| row.created_at))
}
