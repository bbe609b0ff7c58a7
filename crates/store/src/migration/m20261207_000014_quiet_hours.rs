//! Quiet hours and e-mail per priority (issue 21, item 5).
//!
//! - `notification_preferences.email_priorities`: the priorities a user wants e-mailed,
//!   a comma list of low, medium, high, critical. NULL means "not chosen": all four.
//! - `held_emails`: a non-critical e-mail held during its recipient's quiet hours, until
//!   `release_at` (the end of the quiet window); the quiet-digest job sends the held
//!   mails of a user as one e-mail and deletes them in the same transaction.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{json_binary, pk_uuid, text, timestamp_with_time_zone, uuid};

use super::m20261205_000009_roster::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];

fn held_emails() -> TableCreateStatement {
    const T: &str = "held_emails";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(timestamp_with_time_zone("release_at"))
        .col(text("priority").check(Expr::col("priority").is_in(PRIORITIES)))
        // The e-mail as it would have been queued (an outbox e-mail payload).
        .col(json_binary("payload"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "user_id", "users", ForeignKeyAction::Cascade))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("notification_preferences")
                    .add_column(ColumnDef::new("email_priorities").text().null())
                    .to_owned(),
            )
            .await?;
        manager.create_table(held_emails()).await?;
        manager.create_index(index("held_emails", &["release_at"], false)).await?;
        manager.create_index(index("held_emails", &["user_id", "release_at"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("held_emails").if_exists().to_owned()).await?;
        manager
            .alter_table(Table::alter().table("notification_preferences").drop_column("email_priorities").to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
