//! Directory sign-in settings (LDAP / AD and OpenID Connect) and the
//! `sentinelops directory test LOGIN` command.

use anyhow::{anyhow, bail};
use sentinelops_app::config::{DirectoryConfig, LdapConfig, OidcConfig};
use sentinelops_app::directory::ldap;
use sentinelops_domain::directory::{Dn, GroupMapping, LocalSignIn, parse_section_groups};

use crate::config::Settings;

fn group(value: &Option<String>) -> Option<Dn> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(Dn::new)
}

/// The groups (and section attribute) as both directories map them.
fn mapping(settings: &Settings, section_attribute: Option<String>) -> anyhow::Result<GroupMapping> {
    Ok(GroupMapping {
        admin_group: group(&settings.ldap_admin_group),
        manager_group: group(&settings.ldap_manager_group),
        user_group: group(&settings.ldap_user_group),
        section_groups: parse_section_groups(&settings.ldap_section_groups).map_err(|e| anyhow!(e))?,
        section_attribute: section_attribute.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()),
    })
}

/// The directory part of the application's configuration, checked: a setting that
/// cannot work is an error at start, not a surprise at the first sign-in.
pub fn directory_config(settings: &Settings, public_url: &str) -> anyhow::Result<DirectoryConfig> {
    let local_sign_in = LocalSignIn::parse(&settings.local_signin)
        .ok_or_else(|| anyhow!("local sign-in must be all, admins or none, got {:?}", settings.local_signin))?;
    let ldap = match settings.ldap_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(url) => {
            if !(url.starts_with("ldap://") || url.starts_with("ldaps://")) {
                bail!("the LDAP URL must start with ldap:// or ldaps://, got {url:?}");
            }
            if settings.ldap_base_dn.trim().is_empty() {
                bail!("directory sign-in needs SENTINELOPS_LDAP_BASE_DN (where users are searched)");
            }
            if !settings.ldap_user_filter.contains("{login}") {
                bail!("the LDAP user filter must contain {{login}}");
            }
            if let Some(ca) = &settings.ldap_ca_file
                && !ca.is_file()
            {
                bail!("the LDAP CA file {} does not exist", ca.display());
            }
            let mut config = LdapConfig::new(url, settings.ldap_base_dn.trim());
            config.bind_dn = settings.ldap_bind_dn.trim().to_owned();
            config.bind_password = settings.ldap_bind_password.clone();
            config.group_base_dn = settings.ldap_group_base_dn.clone().filter(|d| !d.trim().is_empty());
            config.user_filter = settings.ldap_user_filter.clone();
            config.mapping = mapping(settings, settings.ldap_section_attribute.clone())?;
            config.starttls = settings.ldap_starttls;
            config.ca_file = settings.ldap_ca_file.clone();
            config.timeout = std::time::Duration::from_secs(settings.ldap_timeout_seconds.clamp(1, 60));
            if url.starts_with("ldap://") && !config.starttls {
                tracing::warn!(
                    "the directory is reached over plain LDAP: passwords cross the network unencrypted (set SENTINELOPS_LDAP_STARTTLS or use ldaps://)"
                );
            }
            if !config.mapping.has_role_groups() {
                bail!("directory sign-in needs at least one of the LDAP admin, manager and user groups");
            }
            Some(config)
        }
    };
    let oidc = match settings.oidc_issuer.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(issuer) => {
            if settings.oidc_client_id.trim().is_empty() {
                bail!("single sign-on needs SENTINELOPS_OIDC_CLIENT_ID");
            }
            if issuer.starts_with("http://") {
                tracing::warn!("the OpenID provider is reached over plain HTTP: use an https:// issuer outside a test");
            }
            let mut config = OidcConfig::new(issuer, settings.oidc_client_id.trim());
            config.client_secret = settings.oidc_client_secret.clone();
            config.role_claim = settings.oidc_role_claim.trim().to_owned();
            config.default_role = match settings.oidc_default_role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
                None => None,
                Some(name) => Some(
                    sentinelops_domain::Role::parse(name)
                        .ok_or_else(|| anyhow!("the OIDC default role must be admin, manager or user, got {name:?}"))?,
                ),
            };
            config.mapping = mapping(settings, settings.oidc_section_claim.clone())?;
            config.scopes =
                settings.oidc_scopes.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            config.display_name = settings.oidc_name.trim().to_owned();
            config.redirect_url = format!("{public_url}/ui/login/oidc/callback");
            Some(config)
        }
    };
    if local_sign_in != LocalSignIn::All && ldap.is_none() && oidc.is_none() {
        bail!("local sign-in can be limited only when a directory (LDAP or OpenID Connect) is configured");
    }
    Ok(DirectoryConfig { local_sign_in, ldap, oidc })
}

/// `sentinelops directory test LOGIN`: what the directory says about one person.
pub async fn test(settings: &Settings, login: &str) -> anyhow::Result<()> {
    let config = directory_config(settings, settings.public_url.trim_end_matches('/'))?;
    let Some(ldap_config) = config.ldap else {
        bail!("no directory configured: set SENTINELOPS_LDAP_URL (and the other LDAP settings)");
    };
    println!("Directory: {} (StartTLS: {})", ldap_config.url, if ldap_config.starttls { "yes" } else { "no" });
    ldap::probe(&ldap_config).await.map_err(|e| anyhow!("connect and service bind: FAILED: {e}"))?;
    println!("Connect and service bind: ok");
    let found = ldap::look_up(&ldap_config, login).await.map_err(|e| anyhow!("search for {login:?}: FAILED: {e}"))?;
    let person = &found.person;
    println!("Found: {}", found.dn);
    println!("  username: {}", person.username);
    println!("  e-mail: {}", person.email.as_deref().unwrap_or("(none)"));
    println!("  name: {} {}", person.first_name, person.last_name);
    println!("  directory id: {}", person.external_id);
    println!("  disabled in the directory: {}", if person.disabled { "yes" } else { "no" });
    println!("  groups ({}):", found.groups.len());
    for group in &found.groups {
        println!("    {}", group.as_str());
    }
    match person.role {
        Some(role) => println!("Role: {role}"),
        None => println!("Role: none (in no SentinelOps group: sign-in would be refused)"),
    }
    println!("Section: {}", ldap::section_label(&person.section));
    Ok(())
}
