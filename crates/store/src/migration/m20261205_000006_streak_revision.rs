//! A revision on each user's streak row, bumped by every ledger write that changes the
//! user's tallies (in the same transaction). The Performance Command reuses a computed
//! deck while the revisions it was computed under are unchanged; a timestamp alone
//! could repeat (two writes in one clock tick, a frozen test clock).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserStreaks {
    Table,
    Revision,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserStreaks::Table)
                    .add_column(ColumnDef::new(UserStreaks::Revision).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(UserStreaks::Table).drop_column(UserStreaks::Revision).to_owned())
            .await
    }
}
