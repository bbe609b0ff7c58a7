//! The operational event log (high-signal events only, written in the same
//! transaction as the change they record).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryTrait, Select};
use uuid::Uuid;

use super::{After, Page, Window, newest_first, newest_first_after};
use crate::Conn;
use crate::entity::ops_events::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type OpsEventRow = Model;

/// Writes one event, every column as given.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, row: OpsEventRow) -> StoreResult<()> {
    super::rows::insert_one::<ActiveModel>(c, row).await
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
    Entity::find()
        .apply_if((!q.event_types.is_empty()).then_some(&q.event_types), |s, types| {
            s.filter(Column::EventType.is_in(types.clone()))
        })
        .apply_if(q.entity_type.as_deref(), |s, t| s.filter(Column::EntityType.eq(t)))
        .apply_if(q.entity_id.as_deref(), |s, id| s.filter(Column::EntityId.eq(id)))
        .apply_if(q.section_id, |s, section| s.filter(Column::SectionId.eq(section)))
        .apply_if(q.actor_id, |s, actor| s.filter(Column::ActorId.eq(actor)))
        .apply_if(q.from, |s, from| s.filter(Column::CreatedAt.gte(from)))
        .apply_if(q.to, |s, to| s.filter(Column::CreatedAt.lt(to)))
}

/// Newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, q: &OpsEventQuery, window: Window) -> StoreResult<Page<OpsEventRow>> {
    newest_first(c, || filtered(q), (Column::CreatedAt, Column::Id), window).await
}

/// A keyset page of the listing (same filters and order), for streamed exports.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn page_after(
    c: &impl Conn,
    q: &OpsEventQuery,
    after: Option<After>,
    limit: u64,
) -> StoreResult<Vec<OpsEventRow>> {
    newest_first_after(c, filtered(q), (Column::CreatedAt, Column::Id), after, limit).await
}
