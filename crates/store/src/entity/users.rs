//! `users`: user accounts.

use sea_orm::entity::prelude::*;
use sentinelops_domain::Role;
use sentinelops_domain::directory::AuthSource;

use crate::stored::Stored;

/// `Debug` is written by hand: the row travels up to the views (a checklist names its
/// users by their rows) and must not print the password hash into a log.
#[derive(Clone, PartialEq, DeriveEntityModel)]
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
    /// Where the identity lives; a directory account's password hash is unusable.
    pub auth_source: Stored<AuthSource>,
    /// The directory's stable id for the person (unique per source).
    pub external_id: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("section_id", &self.section_id)
            .field("is_active", &self.is_active)
            .field("auth_source", &self.auth_source)
            .field("password_hash", &"<redacted>")
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
