//! `outbox`: transactional outbox for e-mails and webhooks.

use sea_orm::entity::prelude::*;
use sentinelops_domain::OutboxStatus;

use crate::stored::Stored;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// One of email, webhook.
    pub kind: String,
    /// Unique when present.
    pub dedupe_key: Option<String>,
    pub payload: Json,
    /// One of PENDING, SENT, DEAD.
    pub status: Stored<OutboxStatus>,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
