//! Departments and sections.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::Conn;
use crate::entity::{departments, sections};
use crate::error::StoreResult;

pub type DepartmentRow = departments::Model;
pub type SectionRow = sections::Model;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_departments(c: &impl Conn) -> StoreResult<Vec<DepartmentRow>> {
    Ok(departments::Entity::find().order_by_asc(departments::Column::Name).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_department(c: &impl Conn, id: i32) -> StoreResult<Option<DepartmentRow>> {
    Ok(departments::Entity::find_by_id(id).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_department_by_name(c: &impl Conn, name: &str) -> StoreResult<Option<DepartmentRow>> {
    Ok(departments::Entity::find().filter(departments::Column::Name.eq(name)).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_department(c: &impl Conn, name: String, now: DateTime<Utc>) -> StoreResult<DepartmentRow> {
    Ok(departments::ActiveModel { name: Set(name), created_at: Set(now), ..Default::default() }.insert(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn rename_department(c: &impl Conn, row: DepartmentRow, name: String) -> StoreResult<DepartmentRow> {
    let mut active = row.into_active_model();
    active.name = Set(name);
    Ok(active.update(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_sections(c: &impl Conn, department_id: Option<i32>) -> StoreResult<Vec<SectionRow>> {
    let mut query = sections::Entity::find();
    if let Some(dept) = department_id {
        query = query.filter(sections::Column::DepartmentId.eq(dept));
    }
    Ok(query.order_by_asc(sections::Column::Name).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_section(c: &impl Conn, id: Uuid) -> StoreResult<Option<SectionRow>> {
    Ok(sections::Entity::find_by_id(id).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_section_by_name(c: &impl Conn, name: &str) -> StoreResult<Option<SectionRow>> {
    Ok(sections::Entity::find().filter(sections::Column::Name.eq(name)).one(c).await?)
}

#[derive(Debug, Clone)]
pub struct NewSection {
    pub id: Uuid,
    pub name: String,
    pub department_id: Option<i32>,
    pub manager_id: Option<Uuid>,
    pub now: DateTime<Utc>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_section(c: &impl Conn, s: NewSection) -> StoreResult<SectionRow> {
    Ok(sections::ActiveModel {
        id: Set(s.id),
        name: Set(s.name),
        department_id: Set(s.department_id),
        manager_id: Set(s.manager_id),
        created_at: Set(s.now),
        hide_leaderboard_names: Set(None),
    }
    .insert(c)
    .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_section(c: &impl Conn, row: SectionRow) -> StoreResult<SectionRow> {
    let active = row.into_active_model().reset_all();
    Ok(active.update(c).await?)
}
