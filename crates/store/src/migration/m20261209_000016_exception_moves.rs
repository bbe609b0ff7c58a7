//! The checklist export and the period report read, for a page of checklists, only the
//! activity rows that moved a step to SKIPPED or FAILED (who made the exception, and
//! when). The (instance_id, created_at) index would make them read every row of those
//! checklists (some 400 each) and filter; (instance_id, to_status) seeks the few.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "checklist_item_activity";
const INDEX: &str = "idx_checklist_item_activity_instance_id_to_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Alias::new(TABLE))
                    .col(Alias::new("instance_id"))
                    .col(Alias::new("to_status"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(Alias::new(TABLE)).to_owned()).await
    }
}
