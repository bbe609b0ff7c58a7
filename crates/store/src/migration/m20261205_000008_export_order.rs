//! The audit exports read the logs newest first in keyset pages ordered by (time, id).
//! With `id` in the index each page is read in order and the scan stops after it
//! (without it, SQLite sorts the tie-break of every page: "temp B-tree for right part
//! of ORDER BY"). The time-only indexes are prefixes of their replacements, which serve
//! their queries. A username (auth) or actor (ops) filter gets an index that serves the
//! order too: otherwise each page re-reads and sorts every row of that user.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, index replaced (if any), new index, its columns)
const INDEXES: [(&str, Option<&str>, &str, &[&str]); 4] = [
    ("auth_events", Some("idx_auth_events_event_time"), "idx_auth_events_event_time_id", &["event_time", "id"]),
    ("auth_events", None, "idx_auth_events_username_event_time_id", &["username", "event_time", "id"]),
    ("ops_events", Some("idx_ops_events_created_at"), "idx_ops_events_created_at_id", &["created_at", "id"]),
    ("ops_events", None, "idx_ops_events_actor_id_created_at_id", &["actor_id", "created_at", "id"]),
];

fn create(table: &str, name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table)).if_not_exists();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

fn drop(table: &str, name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, columns) in INDEXES {
            manager.create_index(create(table, new, columns)).await?;
            if let Some(old) = old {
                manager.drop_index(drop(table, old)).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, columns) in INDEXES {
            if let Some(old) = old {
                let old_columns = columns.get(..columns.len() - 1).unwrap_or(columns);
                manager.create_index(create(table, old, old_columns)).await?;
            }
            manager.drop_index(drop(table, new)).await?;
        }
        Ok(())
    }
}
