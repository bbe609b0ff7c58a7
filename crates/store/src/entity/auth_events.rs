//! `auth_events`: the authentication audit log.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// One of LOGIN_SUCCESS, LOGIN_FAILURE, LOGOUT, SESSION_CREATED, SESSION_REVOKED, INVALID_TOKEN.
    pub event_type: String,
    pub event_time: DateTimeUtc,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub session_id: Option<Uuid>,
    pub metadata: Json,
    /// LOGIN_FAILURE only: `unknown_user`, `invalid_password`, `user_disabled` or `locked`
    /// (also in `metadata.reason`); NULL otherwise and on rows older than the column.
    pub failure_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
