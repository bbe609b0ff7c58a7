//! The operational event log (high-signal events only, written in the same
//! transaction as the change they record).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::{Page, Window};
use crate::Conn;
use crate::entity::ops_events::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type OpsEventRow = Model;

#[derive(Debug, Clone)]
pub struct NewOpsEvent {
    pub id: Uuid,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: String,
    pub actor_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    pub payload: Json,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, e: NewOpsEvent) -> StoreResult<()> {
    ActiveModel {
        id: Set(e.id),
        event_type: Set(e.event_type),
        entity_type: Set(e.entity_type),
        entity_id: Set(e.entity_id),
        actor_id: Set(e.actor_id),
        section_id: Set(e.section_id),
        payload: Set(e.payload),
        created_at: Set(e.created_at),
    }
    .insert(c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct OpsEventQuery {
    pub event_types: Vec<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub section_id: Option<Uuid>,
    /// Who acted (the UI's "user" filter).
    pub actor_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn filtered(q: &OpsEventQuery) -> Select<Entity> {
    let mut query = Entity::find();
    if !q.event_types.is_empty() {
        query = query.filter(Column::EventType.is_in(q.event_types.clone()));
    }
    if let Some(t) = &q.entity_type {
        query = query.filter(Column::EntityType.eq(t.as_str()));
    }
    if let Some(id) = &q.entity_id {
        query = query.filter(Column::EntityId.eq(id.as_str()));
    }
    if let Some(section) = q.section_id {
        query = query.filter(Column::SectionId.eq(section));
    }
    if let Some(actor) = q.actor_id {
        query = query.filter(Column::ActorId.eq(actor));
    }
    if let Some(from) = q.from {
        query = query.filter(Column::CreatedAt.gte(from));
    }
    if let Some(to) = q.to {
        query = query.filter(Column::CreatedAt.lt(to));
    }
    query
}

/// Newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, q: &OpsEventQuery, window: Window) -> StoreResult<Page<OpsEventRow>> {
    let total = filtered(q).count(c).await?;
    let rows = filtered(q)
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(window.offset)
        .limit(window.limit)
        .all(c)
        .await?;
    Ok(Page { rows, total })
}
