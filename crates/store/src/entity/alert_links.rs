//! `alert_links`: the one-click acknowledge links of alert e-mails; only the SHA-256 of
//! each link's token is kept (unique). Single-use (`used_at`) and expiring.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alert_id: Uuid,
    pub token_hash: String,
    /// The user it was mailed to; none for an on-call address.
    pub user_id: Option<Uuid>,
    pub address: String,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
