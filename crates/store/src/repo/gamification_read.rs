//! The performance views' reads: a fixed number of queries whatever the history, each
//! bounded by the visible users and the year (the daily tallies, not the ledger).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use sentinelops_domain::scoring::{DailyTally, LedgerState};

use super::gamification::{DailyRow, LedgerRow, StreakRow};
use crate::Conn;
use crate::entity::gamification_daily as daily;
use crate::entity::gamification_scores as ledger;
use crate::entity::{sections, user_streaks, users};
use crate::error::{StoreError, StoreResult};

pub type SectionRow = sections::Model;
pub type UserRow = users::Model;

/// Who the views show: every active user of a section, everyone active, or one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Section(Uuid),
    Everyone,
    Only(Uuid),
}

/// The visible users (the caller always among them, even if inactive), with their
/// sections and streak rows: three queries.
#[derive(Debug, Clone, Default)]
pub struct Visible {
    pub users: Vec<UserRow>,
    pub sections: HashMap<Uuid, SectionRow>,
    pub streaks: HashMap<Uuid, StreakRow>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible_users(c: &impl Conn, audience: Audience, caller: Uuid) -> StoreResult<Visible> {
    let scope = match audience {
        Audience::Section(section) => {
            Condition::all().add(users::Column::IsActive.eq(true)).add(users::Column::SectionId.eq(section))
        }
        Audience::Everyone => Condition::all().add(users::Column::IsActive.eq(true)),
        Audience::Only(id) => Condition::all().add(users::Column::Id.eq(id)),
    };
    let users = users::Entity::find()
        .filter(Condition::any().add(scope).add(users::Column::Id.eq(caller)))
        .order_by_asc(users::Column::Username)
        .all(c)
        .await?;
    let section_ids: Vec<Uuid> = users.iter().filter_map(|u| u.section_id).collect();
    let sections = sections::Entity::find()
        .filter(sections::Column::Id.is_in(section_ids))
        .all(c)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let streaks = user_streaks::Entity::find()
        .filter(user_streaks::Column::UserId.is_in(ids))
        .all(c)
        .await?
        .into_iter()
        .map(|s| (s.user_id, s))
        .collect();
    Ok(Visible { users, sections, streaks })
}

/// One user's sums over several windows that all end at the same day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowSums {
    /// Per window, in the order of the starts asked for.
    pub tallies: Vec<DailyTally>,
    /// Distinct active days per window.
    pub active_days: Vec<i64>,
}

/// Whether a daily row holds any activity (`DailyTally::is_active` in SQL).
fn active_day() -> SimpleExpr {
    let mut any = Condition::any();
    for (name, _) in DailyTally::default().columns().into_iter().skip(DailyTally::POINT_COLUMNS) {
        any = any.add(Expr::col(Alias::new(name)).gt(0));
    }
    any.into()
}

/// The users' window sums from the daily tallies, one query with conditional
/// aggregation: each counter summed from each start to `end`. Users without rows are
/// absent from the map.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn window_sums(
    c: &impl Conn,
    user_ids: &[Uuid],
    starts: &[NaiveDate],
    end: NaiveDate,
) -> StoreResult<HashMap<Uuid, WindowSums>> {
    let Some(earliest) = starts.iter().min().copied() else {
        return Ok(HashMap::new());
    };
    let names: Vec<&'static str> = DailyTally::default().columns().iter().map(|(n, _)| *n).collect();
    let mut q = Query::select();
    q.from(daily::Entity).column(daily::Column::UserId);
    for (w, start) in starts.iter().enumerate() {
        let in_window = Expr::col(daily::Column::ActivityDate).gte(*start);
        for name in &names {
            let value = Expr::case(in_window.clone(), Expr::col(Alias::new(*name))).finally(0i64);
            q.expr_as(Expr::expr(value).sum().cast_as("BIGINT"), Alias::new(format!("w{w}_{name}")));
        }
        let day = Expr::case(in_window.and(active_day()), 1i64).finally(0i64);
        q.expr_as(Expr::expr(day).sum().cast_as("BIGINT"), Alias::new(format!("w{w}_days")));
    }
    q.and_where(daily::Column::UserId.is_in(user_ids.iter().copied()))
        .and_where(daily::Column::ActivityDate.gte(earliest))
        .and_where(daily::Column::ActivityDate.lte(end))
        .group_by_col(daily::Column::UserId);
    let backend = c.get_database_backend();
    let rows = c.query_all_raw(backend.build(&q)).await?;
    let mut out = HashMap::new();
    for row in rows {
        let user_id: Uuid = row.try_get("", "user_id")?;
        let mut sums = WindowSums::default();
        for w in 0..starts.len() {
            let mut values = Vec::with_capacity(names.len());
            for name in &names {
                values.push(row.try_get::<Option<i64>>("", &format!("w{w}_{name}"))?.unwrap_or(0));
            }
            sums.tallies.push(tally_from(&values)?);
            sums.active_days.push(row.try_get::<Option<i64>>("", &format!("w{w}_days"))?.unwrap_or(0));
        }
        out.insert(user_id, sums);
    }
    Ok(out)
}

/// A tally from its counters in `DailyTally::columns` order.
fn tally_from(values: &[i64]) -> StoreResult<DailyTally> {
    let corrupt = || StoreError::Db(sea_orm::DbErr::Custom("window sums have the wrong number of columns".into()));
    let v = |i: usize| values.get(i).copied().ok_or_else(corrupt);
    Ok(DailyTally {
        points: v(0)?,
        execution_points: v(1)?,
        reliability_points: v(2)?,
        collaboration_points: v(3)?,
        quality_points: v(4)?,
        actions: v(5)?,
        items: v(6)?,
        critical_items: v(7)?,
        failures_reported: v(8)?,
        timed_starts: v(9)?,
        timed_on_time: v(10)?,
        late_events: v(11)?,
        checklists: v(12)?,
        on_time_checklists: v(13)?,
        clean_checklists: v(14)?,
        collab_checklists: v(15)?,
        collab_actions: v(16)?,
        handovers_created: v(17)?,
        handovers_resolved: v(18)?,
        shifts_staffed: v(19)?,
        morning_actions: v(20)?,
        morning_runs: v(21)?,
        afternoon_actions: v(22)?,
        afternoon_runs: v(23)?,
        night_actions: v(24)?,
        night_runs: v(25)?,
    })
}

/// One user's daily rows from `start` to `end`, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn days_of(c: &impl Conn, user_id: Uuid, start: NaiveDate, end: NaiveDate) -> StoreResult<Vec<DailyRow>> {
    Ok(daily::Entity::find()
        .filter(daily::Column::UserId.eq(user_id))
        .filter(daily::Column::ActivityDate.gte(start))
        .filter(daily::Column::ActivityDate.lte(end))
        .order_by_asc(daily::Column::ActivityDate)
        .all(c)
        .await?)
}

fn counting_states() -> Vec<&'static str> {
    LedgerState::ALL.into_iter().filter(|s| s.counts()).map(LedgerState::as_str).collect()
}

/// One user's most recent counting rows with positive points dated `start..=end`,
/// newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn recent_paying_rows(
    c: &impl Conn,
    user_id: Uuid,
    start: NaiveDate,
    end: NaiveDate,
    limit: u64,
) -> StoreResult<Vec<LedgerRow>> {
    Ok(ledger::Entity::find()
        .filter(ledger::Column::UserId.eq(user_id))
        .filter(ledger::Column::State.is_in(counting_states()))
        .filter(ledger::Column::Points.gt(0))
        .filter(ledger::Column::ActivityDate.gte(start))
        .filter(ledger::Column::ActivityDate.lte(end))
        .order_by_desc(ledger::Column::AwardedAt)
        .order_by_desc(ledger::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// A user's ledger rows, newest first, optionally within activity dates.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rows_of_user(
    c: &impl Conn,
    user_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    limit: u64,
) -> StoreResult<Vec<LedgerRow>> {
    let mut q = ledger::Entity::find().filter(ledger::Column::UserId.eq(user_id));
    if let Some(from) = from {
        q = q.filter(ledger::Column::ActivityDate.gte(from));
    }
    if let Some(to) = to {
        q = q.filter(ledger::Column::ActivityDate.lte(to));
    }
    Ok(q.order_by_desc(ledger::Column::AwardedAt).order_by_desc(ledger::Column::Id).limit(limit).all(c).await?)
}

/// The users' points from `start` to `end` (no start: all time), one query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn points_between(
    c: &impl Conn,
    user_ids: &[Uuid],
    start: Option<NaiveDate>,
    end: NaiveDate,
) -> StoreResult<HashMap<Uuid, i64>> {
    let mut q = daily::Entity::find()
        .select_only()
        .column(daily::Column::UserId)
        .column_as(Expr::col(daily::Column::Points).sum().cast_as("BIGINT"), "points")
        .filter(daily::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(daily::Column::ActivityDate.lte(end))
        .group_by(daily::Column::UserId);
    if let Some(start) = start {
        q = q.filter(daily::Column::ActivityDate.gte(start));
    }
    let rows: Vec<(Uuid, Option<i64>)> = q.into_tuple().all(c).await?;
    Ok(rows.into_iter().map(|(id, p)| (id, p.unwrap_or(0))).collect())
}
