//! Roles. One role per user (the original picked an arbitrary one of several rows).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    User,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::User];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::User => "user",
        }
    }

    /// Parses a role name as the original accepted it: case-insensitive, with the
    /// aliases `supervisor` (manager) and `operator`/`participant`/`staff` (user).
    pub fn parse(name: &str) -> Option<Role> {
        match name.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "manager" | "supervisor" => Some(Role::Manager),
            "user" | "operator" | "participant" | "staff" => Some(Role::User),
            _ => None,
        }
    }

    /// Managers and admins supervise: they sign off, override and manage templates.
    pub fn is_supervisor(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

crate::named::named!(Role);

/// Who supervises a section: the roles that supervise every section, and the roles
/// that supervise only the section they belong to. Defined once; the access checks
/// and the store's "who to notify" queries both take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supervisors {
    pub everywhere: &'static [Role],
    pub own_section: &'static [Role],
}

/// Admins supervise every section; managers supervise their own.
pub const SECTION_SUPERVISORS: Supervisors = Supervisors { everywhere: &[Role::Admin], own_section: &[Role::Manager] };

impl Supervisors {
    /// Whether someone with `role` in `own` (their section, if any) supervises `section`.
    pub fn supervises<S: PartialEq>(&self, role: Role, own: Option<S>, section: S) -> bool {
        self.everywhere.contains(&role) || (self.own_section.contains(&role) && own == Some(section))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_the_three_roles() {
        assert_eq!(Role::parse("Supervisor"), Some(Role::Manager));
        assert_eq!(Role::parse("operator"), Some(Role::User));
        assert_eq!(Role::parse(" ADMIN "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn admins_supervise_every_section_and_managers_their_own() {
        let rule = SECTION_SUPERVISORS;
        assert!(rule.supervises(Role::Admin, None, 7));
        assert!(rule.supervises(Role::Manager, Some(7), 7));
        assert!(!rule.supervises(Role::Manager, Some(8), 7));
        assert!(!rule.supervises(Role::Manager, None, 7));
        assert!(!rule.supervises(Role::User, Some(7), 7));
    }
}
