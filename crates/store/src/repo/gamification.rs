//! The points ledger: append-only rows, each user's daily tallies and their streak
//! row, all written by `append` in the caller's transaction; and the reads the
//! performance views start from.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use sentinelops_domain::scoring::{DailyTally, LedgerState, ScoreKind, streak};
use sentinelops_domain::shift::ShiftType;

use super::rows;
use crate::Conn;
use crate::entity::gamification_daily as daily;
use crate::entity::gamification_scores::{self as ledger, ActiveModel, Column, Entity};
use crate::entity::user_streaks as streaks;
use crate::error::StoreResult;

pub type LedgerRow = ledger::Model;
pub type DailyRow = daily::Model;
pub type StreakRow = streaks::Model;

/// How far back a streak is recomputed from the daily tallies: a run longer than this
/// keeps its stored length as a floor.
const STREAK_LOOKBACK_DAYS: u64 = 400;

/// The daily tally one counting row adds (zero for rows that count nothing).
pub fn tally_of(row: &LedgerRow) -> DailyTally {
    let counts = LedgerState::parse(&row.state).is_some_and(LedgerState::counts);
    match ScoreKind::parse(&row.kind).filter(|_| counts) {
        Some(kind) => DailyTally::of_row(
            kind,
            row.shift.as_deref().and_then(ShiftType::parse),
            i64::from(row.quantity),
            i64::from(row.points),
        ),
        None => DailyTally::default(),
    }
}

/// Converts between a stored daily row and its tally, from the one counter list.
macro_rules! day_conversions {
    ($($name:ident)*) => {
        /// A stored daily row's counters.
        pub fn tally_of_day(row: &DailyRow) -> DailyTally {
            DailyTally { $($name: row.$name,)* }
        }

        /// The stored row of one user's tally for one day (bulk loaders write these whole).
        pub fn day_row(user_id: Uuid, activity_date: NaiveDate, t: &DailyTally, updated_at: DateTime<Utc>) -> DailyRow {
            DailyRow { user_id, activity_date, $($name: t.$name,)* updated_at }
        }
    };
}

sentinelops_domain::with_daily_counters!(day_conversions);

/// Appends ledger rows and, for the rows that count, adds them to their users' daily
/// tallies and streak rows, in the caller's transaction.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn append(c: &impl Conn, rows: Vec<LedgerRow>, now: DateTime<Utc>) -> StoreResult<()> {
    let mut days: BTreeMap<(Uuid, NaiveDate), DailyTally> = BTreeMap::new();
    for row in &rows {
        let tally = tally_of(row);
        if tally != DailyTally::default() {
            days.entry((row.user_id, row.activity_date)).or_default().add(&tally);
        }
    }
    rows::insert_all::<ActiveModel>(c, rows).await?;
    let mut users: BTreeMap<Uuid, DailyTally> = BTreeMap::new();
    for ((user_id, date), tally) in days {
        add_to_day(c, user_id, date, &tally, now).await?;
        users.entry(user_id).or_default().add(&tally);
    }
    for (user_id, tally) in users {
        refresh_streak(c, user_id, &tally, now).await?;
    }
    Ok(())
}

/// Adds `tally` to one user's day, creating the row if needed (one statement).
async fn add_to_day(
    c: &impl Conn,
    user_id: Uuid,
    date: NaiveDate,
    tally: &DailyTally,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut insert = sea_orm::sea_query::Query::insert();
    let table = Alias::new("gamification_daily");
    let columns = tally.columns();
    let mut names = vec![Alias::new("user_id"), Alias::new("activity_date")];
    names.extend(columns.iter().map(|(name, _)| Alias::new(*name)));
    names.push(Alias::new("updated_at"));
    let mut values: Vec<sea_orm::sea_query::SimpleExpr> = vec![user_id.into(), date.into()];
    values.extend(columns.iter().map(|(_, v)| (*v).into()));
    values.push(now.into());
    let mut on_conflict = OnConflict::columns([Alias::new("user_id"), Alias::new("activity_date")]);
    for (name, _) in columns {
        on_conflict.value(
            Alias::new(name),
            Expr::col((table.clone(), Alias::new(name))).add(Expr::col((Alias::new("excluded"), Alias::new(name)))),
        );
    }
    on_conflict.value(Alias::new("updated_at"), Expr::col((Alias::new("excluded"), Alias::new("updated_at"))));
    insert
        .into_table(table)
        .columns(names)
        .values(values)
        .map_err(|e| crate::error::StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?
        .on_conflict(on_conflict);
    let backend = c.get_database_backend();
    c.execute_raw(backend.build(&insert)).await?;
    Ok(())
}

/// Adds the points and clean checklists to the user's streak row and recomputes the
/// streak from their active days.
async fn refresh_streak(c: &impl Conn, user_id: Uuid, added: &DailyTally, now: DateTime<Utc>) -> StoreResult<()> {
    let active: Vec<NaiveDate> = daily::Entity::find()
        .filter(daily::Column::UserId.eq(user_id))
        .order_by_desc(daily::Column::ActivityDate)
        .limit(STREAK_LOOKBACK_DAYS)
        .all(c)
        .await?
        .iter()
        .filter(|d| tally_of_day(d).is_active())
        .map(|d| d.activity_date)
        .collect();
    let runs = streak::runs(&active);
    let stored = streaks::Entity::find_by_id(user_id).one(c).await?;
    let clamp = |v: i64| i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX });
    let (total, perfect, longest) = match &stored {
        Some(s) => (i64::from(s.total_points), i64::from(s.perfect_shifts_count), s.longest_streak_days),
        None => (0, 0, 0),
    };
    let current = i32::try_from(runs.current).unwrap_or(i32::MAX);
    let model = streaks::ActiveModel {
        user_id: Set(user_id),
        current_streak_days: Set(current),
        longest_streak_days: Set(Ord::max(longest, i32::try_from(runs.longest).unwrap_or(i32::MAX))),
        perfect_shifts_count: Set(clamp(perfect + added.clean_checklists)),
        total_points: Set(clamp(total + added.points)),
        last_shift_date: Set(runs.last),
        updated_at: Set(now),
        revision: Set(1),
    };
    streaks::Entity::insert(model)
        .on_conflict(
            OnConflict::column(streaks::Column::UserId)
                .update_columns([
                    streaks::Column::CurrentStreakDays,
                    streaks::Column::LongestStreakDays,
                    streaks::Column::PerfectShiftsCount,
                    streaks::Column::TotalPoints,
                    streaks::Column::LastShiftDate,
                    streaks::Column::UpdatedAt,
                ])
                .value(streaks::Column::Revision, Expr::col((streaks::Entity, streaks::Column::Revision)).add(1))
                .to_owned(),
        )
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// Every ledger row of a checklist, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rows_of_instance(c: &impl Conn, instance_id: Uuid) -> StoreResult<Vec<LedgerRow>> {
    Ok(Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .order_by_asc(Column::AwardedAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}

/// Every ledger row about one subject (an item, subitem or handover note), oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rows_of_subject(c: &impl Conn, subject_id: Uuid) -> StoreResult<Vec<LedgerRow>> {
    Ok(Entity::find()
        .filter(Column::SubjectId.eq(subject_id))
        .order_by_asc(Column::AwardedAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}

/// A user's streak row, if they ever scored.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn streak_of(c: &impl Conn, user_id: Uuid) -> StoreResult<Option<StreakRow>> {
    Ok(streaks::Entity::find_by_id(user_id).one(c).await?)
}

/// The sum of a user's ledger points (what `user_streaks.total_points` must equal).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn ledger_total(c: &impl Conn, user_id: Uuid) -> StoreResult<i64> {
    let total: Option<Option<i64>> = Entity::find()
        .select_only()
        .column_as(Expr::col(Column::Points).sum(), "total")
        .filter(Column::UserId.eq(user_id))
        .into_tuple()
        .one(c)
        .await?;
    Ok(total.flatten().unwrap_or(0))
}

/// When `user_id` last completed an item or subitem of a checklist, other than
/// `except` (the burst rule's "previous completion").
#[tracing::instrument(level = "debug", skip_all)]
pub async fn last_completion_by(
    c: &impl Conn,
    instance_id: Uuid,
    user_id: Uuid,
    except: Uuid,
) -> StoreResult<Option<DateTime<Utc>>> {
    use crate::entity::{checklist_instance_items as items, checklist_instance_subitems as subitems};
    // The newest row each, not MAX(): an aggregate's type is not the column's on SQLite.
    let item = items::Entity::find()
        .filter(items::Column::InstanceId.eq(instance_id))
        .filter(items::Column::CompletedBy.eq(user_id))
        .filter(items::Column::Id.ne(except))
        .filter(items::Column::CompletedAt.is_not_null())
        .order_by_desc(items::Column::CompletedAt)
        .one(c)
        .await?
        .and_then(|row| row.completed_at);
    let subitem = subitems::Entity::find()
        .filter(subitems::Column::InstanceId.eq(instance_id))
        .filter(subitems::Column::CompletedBy.eq(user_id))
        .filter(subitems::Column::Id.ne(except))
        .filter(subitems::Column::CompletedAt.is_not_null())
        .order_by_desc(subitems::Column::CompletedAt)
        .one(c)
        .await?
        .and_then(|row| row.completed_at);
    Ok(Ord::max(item, subitem))
}

/// A user's ledger rows with an activity date in `[from, to]`, newest first, at most
/// `limit`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rows_of_user(
    c: &impl Conn,
    user_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    limit: u64,
) -> StoreResult<Vec<LedgerRow>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ActivityDate.between(from, to))
        .order_by_desc(Column::AwardedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// The sum of a user's daily tallies' points (what the ledger total must equal).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn daily_total(c: &impl Conn, user_id: Uuid) -> StoreResult<i64> {
    let total: Option<Option<i64>> = daily::Entity::find()
        .select_only()
        // SUM of a bigint is numeric on PostgreSQL.
        .column_as(
            sea_orm::sea_query::SimpleExpr::from(sea_orm::sea_query::Func::cast_as(
                sea_orm::sea_query::Func::sum(Expr::col(daily::Column::Points)),
                Alias::new("bigint"),
            )),
            "total",
        )
        .filter(daily::Column::UserId.eq(user_id))
        .into_tuple()
        .one(c)
        .await?;
    Ok(total.flatten().unwrap_or(0))
}
