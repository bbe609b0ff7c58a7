//! A real OpenLDAP server (Debian's `slapd`) on a free loopback port, for the directory
//! sign-in tests: a temp folder with a generated `slapd.conf`, an mdb database under
//! `dc=bank,dc=test`, and a test CA whose server certificate (IP 127.0.0.1, DNS
//! localhost) serves StartTLS on the same port as plain LDAP.
//!
//! Users look like Active Directory users: besides `inetOrgPerson` they carry
//! `sAMAccountName`, `userPrincipalName` and `userAccountControl` (AD's own OIDs, from a
//! small schema written here, so a filter written for AD works unchanged). Groups are
//! `groupOfNames` under `ou=groups`; a group can be a member of a group. The `dynlist`
//! overlay gives every entry a computed `memberOf` with its groups *including the nested
//! ones* (what AD answers to the in-chain matching rule 1.2.840.113556.1.4.1941, which
//! OpenLDAP lacks), usable in filters as well: `(memberOf=cn=ops,ou=groups,dc=bank,dc=test)`.
//!
//! Access: `userPassword` can only be used to bind (`by anonymous auth`); everything is
//! readable by the service account ([`TestLdap::BIND_DN`]) and by the entry itself.
//! The harness changes the tree through the root DN ([`TestLdap::ROOT_DN`]) with the
//! `ldap3` crate, the client the product uses. `slapd` runs in the foreground as a child
//! process and is killed when the harness is dropped. `TEST_LOG=1` prints its log
//! (`-d stats`: every operation) on drop.
//!
//! Needs Debian's `slapd` (which ships `slapadd` too) and the `openssl` CLI; `.ci/run`
//! installs them with `ldap-utils`. Without `slapd`, `start` fails naming the apt-get line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod};

/// How long `slapd` may take to answer after a start (a loaded CI machine).
const START_LIMIT: Duration = Duration::from_secs(30);

/// The `slapd` binary (`SENTINELOPS_SLAPD` overrides).
fn slapd_binary() -> PathBuf {
    std::env::var_os("SENTINELOPS_SLAPD").map_or_else(|| PathBuf::from("/usr/sbin/slapd"), PathBuf::from)
}

/// The schema that makes our users look like Active Directory's: AD's attribute OIDs,
/// and an auxiliary class (a private arc) that may carry them next to `inetOrgPerson`.
const AD_SCHEMA: &str = "\
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.22.1.1 NAME 'sentinelAdUser' AUXILIARY
  MAY ( sAMAccountName $ userPrincipalName $ userAccountControl ) )
";

/// `userAccountControl` of an enabled account (NORMAL_ACCOUNT) and of a disabled one
/// (NORMAL_ACCOUNT | ACCOUNTDISABLE, bit 2), as AD writes them.
pub const ACCOUNT_ENABLED: u32 = 512;
pub const ACCOUNT_DISABLED: u32 = 514;

/// A user to add to `ou=people`.
#[derive(Debug, Clone, Copy)]
pub struct DirUser<'a> {
    /// `uid`, also the `sAMAccountName`; `userPrincipalName` is `uid@bank.test`.
    pub uid: &'a str,
    pub mail: &'a str,
    pub given_name: &'a str,
    pub surname: &'a str,
    pub password: &'a str,
    /// `departmentNumber` (a section's name, for the section mapping).
    pub department: Option<&'a str>,
}

/// A running `slapd`; killed on drop.
pub struct TestLdap {
    dir: tempfile::TempDir,
    ca_path: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl TestLdap {
    pub const BASE_DN: &'static str = "dc=bank,dc=test";
    /// The service account the product binds as to search (reads everything but passwords).
    pub const BIND_DN: &'static str = "cn=sentinelops,ou=service,dc=bank,dc=test";
    pub const BIND_PASSWORD: &'static str = "service-secret";
    /// The database's root DN (no entry of its own): the harness changes the tree as it.
    pub const ROOT_DN: &'static str = "cn=admin,dc=bank,dc=test";
    pub const ROOT_PASSWORD: &'static str = "admin-secret";
    /// The member an otherwise empty group holds: `groupOfNames` requires one. It names
    /// no entry, so it is nobody's group.
    pub const EMPTY_GROUP_MEMBER: &'static str = "cn=empty-group,dc=bank,dc=test";

    /// Generates the CA, the configuration and the base tree (`ou=people`, `ou=groups`,
    /// `ou=service` and the service account), starts `slapd` and waits until it answers
    /// a bind of the service account.
    pub async fn start() -> TestLdap {
        let slapd = slapd_binary();
        assert!(
            slapd.exists(),
            "{} is missing: install it with `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils` \
             (.ci/run does)",
            slapd.display()
        );
        let dir = tempfile::Builder::new().prefix("sentinelops-ldap-").tempdir().expect("temp dir for slapd");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let ca_path = dir.path().join("ca.pem");
        let mut ldap = TestLdap { dir, ca_path, port, child: None };
        ldap.make_certificates();
        std::fs::write(ldap.path("ad.schema"), AD_SCHEMA).expect("write the AD schema");
        std::fs::create_dir(ldap.path("db")).expect("the database folder");
        std::fs::write(ldap.path("slapd.conf"), ldap.config()).expect("write slapd.conf");
        std::fs::write(ldap.path("base.ldif"), base_ldif()).expect("write the base LDIF");
        // The base tree is loaded offline, before the first start: nothing to wait for.
        let conf = ldap.path("slapd.conf");
        let ldif = ldap.path("base.ldif");
        run(
            Command::new(slapd.with_file_name("slapadd")).arg("-f").arg(&conf).arg("-l").arg(&ldif),
            "slapadd the base tree",
        );
        ldap.restart().await;
        ldap
    }

    /// `ldap://127.0.0.1:PORT` (plain; StartTLS on the same port).
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The test CA's certificate (PEM), the only one that signs the server's.
    pub fn ca_file(&self) -> &Path {
        self.ca_path.as_path()
    }

    /// `uid=X,ou=people,dc=bank,dc=test`
    pub fn user_dn(uid: &str) -> String {
        format!("uid={uid},ou=people,{}", Self::BASE_DN)
    }

    /// `cn=X,ou=groups,dc=bank,dc=test`
    pub fn group_dn(cn: &str) -> String {
        format!("cn={cn},ou=groups,{}", Self::BASE_DN)
    }

    /// A connection bound as the root DN, for changes the helpers below do not cover.
    pub async fn admin(&self) -> Ldap {
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings(), &self.url()).await.expect("connect to slapd");
        ldap3::drive!(conn);
        ldap.simple_bind(Self::ROOT_DN, Self::ROOT_PASSWORD)
            .await
            .and_then(|r| r.success())
            .expect("bind to slapd as the root DN");
        ldap
    }

    /// Adds `inetOrgPerson` + AD attributes: `sAMAccountName` = uid, `userPrincipalName` =
    /// `uid@bank.test`, `userAccountControl` 512 (enabled), `cn` "Given Surname".
    pub async fn add_user(&self, user: DirUser<'_>) {
        let dn = Self::user_dn(user.uid);
        let cn = format!("{} {}", user.given_name, user.surname);
        let upn = format!("{}@bank.test", user.uid);
        let enabled = ACCOUNT_ENABLED.to_string();
        let mut attrs = vec![
            ("objectClass", set(&["top", "person", "organizationalPerson", "inetOrgPerson", "sentinelAdUser"])),
            ("uid", set(&[user.uid])),
            ("cn", set(&[&cn])),
            ("givenName", set(&[user.given_name])),
            ("sn", set(&[user.surname])),
            ("mail", set(&[user.mail])),
            ("userPassword", set(&[user.password])),
            ("sAMAccountName", set(&[user.uid])),
            ("userPrincipalName", set(&[&upn])),
            ("userAccountControl", set(&[&enabled])),
        ];
        if let Some(department) = user.department {
            attrs.push(("departmentNumber", set(&[department])));
        }
        check(self.admin().await.add(&dn, attrs).await, &dn);
    }

    /// Removes the user's entry (groups naming it keep the DN: there is no refint overlay).
    pub async fn delete_user(&self, uid: &str) {
        let dn = Self::user_dn(uid);
        check(self.admin().await.delete(&dn).await, &dn);
    }

    /// Adds a `groupOfNames` with these member DNs (users or groups); an empty list
    /// gives a group holding only [`Self::EMPTY_GROUP_MEMBER`].
    pub async fn add_group(&self, cn: &str, members: &[String]) {
        let dn = Self::group_dn(cn);
        let mut members: HashSet<&str> = members.iter().map(String::as_str).collect();
        if members.is_empty() {
            members.insert(Self::EMPTY_GROUP_MEMBER);
        }
        let attrs = vec![("objectClass", set(&["top", "groupOfNames"])), ("cn", set(&[cn])), ("member", members)];
        check(self.admin().await.add(&dn, attrs).await, &dn);
    }

    /// Adds a member (a user's or a group's DN), dropping the placeholder of an empty group.
    pub async fn add_member(&self, group_cn: &str, member_dn: &str) {
        let dn = Self::group_dn(group_cn);
        let mut ldap = self.admin().await;
        let mut mods = vec![Mod::Add("member", set(&[member_dn]))];
        if self.members(&mut ldap, &dn).await.iter().any(|m| m.eq_ignore_ascii_case(Self::EMPTY_GROUP_MEMBER)) {
            mods.push(Mod::Delete("member", set(&[Self::EMPTY_GROUP_MEMBER])));
        }
        check(ldap.modify(&dn, mods).await, &dn);
    }

    /// Removes one member; removing the last one leaves [`Self::EMPTY_GROUP_MEMBER`].
    pub async fn remove_member(&self, group_cn: &str, member_dn: &str) {
        let dn = Self::group_dn(group_cn);
        let mut ldap = self.admin().await;
        let others = self.members(&mut ldap, &dn).await.iter().filter(|m| !m.eq_ignore_ascii_case(member_dn)).count();
        let mut mods = vec![Mod::Delete("member", set(&[member_dn]))];
        if others == 0 {
            // One modify is applied as a whole: the group is never without a member.
            mods.insert(0, Mod::Add("member", set(&[Self::EMPTY_GROUP_MEMBER])));
        }
        check(ldap.modify(&dn, mods).await, &dn);
    }

    /// `userAccountControl` 514 (disabled) or 512 (enabled).
    pub async fn set_disabled(&self, uid: &str, disabled: bool) {
        let value = if disabled { ACCOUNT_DISABLED } else { ACCOUNT_ENABLED }.to_string();
        self.replace(uid, "userAccountControl", &value).await;
    }

    /// `departmentNumber`
    pub async fn set_department(&self, uid: &str, department: &str) {
        self.replace(uid, "departmentNumber", department).await;
    }

    pub async fn set_password(&self, uid: &str, password: &str) {
        self.replace(uid, "userPassword", password).await;
    }

    /// Kills `slapd`: the port refuses connections until [`Self::restart`].
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts `slapd` again (or the first time) on the same port and data, and waits until
    /// the service account can bind.
    pub async fn restart(&mut self) {
        self.stop().await;
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.path("slapd.log")).expect("the slapd log");
        let err = log.try_clone().expect("the slapd log");
        // `-d` keeps slapd in the foreground (a child that dies with the test) and logging to stderr.
        let debug = if crate::log::filter().is_some() { "stats" } else { "0" };
        let child = Command::new(slapd_binary())
            .args(["-d", debug, "-h", &format!("{}/", self.url()), "-f"])
            .arg(self.path("slapd.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start slapd");
        self.child = Some(child);
        let started = Instant::now();
        loop {
            match self.service_bind().await {
                Ok(()) => return,
                Err(e) => {
                    let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
                    assert!(exited.is_none(), "slapd exited ({exited:?}):\n{}", self.log());
                    assert!(started.elapsed() < START_LIMIT, "slapd does not answer ({e}):\n{}", self.log());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What `slapd` printed so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("slapd.log")).unwrap_or_default()
    }

    async fn service_bind(&self) -> ldap3::result::Result<()> {
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings(), &self.url()).await?;
        ldap3::drive!(conn);
        ldap.simple_bind(Self::BIND_DN, Self::BIND_PASSWORD).await?.success()?;
        ldap.unbind().await
    }

    async fn replace(&self, uid: &str, attribute: &str, value: &str) {
        let dn = Self::user_dn(uid);
        check(self.admin().await.modify(&dn, vec![Mod::Replace(attribute, set(&[value]))]).await, &dn);
    }

    /// The group's `member` values as stored (the placeholder included).
    async fn members(&self, ldap: &mut Ldap, group_dn: &str) -> Vec<String> {
        let found = ldap.search(group_dn, ldap3::Scope::Base, "(objectClass=groupOfNames)", vec!["member"]).await;
        let (entries, _) = found.and_then(|r| r.success()).unwrap_or_else(|e| panic!("read {group_dn}: {e}"));
        entries
            .into_iter()
            .map(ldap3::SearchEntry::construct)
            .flat_map(|mut e| e.attrs.remove("member").unwrap_or_default())
            .collect()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A CA and a server certificate for 127.0.0.1 and localhost, signed by it (P-256: quick
    /// to generate, and both GnuTLS in slapd and rustls take it).
    fn make_certificates(&self) {
        let dir = self.dir.path();
        let openssl = |args: Vec<&str>, what: &str| {
            run(Command::new("openssl").current_dir(dir).args(args), what);
        };
        let new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        let ca = ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=SentinelOps test CA"];
        let ca_extensions =
            ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
        openssl([&["req", "-x509"][..], &new_key, &ca, &ca_extensions].concat(), "openssl: the test CA");
        let csr = ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"];
        openssl([&["req"][..], &new_key, &csr].concat(), "openssl: the server key");
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write the certificate extensions");
        let sign = ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"];
        let out = ["-out", "server.pem", "-days", "2", "-extfile", "server.ext"];
        openssl([&sign[..], &out].concat(), "openssl: the server certificate");
    }

    fn config(&self) -> String {
        let dir = self.dir.path().display();
        format!(
            r#"include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
# groupOfURLs, which dynlist's memberOf set names.
include /etc/ldap/schema/dyngroup.schema
include "{dir}/ad.schema"
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload dynlist
pidfile "{dir}/slapd.pid"
TLSCACertificateFile "{dir}/ca.pem"
TLSCertificateFile "{dir}/server.pem"
TLSCertificateKeyFile "{dir}/server.key"

database mdb
maxsize 104857600
suffix "{base}"
rootdn "{root}"
rootpw {root_password}
directory "{dir}/db"
# A test directory: losing the last writes to a crash is fine, waiting for fsync is not.
dbnosync
index objectClass,uid,mail,sAMAccountName,userPrincipalName,member eq

# memberOf on every entry: its groups, nested ones included (the `*`), for reads and filters.
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames*

access to attrs=userPassword
  by anonymous auth
  by self write
  by * none
access to *
  by dn.exact="{service}" read
  by self read
  by * none
"#,
            base = Self::BASE_DN,
            root = Self::ROOT_DN,
            root_password = Self::ROOT_PASSWORD,
            service = Self::BIND_DN,
        )
    }
}

impl Drop for TestLdap {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if crate::log::filter().is_some() {
            eprintln!("--- slapd ({}) ---\n{}", self.url(), self.log());
        }
    }
}

/// Connection settings of the harness's own connections: a bounded connect.
fn settings() -> LdapConnSettings {
    LdapConnSettings::new().set_conn_timeout(Duration::from_secs(5))
}

fn set<'a>(values: &[&'a str]) -> HashSet<&'a str> {
    values.iter().copied().collect()
}

fn base_ldif() -> String {
    format!(
        "dn: {base}\nobjectClass: dcObject\nobjectClass: organization\no: Bank\ndc: bank\n\n\
         dn: ou=people,{base}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: ou=groups,{base}\nobjectClass: organizationalUnit\nou: groups\n\n\
         dn: ou=service,{base}\nobjectClass: organizationalUnit\nou: service\n\n\
         dn: {service}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: sentinelops\n\
         userPassword: {password}\n",
        base = TestLdap::BASE_DN,
        service = TestLdap::BIND_DN,
        password = TestLdap::BIND_PASSWORD,
    )
}

/// Panics with the server's answer unless the change succeeded.
fn check(result: ldap3::result::Result<ldap3::LdapResult>, dn: &str) {
    if let Err(e) = result.and_then(|r| r.success()) {
        panic!("LDAP change of {dn} failed: {e}");
    }
}

/// Runs a setup command (openssl, slapadd); panics with what it printed when it fails.
fn run(command: &mut Command, what: &str) {
    match command.output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "{what}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("{what}: cannot run it ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ldap3::{LdapError, Scope, SearchEntry};
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    use super::*;

    fn ann() -> DirUser<'static> {
        DirUser {
            uid: "ann",
            mail: "ann.lee@bank.test",
            given_name: "Ann",
            surname: "Lee",
            password: "ann-directory-pw",
            department: Some("Operations"),
        }
    }

    async fn connect(url: &str, settings: LdapConnSettings) -> ldap3::result::Result<Ldap> {
        let (conn, ldap) = LdapConnAsync::with_settings(settings, url).await?;
        ldap3::drive!(conn);
        Ok(ldap)
    }

    async fn bind(url: &str, dn: &str, password: &str) -> ldap3::result::Result<Ldap> {
        let mut ldap = connect(url, settings()).await?;
        ldap.simple_bind(dn, password).await?.success()?;
        Ok(ldap)
    }

    /// The entries `filter` finds under the base, as the service account sees them.
    async fn search(ldap: &TestLdap, filter: &str, attrs: &[&str]) -> Vec<SearchEntry> {
        let mut conn = bind(&ldap.url(), TestLdap::BIND_DN, TestLdap::BIND_PASSWORD).await.unwrap();
        let (entries, _) =
            conn.search(TestLdap::BASE_DN, Scope::Subtree, filter, attrs.to_vec()).await.unwrap().success().unwrap();
        entries.into_iter().map(SearchEntry::construct).collect()
    }

    fn rc(result: ldap3::result::Result<Ldap>) -> u32 {
        match result {
            Err(LdapError::LdapResult { result }) => result.rc,
            Err(e) => panic!("not an LDAP result: {e}"),
            Ok(_) => 0,
        }
    }

    fn dns(entries: Vec<SearchEntry>) -> Vec<String> {
        entries.into_iter().map(|e| e.dn).collect()
    }

    fn one<'a>(entry: &'a SearchEntry, attribute: &str) -> &'a str {
        entry.attrs.get(attribute).and_then(|v| v.first()).map_or("", String::as_str)
    }

    #[tokio::test]
    async fn users_look_like_ad_users_and_bind_with_their_password() {
        let ldap = TestLdap::start().await;
        ldap.add_user(ann()).await;

        let found = search(&ldap, "(sAMAccountName=ANN)", &["*"]).await;
        assert_eq!(found.len(), 1, "{found:?}");
        let ann_entry = &found[0];
        assert_eq!(ann_entry.dn, TestLdap::user_dn("ann"));
        assert_eq!(one(ann_entry, "mail"), "ann.lee@bank.test");
        assert_eq!(one(ann_entry, "cn"), "Ann Lee");
        assert_eq!(one(ann_entry, "userPrincipalName"), "ann@bank.test");
        assert_eq!(one(ann_entry, "userAccountControl"), "512");
        assert_eq!(one(ann_entry, "departmentNumber"), "Operations");
        assert!(!ann_entry.attrs.contains_key("userPassword"), "the service account reads no password");
        assert_eq!(search(&ldap, "(userPrincipalName=ann@bank.test)", &["1.1"]).await.len(), 1);
        assert_eq!(search(&ldap, "(mail=ann.lee@bank.test)", &["1.1"]).await.len(), 1);

        assert_eq!(rc(bind(&ldap.url(), &TestLdap::user_dn("ann"), "ann-directory-pw").await), 0);
        assert_eq!(rc(bind(&ldap.url(), &TestLdap::user_dn("ann"), "wrong").await), 49, "invalidCredentials");
        assert_eq!(rc(bind(&ldap.url(), &TestLdap::user_dn("nobody"), "x").await), 49, "unknown DN");
        assert_eq!(rc(bind(&ldap.url(), TestLdap::BIND_DN, "wrong").await), 49);

        ldap.set_disabled("ann", true).await;
        ldap.set_department("ann", "Treasury").await;
        let found = search(&ldap, "(uid=ann)", &["userAccountControl", "departmentNumber"]).await;
        assert_eq!(one(&found[0], "userAccountControl"), "514");
        assert_eq!(one(&found[0], "departmentNumber"), "Treasury");
        assert_eq!(search(&ldap, "(&(uid=ann)(userAccountControl=512))", &["1.1"]).await.len(), 0);
        ldap.set_disabled("ann", false).await;
        assert_eq!(search(&ldap, "(&(uid=ann)(userAccountControl=512))", &["1.1"]).await.len(), 1);

        ldap.set_password("ann", "changed").await;
        assert_eq!(rc(bind(&ldap.url(), &TestLdap::user_dn("ann"), "changed").await), 0);
        ldap.delete_user("ann").await;
        assert!(search(&ldap, "(uid=ann)", &["1.1"]).await.is_empty());
    }

    #[tokio::test]
    async fn starttls_verifies_the_server_against_the_test_ca() {
        let ldap = TestLdap::start().await;
        ldap.add_user(ann()).await;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ldap.ca_file()).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let tls = |roots: rustls::RootCertStore| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
            settings().set_starttls(true).set_config(Arc::new(config))
        };

        let mut conn = connect(&ldap.url(), tls(roots.clone())).await.unwrap();
        conn.simple_bind(&TestLdap::user_dn("ann"), "ann-directory-pw").await.unwrap().success().unwrap();
        // The certificate names localhost as well as 127.0.0.1.
        let by_name = format!("ldap://localhost:{}", ldap.port());
        let mut conn = connect(&by_name, tls(roots)).await.unwrap();
        conn.simple_bind(TestLdap::BIND_DN, TestLdap::BIND_PASSWORD).await.unwrap().success().unwrap();

        let untrusted = connect(&ldap.url(), tls(rustls::RootCertStore::empty())).await;
        assert!(untrusted.is_err(), "StartTLS must fail without the test CA");
    }

    #[tokio::test]
    async fn groups_nest_and_memberof_lists_them_all() {
        let ldap = TestLdap::start().await;
        ldap.add_user(ann()).await;
        ldap.add_user(DirUser { uid: "bob", mail: "bob@bank.test", department: None, ..ann() }).await;
        let ann_dn = TestLdap::user_dn("ann");
        ldap.add_group("tellers", std::slice::from_ref(&ann_dn)).await;
        ldap.add_group("branch-staff", &[TestLdap::group_dn("tellers")]).await;
        ldap.add_group("managers", &[]).await;

        // The search a product does without memberOf: the direct groups, then theirs, until none.
        let mut groups: Vec<String> = Vec::new();
        let mut frontier = vec![ann_dn.clone()];
        while let Some(dn) = frontier.pop() {
            for group in search(&ldap, &format!("(&(objectClass=groupOfNames)(member={dn}))"), &["1.1"]).await {
                if !groups.contains(&group.dn) {
                    frontier.push(group.dn.clone());
                    groups.push(group.dn);
                }
            }
        }
        groups.sort();
        assert_eq!(groups, [TestLdap::group_dn("branch-staff"), TestLdap::group_dn("tellers")]);

        // The dynlist overlay's memberOf: nested groups included, in reads and in filters.
        let found = search(&ldap, "(uid=ann)", &["memberOf"]).await;
        let mut member_of = found[0].attrs.get("memberOf").cloned().unwrap_or_default();
        member_of.sort();
        assert_eq!(member_of, groups);
        let filter = format!("(&(objectClass=inetOrgPerson)(memberOf={}))", TestLdap::group_dn("branch-staff"));
        assert_eq!(dns(search(&ldap, &filter, &["1.1"]).await), std::slice::from_ref(&ann_dn));

        // An empty group holds the placeholder only, until a real member comes and after it left.
        let managers = format!("(memberOf={})", TestLdap::group_dn("managers"));
        assert!(dns(search(&ldap, &managers, &["1.1"]).await).is_empty());
        let bob_dn = TestLdap::user_dn("bob");
        ldap.add_member("managers", &bob_dn).await;
        assert_eq!(dns(search(&ldap, &managers, &["1.1"]).await), std::slice::from_ref(&bob_dn));
        ldap.remove_member("managers", &bob_dn).await;
        assert!(dns(search(&ldap, &managers, &["1.1"]).await).is_empty());
        ldap.remove_member("tellers", &ann_dn).await;
        assert!(!search(&ldap, "(uid=ann)", &["memberOf"]).await[0].attrs.contains_key("memberOf"));
    }

    #[tokio::test]
    async fn stop_closes_the_port_and_restart_answers_with_the_same_data() {
        let mut ldap = TestLdap::start().await;
        ldap.add_user(ann()).await;
        ldap.stop().await;
        match connect(&ldap.url(), settings()).await {
            Err(LdapError::Io { source }) => assert_eq!(source.kind(), std::io::ErrorKind::ConnectionRefused),
            Err(e) => panic!("expected connection refused, got {e}"),
            Ok(_) => panic!("slapd still answers after stop"),
        }
        ldap.restart().await;
        assert_eq!(rc(bind(&ldap.url(), &TestLdap::user_dn("ann"), "ann-directory-pw").await), 0);
    }
}
