//! Handover notes between consecutive shifts.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::rows;
use crate::Conn;
use crate::entity::checklist_instances as instances;
use crate::entity::handover_notes::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type HandoverRow = Model;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, row: HandoverRow) -> StoreResult<()> {
    rows::insert_one::<ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, id: Uuid) -> StoreResult<Option<HandoverRow>> {
    Ok(Entity::find_by_id(id).one(c).await?)
}

/// Notes leaving or reaching an instance, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_instance(
    c: &impl Conn,
    instance_id: Uuid,
    incoming: bool,
    outgoing: bool,
) -> StoreResult<Vec<HandoverRow>> {
    let mut condition = Condition::any();
    if incoming {
        condition = condition.add(Column::ToInstanceId.eq(instance_id));
    }
    if outgoing {
        condition = condition.add(Column::FromInstanceId.eq(instance_id));
    }
    if !incoming && !outgoing {
        return Ok(Vec::new());
    }
    Ok(Entity::find().filter(condition).order_by_asc(Column::CreatedAt).order_by_asc(Column::Id).all(c).await?)
}

/// Where a note came from: its source checklist's shift and date.
pub type Origin = (Uuid, String, NaiveDate);

/// The notes reaching any of these instances (a whole dashboard's in one query), oldest
/// first, and the shift and date of each note's source checklist (one more query).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn incoming_for_many(c: &impl Conn, instance_ids: Vec<Uuid>) -> StoreResult<(Vec<HandoverRow>, Vec<Origin>)> {
    if instance_ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let notes = Entity::find()
        .filter(Column::ToInstanceId.is_in(instance_ids))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await?;
    let origins = origins_of(c, &notes).await?;
    Ok((notes, origins))
}

/// The notes of a section's checklists dated up to `last_day` that were not resolved
/// before `at` (what a period report lists as still open at its end), oldest first,
/// with their sources' shift and date. At most `cap` notes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open_in_section_at(
    c: &impl Conn,
    section_id: Uuid,
    last_day: NaiveDate,
    at: DateTime<Utc>,
    cap: u64,
) -> StoreResult<(Vec<HandoverRow>, Vec<Origin>)> {
    let sources = sea_orm::sea_query::Query::select()
        .column(instances::Column::Id)
        .from(instances::Entity)
        .and_where(instances::Column::SectionId.eq(section_id))
        .and_where(instances::Column::ChecklistDate.lte(last_day))
        .to_owned();
    let notes = Entity::find()
        .filter(Column::SectionId.eq(section_id))
        .filter(Column::FromInstanceId.in_subquery(sources))
        .filter(Condition::any().add(Column::ResolvedAt.is_null()).add(Column::ResolvedAt.gte(at)))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(cap)
        .all(c)
        .await?;
    let origins = origins_of(c, &notes).await?;
    Ok((notes, origins))
}

/// The shift and date of each note's source checklist, in one query.
async fn origins_of(c: &impl Conn, notes: &[HandoverRow]) -> StoreResult<Vec<Origin>> {
    slots_of(c, notes.iter().map(|n| n.from_instance_id).collect()).await
}

/// The shift and date of each of these checklists, in one query (the ones that exist).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn slots_of(c: &impl Conn, mut instance_ids: Vec<Uuid>) -> StoreResult<Vec<Origin>> {
    instance_ids.sort_unstable();
    instance_ids.dedup();
    if instance_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(instances::Entity::find()
        .select_only()
        .column(instances::Column::Id)
        .column(instances::Column::Shift)
        .column(instances::Column::ChecklistDate)
        .filter(instances::Column::Id.is_in(instance_ids))
        .into_tuple::<Origin>()
        .all(c)
        .await?)
}

/// How many notes leave each of these instances (one grouped query for a whole
/// dashboard); instances without outgoing notes are absent.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn outgoing_counts(c: &impl Conn, instance_ids: Vec<Uuid>) -> StoreResult<Vec<(Uuid, i64)>> {
    if instance_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .select_only()
        .column(Column::FromInstanceId)
        .column_as(Column::Id.count(), "n")
        .filter(Column::FromInstanceId.is_in(instance_ids))
        .group_by(Column::FromInstanceId)
        .into_tuple::<(Uuid, i64)>()
        .all(c)
        .await?)
}

/// True when the source instance already carried this item over automatically (one
/// carry-over per failed item, however often the checklist re-enters review).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn carried_over(c: &impl Conn, from_instance_id: Uuid, item_id: Uuid) -> StoreResult<bool> {
    Ok(Entity::find()
        .filter(Column::FromInstanceId.eq(from_instance_id))
        .filter(Column::SourceItemId.eq(item_id))
        .filter(Column::IsAutomatic.eq(true))
        .one(c)
        .await?
        .is_some())
}

/// Acknowledges once; false when it already was.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn acknowledge(c: &impl Conn, id: Uuid, by: Uuid, at: DateTime<Utc>) -> StoreResult<bool> {
    let result = Entity::update_many()
        .col_expr(Column::AcknowledgedBy, Expr::value(Some(by)))
        .col_expr(Column::AcknowledgedAt, Expr::value(Some(at)))
        .filter(Column::Id.eq(id))
        .filter(Column::AcknowledgedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Resolves once; false when it already was.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(c: &impl Conn, id: Uuid, by: Uuid, at: DateTime<Utc>, notes: Option<String>) -> StoreResult<bool> {
    let result = Entity::update_many()
        .col_expr(Column::ResolvedBy, Expr::value(Some(by)))
        .col_expr(Column::ResolvedAt, Expr::value(Some(at)))
        .col_expr(Column::ResolutionNotes, Expr::value(notes))
        .filter(Column::Id.eq(id))
        .filter(Column::ResolvedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}
