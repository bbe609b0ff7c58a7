//! The shift roster: patterns and their days, assignments, scheduled shifts, days off
//! and exceptions. Reads take a set of users and a date range, so a section's month is
//! a handful of queries whatever its size.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::rows;
use crate::Conn;
use crate::entity::{
    days_off, scheduled_shifts as scheduled, shift_assignments as assignments, shift_exceptions as exceptions,
    shift_pattern_days as pattern_days, shift_patterns as patterns,
};
use crate::error::StoreResult;

pub type PatternRow = patterns::Model;
pub type PatternDayRow = pattern_days::Model;
pub type AssignmentRow = assignments::Model;
pub type ScheduledRow = scheduled::Model;
pub type DayOffRow = days_off::Model;
pub type ExceptionRow = exceptions::Model;

// ---- Patterns ----

/// A section's patterns (every section's when `None`), by name.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn patterns(c: &impl Conn, section_id: Option<Uuid>) -> StoreResult<Vec<PatternRow>> {
    let mut query = patterns::Entity::find();
    if let Some(section) = section_id {
        query = query.filter(patterns::Column::SectionId.eq(section));
    }
    Ok(query.order_by_asc(patterns::Column::Name).order_by_asc(patterns::Column::Id).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_pattern(c: &impl Conn, id: Uuid) -> StoreResult<Option<PatternRow>> {
    Ok(patterns::Entity::find_by_id(id).one(c).await?)
}

/// The days of these patterns, by pattern then day.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pattern_days(c: &impl Conn, pattern_ids: Vec<Uuid>) -> StoreResult<Vec<PatternDayRow>> {
    if pattern_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(pattern_days::Entity::find()
        .filter(pattern_days::Column::PatternId.is_in(pattern_ids))
        .order_by_asc(pattern_days::Column::PatternId)
        .order_by_asc(pattern_days::Column::DayOfWeek)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_pattern(c: &impl Conn, row: PatternRow, days: Vec<PatternDayRow>) -> StoreResult<()> {
    rows::insert_all::<patterns::ActiveModel>(c, vec![row]).await?;
    rows::insert_all::<pattern_days::ActiveModel>(c, days).await
}

/// Saves the pattern's row and, when given, replaces its seven days.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_pattern(c: &impl Conn, row: PatternRow, days: Option<Vec<PatternDayRow>>) -> StoreResult<()> {
    let id = row.id;
    rows::save::<patterns::ActiveModel>(c, row).await?;
    if let Some(days) = days {
        pattern_days::Entity::delete_many().filter(pattern_days::Column::PatternId.eq(id)).exec(c).await?;
        rows::insert_all::<pattern_days::ActiveModel>(c, days).await?;
    }
    Ok(())
}

/// Deletes a pattern; its days and assignments go with it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_pattern(c: &impl Conn, id: Uuid) -> StoreResult<()> {
    patterns::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

// ---- Assignments ----

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_assignments(c: &impl Conn, rows: Vec<AssignmentRow>) -> StoreResult<()> {
    rows::insert_all::<assignments::ActiveModel>(c, rows).await
}

/// The assignments of these users that overlap `from..=to`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn assignments_of(
    c: &impl Conn,
    user_ids: Vec<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<AssignmentRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    use assignments::Column as A;
    Ok(assignments::Entity::find()
        .filter(A::UserId.is_in(user_ids))
        .filter(A::StartDate.lte(to))
        .filter(Condition::any().add(A::EndDate.is_null()).add(A::EndDate.gte(from)))
        .order_by_asc(A::StartDate)
        .order_by_asc(A::Id)
        .all(c)
        .await?)
}

// ---- Scheduled shifts ----

/// Inserts one; the same shift for the same user and date again is a `Conflict`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_scheduled(c: &impl Conn, row: ScheduledRow) -> StoreResult<()> {
    rows::insert_all::<scheduled::ActiveModel>(c, vec![row]).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_scheduled(c: &impl Conn, id: Uuid) -> StoreResult<Option<ScheduledRow>> {
    Ok(scheduled::Entity::find_by_id(id).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_scheduled(c: &impl Conn, id: Uuid) -> StoreResult<()> {
    scheduled::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// The scheduled shifts of these users in `from..=to`, by date.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn scheduled_of(
    c: &impl Conn,
    user_ids: Vec<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<ScheduledRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    use scheduled::Column as S;
    Ok(scheduled::Entity::find()
        .filter(S::UserId.is_in(user_ids))
        .filter(S::Date.between(from, to))
        .order_by_asc(S::Date)
        .order_by_asc(S::Id)
        .all(c)
        .await?)
}

// ---- Days off ----

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_day_off(c: &impl Conn, row: DayOffRow) -> StoreResult<()> {
    rows::insert_all::<days_off::ActiveModel>(c, vec![row]).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_day_off(c: &impl Conn, id: Uuid) -> StoreResult<Option<DayOffRow>> {
    Ok(days_off::Entity::find_by_id(id).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_day_off(c: &impl Conn, row: DayOffRow) -> StoreResult<()> {
    rows::save::<days_off::ActiveModel>(c, row).await
}

/// The days off of these users with one of `statuses` that overlap `from..=to`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn days_off_of(
    c: &impl Conn,
    user_ids: Vec<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
    statuses: &[&str],
) -> StoreResult<Vec<DayOffRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    use days_off::Column as D;
    Ok(days_off::Entity::find()
        .filter(D::UserId.is_in(user_ids))
        .filter(D::StartDate.lte(to))
        .filter(D::EndDate.gte(from))
        .filter(D::Status.is_in(statuses.iter().copied()))
        .order_by_asc(D::StartDate)
        .order_by_asc(D::Id)
        .all(c)
        .await?)
}

/// Days off to list: a section's (all when `None`), or one user's, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_days_off(
    c: &impl Conn,
    section_id: Option<Uuid>,
    user_id: Option<Uuid>,
    status: Option<&str>,
    limit: u64,
) -> StoreResult<Vec<DayOffRow>> {
    use days_off::Column as D;
    let mut query = days_off::Entity::find();
    if let Some(section) = section_id {
        query = query.filter(D::SectionId.eq(section));
    }
    if let Some(user) = user_id {
        query = query.filter(D::UserId.eq(user));
    }
    if let Some(status) = status {
        query = query.filter(D::Status.eq(status));
    }
    Ok(query.order_by_desc(D::StartDate).order_by_desc(D::Id).paginate(c, limit).fetch_page(0).await?)
}

// ---- Exceptions ----

/// Sets the user's exception for its date, replacing any earlier one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn upsert_exception(c: &impl Conn, row: ExceptionRow) -> StoreResult<()> {
    exceptions::Entity::delete_many()
        .filter(exceptions::Column::UserId.eq(row.user_id))
        .filter(exceptions::Column::Date.eq(row.date))
        .exec(c)
        .await?;
    rows::insert_all::<exceptions::ActiveModel>(c, vec![row]).await
}

/// Removes the user's exception for `date`; returns whether there was one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_exception(c: &impl Conn, user_id: Uuid, date: NaiveDate) -> StoreResult<bool> {
    let done = exceptions::Entity::delete_many()
        .filter(exceptions::Column::UserId.eq(user_id))
        .filter(exceptions::Column::Date.eq(date))
        .exec(c)
        .await?;
    Ok(done.rows_affected > 0)
}

/// The exceptions of these users in `from..=to`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn exceptions_of(
    c: &impl Conn,
    user_ids: Vec<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<ExceptionRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    use exceptions::Column as E;
    Ok(exceptions::Entity::find()
        .filter(E::UserId.is_in(user_ids))
        .filter(E::Date.between(from, to))
        .order_by_asc(E::Date)
        .all(c)
        .await?)
}

/// How many roster rows name this shift (pattern days, scheduled shifts, exceptions).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn shift_references(c: &impl Conn, shift_id: i32) -> StoreResult<u64> {
    let days = pattern_days::Entity::find().filter(pattern_days::Column::ShiftId.eq(shift_id)).count(c).await?;
    let shifts = scheduled::Entity::find().filter(scheduled::Column::ShiftId.eq(shift_id)).count(c).await?;
    let exceptions = exceptions::Entity::find().filter(exceptions::Column::ShiftId.eq(shift_id)).count(c).await?;
    Ok(days + shifts + exceptions)
}
