//! `/ui/admin/users`: the users list, creating users, changing name, e-mail,
//! username, position, role, section and active state, setting a new password and
//! revoking sessions.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono_tz::Tz;
use sentinelops_domain::directory::AuthSource;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::org::SectionRow;
use sentinelops_app::users::{CreateUser, UpdateUser, UserView};
use sentinelops_domain::Role;

use super::{AdminPost, FormError, error_for, non_empty};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome::outcome;
use crate::ui::render::{self, Layout, role_label};
use crate::ui::roles::Admin;
use crate::ui::session::UiUser;
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/admin/users", get(users_page).post(create_user))
        .route("/ui/admin/users/{id}", post(update_user))
        .route("/ui/admin/users/{id}/password", post(set_password))
        .route("/ui/admin/users/{id}/revoke-sessions", post(revoke_sessions))
}

const BACK: &str = "/ui/admin/users";

/// (value, label) of the roles, least powerful first.
pub const ROLES: [(&str, &str); 3] =
    [(Role::User.as_str(), "Operator"), (Role::Manager.as_str(), "Manager"), (Role::Admin.as_str(), "Administrator")];

/// One user as a table row shows it.
#[derive(Debug, Clone)]
pub struct UserItem {
    pub id: Uuid,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub position: String,
    pub role: String,
    pub section_id: Option<Uuid>,
    pub section_name: String,
    pub is_active: bool,
    pub last_sign_in: String,
    /// "Local", "Directory (LDAP)" or "Single sign-on".
    pub source: &'static str,
    /// The directory owns the name, e-mail, username, role and password (read-only here).
    pub identity_locked: bool,
    /// The directory owns the section.
    pub section_locked: bool,
}

impl UserItem {
    pub fn new(user: UserView, tz: Tz, app: &sentinelops_app::App) -> UserItem {
        let owns = app.directory_owns(user.auth_source);
        UserItem {
            source: match user.auth_source {
                AuthSource::Local => "Local",
                AuthSource::Ldap => "Directory (LDAP)",
                AuthSource::Oidc => "Single sign-on",
            },
            identity_locked: owns.identity,
            section_locked: owns.section,
            id: user.id,
            name: format!("{} {}", user.first_name, user.last_name).trim().to_owned(),
            first_name: user.first_name,
            last_name: user.last_name,
            email: user.email,
            username: user.username,
            position: user.position,
            role: user.role,
            section_id: user.section_id,
            section_name: user.section_name,
            is_active: user.is_active,
            last_sign_in: timefmt::minute_or_never(tz, user.last_login_at),
        }
    }

    pub fn role_label(&self) -> &'static str {
        role_label(&self.role)
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.role == role
    }

    pub fn in_section(&self, id: &Uuid) -> bool {
        self.section_id.as_ref() == Some(id)
    }
}

/// A section in a picker.
#[derive(Debug, Clone)]
pub struct SectionOption {
    pub id: Uuid,
    pub name: String,
    pub department_id: Option<i32>,
}

impl From<SectionRow> for SectionOption {
    fn from(s: SectionRow) -> Self {
        SectionOption { id: s.id, name: s.name, department_id: s.department_id }
    }
}

/// What the create form held (kept when it is shown again with an error; never the password).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreateUserForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub position: String,
    pub role: String,
    pub section_id: String,
    pub password: String,
}

impl CreateUserForm {
    pub fn has_role(&self, role: &str) -> bool {
        self.role == role || (self.role.is_empty() && role == Role::User.as_str())
    }

    pub fn has_section(&self, id: &Uuid) -> bool {
        self.section_id == id.to_string()
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub tab: &'static str,
    pub csrf: String,
    pub users: Vec<UserItem>,
    pub sections: Vec<SectionOption>,
    pub roles: [(&'static str, &'static str); 3],
    pub draft: CreateUserForm,
    pub error: Option<FormError>,
}

impl UsersPage {
    pub fn error_for(&self, form: &str) -> Option<&str> {
        error_for(&self.error, form)
    }
}

/// One row of the users table on its own (for snapshot tests; the page includes the
/// same partial).
#[derive(Template)]
#[template(path = "partials/admin_user_row.html")]
pub struct UserRowPartial {
    pub csrf: String,
    pub user: UserItem,
    pub sections: Vec<SectionOption>,
    pub roles: [(&'static str, &'static str); 3],
}

async fn users_page(State(state): State<AppState>, Admin(user, ..): Admin) -> UiResult {
    render_page(&state, &user, StatusCode::OK, CreateUserForm::default(), None).await
}

async fn render_page(
    state: &AppState,
    user: &UiUser,
    status: StatusCode,
    draft: CreateUserForm,
    error: Option<FormError>,
) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let users = state.app.list_users(&user.actor).await?;
    let sections = state.app.list_sections(None).await?;
    let page = UsersPage {
        layout: user.layout(state, "Users", "admin").await,
        tab: "users",
        csrf: user.csrf.clone(),
        users: users.into_iter().map(|u| UserItem::new(u, tz, &state.app)).collect(),
        sections: sections.into_iter().map(SectionOption::from).collect(),
        roles: ROLES,
        draft,
        error,
    };
    Ok(render::page_status(status, &page))
}

/// A section id from a form: "" is none; anything unparsable is refused as a message.
fn section_choice(value: &str) -> Result<Option<Uuid>, String> {
    match non_empty(value) {
        None => Ok(None),
        Some(id) => Uuid::parse_str(id).map(Some).map_err(|_| "Choose a section from the list.".to_owned()),
    }
}

async fn create_user(post: AdminPost, UiForm(form): UiForm<CreateUserForm>) -> UiResult {
    let AdminPost { state, user, headers, .. } = &post;
    let result = match section_choice(&form.section_id) {
        Ok(section_id) => {
            let input = CreateUser {
                username: form.username.clone(),
                email: form.email.clone(),
                first_name: form.first_name.clone(),
                last_name: form.last_name.clone(),
                position: non_empty(&form.position).map(str::to_owned),
                password: form.password.clone(),
                role: if form.role.is_empty() { Role::User.as_str().to_owned() } else { form.role.clone() },
                department_id: None,
                section_id,
            };
            state.app.create_user(&user.actor, input).await
        }
        Err(message) => Err(sentinelops_app::AppError::Validation(message)),
    };
    let done = |created: UserView| format!("User {} created.", created.username);
    let draft = CreateUserForm { password: String::new(), ..form };
    outcome(headers, result, BACK, done, |status, message| {
        render_page(state, user, status, draft, Some(FormError::new("create", message)))
    })
    .await
}

/// The row's "Manage" form. The server changes only the fields whose value differs
/// from the user's: an empty position clears it, an empty name, e-mail or username
/// is refused with the server's message, and the empty e-mail of a user imported
/// without one is left as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateUserForm {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub position: Option<String>,
    pub role: String,
    /// Absent when the select is disabled (a section the directory owns): left as it is.
    pub section_id: Option<String>,
    /// A checkbox: present when ticked.
    pub active: Option<String>,
}

async fn update_user(post: AdminPost, UiPath(id): UiPath<Uuid>, UiForm(form): UiForm<UpdateUserForm>) -> UiResult {
    let AdminPost { state, user, .. } = &post;
    let placed = match &form.section_id {
        Some(section_id) => placement(state, section_id).await.map(|(d, s)| (d, Some(s))),
        None => Ok((None, None)),
    };
    let result = match placed {
        Ok((department_id, section_id)) => {
            let patch = UpdateUser {
                username: form.username,
                email: form.email,
                first_name: form.first_name,
                last_name: form.last_name,
                position: form.position,
                role: non_empty(&form.role).map(str::to_owned),
                department_id,
                section_id,
                is_active: Some(form.active.is_some()),
                ..UpdateUser::default()
            };
            state.app.update_user(&user.actor, id, patch, &user.meta).await
        }
        Err(err) => Err(err),
    };
    let done = |updated: UserView| format!("User {} saved.", updated.username);
    respond(&post, result, &format!("user-{id}"), done).await
}

/// The department goes with the chosen section (the use case refuses a section of
/// another department); no section leaves the department as it is.
async fn placement(
    state: &AppState,
    section_id: &str,
) -> Result<(Option<Option<i32>>, Option<Uuid>), sentinelops_app::AppError> {
    let section_id = section_choice(section_id).map_err(sentinelops_app::AppError::Validation)?;
    let Some(section_id) = section_id else {
        return Ok((None, None));
    };
    let sections = state.app.list_sections(None).await?;
    let section = sections
        .into_iter()
        .find(|s| s.id == section_id)
        .ok_or_else(|| sentinelops_app::AppError::Validation("That section no longer exists.".into()))?;
    Ok((Some(section.department_id), Some(section.id)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub password: String,
}

async fn set_password(post: AdminPost, UiPath(id): UiPath<Uuid>, UiForm(form): UiForm<PasswordForm>) -> UiResult {
    let patch = UpdateUser { password: Some(form.password), ..UpdateUser::default() };
    let result = post.state.app.update_user(&post.user.actor, id, patch, &post.user.meta).await;
    let done = |updated: UserView| format!("New password set for {}; their sessions were ended.", updated.username);
    respond(&post, result, &format!("password-{id}"), done).await
}

async fn revoke_sessions(post: AdminPost, UiPath(id): UiPath<Uuid>) -> UiResult {
    let result = post.state.app.revoke_user_sessions(&post.user.actor, id, &post.user.meta).await;
    let done = |revoked: usize| format!("Ended {revoked} session(s).");
    respond(&post, result, &format!("user-{id}"), done).await
}

/// A row form's answer: the page again with the message at that row when it failed.
async fn respond<T>(
    post: &AdminPost,
    result: Result<T, sentinelops_app::AppError>,
    form: &str,
    done: impl FnOnce(T) -> String,
) -> UiResult {
    let AdminPost { state, user, headers, .. } = post;
    outcome(headers, result, BACK, done, |status, message| {
        render_page(state, user, status, CreateUserForm::default(), Some(FormError::new(form, message)))
    })
    .await
}
