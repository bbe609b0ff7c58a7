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

/// The users' window sums from the daily tallies in one query. The windows' starts cut
/// the range into disjoint segments (the week may start before the month); each row is
/// summed once, into its segment, and each window is the sum of the segments it covers.
/// Users without rows are absent from the map.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn window_sums(
    c: &impl Conn,
    user_ids: &[Uuid],
    starts: &[NaiveDate],
    end: NaiveDate,
) -> StoreResult<HashMap<Uuid, WindowSums>> {
    let mut bounds: Vec<NaiveDate> = starts.to_vec();
    bounds.sort_unstable_by(|a, b| b.cmp(a));
    bounds.dedup();
    let Some(earliest) = bounds.last().copied() else {
        return Ok(HashMap::new());
    };
    let segments = segment_sums(c, user_ids, &bounds, earliest, end).await?;
    let mut out = HashMap::new();
    for (user_id, by_segment) in segments {
        let mut sums = WindowSums::default();
        for start in starts {
            let mut tally = DailyTally::default();
            let mut days = 0;
            for (bound, (segment, active)) in bounds.iter().zip(&by_segment) {
                if bound >= start {
                    tally.add(segment);
                    days += active;
                }
            }
            sums.tallies.push(tally);
            sums.active_days.push(days);
        }
        out.insert(user_id, sums);
    }
    Ok(out)
}

/// Per user, per segment (`bounds` newest first; segment k holds the days from
/// `bounds[k]` up to the next newer bound): the summed tally and its active days.
async fn segment_sums(
    c: &impl Conn,
    user_ids: &[Uuid],
    bounds: &[NaiveDate],
    earliest: NaiveDate,
    end: NaiveDate,
) -> StoreResult<HashMap<Uuid, Vec<(DailyTally, i64)>>> {
    let names: Vec<&'static str> = DailyTally::default().columns().iter().map(|(n, _)| *n).collect();
    // CASE takes the first true arm: newest bound first, the oldest segment last.
    let last = i64::try_from(bounds.len().saturating_sub(1)).unwrap_or(0);
    let mut arms = bounds.iter().zip(0i64..).take_while(|(_, k)| *k < last);
    let segment: SimpleExpr = match arms.next() {
        None => Expr::val(0i64),
        Some((bound, k)) => {
            let mut case = Expr::case(Expr::col(daily::Column::ActivityDate).gte(*bound), k);
            for (bound, k) in arms {
                case = case.case(Expr::col(daily::Column::ActivityDate).gte(*bound), k);
            }
            case.finally(last).into()
        }
    };
    let mut q = Query::select();
    q.from(daily::Entity).column(daily::Column::UserId).expr_as(segment, Alias::new("segment"));
    for name in &names {
        q.expr_as(Expr::col(Alias::new(*name)).sum().cast_as("BIGINT"), Alias::new(*name));
    }
    let day = Expr::case(active_day(), 1i64).finally(0i64);
    q.expr_as(Expr::expr(day).sum().cast_as("BIGINT"), Alias::new("active_days"));
    q.and_where(daily::Column::UserId.is_in(user_ids.iter().copied()))
        .and_where(daily::Column::ActivityDate.gte(earliest))
        .and_where(daily::Column::ActivityDate.lte(end))
        .group_by_col(daily::Column::UserId)
        .add_group_by([Expr::col(Alias::new("segment"))]);
    let backend = c.get_database_backend();
    let rows = c.query_all_raw(backend.build(&q)).await?;
    let mut out: HashMap<Uuid, Vec<(DailyTally, i64)>> = HashMap::new();
    for row in rows {
        let user_id: Uuid = row.try_get("", "user_id")?;
        let k = usize::try_from(row.try_get::<i64>("", "segment")?).unwrap_or(usize::MAX);
        let mut values = Vec::with_capacity(names.len());
        for name in &names {
            values.push(row.try_get::<Option<i64>>("", name)?.unwrap_or(0));
        }
        let active = row.try_get::<Option<i64>>("", "active_days")?.unwrap_or(0);
        let segments = out.entry(user_id).or_insert_with(|| vec![(DailyTally::default(), 0); bounds.len()]);
        if let Some(slot) = segments.get_mut(k) {
            let tally = DailyTally::from_columns(&values).ok_or_else(|| {
                StoreError::Db(sea_orm::DbErr::Custom("window sums have the wrong number of columns".into()))
            })?;
            *slot = (tally, active);
        }
    }
    Ok(out)
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
