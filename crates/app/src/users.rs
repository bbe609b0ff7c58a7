//! User administration. Admins manage users; everyone reads themselves; managers
//! read the users of their own section.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::auth::RevokeReason;
use sentinelops_domain::directory::AuthSource;
use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::org::{self, DepartmentRow, SectionRow};
use sentinelops_store::repo::users::{self, NewUser, UserFilter, UserRow};

use crate::actor::{Actor, RequestMeta};
use crate::audit::{OpsEvent, record_ops};
use crate::auth::revoke_all_sessions;
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::tx::commit;
use crate::{App, password, validate};

/// A user with the names of their department and section.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub department_id: Option<i32>,
    pub section_id: Option<Uuid>,
    pub department_name: String,
    pub section_name: String,
    pub role: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Where the identity lives: `local`, `ldap` or `oidc`.
    pub auth_source: AuthSource,
}

/// Department and section names, loaded once per response.
pub(crate) struct OrgNames {
    departments: HashMap<i32, String>,
    sections: HashMap<Uuid, String>,
}

impl OrgNames {
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn load(c: &impl Conn) -> AppResult<OrgNames> {
        let departments = org::list_departments(c).await?.into_iter().map(|d| (d.id, d.name)).collect();
        let sections = org::list_sections(c, None).await?.into_iter().map(|s| (s.id, s.name)).collect();
        Ok(OrgNames { departments, sections })
    }

    pub(crate) fn view(&self, user: UserRow) -> UserView {
        let department = user.department_id.and_then(|id| self.departments.get(&id)).cloned().unwrap_or_default();
        let section = user.section_id.and_then(|id| self.sections.get(&id)).cloned().unwrap_or_default();
        UserView {
            id: user.id,
            username: user.username,
            email: user.email.unwrap_or_default(),
            first_name: user.first_name,
            last_name: user.last_name,
            position: user.position,
            department_id: user.department_id,
            section_id: user.section_id,
            department_name: department,
            section_name: section,
            role: user.role.as_str().to_owned(),
            is_active: user.is_active,
            created_at: user.created_at,
            last_login_at: user.last_login_at,
            auth_source: *user.auth_source,
        }
    }
}

/// Input of user creation (already parsed from JSON; checked here).
/// What a directory owns of an account (read-only in SentinelOps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryOwns {
    /// Name, e-mail, username, role and password.
    pub identity: bool,
    /// Section and department.
    pub section: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CreateUser {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub position: Option<String>,
    pub password: String,
    pub role: String,
    pub department_id: Option<i32>,
    pub section_id: Option<Uuid>,
}

/// A partial update; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct UpdateUser {
    pub username: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    pub department_id: Option<Option<i32>>,
    pub section_id: Option<Option<Uuid>>,
    pub is_active: Option<bool>,
}

/// The value sent for a field, unless it is the value the field already has: that
/// changes nothing and is not checked again. Users imported from the legacy files
/// may hold values today's rules refuse (an empty last name, an unusual username or
/// address), and saving their form unchanged, to change only their role, must not
/// fail on them.
fn changed_value<'a>(sent: &'a Option<String>, current: &str) -> Option<&'a str> {
    sent.as_deref().filter(|value| value.trim() != current)
}

fn parse_role(name: &str) -> AppResult<Role> {
    Role::parse(name).ok_or_else(|| invalid("role must be one of admin, manager, user"))
}

/// Checks that the department and section exist and agree; fills the department
/// from the section when only the section is given.
async fn resolve_placement(
    c: &impl Conn,
    department_id: Option<i32>,
    section_id: Option<Uuid>,
) -> AppResult<(Option<i32>, Option<Uuid>)> {
    let department: Option<DepartmentRow> = match department_id {
        Some(id) => Some(org::find_department(c, id).await?.ok_or_else(|| invalid("department_id does not exist"))?),
        None => None,
    };
    let section: Option<SectionRow> = match section_id {
        Some(id) => Some(org::find_section(c, id).await?.ok_or_else(|| invalid("section_id does not exist"))?),
        None => None,
    };
    match (department, section) {
        (Some(d), Some(s)) => {
            if s.department_id.is_some_and(|sd| sd != d.id) {
                return Err(invalid("section_id does not belong to department_id"));
            }
            Ok((Some(d.id), Some(s.id)))
        }
        (None, Some(s)) => Ok((s.department_id, Some(s.id))),
        (d, None) => Ok((d.map(|d| d.id), None)),
    }
}

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<UserView>> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can list all users"));
        }
        let reader = self.store.reader();
        let names = OrgNames::load(reader).await?;
        let rows = users::list(reader, &UserFilter::default()).await?;
        Ok(rows.into_iter().map(|u| names.view(u)).collect())
    }

    /// Active users of a section: your own, or any for an admin.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn users_by_section(&self, actor: &Actor, section_id: Option<Uuid>) -> AppResult<Vec<UserView>> {
        let section = match (actor.is_admin(), section_id, actor.section_id) {
            (true, Some(requested), _) => requested,
            (false, Some(requested), Some(own)) if requested == own => own,
            (false, Some(_), _) => {
                return Err(forbidden("You can only list users of your own section"));
            }
            (_, None, Some(own)) => own,
            (_, None, None) => return Ok(Vec::new()),
        };
        let reader = self.store.reader();
        let names = OrgNames::load(reader).await?;
        let filter = UserFilter { section_id: Some(section), role: None, active_only: true };
        Ok(users::list(reader, &filter).await?.into_iter().map(|u| names.view(u)).collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_user(&self, actor: &Actor, id: Uuid) -> AppResult<UserView> {
        let reader = self.store.reader();
        let user = users::find(reader, id).await?.ok_or_else(|| not_found("User not found"))?;
        let same_section =
            actor.role == Role::Manager && actor.section_id.is_some() && user.section_id == actor.section_id;
        if !(actor.is_admin() || actor.user_id == id || same_section) {
            return Err(forbidden("You can only view your own profile"));
        }
        Ok(OrgNames::load(reader).await?.view(user))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn view_user(&self, user: UserRow) -> AppResult<UserView> {
        Ok(OrgNames::load(self.store.reader()).await?.view(user))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_user(&self, actor: &Actor, input: CreateUser) -> AppResult<UserView> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can create users"));
        }
        let username = validate::username(&input.username)?;
        let email = validate::email(&input.email)?;
        let first_name = validate::text("first_name", &input.first_name, 1, 100)?;
        let last_name = validate::text("last_name", &input.last_name, 1, 100)?;
        let position = validate::text("position", input.position.as_deref().unwrap_or(""), 0, 200)?;
        let role = parse_role(&input.role)?;
        let password = validate::password(&input.password)?;
        let hash = password::hash(self.config.password_hashing, password).await?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let (department_id, section_id) = resolve_placement(&tx, input.department_id, input.section_id).await?;
        if users::find_by_login(&tx, username.as_str()).await?.is_some()
            || users::find_by_login(&tx, email.as_str()).await?.is_some()
        {
            return Err(AppError::Conflict("A user with this username or email already exists".into()));
        }
        let user = users::insert(
            &tx,
            NewUser {
                id: new_id(),
                username: username.into_string(),
                email: Some(email.into_string()),
                first_name,
                last_name,
                position,
                password_hash: hash,
                role,
                department_id,
                section_id,
                is_active: true,
                created_by: actor.recorded_id(),
                now,
                auth_source: sentinelops_domain::directory::AuthSource::Local,
                external_id: None,
            },
        )
        .await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "USER_CREATED",
                entity_type: "USER",
                entity_id: user.id.to_string(),
                section_id: user.section_id,
                payload: json!({
                    "user_id": user.id, "username": user.username, "email": user.email, "role": user.role,
                    "department_id": user.department_id, "section_id": user.section_id,
                }),
            },
        )
        .await?;
        let names = OrgNames::load(&tx).await?;
        commit(tx).await?;
        Ok(names.view(user))
    }

    /// Applies a partial update. A password change or deactivation revokes every
    /// session of the user in the same transaction.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: UpdateUser,
        meta: &RequestMeta,
    ) -> AppResult<UserView> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can update users"));
        }
        let new_hash = match &patch.password {
            Some(p) => Some(password::hash(self.config.password_hashing, validate::password(p)?).await?),
            None => None,
        };
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let before = users::find(&tx, id).await?.ok_or_else(|| not_found("User not found"))?;
        let mut user = before.clone();
        let mut changed: Vec<(&str, Value, Value)> = Vec::new();
        let mut note = |field: &'static str, from: Value, to: Value| {
            if from != to {
                changed.push((field, from, to));
            }
        };

        if let Some(name) = changed_value(&patch.username, &before.username) {
            let name = validate::username(name)?.into_string();
            if name != user.username && users::find_by_login(&tx, &name).await?.is_some() {
                return Err(AppError::Conflict("A user with this username already exists".into()));
            }
            note("username", json!(user.username), json!(name));
            user.username = name;
        }
        if let Some(email) = changed_value(&patch.email, before.email.as_deref().unwrap_or_default()) {
            let email = validate::email(email)?.into_string();
            if Some(&email) != user.email.as_ref() && users::find_by_login(&tx, &email).await?.is_some() {
                return Err(AppError::Conflict("A user with this email already exists".into()));
            }
            note("email", json!(user.email), json!(email));
            user.email = Some(email);
        }
        if let Some(v) = changed_value(&patch.first_name, &before.first_name) {
            let v = validate::text("first_name", v, 1, 100)?;
            note("first_name", json!(user.first_name), json!(v));
            user.first_name = v;
        }
        if let Some(v) = changed_value(&patch.last_name, &before.last_name) {
            let v = validate::text("last_name", v, 1, 100)?;
            note("last_name", json!(user.last_name), json!(v));
            user.last_name = v;
        }
        if let Some(v) = changed_value(&patch.position, &before.position) {
            let v = validate::text("position", v, 0, 200)?;
            note("position", json!(user.position), json!(v));
            user.position = v;
        }
        if let Some(role) = &patch.role {
            let role = parse_role(role)?;
            note("role", json!(user.role), json!(role));
            user.role = role.into();
        }
        if patch.department_id.is_some() || patch.section_id.is_some() {
            let department = patch.department_id.unwrap_or(user.department_id);
            // Changing the department without naming a section clears a section of another department.
            let section = match patch.section_id {
                Some(s) => s,
                None => user.section_id,
            };
            let (department, section) = match resolve_placement(&tx, department, section).await {
                Err(AppError::Validation(msg)) if patch.section_id.is_none() && msg.contains("does not belong") => {
                    resolve_placement(&tx, department, None).await?
                }
                other => other?,
            };
            note("department_id", json!(user.department_id), json!(department));
            note("section_id", json!(user.section_id), json!(section));
            user.department_id = department;
            user.section_id = section;
        }
        if let Some(active) = patch.is_active {
            note("is_active", json!(user.is_active), json!(active));
            user.is_active = active;
        }
        let password_changed = new_hash.is_some();
        if let Some(hash) = new_hash {
            user.password_hash = hash;
            user.password_changed_at = Some(now);
            changed.push(("password", json!(null), json!("changed")));
        }
        if let Some(field) = self.directory_owned_field(&before, &changed) {
            return Err(invalid(format!(
                "{field} of this account comes from the directory ({}); change it there",
                before.auth_source.as_str()
            )));
        }

        let loses_admin =
            before.role == Role::Admin && before.is_active && (user.role != Role::Admin || !user.is_active);
        if loses_admin && users::count_admins_for_update(&tx).await? <= 1 {
            return Err(AppError::Conflict("The last active administrator cannot be demoted or deactivated".into()));
        }
        if changed.is_empty() {
            let names = OrgNames::load(&tx).await?;
            return Ok(names.view(before));
        }
        user.updated_at = now;
        let user = users::save(&tx, user).await?;
        let deactivated = before.is_active && !user.is_active;
        let revoked = if deactivated {
            revoke_all_sessions(&tx, &user, RevokeReason::Deactivated, meta, now).await?
        } else if password_changed {
            revoke_all_sessions(&tx, &user, RevokeReason::PasswordChanged, meta, now).await?
        } else {
            0
        };
        let changes: serde_json::Map<String, Value> = changed
            .into_iter()
            .map(|(field, from, to)| (field.to_owned(), json!({ "from": from, "to": to })))
            .collect();
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "USER_UPDATED",
                entity_type: "USER",
                entity_id: user.id.to_string(),
                section_id: user.section_id,
                payload: json!({ "user_id": user.id, "username": user.username, "changes": changes, "sessions_revoked": revoked }),
            },
        )
        .await?;
        let names = OrgNames::load(&tx).await?;
        self.commit_sessions(tx).await?;
        Ok(names.view(user))
    }

    /// What the directory of `source` owns of an account: nothing for a local account;
    /// name, e-mail, role and password for a directory account, and its section too
    /// unless the mapping leaves sections unmanaged.
    pub fn directory_owns(&self, source: AuthSource) -> DirectoryOwns {
        let mapping = match source {
            AuthSource::Local => return DirectoryOwns { identity: false, section: false },
            AuthSource::Ldap => self.config.directory.ldap.as_ref().map(|c| &c.mapping),
            AuthSource::Oidc => self.config.directory.oidc.as_ref().map(|c| &c.mapping),
        };
        // A directory no longer configured still owns what it wrote: nobody edits it here.
        let section = mapping.is_none_or(|m| m.section_attribute.is_some() || !m.section_groups.is_empty());
        DirectoryOwns { identity: true, section }
    }

    /// The first changed field the account's directory owns, if any.
    fn directory_owned_field(&self, user: &UserRow, changed: &[(&str, Value, Value)]) -> Option<&'static str> {
        const IDENTITY: [&str; 6] = ["username", "email", "first_name", "last_name", "role", "password"];
        const PLACEMENT: [&str; 2] = ["department_id", "section_id"];
        let owns = self.directory_owns(*user.auth_source);
        let owned = IDENTITY.iter().filter(|_| owns.identity).chain(PLACEMENT.iter().filter(|_| owns.section));
        let owned: Vec<&'static str> = owned.copied().collect();
        changed.iter().find_map(|(field, _, _)| owned.iter().find(|o| *o == field).copied())
    }

    /// Finds a user by username or e-mail (for the command line).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn find_user_by_login(&self, login: &str) -> AppResult<UserRow> {
        users::find_by_login(self.store.reader(), &login.trim().to_lowercase())
            .await?
            .ok_or_else(|| not_found(format!("No user with username or email {login:?}")))
    }
}
