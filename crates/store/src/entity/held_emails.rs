//! `held_emails`: e-mails held during their recipient's quiet hours, released as one
//! digest at `release_at`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "held_emails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The end of the quiet window the mail was held in.
    pub release_at: DateTimeUtc,
    /// One of low, medium, high, critical.
    pub priority: String,
    /// The e-mail as it would have been queued (an outbox e-mail payload).
    pub payload: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
