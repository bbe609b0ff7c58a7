//! Directory sign-in (LDAP / Active Directory and OpenID Connect): where an account
//! comes from, who may still sign in locally, and how a directory's groups and
//! attributes become a role and a section. No IO here: the app asks the directory and
//! hands the answers to these rules.

use serde::{Deserialize, Serialize};

use crate::role::Role;

/// Where an account's identity lives. Stored on the user row; local accounts keep a
/// password hash of ours, directory accounts never have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthSource {
    Local,
    Ldap,
    Oidc,
}

impl AuthSource {
    pub const ALL: [AuthSource; 3] = [AuthSource::Local, AuthSource::Ldap, AuthSource::Oidc];

    pub const fn as_str(self) -> &'static str {
        match self {
            AuthSource::Local => "local",
            AuthSource::Ldap => "ldap",
            AuthSource::Oidc => "oidc",
        }
    }

    /// The original's spelling in the sign-in answer's `auth_source` (decisions.md).
    pub const fn wire(self) -> &'static str {
        match self {
            AuthSource::Local => "sentinel",
            AuthSource::Ldap => "active_directory",
            AuthSource::Oidc => "oidc",
        }
    }

    /// The directory owns this account's name, e-mail, role and section.
    pub const fn is_directory(self) -> bool {
        !matches!(self, AuthSource::Local)
    }
}

crate::named::named!(AuthSource);

/// Who may sign in with a password kept by SentinelOps (`SENTINELOPS_LOCAL_SIGNIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LocalSignIn {
    /// Every local account (the default; also the only choice without a directory).
    #[default]
    All,
    /// Administrators only: the break-glass accounts. Everyone else signs in through
    /// the directory.
    Admins,
    /// Nobody: every sign-in goes through the directory.
    None,
}

impl LocalSignIn {
    pub fn parse(text: &str) -> Option<LocalSignIn> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" | "" => Some(LocalSignIn::All),
            "admins" => Some(LocalSignIn::Admins),
            "none" => Some(LocalSignIn::None),
            _ => None,
        }
    }

    pub fn allows(self, role: Role) -> bool {
        match self {
            LocalSignIn::All => true,
            LocalSignIn::Admins => role == Role::Admin,
            LocalSignIn::None => false,
        }
    }
}

/// A distinguished name compared as directories compare them: attribute names and
/// values case-insensitively, spaces around separators ignored. Enough for the DNs
/// of groups an administrator types into the configuration and the DNs the server
/// returns. Escaped commas stay part of their value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dn(String);

impl Dn {
    pub fn new(text: &str) -> Dn {
        let parts: Vec<String> = split_rdns(text)
            .iter()
            .map(|rdn| match rdn.split_once('=') {
                Some((name, value)) => format!("{}={}", name.trim(), value.trim()),
                None => rdn.trim().to_owned(),
            })
            .collect();
        Dn(parts.join(",").to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Splits a DN at its unescaped commas.
fn split_rdns(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == ',' {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    if !current.trim().is_empty() || !parts.is_empty() {
        parts.push(current);
    }
    parts
}

/// How a directory's groups become a role and a section (from the configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMapping {
    pub admin_group: Option<Dn>,
    pub manager_group: Option<Dn>,
    pub user_group: Option<Dn>,
    /// Groups whose members belong to a section, by the section's name.
    pub section_groups: Vec<(Dn, String)>,
    /// An attribute of the user (LDAP) or a claim (OIDC) whose value is a section's name.
    pub section_attribute: Option<String>,
}

/// The section a directory says a user belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionChoice {
    /// The mapping says nothing about sections: an administrator sets it in SentinelOps.
    Unmanaged,
    /// The directory names no section for this user (they have none).
    None,
    /// The section with this name.
    Named(String),
}

impl GroupMapping {
    /// The highest role any of the user's groups gives; `None` when the user is in none
    /// of the configured groups (they cannot sign in).
    pub fn role_for(&self, groups: &[Dn]) -> Option<Role> {
        let member = |group: &Option<Dn>| group.as_ref().is_some_and(|g| groups.contains(g));
        if member(&self.admin_group) {
            Some(Role::Admin)
        } else if member(&self.manager_group) {
            Some(Role::Manager)
        } else if member(&self.user_group) {
            Some(Role::User)
        } else {
            None
        }
    }

    /// The section: the first section group the user is in, else the attribute's value,
    /// else none; unmanaged when neither is configured.
    pub fn section_for(&self, groups: &[Dn], attribute_value: Option<&str>) -> SectionChoice {
        if self.section_groups.is_empty() && self.section_attribute.is_none() {
            return SectionChoice::Unmanaged;
        }
        if let Some((_, name)) = self.section_groups.iter().find(|(dn, _)| groups.contains(dn)) {
            return SectionChoice::Named(name.clone());
        }
        match attribute_value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(value) if self.section_attribute.is_some() => SectionChoice::Named(value.to_owned()),
            _ => SectionChoice::None,
        }
    }

    /// The role an OpenID Connect role claim gives: with groups configured, each value is
    /// matched against them (a provider may send group names or DNs) and nothing else
    /// counts (a company-wide group called "staff" or "admin" must not give a role);
    /// with none, the values are read as role names (`admin`, `manager`, `user` and their
    /// aliases), as an app-role claim sends them. The highest wins.
    pub fn role_for_claim(&self, values: &[String]) -> Option<Role> {
        if self.has_role_groups() {
            let groups: Vec<Dn> = values.iter().map(|v| Dn::new(v)).collect();
            return self.role_for(&groups);
        }
        values.iter().filter_map(|v| Role::parse(v)).min_by_key(|r| rank(*r))
    }

    /// Whether any group is configured at all (without one, nobody can sign in).
    pub fn has_role_groups(&self) -> bool {
        self.admin_group.is_some() || self.manager_group.is_some() || self.user_group.is_some()
    }
}

/// Admin first: the order in which a higher role wins.
fn rank(role: Role) -> u8 {
    match role {
        Role::Admin => 0,
        Role::Manager => 1,
        Role::User => 2,
    }
}

/// Parses `SECTION NAME=GROUP DN;…` (the section name first: a DN holds `=` and `,`).
pub fn parse_section_groups(text: &str) -> Result<Vec<(Dn, String)>, String> {
    let mut pairs = Vec::new();
    for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, dn)) = pair.split_once('=') else {
            return Err(format!("section group {pair:?} must be SECTION NAME=GROUP DN"));
        };
        if name.trim().is_empty() || dn.trim().is_empty() {
            return Err(format!("section group {pair:?} must be SECTION NAME=GROUP DN"));
        }
        pairs.push((Dn::new(dn), name.trim().to_owned()));
    }
    Ok(pairs)
}

/// A person as the directory describes them, after a successful password check (LDAP)
/// or a validated ID token (OIDC), mapped to our terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryPerson {
    pub source: AuthSource,
    /// Stable id in the directory: entryUUID / objectGUID, the DN, or the OIDC `sub`.
    pub external_id: String,
    /// Our username (lower-case): uid / sAMAccountName, or the OIDC preferred username.
    pub username: String,
    pub email: Option<String>,
    /// The directory vouches for the e-mail address (LDAP's is the bank's own; a provider
    /// says so with `email_verified`): only then may it match a SentinelOps account.
    pub email_verified: bool,
    pub first_name: String,
    pub last_name: String,
    /// `None`: in none of the configured groups (refused).
    pub role: Option<Role>,
    pub section: SectionChoice,
    /// Disabled in the directory (AD's ACCOUNTDISABLE bit, or a locked account).
    pub disabled: bool,
}

/// Why a directory person may not sign in, before any account of ours is touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Disabled,
    NoGroup,
}

impl DirectoryPerson {
    pub fn refusal(&self) -> Option<Refusal> {
        if self.disabled {
            Some(Refusal::Disabled)
        } else if self.role.is_none() {
            Some(Refusal::NoGroup)
        } else {
            None
        }
    }
}

/// AD's `userAccountControl` flag for a disabled account.
pub const ACCOUNT_DISABLED: u32 = 0x2;

/// Whether a `userAccountControl` value marks the account disabled.
pub fn account_control_disabled(value: &str) -> bool {
    value.trim().parse::<u32>().is_ok_and(|flags| flags & ACCOUNT_DISABLED != 0)
}

/// Escapes a value for an LDAP search filter (RFC 4515): a login typed into the sign-in
/// form must not change the filter's meaning.
pub fn escape_filter_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '*' => out.push_str("\\2a"),
            '(' => out.push_str("\\28"),
            ')' => out.push_str("\\29"),
            '\\' => out.push_str("\\5c"),
            '\0' => out.push_str("\\00"),
            other => out.push(other),
        }
    }
    out
}

/// The default user filter: the login matched against e-mail, uid, sAMAccountName and
/// userPrincipalName. `{login}` is replaced by the escaped login.
pub const DEFAULT_USER_FILTER: &str =
    "(|(mail={login})(uid={login})(sAMAccountName={login})(userPrincipalName={login}))";

/// The configured filter with the escaped login in place of every `{login}`.
pub fn user_filter(template: &str, login: &str) -> String {
    template.replace("{login}", &escape_filter_value(login))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use proptest::prelude::*;

    fn mapping() -> GroupMapping {
        GroupMapping {
            admin_group: Some(Dn::new("cn=sentinel-admins,ou=groups,dc=bank,dc=test")),
            manager_group: Some(Dn::new("cn=sentinel-managers,ou=groups,dc=bank,dc=test")),
            user_group: Some(Dn::new("cn=sentinel-users,ou=groups,dc=bank,dc=test")),
            section_groups: vec![(Dn::new("cn=noc,ou=groups,dc=bank,dc=test"), "Network Operations".into())],
            section_attribute: Some("departmentNumber".into()),
        }
    }

    #[test]
    fn dns_compare_without_case_or_spaces() {
        assert_eq!(
            Dn::new("CN=Sentinel-Admins, OU=Groups,DC=bank, DC=test"),
            Dn::new("cn=sentinel-admins,ou=groups,dc=bank,dc=test")
        );
        assert_ne!(Dn::new("cn=a\\,b,dc=test"), Dn::new("cn=a,b,dc=test"));
    }

    #[test]
    fn the_highest_group_gives_the_role_and_no_group_refuses() {
        let m = mapping();
        let users = Dn::new("cn=sentinel-users,ou=groups,dc=bank,dc=test");
        let managers = Dn::new("CN=Sentinel-Managers,OU=groups,DC=bank,DC=test");
        assert_eq!(m.role_for(std::slice::from_ref(&users)), Some(Role::User));
        assert_eq!(m.role_for(&[users, managers]), Some(Role::Manager));
        assert_eq!(m.role_for(&[Dn::new("cn=other,dc=test")]), None);
        assert_eq!(m.role_for(&[]), None);
    }

    #[test]
    fn a_section_group_wins_over_the_attribute_and_no_mapping_is_unmanaged() {
        let m = mapping();
        let noc = Dn::new("cn=noc,ou=groups,dc=bank,dc=test");
        assert_eq!(m.section_for(&[noc], Some("Cards")), SectionChoice::Named("Network Operations".into()));
        assert_eq!(m.section_for(&[], Some(" Cards ")), SectionChoice::Named("Cards".into()));
        assert_eq!(m.section_for(&[], None), SectionChoice::None);
        assert_eq!(GroupMapping::default().section_for(&[], Some("Cards")), SectionChoice::Unmanaged);
    }

    #[test]
    fn a_role_claim_maps_by_group_when_groups_are_configured_else_by_role_name() {
        let m = mapping();
        assert_eq!(m.role_for_claim(&["CN=Sentinel-Managers,OU=groups,DC=bank,DC=test".into()]), Some(Role::Manager));
        assert_eq!(m.role_for_claim(&["staff".into(), "admin".into()]), None, "names count only without groups");
        let by_name = GroupMapping::default();
        assert_eq!(by_name.role_for_claim(&["operator".into(), "Admin".into()]), Some(Role::Admin));
        assert_eq!(by_name.role_for_claim(&["supervisor".into()]), Some(Role::Manager));
        assert_eq!(by_name.role_for_claim(&["staff-canteen".into()]), None);
    }

    #[test]
    fn section_groups_parse_name_first() {
        let pairs =
            parse_section_groups("Cards=cn=cards,ou=groups,dc=bank,dc=test; Core Banking = cn=core,dc=test").unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[1], (Dn::new("cn=core,dc=test"), "Core Banking".to_owned()));
        assert!(parse_section_groups("no separator").is_err());
        assert!(parse_section_groups("=cn=x").is_err());
    }

    #[test]
    fn local_sign_in_modes() {
        assert!(LocalSignIn::All.allows(Role::User));
        assert!(LocalSignIn::Admins.allows(Role::Admin));
        assert!(!LocalSignIn::Admins.allows(Role::Manager));
        assert!(!LocalSignIn::None.allows(Role::Admin));
        assert_eq!(LocalSignIn::parse("ADMINS"), Some(LocalSignIn::Admins));
        assert_eq!(LocalSignIn::parse("some"), None);
    }

    #[test]
    fn disabled_is_the_second_bit() {
        assert!(account_control_disabled("514"));
        assert!(!account_control_disabled("512"));
        assert!(!account_control_disabled("junk"));
    }

    proptest! {
        /// Whatever is typed as a login, the filter keeps its shape: every parenthesis
        /// and star in it comes from the template.
        #[test]
        fn a_login_cannot_change_the_filter(login in ".{0,40}") {
            let filter = user_filter(DEFAULT_USER_FILTER, &login);
            let template_parens = DEFAULT_USER_FILTER.matches(['(', ')']).count();
            prop_assert_eq!(filter.matches(['(', ')']).count(), template_parens);
            prop_assert!(!filter.contains('*'));
        }
    }
}
