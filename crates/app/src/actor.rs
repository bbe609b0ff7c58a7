//! Who is acting, and from where.

use sentinelops_domain::Role;
use uuid::Uuid;

/// An authenticated user acting through a session (or the CLI/system).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub section_id: Option<Uuid>,
    pub department_id: Option<i32>,
    /// The session the request came through; nil for the CLI and jobs.
    pub session_id: Uuid,
}

impl Actor {
    /// The operator at the command line or a background job: acts with admin rights.
    pub fn system() -> Actor {
        Actor {
            user_id: Uuid::nil(),
            username: "system".to_owned(),
            role: Role::Admin,
            section_id: None,
            department_id: None,
            session_id: Uuid::nil(),
        }
    }

    pub fn is_system(&self) -> bool {
        self.user_id.is_nil()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The user id to record as the author of a change (none for the system).
    pub fn recorded_id(&self) -> Option<Uuid> {
        (!self.is_system()).then_some(self.user_id)
    }
}

/// Where a request came from, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}
