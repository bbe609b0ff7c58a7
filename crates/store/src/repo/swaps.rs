//! Shift swaps and the sections' roster settings. A swap changes status only through
//! [`transition`], a conditional update: of two racers (two requests, two instances)
//! exactly one moves it.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use sentinelops_domain::swap::SwapStatus;

use super::rows;
use crate::Conn;
use crate::entity::{roster_settings as settings, shift_swaps as swaps};
use crate::error::StoreResult;

pub type SwapRow = swaps::Model;
pub type RosterSettingsRow = settings::Model;

/// Which swaps to list.
#[derive(Debug, Clone, Default)]
pub struct SwapFilter {
    /// One section's (`None`: every section's).
    pub section_id: Option<Uuid>,
    /// Only these statuses (empty: any).
    pub statuses: Vec<SwapStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, row: SwapRow) -> StoreResult<()> {
    rows::insert_one::<swaps::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, id: Uuid) -> StoreResult<Option<SwapRow>> {
    Ok(swaps::Entity::find_by_id(id).one(c).await?)
}

/// Writes `row` (its new status and fields) only if the swap is still `from`; false
/// when it was not (someone else moved it first, and nothing was written).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn transition(c: &impl Conn, row: SwapRow, from: SwapStatus) -> StoreResult<bool> {
    let id = row.id;
    let result = swaps::Entity::update_many()
        .set(row.into_active_model().reset_all())
        .filter(swaps::Column::Id.eq(id))
        .filter(swaps::Column::Status.eq(from.as_str()))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Swaps by date (then creation), at most `limit`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, filter: &SwapFilter, limit: u64) -> StoreResult<Vec<SwapRow>> {
    use swaps::Column as S;
    let mut query = swaps::Entity::find();
    if let Some(section) = filter.section_id {
        query = query.filter(S::SectionId.eq(section));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(S::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(from) = filter.from {
        query = query.filter(S::Date.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(S::Date.lte(to));
    }
    Ok(query
        .order_by_asc(S::Date)
        .order_by_asc(S::CreatedAt)
        .order_by_asc(S::Id)
        .paginate(c, limit)
        .fetch_page(0)
        .await?)
}

/// The open (offered or accepted) swaps of `user`'s `shift_id` on `date`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open_offers_of(c: &impl Conn, user: Uuid, date: NaiveDate, shift_id: i32) -> StoreResult<Vec<SwapRow>> {
    use swaps::Column as S;
    let open = [SwapStatus::Offered.as_str(), SwapStatus::Accepted.as_str()];
    Ok(swaps::Entity::find()
        .filter(S::OfferedBy.eq(user))
        .filter(S::Date.eq(date))
        .filter(S::ShiftId.eq(shift_id))
        .filter(S::Status.is_in(open))
        .all(c)
        .await?)
}

/// The approved swaps in `from..=to` that give or take a shift of one of these users,
/// in the order they completed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn approved_of(
    c: &impl Conn,
    user_ids: Vec<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<SwapRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    use swaps::Column as S;
    Ok(swaps::Entity::find()
        .filter(S::Status.eq(SwapStatus::Approved.as_str()))
        .filter(S::Date.between(from, to))
        .filter(Condition::any().add(S::OfferedBy.is_in(user_ids.clone())).add(S::TakenBy.is_in(user_ids)))
        .order_by_asc(S::DecidedAt)
        .order_by_asc(S::Id)
        .all(c)
        .await?)
}

// ---- Roster settings ----

#[tracing::instrument(level = "debug", skip_all)]
pub async fn settings_of(c: &impl Conn, section_id: Uuid) -> StoreResult<Option<RosterSettingsRow>> {
    Ok(settings::Entity::find_by_id(section_id).one(c).await?)
}

/// Writes a section's settings (a first write inserts its row).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_settings(c: &impl Conn, row: RosterSettingsRow) -> StoreResult<()> {
    if settings_of(c, row.section_id).await?.is_some() {
        rows::save::<settings::ActiveModel>(c, row).await
    } else {
        rows::insert_one::<settings::ActiveModel>(c, row).await
    }
}
