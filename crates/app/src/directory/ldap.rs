//! The LDAP / Active Directory conversation: connect (StartTLS or LDAPS with the
//! configured CA), bind as the service account, find the person, check their password
//! with a bind as them, and read their groups (nested ones too). Nothing here touches
//! our database; `directory::mod` turns the answers into accounts and sessions.

use std::collections::HashSet;
use std::sync::Arc;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use sentinelops_domain::directory::{self, AuthSource, DirectoryPerson, Dn, SectionChoice};

use crate::config::LdapConfig;

/// How a conversation with the directory ended, when it did not find the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapFailure {
    /// Down, timed out, TLS refused, or the service bind failed: the directory could not
    /// be asked. The text is for the log, never for the client.
    #[error("directory unavailable: {0}")]
    Unavailable(String),
    /// The person exists but the password is wrong (or empty).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// No entry matches the login (or more than one does).
    #[error("no such person in the directory")]
    NotFound,
}

impl LdapFailure {
    /// The answer class written to the auth event (never a secret).
    pub fn class(&self) -> &'static str {
        match self {
            LdapFailure::Unavailable(_) => "unavailable",
            LdapFailure::InvalidCredentials => "invalid_credentials",
            LdapFailure::NotFound => "not_found",
        }
    }
}

/// LDAP's invalidCredentials result code.
const INVALID_CREDENTIALS: u32 = 49;
/// How deep nested groups are followed, and how many groups are read at most.
const GROUP_DEPTH: usize = 8;
const GROUP_LIMIT: usize = 1000;

fn unavailable(context: &str, err: impl std::fmt::Display) -> LdapFailure {
    LdapFailure::Unavailable(format!("{context}: {err}"))
}

/// A TLS configuration trusting exactly the CAs of `ca_file`.
fn tls_config(ca_file: &std::path::Path) -> Result<Arc<rustls::ClientConfig>, LdapFailure> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca_file).map_err(|e| unavailable("reading the CA file", e))?;
    for cert in certs {
        let cert = cert.map_err(|e| unavailable("reading the CA file", e))?;
        roots.add(cert).map_err(|e| unavailable("adding a CA certificate", e))?;
    }
    if roots.is_empty() {
        return Err(LdapFailure::Unavailable(format!("no certificate in {}", ca_file.display())));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unavailable("TLS configuration", e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Opens a connection (upgraded with StartTLS when configured); no bind yet.
async fn connect(config: &LdapConfig) -> Result<Ldap, LdapFailure> {
    let mut settings = LdapConnSettings::new().set_conn_timeout(config.timeout).set_starttls(config.starttls);
    if let Some(ca_file) = &config.ca_file {
        settings = settings.set_config(tls_config(ca_file)?);
    }
    let (conn, ldap) =
        LdapConnAsync::with_settings(settings, &config.url).await.map_err(|e| unavailable("connecting", e))?;
    ldap3::drive!(conn);
    Ok(ldap)
}

/// Binds as the service account (anonymously when none is configured).
async fn service_bind(ldap: &mut Ldap, config: &LdapConfig) -> Result<(), LdapFailure> {
    let password = config.bind_password.as_ref().map_or("", |p| p.expose());
    ldap.with_timeout(config.timeout)
        .simple_bind(&config.bind_dn, password)
        .await
        .and_then(ldap3::LdapResult::success)
        .map_err(|e| unavailable("service bind", e))?;
    Ok(())
}

/// Connects and binds as the service account: the probe behind `/auth/ad/status`.
pub async fn probe(config: &LdapConfig) -> Result<(), LdapFailure> {
    let work = async {
        let mut ldap = connect(config).await?;
        service_bind(&mut ldap, config).await?;
        let _ = ldap.unbind().await;
        Ok(())
    };
    within(config, work).await
}

/// Bounds a whole conversation (connect, binds, searches) by a few operation timeouts.
async fn within<T>(
    config: &LdapConfig,
    work: impl std::future::Future<Output = Result<T, LdapFailure>>,
) -> Result<T, LdapFailure> {
    match tokio::time::timeout(config.timeout * 3, work).await {
        Ok(result) => result,
        Err(_) => Err(LdapFailure::Unavailable("the directory did not answer in time".into())),
    }
}

/// The attributes read for a person.
fn person_attributes(config: &LdapConfig) -> Vec<String> {
    let mut attrs: Vec<String> = [
        "mail",
        "uid",
        "sAMAccountName",
        "userPrincipalName",
        "givenName",
        "sn",
        "cn",
        "displayName",
        "memberOf",
        "userAccountControl",
        "entryUUID",
        "objectGUID",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    if let Some(attribute) = &config.mapping.section_attribute {
        attrs.push(attribute.clone());
    }
    attrs
}

/// Finds the one entry the login names.
async fn find_person(ldap: &mut Ldap, config: &LdapConfig, login: &str) -> Result<SearchEntry, LdapFailure> {
    let filter = directory::user_filter(&config.user_filter, login);
    let (entries, _) = ldap
        .with_timeout(config.timeout)
        .search(&config.base_dn, Scope::Subtree, &filter, person_attributes(config))
        .await
        .and_then(ldap3::SearchResult::success)
        .map_err(|e| unavailable("user search", e))?;
    let mut entries = entries.into_iter();
    match (entries.next(), entries.next()) {
        (Some(entry), None) => Ok(SearchEntry::construct(entry)),
        // Two people answering one login is a directory to fix, not a guess to make.
        _ => Err(LdapFailure::NotFound),
    }
}

/// Every group the entry is in, directly or through other groups: `memberOf` where the
/// server keeps it (AD), and a walk over `member` / `uniqueMember` from the person up.
async fn groups_of(ldap: &mut Ldap, config: &LdapConfig, entry: &SearchEntry) -> Result<Vec<Dn>, LdapFailure> {
    let base = config.group_base_dn.as_deref().unwrap_or(&config.base_dn);
    let mut found: HashSet<Dn> = values(entry, "memberOf").iter().map(|g| Dn::new(g)).collect();
    let mut frontier: Vec<String> = vec![entry.dn.clone()];
    frontier.extend(values(entry, "memberOf").iter().cloned());
    for _ in 0..GROUP_DEPTH {
        let mut next = Vec::new();
        for member in &frontier {
            let escaped = directory::escape_filter_value(member);
            let filter = format!("(|(member={escaped})(uniqueMember={escaped}))");
            let (entries, _) = ldap
                .with_timeout(config.timeout)
                .search(base, Scope::Subtree, &filter, vec!["1.1"])
                .await
                .and_then(ldap3::SearchResult::success)
                .map_err(|e| unavailable("group search", e))?;
            for group in entries.into_iter().map(SearchEntry::construct) {
                if found.len() < GROUP_LIMIT && found.insert(Dn::new(&group.dn)) {
                    next.push(group.dn);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    let mut groups: Vec<Dn> = found.into_iter().collect();
    groups.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Ok(groups)
}

fn values<'e>(entry: &'e SearchEntry, name: &str) -> &'e [String] {
    // Attribute names come back as the server spells them; compare without case.
    entry.attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map_or(&[], |(_, v)| v.as_slice())
}

fn first(entry: &SearchEntry, name: &str) -> Option<String> {
    values(entry, name).first().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The directory's stable id: entryUUID (OpenLDAP), objectGUID (AD), else the DN.
fn external_id(entry: &SearchEntry) -> String {
    if let Some(uuid) = first(entry, "entryUUID") {
        return uuid.to_lowercase();
    }
    let guid = entry.bin_attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case("objectGUID"));
    if let Some(guid) = guid.and_then(|(_, v)| v.first()) {
        return hex(guid);
    }
    Dn::new(&entry.dn).as_str().to_owned()
}

/// The person an entry and their groups describe, in our terms.
fn person(config: &LdapConfig, entry: &SearchEntry, groups: &[Dn]) -> DirectoryPerson {
    let username = first(entry, "uid")
        .or_else(|| first(entry, "sAMAccountName"))
        .or_else(|| first(entry, "userPrincipalName"))
        .unwrap_or_else(|| external_id(entry))
        .to_lowercase();
    let section_value = config.mapping.section_attribute.as_deref().and_then(|a| first(entry, a));
    let (first_name, last_name) = match (first(entry, "givenName"), first(entry, "sn")) {
        (None, None) => (first(entry, "displayName").or_else(|| first(entry, "cn")).unwrap_or_default(), String::new()),
        (given, surname) => (given.unwrap_or_default(), surname.unwrap_or_default()),
    };
    let disabled = values(entry, "userAccountControl").iter().any(|v| directory::account_control_disabled(v));
    DirectoryPerson {
        source: AuthSource::Ldap,
        external_id: external_id(entry),
        username,
        email: first(entry, "mail").map(|m| m.to_lowercase()),
        email_verified: true,
        first_name,
        last_name,
        role: config.mapping.role_for(groups),
        section: config.mapping.section_for(groups, section_value.as_deref()),
        disabled,
    }
}

/// What a look-up found, for the command line's `directory test` and the periodic check.
#[derive(Debug, Clone)]
pub struct Found {
    pub dn: String,
    pub groups: Vec<Dn>,
    pub person: DirectoryPerson,
}

/// Reads the entry's groups (as the service account the connection is bound as), ends
/// the conversation, and describes the person: the last step of every look-up.
async fn read_found(mut ldap: Ldap, config: &LdapConfig, entry: SearchEntry) -> Result<Found, LdapFailure> {
    let groups = groups_of(&mut ldap, config, &entry).await?;
    let _ = ldap.unbind().await;
    Ok(Found { person: person(config, &entry, &groups), dn: entry.dn, groups })
}

/// A person found for a sign-in, whose password is not checked yet: the caller checks
/// the lockout against their one username (however they typed their login) first.
pub struct Pending {
    ldap: Ldap,
    entry: SearchEntry,
    /// Our username for the person (uid / sAMAccountName, lower-case).
    pub username: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("dn", &self.entry.dn).field("username", &self.username).finish()
    }
}

/// Finds the person `login` names, bound as the service account.
pub async fn find_for_sign_in(config: &LdapConfig, login: &str) -> Result<Pending, LdapFailure> {
    let work = async {
        let mut ldap = connect(config).await?;
        service_bind(&mut ldap, config).await?;
        let entry = find_person(&mut ldap, config, login).await?;
        let username = person(config, &entry, &[]).username;
        Ok(Pending { ldap, entry, username })
    };
    within(config, work).await
}

/// Checks `password` by binding as the found person, then reads their groups.
pub async fn check_password(config: &LdapConfig, pending: Pending, password: &str) -> Result<Found, LdapFailure> {
    // An empty password would be an "unauthenticated bind", which many servers accept
    // as anonymous: it must never count as a correct password.
    if password.is_empty() {
        return Err(LdapFailure::InvalidCredentials);
    }
    let Pending { mut ldap, entry, .. } = pending;
    let work = async {
        match ldap.with_timeout(config.timeout).simple_bind(&entry.dn, password).await {
            Ok(result) if result.rc == 0 => {}
            Ok(result) if result.rc == INVALID_CREDENTIALS => return Err(LdapFailure::InvalidCredentials),
            Ok(result) => return Err(unavailable("user bind", result)),
            Err(err) => return Err(unavailable("user bind", err)),
        }
        // Groups are read as the service account: a person may not read group entries.
        service_bind(&mut ldap, config).await?;
        read_found(ldap, config, entry).await
    };
    within(config, work).await
}

/// The filter (and base and scope) that finds an entry by the stable id this module
/// gave it: entryUUID, objectGUID (hex), or the DN itself.
fn by_id(config: &LdapConfig, external_id: &str) -> (String, Scope, String) {
    if uuid::Uuid::parse_str(external_id).is_ok() {
        let filter = format!("(entryUUID={})", directory::escape_filter_value(external_id));
        return (config.base_dn.clone(), Scope::Subtree, filter);
    }
    if external_id.len() == 32 && external_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        // objectGUID is binary: each byte written as \xx in the filter.
        let bytes: String =
            external_id.as_bytes().chunks(2).map(|pair| format!("\\{}", String::from_utf8_lossy(pair))).collect();
        return (config.base_dn.clone(), Scope::Subtree, format!("(objectGUID={bytes})"));
    }
    (external_id.to_owned(), Scope::Base, "(objectClass=*)".to_owned())
}

/// Reads the person an account was made for, by the directory's stable id (the periodic
/// check: a login filter of the bank's own may not match our usernames).
pub async fn look_up_by_id(config: &LdapConfig, external_id: &str) -> Result<Found, LdapFailure> {
    let work = async {
        let mut ldap = connect(config).await?;
        service_bind(&mut ldap, config).await?;
        let (base, scope, filter) = by_id(config, external_id);
        let result = ldap.with_timeout(config.timeout).search(&base, scope, &filter, person_attributes(config)).await;
        let entries = match result.map(|r| (r.0, r.1.rc)) {
            Ok((entries, 0)) => entries,
            // noSuchObject: the DN is gone.
            Ok((_, 32)) => Vec::new(),
            Ok((_, rc)) => return Err(LdapFailure::Unavailable(format!("search by id: result code {rc}"))),
            Err(err) => return Err(unavailable("search by id", err)),
        };
        let mut entries = entries.into_iter();
        let entry = match (entries.next(), entries.next()) {
            (Some(entry), None) => SearchEntry::construct(entry),
            _ => return Err(LdapFailure::NotFound),
        };
        read_found(ldap, config, entry).await
    };
    within(config, work).await
}

/// Reads a person without their password (the command line's configuration test).
pub async fn look_up(config: &LdapConfig, login: &str) -> Result<Found, LdapFailure> {
    let work = async {
        let mut ldap = connect(config).await?;
        service_bind(&mut ldap, config).await?;
        let entry = find_person(&mut ldap, config, login).await?;
        read_found(ldap, config, entry).await
    };
    within(config, work).await
}

/// The section a look-up would give, in words (the command line's report).
pub fn section_label(section: &SectionChoice) -> String {
    match section {
        SectionChoice::Unmanaged => "unmanaged (set in SentinelOps)".into(),
        SectionChoice::None => "none".into(),
        SectionChoice::Named(name) => name.clone(),
    }
}
