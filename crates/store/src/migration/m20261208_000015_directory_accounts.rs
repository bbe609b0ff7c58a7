//! Directory sign-in (issue 22).
//!
//! - `users.auth_source`: where the account's identity lives, `local`, `ldap` or
//!   `oidc`. Existing rows become `local`. Nullable only because SQLite cannot add a
//!   NOT NULL column without a database default (house rule 6 forbids those); every
//!   insert writes it and the entity reads it as required.
//! - `users.external_id`: the directory's stable id for the person (entryUUID or
//!   objectGUID, else the DN; the OpenID `sub`), unique per source.
//! - `oidc_flows`: an OpenID Connect sign-in between the redirect to the provider and
//!   its return, keyed by the SHA-256 of its `state` (any instance may receive the
//!   return); deleted when used, so each is good once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{text, text_null, timestamp_with_time_zone};

use super::m20261205_000009_roster::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SOURCES: [&str; 3] = ["local", "ldap", "oidc"];

fn oidc_flows() -> TableCreateStatement {
    Table::create()
        .table("oidc_flows")
        .col(text("state_hash").primary_key())
        .col(text("nonce"))
        .col(text("pkce_verifier"))
        .col(text_null("next"))
        // The client address that began it (flows waiting are bounded per address).
        .col(text_null("ip"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("expires_at"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(
                        ColumnDef::new("auth_source").text().null().check(Expr::col("auth_source").is_in(SOURCES)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table("users").add_column(ColumnDef::new("external_id").text().null()).to_owned(),
            )
            .await?;
        manager.exec_stmt(Query::update().table("users").value("auth_source", "local").to_owned()).await?;
        manager.create_index(index("users", &["auth_source", "external_id"], true)).await?;
        manager.create_table(oidc_flows()).await?;
        manager.create_index(index("oidc_flows", &["expires_at"], false)).await?;
        manager.create_index(index("oidc_flows", &["ip", "expires_at"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("oidc_flows").if_exists().to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_users_auth_source_external_id").table("users").to_owned()).await?;
        for column in ["external_id", "auth_source"] {
            manager.alter_table(Table::alter().table("users").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
