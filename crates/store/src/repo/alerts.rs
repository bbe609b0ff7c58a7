//! Alerts, their timelines, the sections' escalation policies and the acknowledge
//! links of alert e-mails (issue 21). An alert changes only through [`transition`], a
//! conditional update on its status and its next step: of two racers (two requests,
//! two instances running the escalation job) exactly one moves it, so a level is never
//! notified twice.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use sentinelops_domain::alert::AlertStatus;

use super::{Page, Window, newest_first, rows};
use crate::Conn;
use crate::entity::{alert_events as events, alert_links as links, alerts, escalation_policies as policies};
use crate::error::StoreResult;

pub type AlertRow = alerts::Model;
pub type AlertEventRow = events::Model;
pub type PolicyRow = policies::Model;
pub type LinkRow = links::Model;

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only these sections' (`None`: every section's).
    pub sections: Option<Vec<Uuid>>,
    /// Only these statuses (empty: any).
    pub statuses: Vec<AlertStatus>,
}

/// Inserts a new open alert unless its `open_key` is taken (the cause already has an
/// alert that is not resolved); true when it was inserted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_open(c: &impl Conn, row: AlertRow) -> StoreResult<bool> {
    let inserted = alerts::Entity::insert(row.into_active_model())
        .on_conflict_do_nothing_on([alerts::Column::OpenKey])
        .exec_without_returning(c)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, id: Uuid) -> StoreResult<Option<AlertRow>> {
    Ok(alerts::Entity::find_by_id(id).one(c).await?)
}

/// The alert of a cause that is not resolved, if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_open(c: &impl Conn, open_key: &str) -> StoreResult<Option<AlertRow>> {
    Ok(alerts::Entity::find().filter(alerts::Column::OpenKey.eq(open_key)).one(c).await?)
}

/// Counts a repeat of an alert's cause.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_repeat(c: &impl Conn, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    alerts::Entity::update_many()
        .col_expr(alerts::Column::Repeats, Expr::col(alerts::Column::Repeats).add(1))
        .col_expr(alerts::Column::LastSeenAt, Expr::value(now))
        .col_expr(alerts::Column::UpdatedAt, Expr::value(now))
        .filter(alerts::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Writes `row` only if the alert still has status `from` and next step `step`; false
/// when it had moved (someone else moved it first, and nothing was written).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn transition(c: &impl Conn, row: AlertRow, from: AlertStatus, step: i32) -> StoreResult<bool> {
    let id = row.id;
    let result = alerts::Entity::update_many()
        .set(row.into_active_model().reset_all())
        .filter(alerts::Column::Id.eq(id))
        .filter(alerts::Column::Status.eq(from.as_str()))
        .filter(alerts::Column::NextStep.eq(step))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Open alerts whose next step is due at `now`, the longest waiting first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn due_steps(c: &impl Conn, now: DateTime<Utc>, limit: u64) -> StoreResult<Vec<AlertRow>> {
    Ok(alerts::Entity::find()
        .filter(alerts::Column::Status.eq(AlertStatus::Open.as_str()))
        .filter(alerts::Column::NextStepAt.lte(now))
        .order_by_asc(alerts::Column::NextStepAt)
        .order_by_asc(alerts::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

fn filtered(filter: &AlertFilter) -> sea_orm::Select<alerts::Entity> {
    let mut query = alerts::Entity::find();
    if let Some(sections) = &filter.sections {
        query = query.filter(alerts::Column::SectionId.is_in(sections.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(alerts::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    query
}

/// A page of alerts, newest first, and how many matched.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, filter: &AlertFilter, window: Window) -> StoreResult<Page<AlertRow>> {
    newest_first(c, || filtered(filter), (alerts::Column::OpenedAt, alerts::Column::Id), window).await
}

// ---- Timeline ----

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_event(c: &impl Conn, row: AlertEventRow) -> StoreResult<()> {
    rows::insert_one::<events::ActiveModel>(c, row).await
}

/// An alert's timeline, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn events_of(c: &impl Conn, alert_id: Uuid) -> StoreResult<Vec<AlertEventRow>> {
    Ok(events::Entity::find()
        .filter(events::Column::AlertId.eq(alert_id))
        .order_by_asc(events::Column::At)
        .order_by_asc(events::Column::Id)
        .all(c)
        .await?)
}

// ---- Policies ----

#[tracing::instrument(level = "debug", skip_all)]
pub async fn policy_of(c: &impl Conn, section_id: Uuid) -> StoreResult<Option<PolicyRow>> {
    Ok(policies::Entity::find_by_id(section_id).one(c).await?)
}

/// Every stored policy (one per section that saved one).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn all_policies(c: &impl Conn) -> StoreResult<Vec<PolicyRow>> {
    Ok(policies::Entity::find().all(c).await?)
}

/// Writes a section's policy (a first write inserts its row).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_policy(c: &impl Conn, row: PolicyRow) -> StoreResult<()> {
    if policy_of(c, row.section_id).await?.is_some() {
        rows::save::<policies::ActiveModel>(c, row).await
    } else {
        rows::insert_one::<policies::ActiveModel>(c, row).await
    }
}

// ---- Acknowledge links ----

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_links(c: &impl Conn, rows: Vec<LinkRow>) -> StoreResult<()> {
    rows::insert_all::<links::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn link_by_hash(c: &impl Conn, token_hash: &str) -> StoreResult<Option<LinkRow>> {
    Ok(links::Entity::find().filter(links::Column::TokenHash.eq(token_hash)).one(c).await?)
}

/// Marks a link used if it is unused and unexpired at `now`; false otherwise (of two
/// clicks racing, one wins).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn use_link(c: &impl Conn, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = links::Entity::update_many()
        .col_expr(links::Column::UsedAt, Expr::value(Some(now)))
        .filter(links::Column::Id.eq(id))
        .filter(links::Column::UsedAt.is_null())
        .filter(links::Column::ExpiresAt.gt(now))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}
