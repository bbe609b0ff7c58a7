//! Two notification preferences as real columns of `notification_preferences`: the
//! shift report mailed at sign-off and the daily shift digest. Recipients are chosen by
//! them, and what is filtered on is a column, not a JSON path in `categories`.
//! Nullable, and NULL means "not chosen": the shift report then follows the role
//! (on for managers, off for administrators) and the digest is off. Rows written
//! before this migration keep NULL and so get those defaults.
//!
//! SQLite alters one column per statement, hence two statements.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    ShiftReportEmail,
    DailyDigestEmail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [NotificationPreferences::ShiftReportEmail, NotificationPreferences::DailyDigestEmail] {
            manager
                .alter_table(
                    Table::alter()
                        .table(NotificationPreferences::Table)
                        .add_column(ColumnDef::new(column).boolean().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [NotificationPreferences::DailyDigestEmail, NotificationPreferences::ShiftReportEmail] {
            manager
                .alter_table(Table::alter().table(NotificationPreferences::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
