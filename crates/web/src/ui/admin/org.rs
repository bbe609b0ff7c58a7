//! `/ui/admin/org`: departments and sections — list, create, rename a department,
//! change a section's name, department and manager.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::org::{DepartmentRow, SectionInput, SectionRow};

use super::{AdminPost, FormError, error_for, non_empty};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome::outcome;
use crate::ui::render::{self, Layout};
use crate::ui::roles::Admin;
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/admin/org", get(org_page))
        .route("/ui/admin/departments", post(create_department))
        .route("/ui/admin/departments/{id}", post(rename_department))
        .route("/ui/admin/sections", post(create_section))
        .route("/ui/admin/sections/{id}", post(update_section))
}

const BACK: &str = "/ui/admin/org";

/// A section row: its names resolved.
#[derive(Debug, Clone)]
pub struct SectionItem {
    pub id: Uuid,
    pub name: String,
    pub department_id: Option<i32>,
    pub department_name: String,
    pub manager_id: Option<Uuid>,
    pub manager_name: String,
}

impl SectionItem {
    pub fn in_department(&self, id: &i32) -> bool {
        self.department_id.as_ref() == Some(id)
    }

    pub fn managed_by(&self, id: &Uuid) -> bool {
        self.manager_id.as_ref() == Some(id)
    }
}

/// A possible section manager (an active manager or admin).
#[derive(Debug, Clone)]
pub struct ManagerOption {
    pub id: Uuid,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin_org.html")]
pub struct OrgPage {
    pub layout: Layout,
    pub tab: &'static str,
    pub csrf: String,
    pub departments: Vec<DepartmentRow>,
    pub sections: Vec<SectionItem>,
    pub managers: Vec<ManagerOption>,
    pub error: Option<FormError>,
}

impl OrgPage {
    pub fn error_for(&self, form: &str) -> Option<&str> {
        error_for(&self.error, form)
    }
}

async fn org_page(State(state): State<AppState>, Admin(user, ..): Admin) -> UiResult {
    render_page(&state, &user, StatusCode::OK, None).await
}

async fn render_page(state: &AppState, user: &UiUser, status: StatusCode, error: Option<FormError>) -> UiResult {
    let departments = state.app.list_departments().await?;
    let sections = state.app.list_sections(None).await?;
    let users = state.app.list_users(&user.actor).await?;
    let department_name =
        |id: Option<i32>| departments.iter().find(|d| Some(d.id) == id).map(|d| d.name.clone()).unwrap_or_default();
    let user_name = |id: Option<Uuid>| users.iter().find(|u| Some(u.id) == id).map(|u| u.username.clone());
    let sections = sections
        .into_iter()
        .map(|s: SectionRow| SectionItem {
            department_name: department_name(s.department_id),
            manager_name: user_name(s.manager_id).unwrap_or_default(),
            id: s.id,
            name: s.name,
            department_id: s.department_id,
            manager_id: s.manager_id,
        })
        .collect();
    let managers = users
        .iter()
        .filter(|u| u.is_active && (u.role == "manager" || u.role == "admin"))
        .map(|u| ManagerOption { id: u.id, label: format!("{} {} ({})", u.first_name, u.last_name, u.username) })
        .collect();
    let page = OrgPage {
        layout: user.layout(state, "Departments and sections", "admin").await,
        tab: "org",
        csrf: user.csrf.clone(),
        departments,
        sections,
        managers,
        error,
    };
    Ok(render::page_status(status, &page))
}

/// A POST's answer: back with a flash, or the page again with the message at `form`.
async fn respond<T>(
    post: &AdminPost,
    result: Result<T, AppError>,
    form: &str,
    done: impl FnOnce(T) -> String,
) -> UiResult {
    let AdminPost { state, user, headers, .. } = post;
    outcome(headers, result, BACK, done, |status, message| {
        render_page(state, user, status, Some(FormError::new(form, message)))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    pub name: String,
}

async fn create_department(post: AdminPost, UiForm(form): UiForm<NameForm>) -> UiResult {
    let result = post.state.app.create_department(&post.user.actor, &form.name).await;
    respond(&post, result, "new-department", |d| format!("Department {} created.", d.name)).await
}

async fn rename_department(post: AdminPost, UiPath(id): UiPath<i32>, UiForm(form): UiForm<NameForm>) -> UiResult {
    let result = post.state.app.rename_department(&post.user.actor, id, &form.name).await;
    respond(&post, result, &format!("department-{id}"), |d| format!("Department {} saved.", d.name)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SectionForm {
    pub name: String,
    pub department_id: String,
    pub manager_id: String,
}

impl SectionForm {
    /// The form as the use case's input: "" clears a choice; junk is a message.
    fn input(&self) -> Result<SectionInput, AppError> {
        let department_id = match non_empty(&self.department_id) {
            None => None,
            Some(v) => {
                Some(v.parse::<i32>().map_err(|_| AppError::Validation("Choose a department from the list.".into()))?)
            }
        };
        let manager_id = match non_empty(&self.manager_id) {
            None => None,
            Some(v) => {
                Some(Uuid::parse_str(v).map_err(|_| AppError::Validation("Choose a manager from the list.".into()))?)
            }
        };
        Ok(SectionInput {
            name: Some(self.name.clone()),
            department_id: Some(department_id),
            manager_id: Some(manager_id),
        })
    }
}

async fn create_section(post: AdminPost, UiForm(form): UiForm<SectionForm>) -> UiResult {
    let result = match form.input() {
        Ok(input) => post.state.app.create_section(&post.user.actor, input).await,
        Err(err) => Err(err),
    };
    respond(&post, result, "new-section", |s| format!("Section {} created.", s.name)).await
}

async fn update_section(post: AdminPost, UiPath(id): UiPath<Uuid>, UiForm(form): UiForm<SectionForm>) -> UiResult {
    let result = match form.input() {
        Ok(input) => post.state.app.update_section(&post.user.actor, id, input).await,
        Err(err) => Err(err),
    };
    respond(&post, result, &format!("section-{id}"), |s| format!("Section {} saved.", s.name)).await
}
