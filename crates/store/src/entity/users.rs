//! `users`: user accounts.

use sea_orm::entity::prelude::*;
use sentinelops_domain::Role;

use crate::stored::Stored;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique.
    pub username: String,
    /// Unique when present.
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub password_hash: String,
    /// One of admin, manager, user.
    pub role: Stored<Role>,
    pub department_id: Option<i32>,
    pub section_id: Option<Uuid>,
    pub is_active: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    pub password_changed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
