//! Presence across instances: each instance keeps one row per user it has live
//! connections for, refreshed by a heartbeat; a user is online while any row is fresh.
//! Also indexes the subitem due time scanned by the missed-reminder job.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Presence {
    Table,
    NodeId,
    UserId,
    Connections,
    HeartbeatAt,
}

#[derive(DeriveIden)]
enum ChecklistInstanceSubitems {
    Table,
    ScheduledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Presence::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Presence::NodeId).string().not_null())
                    .col(ColumnDef::new(Presence::UserId).uuid().not_null())
                    .col(ColumnDef::new(Presence::Connections).integer().not_null())
                    .col(ColumnDef::new(Presence::HeartbeatAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(Presence::NodeId).col(Presence::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_presence_user_heartbeat")
                    .table(Presence::Table)
                    .col(Presence::UserId)
                    .col(Presence::HeartbeatAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_checklist_instance_subitems_scheduled_at")
                    .table(ChecklistInstanceSubitems::Table)
                    .col(ChecklistInstanceSubitems::ScheduledAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_checklist_instance_subitems_scheduled_at")
                    .table(ChecklistInstanceSubitems::Table)
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(Presence::Table).to_owned()).await
    }
}
