//! The inbox lists a user's receipts (all, or the unread ones) newest first with the
//! id as tie-break. Indexes ending in `created_at` leave the tie-break to a sort of each
//! page (SQLite: "temp B-tree for right part of ORDER BY"); with `id` in the index the
//! page is read in order and the scan stops after it. Each old index is a prefix of
//! its replacement, which serves the old index's queries (the unread badge too).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationReceipts {
    Table,
}

/// (old index, new index, the new index's columns)
const REPLACED: [(&str, &str, &[&str]); 2] = [
    (
        "idx_notification_receipts_user_id_created_at",
        "idx_notification_receipts_user_id_created_at_id",
        &["user_id", "created_at", "id"],
    ),
    (
        "idx_notification_receipts_user_id_is_read_created_at",
        "idx_notification_receipts_user_id_is_read_created_at_id",
        &["user_id", "is_read", "created_at", "id"],
    ),
];

fn create(name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(NotificationReceipts::Table).if_not_exists();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(NotificationReceipts::Table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new, columns) in REPLACED {
            manager.create_index(create(new, columns)).await?;
            manager.drop_index(drop(old)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new, columns) in REPLACED {
            let old_columns = columns.get(..columns.len() - 1).unwrap_or(columns);
            manager.create_index(create(old, old_columns)).await?;
            manager.drop_index(drop(new)).await?;
        }
        Ok(())
    }
}
