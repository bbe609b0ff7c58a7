//! Checklist templates, their items, subitems and scheduled events.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::rows;
use crate::Conn;
use crate::entity::{
    checklist_template_items as items, checklist_template_scheduled_events as events,
    checklist_template_subitems as subitems, checklist_templates as templates,
};
use crate::error::StoreResult;

pub type TemplateRow = templates::Model;
pub type TemplateItemRow = items::Model;
pub type TemplateSubitemRow = subitems::Model;
pub type TemplateEventRow = events::Model;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_template(c: &impl Conn, row: TemplateRow) -> StoreResult<()> {
    rows::insert_one::<templates::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_template(c: &impl Conn, row: TemplateRow) -> StoreResult<()> {
    rows::save::<templates::ActiveModel>(c, row).await
}

/// Reads a template for a change: locked on PostgreSQL until the transaction ends, so
/// concurrent edits of one template apply one after the other.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_template_for_update(c: &impl Conn, id: Uuid) -> StoreResult<Option<TemplateRow>> {
    use sea_orm::QuerySelect;
    let query = templates::Entity::find_by_id(id);
    let query = if c.get_database_backend() == sea_orm::DbBackend::Postgres { query.lock_exclusive() } else { query };
    Ok(query.one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_template(c: &impl Conn, id: Uuid) -> StoreResult<Option<TemplateRow>> {
    Ok(templates::Entity::find_by_id(id).one(c).await?)
}

#[derive(Debug, Clone, Default)]
pub struct TemplateFilter {
    pub section_id: Option<Uuid>,
    pub shift: Option<String>,
    pub active_only: bool,
}

/// Newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_templates(c: &impl Conn, f: &TemplateFilter) -> StoreResult<Vec<TemplateRow>> {
    let mut q = templates::Entity::find();
    if let Some(section) = f.section_id {
        q = q.filter(templates::Column::SectionId.eq(section));
    }
    if let Some(shift) = &f.shift {
        q = q.filter(templates::Column::Shift.eq(shift.as_str()));
    }
    if f.active_only {
        q = q.filter(templates::Column::IsActive.eq(true));
    }
    Ok(q.order_by_desc(templates::Column::UpdatedAt).order_by_desc(templates::Column::Id).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_items(c: &impl Conn, rows: Vec<TemplateItemRow>) -> StoreResult<()> {
    rows::insert_all::<items::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_item(c: &impl Conn, row: TemplateItemRow) -> StoreResult<()> {
    rows::save::<items::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_item(c: &impl Conn, id: Uuid) -> StoreResult<Option<TemplateItemRow>> {
    Ok(items::Entity::find_by_id(id).one(c).await?)
}

/// Items of several templates, in order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn items_of(c: &impl Conn, template_ids: Vec<Uuid>, active_only: bool) -> StoreResult<Vec<TemplateItemRow>> {
    if template_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = items::Entity::find().filter(items::Column::TemplateId.is_in(template_ids));
    if active_only {
        q = q.filter(items::Column::IsActive.eq(true));
    }
    Ok(q.order_by_asc(items::Column::SortOrder).order_by_asc(items::Column::CreatedAt).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_subitems(c: &impl Conn, rows: Vec<TemplateSubitemRow>) -> StoreResult<()> {
    rows::insert_all::<subitems::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_subitem(c: &impl Conn, row: TemplateSubitemRow) -> StoreResult<()> {
    rows::save::<subitems::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_subitem(c: &impl Conn, id: Uuid) -> StoreResult<Option<TemplateSubitemRow>> {
    Ok(subitems::Entity::find_by_id(id).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_subitems(c: &impl Conn, ids: Vec<Uuid>) -> StoreResult<()> {
    if !ids.is_empty() {
        subitems::Entity::delete_many().filter(subitems::Column::Id.is_in(ids)).exec(c).await?;
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn subitems_of(c: &impl Conn, item_ids: Vec<Uuid>) -> StoreResult<Vec<TemplateSubitemRow>> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(subitems::Entity::find()
        .filter(subitems::Column::TemplateItemId.is_in(item_ids))
        .order_by_asc(subitems::Column::SortOrder)
        .order_by_asc(subitems::Column::CreatedAt)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_events(c: &impl Conn, rows: Vec<TemplateEventRow>) -> StoreResult<()> {
    rows::insert_all::<events::ActiveModel>(c, rows).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_event(c: &impl Conn, row: TemplateEventRow) -> StoreResult<()> {
    rows::save::<events::ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_events(c: &impl Conn, ids: Vec<Uuid>) -> StoreResult<()> {
    if !ids.is_empty() {
        events::Entity::delete_many().filter(events::Column::Id.is_in(ids)).exec(c).await?;
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn events_of(c: &impl Conn, item_ids: Vec<Uuid>) -> StoreResult<Vec<TemplateEventRow>> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(events::Entity::find()
        .filter(events::Column::TemplateItemId.is_in(item_ids))
        .order_by_asc(events::Column::EventDatetime)
        .all(c)
        .await?)
}
