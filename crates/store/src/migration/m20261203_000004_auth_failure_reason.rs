//! Why a sign-in failed, as a real column of `auth_events` (it was in `metadata`
//! only). The account lockout counts the failures that reached the password check and
//! leaves out the attempts refused because the lock was already on, so a trickle of
//! guesses cannot keep lengthening a named account's lock; a filter needs a column, not
//! a JSON path. Nullable: older rows keep NULL and count as before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthEvents {
    Table,
    FailureReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuthEvents::Table)
                    .add_column(ColumnDef::new(AuthEvents::FailureReason).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AuthEvents::Table).drop_column(AuthEvents::FailureReason).to_owned())
            .await
    }
}
