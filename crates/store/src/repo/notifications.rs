//! Notifications, their per-recipient receipts, and notification preferences.
//!
//! A notification row holds the content; each recipient has one receipt with its own
//! read state. A receipt copies the notification's `created_at` so that a user's list
//! and unread count are served by the receipt indexes:
//! `(user_id, created_at, id)` and `(user_id, is_read, created_at, id)`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Asterisk, Expr, Func, OnConflict, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set};
use uuid::Uuid;

use super::Window;
use crate::Conn;
use crate::entity::{notification_preferences as prefs, notification_receipts as receipts, notifications, users};
use crate::error::StoreResult;
use crate::stored::names;
use sentinelops_domain::Supervisors;

pub type NotificationRow = notifications::Model;
pub type ReceiptRow = receipts::Model;
pub type PreferencesRow = prefs::Model;

/// Receipts per `INSERT` statement: keeps every statement far below the bind-parameter
/// limits of both backends (6 parameters per row).
const RECEIPTS_PER_STATEMENT: usize = 1000;
/// Ids per `IN (…)` list, for the same reason.
const IDS_PER_STATEMENT: usize = 1000;

/// Everything needed to insert a notification (the content, not the recipients).
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub id: Uuid,
    pub title: String,
    pub message: String,
    /// One of low, medium, high, critical.
    pub priority: &'static str,
    pub related_entity: Option<String>,
    pub related_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, n: NewNotification) -> StoreResult<()> {
    notifications::Entity::insert(notifications::ActiveModel {
        id: Set(n.id),
        title: Set(n.title),
        message: Set(n.message),
        priority: Set(n.priority.to_owned()),
        related_entity: Set(n.related_entity),
        related_id: Set(n.related_id),
        section_id: Set(n.section_id),
        created_by: Set(n.created_by),
        created_at: Set(n.created_at),
    })
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// One recipient's receipt about to be written.
#[derive(Debug, Clone, Copy)]
pub struct NewReceipt {
    pub id: Uuid,
    pub user_id: Uuid,
}

/// One unread receipt per recipient, written with multi-row inserts. `created_at` must be
/// the notification's own. Returns the number of receipts written.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_receipts(
    c: &impl Conn,
    notification_id: Uuid,
    created_at: DateTime<Utc>,
    recipients: &[NewReceipt],
) -> StoreResult<u64> {
    let mut written = 0;
    for chunk in recipients.chunks(RECEIPTS_PER_STATEMENT) {
        let rows = chunk.iter().map(|r| receipts::ActiveModel {
            id: Set(r.id),
            notification_id: Set(notification_id),
            user_id: Set(r.user_id),
            is_read: Set(false),
            read_at: Set(None),
            created_at: Set(created_at),
        });
        written += receipts::Entity::insert_many(rows).exec_without_returning(c).await?;
    }
    Ok(written)
}

/// The active users who supervise `section_id` under `rule`, by id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn section_supervisors(c: &impl Conn, rule: Supervisors, section_id: Uuid) -> StoreResult<Vec<Uuid>> {
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::IsActive.eq(true))
        .filter(
            Condition::any().add(users::Column::Role.is_in(names(rule.everywhere))).add(
                Condition::all()
                    .add(users::Column::Role.is_in(names(rule.own_section)))
                    .add(users::Column::SectionId.eq(section_id)),
            ),
        )
        .order_by_asc(users::Column::Id)
        .into_tuple::<Uuid>()
        .all(c)
        .await?)
}

/// The ids among `ids` that belong to active users (in no particular order).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn active_users_among(c: &impl Conn, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
    let mut active = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let found: Vec<Uuid> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::Id.is_in(chunk.iter().copied()))
            .filter(users::Column::IsActive.eq(true))
            .into_tuple::<Uuid>()
            .all(c)
            .await?;
        active.extend(found);
    }
    Ok(active)
}

/// A receipt with the notification it is for.
#[derive(Debug, Clone)]
pub struct ReceivedNotification {
    pub receipt: ReceiptRow,
    pub notification: NotificationRow,
}

/// A user's notifications, newest first, in one query: the user's receipts in index
/// order, each joined to its notification by primary key (one round trip and one row
/// per entry; the rows are the cost of this call, not the size of the tables).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_for_user(
    c: &impl Conn,
    user_id: Uuid,
    unread_only: bool,
    window: Window,
) -> StoreResult<Vec<ReceivedNotification>> {
    let mut query = receipts::Entity::find().filter(receipts::Column::UserId.eq(user_id));
    if unread_only {
        query = query.filter(receipts::Column::IsRead.eq(false));
    }
    let page = query
        .find_also_related(notifications::Entity)
        .order_by_desc(receipts::Column::CreatedAt)
        .order_by_desc(receipts::Column::Id)
        .offset(window.offset)
        .limit(window.limit)
        .all(c)
        .await?;
    // Receipts cascade with their notification, so every receipt finds its row.
    Ok(page
        .into_iter()
        .filter_map(|(receipt, notification)| {
            notification.map(|notification| ReceivedNotification { receipt, notification })
        })
        .collect())
}

/// The unread badge saturates here: counting is then bounded whatever a user has
/// let pile up (a year of alerts is ~16k unread for a manager, and an exact count
/// of those costs 4 ms on SQLite and 14 ms on PostgreSQL, per request).
pub const UNREAD_COUNT_CAP: u64 = 99;

/// The user's unread receipts, counted up to `UNREAD_COUNT_CAP`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_unread(c: &impl Conn, user_id: Uuid) -> StoreResult<u64> {
    // The inner select reads only the `(user_id, is_read, created_at, id)` index.
    let capped = receipts::Entity::find()
        .select_only()
        .column(receipts::Column::CreatedAt)
        .filter(receipts::Column::UserId.eq(user_id))
        .filter(receipts::Column::IsRead.eq(false))
        .limit(UNREAD_COUNT_CAP)
        .into_query();
    let count =
        Query::select().expr_as(Func::count(Expr::col(Asterisk)), "n").from_subquery(capped, "capped").to_owned();
    let row = c.query_one(&count).await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Marks the user's receipt of a notification read. True when the user has a receipt
/// for it, read before or not; an earlier `read_at` is kept.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_read(c: &impl Conn, notification_id: Uuid, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = receipts::Entity::update_many()
        .col_expr(receipts::Column::IsRead, Expr::value(true))
        .col_expr(
            receipts::Column::ReadAt,
            Func::coalesce([Expr::col(receipts::Column::ReadAt), Expr::value(now)]).into(),
        )
        .filter(receipts::Column::NotificationId.eq(notification_id))
        .filter(receipts::Column::UserId.eq(user_id))
        .exec(c)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Marks every unread receipt of the user read; returns how many changed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_all_read(c: &impl Conn, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<u64> {
    let result = receipts::Entity::update_many()
        .col_expr(receipts::Column::IsRead, Expr::value(true))
        .col_expr(receipts::Column::ReadAt, Expr::value(Some(now)))
        .filter(receipts::Column::UserId.eq(user_id))
        .filter(receipts::Column::IsRead.eq(false))
        .exec(c)
        .await?;
    Ok(result.rows_affected)
}

/// The receipts of one notification (tests and live delivery read these).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn receipts_of(c: &impl Conn, notification_id: Uuid) -> StoreResult<Vec<ReceiptRow>> {
    Ok(receipts::Entity::find()
        .filter(receipts::Column::NotificationId.eq(notification_id))
        .order_by_asc(receipts::Column::UserId)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn get_preferences(c: &impl Conn, user_id: Uuid) -> StoreResult<Option<PreferencesRow>> {
    Ok(prefs::Entity::find_by_id(user_id).one(c).await?)
}

/// Writes a user's preferences whole, inserting or replacing the row in one statement.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn put_preferences(c: &impl Conn, row: PreferencesRow) -> StoreResult<PreferencesRow> {
    let model = prefs::ActiveModel {
        user_id: Set(row.user_id),
        email_enabled: Set(row.email_enabled),
        push_enabled: Set(row.push_enabled),
        desktop_enabled: Set(row.desktop_enabled),
        sms_enabled: Set(row.sms_enabled),
        quiet_hours_start: Set(row.quiet_hours_start),
        quiet_hours_end: Set(row.quiet_hours_end),
        categories: Set(row.categories.clone()),
        shift_report_email: Set(row.shift_report_email),
        daily_digest_email: Set(row.daily_digest_email),
        email_priorities: Set(row.email_priorities.clone()),
        updated_at: Set(row.updated_at),
    };
    prefs::Entity::insert(model)
        .on_conflict(
            OnConflict::column(prefs::Column::UserId)
                .update_columns([
                    prefs::Column::EmailEnabled,
                    prefs::Column::PushEnabled,
                    prefs::Column::DesktopEnabled,
                    prefs::Column::SmsEnabled,
                    prefs::Column::QuietHoursStart,
                    prefs::Column::QuietHoursEnd,
                    prefs::Column::Categories,
                    prefs::Column::ShiftReportEmail,
                    prefs::Column::DailyDigestEmail,
                    prefs::Column::EmailPriorities,
                    prefs::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(c)
        .await?;
    Ok(row)
}
