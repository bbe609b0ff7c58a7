//! Whole-table counts for `/health`.

use sea_orm::{EntityTrait, PaginatorTrait};

use crate::Conn;
use crate::entity::{checklist_instances, users};
use crate::error::StoreResult;

#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub users: u64,
    pub instances: u64,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn counts(c: &impl Conn) -> StoreResult<Counts> {
    Ok(Counts {
        users: users::Entity::find().count(c).await?,
        instances: checklist_instances::Entity::find().count(c).await?,
    })
}
