//! Checklist instances and everything inside them: items, subitems, scheduled
//! events, the activity trail, participants and supervisor overrides.
//!
//! Reading a whole instance takes a fixed number of queries whatever its size: each
//! child table is read once, by `instance_id`.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DbErr, EntityTrait, ExprTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::{Page, Window, rows};
use crate::Conn;
use crate::entity::{
    checklist_instance_items as items, checklist_instance_scheduled_events as events,
    checklist_instance_subitems as subitems, checklist_instances as instances, checklist_item_activity as activity,
    checklist_overrides as overrides, checklist_participants as participants,
};
use crate::error::{StoreError, StoreResult};
use crate::stored::{Stored, names};
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::shift::ShiftType;

pub type InstanceRow = instances::Model;
pub type InstanceItemRow = items::Model;
pub type InstanceSubitemRow = subitems::Model;
pub type InstanceEventRow = events::Model;
pub type ActivityRow = activity::Model;
pub type ParticipantRow = participants::Model;
pub type OverrideRow = overrides::Model;
/// What an item or subitem is (its template's definition, copied).
pub use crate::entity::item_columns::ItemFields;

/// Inserts an instance; a second instance for the same (section, date, shift) is a
/// `StoreError::Conflict`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_instance(c: &impl Conn, row: InstanceRow) -> StoreResult<()> {
    rows::insert_one::<instances::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_instance(c: &impl Conn, row: InstanceRow) -> StoreResult<()> {
    rows::save::<instances::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_instance(c: &impl Conn, id: Uuid) -> StoreResult<Option<InstanceRow>> {
    Ok(instances::Entity::find_by_id(id).one(c).await?)
}

/// Reads an instance for a change: on PostgreSQL the row is locked until the
/// transaction ends, so concurrent changes to one checklist apply one after the other
/// (SQLite's single writer already does that).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_instance_for_update(c: &impl Conn, id: Uuid) -> StoreResult<Option<InstanceRow>> {
    let query = instances::Entity::find_by_id(id);
    let query = if c.get_database_backend() == sea_orm::DbBackend::Postgres { query.lock_exclusive() } else { query };
    Ok(query.one(c).await?)
}

/// Inserts an instance under a savepoint; false (and nothing written) when the slot was
/// taken meanwhile, so the surrounding transaction stays usable on PostgreSQL.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_instance_if_free(tx: &crate::Tx, row: InstanceRow) -> StoreResult<bool> {
    use sea_orm::TransactionTrait;
    let savepoint = tx.begin().await?;
    match rows::insert_one::<instances::ActiveModel>(&savepoint, row).await {
        Ok(()) => {
            savepoint.commit().await?;
            Ok(true)
        }
        Err(StoreError::Conflict(_)) => {
            savepoint.rollback().await?;
            Ok(false)
        }
        Err(other) => Err(other),
    }
}

/// The instance of a (section, date, shift), if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_by_slot(
    c: &impl Conn,
    section_id: Uuid,
    date: NaiveDate,
    shift: ShiftType,
) -> StoreResult<Option<InstanceRow>> {
    Ok(instances::Entity::find()
        .filter(instances::Column::SectionId.eq(section_id))
        .filter(instances::Column::ChecklistDate.eq(date))
        .filter(instances::Column::Shift.eq(shift.as_str()))
        .one(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_instance(c: &impl Conn, id: Uuid) -> StoreResult<()> {
    instances::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// Marks a change: the revision feeds cache validators and live-update replay.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn touch_instance(c: &impl Conn, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    instances::Entity::update_many()
        .col_expr(instances::Column::Revision, Expr::col(instances::Column::Revision).add(1))
        .col_expr(instances::Column::UpdatedAt, Expr::value(now))
        .filter(instances::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Filters of instance listings.
#[derive(Debug, Clone, Default)]
pub struct InstanceFilter {
    /// `None`: every section (admins).
    pub section_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub shift: Option<ShiftType>,
    pub status: Option<InstanceStatus>,
    /// Case-insensitive match on the template name.
    pub name_contains: Option<String>,
    /// Exact id (search by id).
    pub id: Option<Uuid>,
}

pub(super) fn filtered(f: &InstanceFilter) -> Select<instances::Entity> {
    let mut q = instances::Entity::find();
    if let Some(section) = f.section_id {
        q = q.filter(instances::Column::SectionId.eq(section));
    }
    if let Some(start) = f.start_date {
        q = q.filter(instances::Column::ChecklistDate.gte(start));
    }
    if let Some(end) = f.end_date {
        q = q.filter(instances::Column::ChecklistDate.lte(end));
    }
    if let Some(shift) = &f.shift {
        q = q.filter(instances::Column::Shift.eq(shift.as_str()));
    }
    if let Some(status) = &f.status {
        q = q.filter(instances::Column::Status.eq(status.as_str()));
    }
    if let Some(id) = f.id {
        q = q.filter(instances::Column::Id.eq(id));
    }
    if let Some(text) = &f.name_contains {
        let pattern = format!("%{}%", text.to_lowercase().replace(['\\', '%', '_'], ""));
        q = q.filter(Condition::all().add(Func::lower(Expr::col(instances::Column::TemplateName)).like(pattern)));
    }
    q
}

/// Sort keys of the paginated listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceSort {
    Date,
    Shift,
    Status,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_instances(
    c: &impl Conn,
    f: &InstanceFilter,
    sort: InstanceSort,
    descending: bool,
    window: Window,
) -> StoreResult<Page<InstanceRow>> {
    let total = filtered(f).count(c).await?;
    let order = if descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    // Shifts sort in the day's order (MORNING, AFTERNOON, NIGHT), not alphabetically.
    let shift_rank: sea_orm::sea_query::SimpleExpr = ShiftType::ALL
        .into_iter()
        .zip(0..)
        .fold(sea_orm::sea_query::CaseStatement::new(), |case, (shift, rank)| {
            case.case(instances::Column::Shift.eq(shift.as_str()), rank)
        })
        .into();
    let query = match sort {
        InstanceSort::Date => {
            filtered(f).order_by(instances::Column::ChecklistDate, order.clone()).order_by(shift_rank, order)
        }
        InstanceSort::Shift => {
            filtered(f).order_by(shift_rank, order.clone()).order_by(instances::Column::ChecklistDate, order)
        }
        InstanceSort::Status => filtered(f)
            .order_by(instances::Column::Status, order.clone())
            .order_by(instances::Column::ChecklistDate, order),
    };
    let rows = query.order_by_asc(instances::Column::Id).offset(window.offset).limit(window.limit).all(c).await?;
    Ok(Page { rows, total })
}

/// Every instance matching the filter, by date then shift start (bounded by the caller's date range).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn all_instances(c: &impl Conn, f: &InstanceFilter, cap: u64) -> StoreResult<Vec<InstanceRow>> {
    Ok(filtered(f)
        .order_by_asc(instances::Column::ChecklistDate)
        .order_by_asc(instances::Column::ShiftStart)
        .limit(cap)
        .all(c)
        .await?)
}

/// Instances in one of the `open` statuses whose shift ended before `before` (for the
/// stale-shift job).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open_ended_before(
    c: &impl Conn,
    open: &[InstanceStatus],
    before: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<InstanceRow>> {
    Ok(instances::Entity::find()
        .filter(instances::Column::Status.is_in(names(open)))
        .filter(instances::Column::ShiftEnd.lt(before))
        .order_by_asc(instances::Column::ShiftEnd)
        .limit(limit)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_items(c: &impl Conn, rows: Vec<InstanceItemRow>) -> StoreResult<()> {
    rows::insert_all::<items::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn items_of(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<InstanceItemRow>> {
    Ok(items::Entity::find()
        .filter(items::Column::InstanceId.eq(instance_id))
        .order_by_asc(items::Column::SortOrder)
        .order_by_asc(items::Column::Id)
        .all(c)
        .await?)
}

/// The statuses of an instance's items, in no particular order: what its roll-up
/// needs, without decoding whole rows (every item change runs it inside the write).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn item_statuses(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<ItemStatus>> {
    let statuses = items::Entity::find()
        .select_only()
        .column(items::Column::Status)
        .filter(items::Column::InstanceId.eq(instance_id))
        .into_tuple::<Stored<ItemStatus>>()
        .all(c)
        .await?;
    Ok(statuses.into_iter().map(Stored::get).collect())
}

/// Items of several instances (dashboards): one query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn items_of_many(c: &impl Conn, instance_ids: Vec<Uuid>) -> StoreResult<Vec<InstanceItemRow>> {
    if instance_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(items::Entity::find()
        .filter(items::Column::InstanceId.is_in(instance_ids))
        .order_by_asc(items::Column::SortOrder)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_item(c: &impl Conn, instance_id: Uuid, item_id: Uuid) -> StoreResult<Option<InstanceItemRow>> {
    Ok(items::Entity::find_by_id(item_id).filter(items::Column::InstanceId.eq(instance_id)).one(c).await?)
}

fn not_updated(err: DbErr) -> StoreResult<bool> {
    match err {
        DbErr::RecordNotUpdated => Ok(false),
        other => Err(StoreError::from(other)),
    }
}

/// Writes an item if nobody changed it since `expected_version` was read; the
/// written row carries `expected_version + 1`. False when another update won.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_item_if_version(
    c: &impl Conn,
    mut row: InstanceItemRow,
    expected_version: i32,
) -> StoreResult<bool> {
    row.version = expected_version + 1;
    let active = row.into_active_model().reset_all();
    match items::Entity::update(active).validate()?.filter(items::Column::Version.eq(expected_version)).exec(c).await {
        Ok(_) => Ok(true),
        Err(e) => not_updated(e),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_subitems(c: &impl Conn, rows: Vec<InstanceSubitemRow>) -> StoreResult<()> {
    rows::insert_all::<subitems::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn subitems_of(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::InstanceId.eq(instance_id))
        .order_by_asc(subitems::Column::SortOrder)
        .order_by_asc(subitems::Column::Id)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn subitems_of_item(c: &impl Conn, item_id: Uuid) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::InstanceItemId.eq(item_id))
        .order_by_asc(subitems::Column::SortOrder)
        .order_by_asc(subitems::Column::Id)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_subitem_if_version(
    c: &impl Conn,
    mut row: InstanceSubitemRow,
    expected_version: i32,
) -> StoreResult<bool> {
    row.version = expected_version + 1;
    let active = row.into_active_model().reset_all();
    match subitems::Entity::update(active)
        .validate()?
        .filter(subitems::Column::Version.eq(expected_version))
        .exec(c)
        .await
    {
        Ok(_) => Ok(true),
        Err(e) => not_updated(e),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_events(c: &impl Conn, rows: Vec<InstanceEventRow>) -> StoreResult<()> {
    rows::insert_all::<events::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn events_of(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<InstanceEventRow>> {
    Ok(events::Entity::find()
        .filter(events::Column::InstanceId.eq(instance_id))
        .order_by_asc(events::Column::EventDatetime)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_activity(c: &impl Conn, row: ActivityRow) -> StoreResult<()> {
    rows::insert_one::<activity::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn activity_of(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<ActivityRow>> {
    Ok(activity::Entity::find()
        .filter(activity::Column::InstanceId.eq(instance_id))
        .order_by_asc(activity::Column::CreatedAt)
        .order_by_asc(activity::Column::Id)
        .all(c)
        .await?)
}

/// One item's activity, in the order of `activity_of`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn activity_of_item(c: &impl Conn, item_id: Uuid) -> StoreResult<Vec<ActivityRow>> {
    Ok(activity::Entity::find()
        .filter(activity::Column::InstanceItemId.eq(item_id))
        .order_by_asc(activity::Column::CreatedAt)
        .order_by_asc(activity::Column::Id)
        .all(c)
        .await?)
}

/// Adds a participant; false when they had already joined.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn add_participant(c: &impl Conn, row: ParticipantRow) -> StoreResult<bool> {
    let existing = participants::Entity::find()
        .filter(participants::Column::InstanceId.eq(row.instance_id))
        .filter(participants::Column::UserId.eq(row.user_id))
        .one(c)
        .await?;
    if existing.is_some() {
        return Ok(false);
    }
    let inserted = participants::Entity::insert(row.into_active_model().reset_all())
        .on_conflict_do_nothing_on([participants::Column::InstanceId, participants::Column::UserId])
        .exec_without_returning(c)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn participants_of(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<ParticipantRow>> {
    Ok(participants::Entity::find()
        .filter(participants::Column::InstanceId.eq(instance_id))
        .order_by_asc(participants::Column::JoinedAt)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn participants_of_many(c: &impl Conn, instance_ids: Vec<Uuid>) -> StoreResult<Vec<ParticipantRow>> {
    if instance_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(participants::Entity::find().filter(participants::Column::InstanceId.is_in(instance_ids)).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_override(c: &impl Conn, row: OverrideRow) -> StoreResult<()> {
    rows::insert_one::<overrides::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overrides_of(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<OverrideRow>> {
    Ok(overrides::Entity::find()
        .filter(overrides::Column::InstanceId.eq(instance_id))
        .order_by_asc(overrides::Column::CreatedAt)
        .all(c)
        .await?)
}

/// (user, action, how many activity rows, the newest one's time).
pub type UserActionCount = (Uuid, String, i64, Option<DateTime<Utc>>);

/// Per user and action: how many activity rows and the newest one's time, since an
/// instant, optionally for some users only (the per-user activity summary).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn activity_by_user(
    c: &impl Conn,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    users: Option<Vec<Uuid>>,
) -> StoreResult<Vec<UserActionCount>> {
    let mut q = activity::Entity::find()
        .select_only()
        .column(activity::Column::UserId)
        .column(activity::Column::Action)
        .column_as(activity::Column::Id.count(), "n")
        .column_as(activity::Column::CreatedAt.max(), "last");
    if let Some(since) = since {
        q = q.filter(activity::Column::CreatedAt.gte(since));
    }
    if let Some(until) = until {
        q = q.filter(activity::Column::CreatedAt.lt(until));
    }
    if let Some(users) = users {
        q = q.filter(activity::Column::UserId.is_in(users));
    }
    Ok(q.group_by(activity::Column::UserId)
        .group_by(activity::Column::Action)
        .into_tuple::<UserActionCount>()
        .all(c)
        .await?)
}
