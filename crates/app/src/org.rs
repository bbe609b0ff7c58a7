//! Departments and sections: everyone reads them, admins create and change them.

use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::org::{self, NewSection};
/// Departments and sections are answered as stored.
pub use sentinelops_store::repo::org::{DepartmentRow, SectionRow};
use sentinelops_store::repo::users;

use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::tx::commit;
use crate::{App, validate};

/// Changes to a section; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct SectionInput {
    pub name: Option<String>,
    pub department_id: Option<Option<i32>>,
    pub manager_id: Option<Option<Uuid>>,
}

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() { Ok(()) } else { Err(forbidden("Only administrators can change departments and sections")) }
}

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_departments(&self) -> AppResult<Vec<DepartmentRow>> {
        Ok(org::list_departments(self.store.reader()).await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_sections(&self, department_id: Option<i32>) -> AppResult<Vec<SectionRow>> {
        Ok(org::list_sections(self.store.reader(), department_id).await?)
    }

    /// The sections as `actor` may see them: a section's manager is shown to admins and
    /// to that section's own members only (others see no manager, not who it is).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_sections_seen_by(&self, actor: &Actor, department_id: Option<i32>) -> AppResult<Vec<SectionRow>> {
        let mut sections = self.list_sections(department_id).await?;
        for section in &mut sections {
            let member = actor.section_id == Some(section.id) || section.manager_id == Some(actor.user_id);
            if !actor.is_admin() && !member {
                section.manager_id = None;
            }
        }
        Ok(sections)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_department(&self, actor: &Actor, name: &str) -> AppResult<DepartmentRow> {
        require_admin(actor)?;
        let name = validate::text("name", name, 1, 200)?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        if org::find_department_by_name(&tx, &name).await?.is_some() {
            return Err(AppError::Conflict(format!("Department {name:?} already exists")));
        }
        let dept = org::insert_department(&tx, name, now).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "DEPARTMENT_CREATED",
                entity_type: "DEPARTMENT",
                entity_id: dept.id.to_string(),
                section_id: None,
                payload: json!({ "department_id": dept.id, "name": dept.name }),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(dept)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rename_department(&self, actor: &Actor, id: i32, name: &str) -> AppResult<DepartmentRow> {
        require_admin(actor)?;
        let name = validate::text("name", name, 1, 200)?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let dept = org::find_department(&tx, id).await?.ok_or_else(|| not_found("Department not found"))?;
        if let Some(other) = org::find_department_by_name(&tx, &name).await?
            && other.id != id
        {
            return Err(AppError::Conflict(format!("Department {name:?} already exists")));
        }
        let old = dept.name.clone();
        let dept = org::rename_department(&tx, dept, name).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "DEPARTMENT_UPDATED",
                entity_type: "DEPARTMENT",
                entity_id: dept.id.to_string(),
                section_id: None,
                payload: json!({ "department_id": dept.id, "changes": { "name": { "from": old, "to": dept.name } } }),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(dept)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_section(&self, actor: &Actor, input: SectionInput) -> AppResult<SectionRow> {
        require_admin(actor)?;
        let name = validate::text("name", input.name.as_deref().unwrap_or(""), 1, 200)?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        if org::find_section_by_name(&tx, &name).await?.is_some() {
            return Err(AppError::Conflict(format!("Section {name:?} already exists")));
        }
        let department_id = input.department_id.flatten();
        check_references(&tx, department_id, input.manager_id.flatten()).await?;
        let section = org::insert_section(
            &tx,
            NewSection { id: new_id(), name, department_id, manager_id: input.manager_id.flatten(), now },
        )
        .await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "SECTION_CREATED",
                entity_type: "SECTION",
                entity_id: section.id.to_string(),
                section_id: Some(section.id),
                payload: json!({ "section_id": section.id, "name": section.name, "department_id": section.department_id, "manager_id": section.manager_id }),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(section)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_section(&self, actor: &Actor, id: Uuid, input: SectionInput) -> AppResult<SectionRow> {
        require_admin(actor)?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let before = org::find_section(&tx, id).await?.ok_or_else(|| not_found("Section not found"))?;
        let mut section = before.clone();
        if let Some(name) = &input.name {
            let name = validate::text("name", name, 1, 200)?;
            if let Some(other) = org::find_section_by_name(&tx, &name).await?
                && other.id != id
            {
                return Err(AppError::Conflict(format!("Section {name:?} already exists")));
            }
            section.name = name;
        }
        if let Some(dept) = input.department_id {
            section.department_id = dept;
        }
        if let Some(manager) = input.manager_id {
            section.manager_id = manager;
        }
        check_references(&tx, section.department_id, section.manager_id).await?;
        let section = org::save_section(&tx, section).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "SECTION_UPDATED",
                entity_type: "SECTION",
                entity_id: section.id.to_string(),
                section_id: Some(section.id),
                payload: json!({
                    "section_id": section.id,
                    "changes": {
                        "name": { "from": before.name, "to": section.name },
                        "department_id": { "from": before.department_id, "to": section.department_id },
                        "manager_id": { "from": before.manager_id, "to": section.manager_id },
                    }
                }),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(section)
    }
}

async fn check_references(
    c: &impl sentinelops_store::Conn,
    department_id: Option<i32>,
    manager_id: Option<Uuid>,
) -> AppResult<()> {
    if let Some(dept) = department_id
        && org::find_department(c, dept).await?.is_none()
    {
        return Err(invalid("department_id does not exist"));
    }
    if let Some(manager) = manager_id
        && users::find(c, manager).await?.is_none()
    {
        return Err(invalid("manager_id does not exist"));
    }
    Ok(())
}
