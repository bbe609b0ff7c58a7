//! Users.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::Conn;
use crate::entity::users::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;
use sentinelops_domain::Role;
use sentinelops_domain::directory::AuthSource;

pub type UserRow = Model;

/// Everything needed to insert a user. Usernames and e-mails arrive lower-cased.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub password_hash: String,
    pub role: Role,
    pub department_id: Option<i32>,
    pub section_id: Option<Uuid>,
    pub is_active: bool,
    pub created_by: Option<Uuid>,
    pub now: DateTime<Utc>,
    /// Where the identity lives (`Local` for accounts made in SentinelOps).
    pub auth_source: AuthSource,
    pub external_id: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, user: NewUser) -> StoreResult<UserRow> {
    let row = ActiveModel {
        id: Set(user.id),
        username: Set(user.username),
        email: Set(user.email),
        first_name: Set(user.first_name),
        last_name: Set(user.last_name),
        position: Set(user.position),
        password_hash: Set(user.password_hash),
        role: Set(user.role.into()),
        department_id: Set(user.department_id),
        section_id: Set(user.section_id),
        is_active: Set(user.is_active),
        created_by: Set(user.created_by),
        created_at: Set(user.now),
        updated_at: Set(user.now),
        last_login_at: Set(None),
        password_changed_at: Set(None),
        auth_source: Set(user.auth_source.into()),
        external_id: Set(user.external_id),
    };
    Ok(row.insert(c).await?)
}

/// Writes every column of `user` back (the caller changed what it meant to).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save(c: &impl Conn, user: UserRow) -> StoreResult<UserRow> {
    let row = user.into_active_model().reset_all();
    Ok(row.update(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, id: Uuid) -> StoreResult<Option<UserRow>> {
    Ok(Entity::find_by_id(id).one(c).await?)
}

/// The account a directory person signed in to before (by the directory's stable id).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_by_external_id(c: &impl Conn, source: AuthSource, external_id: &str) -> StoreResult<Option<UserRow>> {
    Ok(Entity::find()
        .filter(Column::AuthSource.eq(source.as_str()))
        .filter(Column::ExternalId.eq(external_id))
        .one(c)
        .await?)
}

/// Active directory accounts of a source (the directory check walks them).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn active_of_source(c: &impl Conn, source: AuthSource) -> StoreResult<Vec<UserRow>> {
    Ok(Entity::find()
        .filter(Column::AuthSource.eq(source.as_str()))
        .filter(Column::IsActive.eq(true))
        .order_by_asc(Column::Username)
        .all(c)
        .await?)
}

/// Finds a user by e-mail or username (both stored lower-case).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_by_login(c: &impl Conn, login: &str) -> StoreResult<Option<UserRow>> {
    Ok(Entity::find()
        .filter(Condition::any().add(Column::Email.eq(login)).add(Column::Username.eq(login)))
        .order_by_asc(Column::CreatedAt)
        .one(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_many(c: &impl Conn, ids: Vec<Uuid>) -> StoreResult<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find().filter(Column::Id.is_in(ids)).all(c).await?)
}

/// Filters of the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub section_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active_only: bool,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn, filter: &UserFilter) -> StoreResult<Vec<UserRow>> {
    let mut query = Entity::find();
    if let Some(section) = filter.section_id {
        query = query.filter(Column::SectionId.eq(section));
    }
    if let Some(role) = &filter.role {
        query = query.filter(Column::Role.eq(role.as_str()));
    }
    if filter.active_only {
        query = query.filter(Column::IsActive.eq(true));
    }
    Ok(query.order_by_asc(Column::Username).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn count(c: &impl Conn) -> StoreResult<u64> {
    Ok(Entity::find().count(c).await?)
}

/// Counts active admins, locking their rows on PostgreSQL so that two concurrent
/// demotions cannot both see another admin left.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_admins_for_update(c: &impl Conn) -> StoreResult<u64> {
    let query = Entity::find().filter(Column::Role.eq(Role::Admin.as_str())).filter(Column::IsActive.eq(true));
    let query = if c.get_database_backend() == sea_orm::DbBackend::Postgres { query.lock_exclusive() } else { query };
    Ok(u64::try_from(query.all(c).await?.len()).unwrap_or(u64::MAX))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_admins(c: &impl Conn) -> StoreResult<u64> {
    Ok(Entity::find().filter(Column::Role.eq(Role::Admin.as_str())).filter(Column::IsActive.eq(true)).count(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_last_login(c: &impl Conn, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::LastLoginAt, sea_orm::sea_query::Expr::value(Some(at)))
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}
