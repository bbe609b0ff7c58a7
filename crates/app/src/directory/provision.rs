//! Just-in-time accounts for directory people: the first sign-in creates the account,
//! every later one (and the periodic check) writes the directory's name, e-mail, role
//! and section over ours.

use chrono::{DateTime, Utc};
use sentinelops_domain::directory::{AuthSource, DirectoryPerson, SectionChoice};
use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::org;
use sentinelops_store::repo::users::{self, NewUser, UserRow};
use sentinelops_store::{Conn, Tx};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::App;
use crate::actor::{Actor, RequestMeta};
use crate::audit::{OpsEvent, record_ops};
use crate::auth::revoke_all_sessions;
use crate::error::AppResult;
use sentinelops_domain::auth::RevokeReason;

/// The password hash of a directory account: not a PHC string, so no password ever
/// verifies against it (the directory's password is never stored).
pub(crate) const NO_LOCAL_PASSWORD: &str = "!directory";

/// What provisioning found.
#[derive(Debug, Clone)]
pub enum Provisioned {
    /// Boxed: a row is large beside the other answers.
    Account(Box<UserRow>),
    /// The directory names a section we do not have (nothing was written).
    UnknownSection,
    /// The username or e-mail belongs to an account the directory may not take over: a
    /// local account still signing in locally, or another directory's.
    Taken,
}

/// Where the person's section and department land; `None` leaves them as they are.
type Placement = Option<(Option<i32>, Option<Uuid>)>;

async fn placement(c: &impl Conn, section: &SectionChoice) -> AppResult<Result<Placement, ()>> {
    Ok(match section {
        SectionChoice::Unmanaged => Ok(None),
        SectionChoice::None => Ok(Some((None, None))),
        SectionChoice::Named(name) => match org::find_section_by_name(c, name).await? {
            Some(section) => Ok(Some((section.department_id, Some(section.id)))),
            None => Err(()),
        },
    })
}

impl App {
    /// The account for `person`, created or brought up to date in `tx`.
    pub(crate) async fn provision(
        &self,
        tx: &Tx,
        person: &DirectoryPerson,
        now: DateTime<Utc>,
    ) -> AppResult<Provisioned> {
        let Some(role) = person.role else {
            return Ok(Provisioned::Taken);
        };
        let Ok(placement) = placement(tx, &person.section).await? else {
            return Ok(Provisioned::UnknownSection);
        };
        let mut existing = users::find_by_external_id(tx, person.source, &person.external_id).await?;
        if existing.is_none() {
            // The same person's account from before the directory: by e-mail, then by name.
            existing = match &person.email {
                Some(email) if person.email_verified => users::find_by_login(tx, email).await?,
                _ => None,
            };
        }
        // A directory's account name is the bank's to give (LDAP); a provider's
        // `preferred_username` may be the person's own choice, so OpenID Connect adopts by
        // verified e-mail only.
        if existing.is_none() && person.source == AuthSource::Ldap {
            existing = users::find_by_login(tx, &person.username).await?;
        }
        let Some(before) = existing else {
            let username = free_username(tx, &person.username).await?;
            // An address another account holds stays with it; the new account has none.
            let email = match &person.email {
                Some(email) if users::find_by_login(tx, email).await?.is_none() => Some(email.clone()),
                _ => None,
            };
            let person = &DirectoryPerson { email, ..person.clone() };
            return Ok(Provisioned::Account(Box::new(
                self.create_directory_account(tx, person, &username, role, placement, now).await?,
            )));
        };
        let same_person =
            *before.auth_source == person.source && before.external_id.as_deref() == Some(person.external_id.as_str());
        let adoptable =
            *before.auth_source == AuthSource::Local && !self.config.directory.local_sign_in.allows(*before.role);
        if !same_person && !adoptable {
            return Ok(Provisioned::Taken);
        }
        let mut user = before.clone();
        if adoptable {
            user.auth_source = person.source.into();
            user.external_id = Some(person.external_id.clone());
            user.password_hash = NO_LOCAL_PASSWORD.to_owned();
            // Sessions opened with the local password end: from now the directory vouches.
            let meta = RequestMeta { ip: None, user_agent: Some("directory sign-in".into()) };
            revoke_all_sessions(tx, &before, RevokeReason::PasswordChanged, &meta, now).await?;
        }
        // A new name or address is taken only if no other account holds it.
        if person.username != user.username && users::find_by_login(tx, &person.username).await?.is_none() {
            user.username = person.username.clone();
        }
        if person.email.is_some() && person.email != user.email {
            let free = match &person.email {
                Some(email) => users::find_by_login(tx, email).await?.is_none(),
                None => true,
            };
            if free {
                user.email = person.email.clone();
            }
        }
        user.first_name = person.first_name.clone();
        user.last_name = person.last_name.clone();
        user.role = role.into();
        if let Some((department_id, section_id)) = placement {
            user.department_id = department_id;
            user.section_id = section_id;
        }
        if user == before {
            return Ok(Provisioned::Account(Box::new(user)));
        }
        user.updated_at = now;
        let changes = changes(&before, &user);
        let user = users::save(tx, user).await?;
        record_ops(
            tx,
            now,
            &Actor::system(),
            OpsEvent {
                event_type: "USER_UPDATED",
                entity_type: "USER",
                entity_id: user.id.to_string(),
                section_id: user.section_id,
                payload: json!({ "user_id": user.id, "username": user.username, "changes": changes,
                    "source": person.source.as_str(), "by": "directory" }),
            },
        )
        .await?;
        Ok(Provisioned::Account(Box::new(user)))
    }

    async fn create_directory_account(
        &self,
        tx: &Tx,
        person: &DirectoryPerson,
        username: &str,
        role: sentinelops_domain::Role,
        placement: Placement,
        now: DateTime<Utc>,
    ) -> AppResult<UserRow> {
        let (department_id, section_id) = placement.unwrap_or((None, None));
        let user = users::insert(
            tx,
            NewUser {
                id: new_id(),
                username: username.to_owned(),
                email: person.email.clone(),
                first_name: person.first_name.clone(),
                last_name: person.last_name.clone(),
                position: String::new(),
                password_hash: NO_LOCAL_PASSWORD.to_owned(),
                role,
                department_id,
                section_id,
                is_active: true,
                created_by: None,
                now,
                auth_source: person.source,
                external_id: Some(person.external_id.clone()),
            },
        )
        .await?;
        record_ops(
            tx,
            now,
            &Actor::system(),
            OpsEvent {
                event_type: "USER_CREATED",
                entity_type: "USER",
                entity_id: user.id.to_string(),
                section_id: user.section_id,
                payload: json!({ "user_id": user.id, "username": user.username, "role": role.as_str(),
                    "source": person.source.as_str(), "by": "directory" }),
            },
        )
        .await?;
        Ok(user)
    }
}

/// `wanted`, or `wanted-2`, `wanted-3`, … when another account holds it (an OpenID
/// person whose name a local account already has).
async fn free_username(c: &impl Conn, wanted: &str) -> AppResult<String> {
    let mut candidate = wanted.to_owned();
    for n in 2..100 {
        if users::find_by_login(c, &candidate).await?.is_none() {
            return Ok(candidate);
        }
        candidate = format!("{wanted}-{n}");
    }
    Ok(format!("{wanted}-{}", new_id().simple()))
}

/// The fields a refresh changed, as `{field: {from, to}}`.
fn changes(before: &UserRow, after: &UserRow) -> Value {
    let mut map = serde_json::Map::new();
    let mut note = |field: &str, from: Value, to: Value| {
        if from != to {
            map.insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
    };
    note("username", json!(before.username), json!(after.username));
    note("email", json!(before.email), json!(after.email));
    note("first_name", json!(before.first_name), json!(after.first_name));
    note("last_name", json!(before.last_name), json!(after.last_name));
    note("role", json!(before.role.as_str()), json!(after.role.as_str()));
    note("section_id", json!(before.section_id), json!(after.section_id));
    note("auth_source", json!(before.auth_source.as_str()), json!(after.auth_source.as_str()));
    Value::Object(map)
}
