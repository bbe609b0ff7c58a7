//! `calendar_feeds`: private iCalendar feeds, one per user and scope (their own shifts,
//! or a section's roster); only the SHA-256 of the URL's secret token is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_feeds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub section_id: Option<Uuid>,
    /// "me" or the section's id (unique per user).
    pub scope: String,
    /// Unique.
    pub token_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
