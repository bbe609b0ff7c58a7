//! Directory sign-in in the browser: a directory person types their directory password
//! into our sign-in form, and "Sign in with …" runs the whole OpenID Connect code flow
//! through a real provider's page and back.

use sentinelops_app::config::{LdapConfig, OidcConfig};
use sentinelops_domain::directory::Dn;
use sentinelops_testkit::browser::Browser;
use sentinelops_testkit::ldap::{DirUser, TestLdap};
use sentinelops_testkit::oidc::{AUTHORIZE_BUTTON, SUB_FIELD, TestOidc};
use sentinelops_testkit::{Options, TestServer, test_config};
use serde_json::json;

#[tokio::test]
async fn a_directory_user_signs_in_with_their_directory_password_and_sees_their_section() {
    let ldap = TestLdap::start().await;
    let dora = DirUser {
        uid: "dora",
        mail: "dora@bank.test",
        given_name: "Dora",
        surname: "Directory",
        password: "Directory-Pass-1",
        department: Some("ICT Operations"),
    };
    ldap.add_user(dora).await;
    ldap.add_group("sentinel-managers", &[TestLdap::user_dn("dora")]).await;
    let mut directory = LdapConfig::new(ldap.url(), TestLdap::BASE_DN);
    directory.bind_dn = TestLdap::BIND_DN.to_owned();
    directory.bind_password = Some(TestLdap::BIND_PASSWORD.to_owned().into());
    directory.mapping.manager_group = Some(Dn::new(&TestLdap::group_dn("sentinel-managers")));
    directory.mapping.section_attribute = Some("departmentNumber".into());
    directory.starttls = true;
    directory.ca_file = Some(ldap.ca_file().to_owned());
    let mut config = test_config();
    config.directory.ldap = Some(directory);
    let srv = TestServer::start_with(Options { config: Some(config), ..Options::default() }).await;
    srv.create_section("ICT Operations").await;

    let browser = Browser::launch(&srv).await;
    let session = browser.session("directory").await;
    session.goto("/ui/login").await;
    session.wait_for_text("#login-hint", "directory").await;
    session.fill("input[name=login]", "dora").await;
    session.fill("input[name=password]", "Directory-Pass-1").await;
    session.click("button[type=submit]").await;
    session.wait_for_text("header", "dora").await;
    assert!(!session.path().await.starts_with("/ui/login"));
    session.screenshot("directory-signed-in").await;
    // The account is a manager's, of the section the directory names.
    session.goto("/ui/profile").await;
    session.wait_for_text("main", "ICT Operations").await;
    session.close().await;
    browser.close();
}

#[tokio::test]
async fn single_sign_on_runs_the_whole_code_flow_through_the_providers_page() {
    let oidc = TestOidc::start().await;
    oidc.set_user(
        "olga-sub",
        json!({"email": "olga@bank.test", "preferred_username": "olga", "given_name": "Olga", "family_name": "Ops",
               "sentinel_role": "manager", "department": "ICT Operations"}),
    )
    .await;
    let mut sso = OidcConfig::new(oidc.issuer(), "sentinelops");
    sso.client_secret = Some("client-secret".to_owned().into());
    sso.role_claim = "sentinel_role".into();
    sso.mapping.section_attribute = Some("department".into());
    sso.display_name = "Bank SSO".into();
    let mut config = test_config();
    config.directory.oidc = Some(sso);
    let srv = TestServer::start_with(Options { config: Some(config), ..Options::default() }).await;
    srv.create_section("ICT Operations").await;

    let browser = Browser::launch(&srv).await;
    let session = browser.session("sso").await;
    session.goto("/ui/login").await;
    session.wait_for_text("#single-sign-on", "Sign in with Bank SSO").await;
    session.screenshot("sign-in-page").await;
    session.click("#single-sign-on").await;
    // The provider's own page, on its own origin.
    session.wait_for(SUB_FIELD).await;
    session.screenshot("provider-page").await;
    session.fill(SUB_FIELD, "olga-sub").await;
    session.click(AUTHORIZE_BUTTON).await;
    session.wait_for_text("header", "olga").await;
    assert_eq!(session.path().await, "/ui/dashboard");
    session.screenshot("sso-signed-in").await;

    // Sign-out ends our session; the sign-in page offers single sign-on again.
    session.click("form[action='/ui/logout'] button").await;
    session.wait_for_text("#single-sign-on", "Bank SSO").await;
    session.close().await;
    browser.close();
}
