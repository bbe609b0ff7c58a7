//! Application settings: small JSON values by key (the business time zone, …).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Conn;
use crate::entity::app_settings::{ActiveModel, Entity, Model};
use crate::error::StoreResult;

pub type SettingRow = Model;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(c: &impl Conn, key: &str) -> StoreResult<Option<SettingRow>> {
    Ok(Entity::find_by_id(key.to_owned()).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn put(
    c: &impl Conn,
    key: &str,
    value: Json,
    updated_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> StoreResult<SettingRow> {
    match get(c, key).await? {
        Some(existing) => {
            let mut row = existing.into_active_model();
            row.value = Set(value);
            row.updated_by = Set(updated_by);
            row.updated_at = Set(now);
            Ok(row.update(c).await?)
        }
        None => Ok(ActiveModel {
            key: Set(key.to_owned()),
            value: Set(value),
            updated_by: Set(updated_by),
            updated_at: Set(now),
        }
        .insert(c)
        .await?),
    }
}
