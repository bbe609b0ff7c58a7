//! The seeded state-transition rules.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Conn;
use crate::entity::state_transition_rules::{Column, Entity, Model};
use crate::error::StoreResult;

pub type RuleRow = Model;

/// Rules of one entity type (CHECKLIST_ITEM, CHECKLIST_SUBITEM, CHECKLIST_INSTANCE).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_entity(c: &impl Conn, entity_type: &str) -> StoreResult<Vec<RuleRow>> {
    Ok(Entity::find()
        .filter(Column::EntityType.eq(entity_type))
        .order_by_asc(Column::FromStatus)
        .order_by_asc(Column::ToStatus)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn all(c: &impl Conn) -> StoreResult<Vec<RuleRow>> {
    Ok(Entity::find()
        .order_by_asc(Column::EntityType)
        .order_by_asc(Column::FromStatus)
        .order_by_asc(Column::ToStatus)
        .all(c)
        .await?)
}
