//! OpenID Connect sign-in against a real provider (`oidc-provider-mock` from PyPI, run
//! on a loopback port by the harness): the code flow over HTTP, claims to role and
//! section, and the answers that must be refused (another browser's state, a replay,
//! an expired, tampered or wrongly-nonced ID token). The browser test drives the same
//! flow in Chromium.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use sentinelops_app::config::OidcConfig;
use sentinelops_testkit::oidc::{OidcOptions, TestOidc, query_of};
use sentinelops_testkit::world::World;
use sentinelops_testkit::{Options, PASSWORD, TestServer, test_config};
use serde_json::{Value, json};

const CLIENT_ID: &str = "sentinelops";

pub fn oidc_config(oidc: &TestOidc) -> OidcConfig {
    let mut config = OidcConfig::new(oidc.issuer(), CLIENT_ID);
    config.client_secret = Some("client-secret".to_owned().into());
    config.role_claim = "sentinel_role".into();
    config.mapping.section_attribute = Some("department".into());
    config.display_name = "Bank SSO".into();
    config
}

async fn world_with(oidc: &TestOidc) -> World {
    let mut config = test_config();
    config.directory.oidc = Some(oidc_config(oidc));
    World::builder()
        .at(sentinelops_domain::Clock::now(&sentinelops_domain::SystemClock))
        .cards()
        .options(Options { config: Some(config), ..Options::default() })
        .build()
        .await
}

/// The bank's people at the provider: Olga (manager of Cards), Uma (an operator of no
/// section claim), Rex (no role claim).
async fn provider_people(oidc: &TestOidc) {
    oidc.set_user(
        "olga-sub",
        json!({"email": "olga@bank.test", "preferred_username": "olga", "given_name": "Olga", "family_name": "Ops",
               "sentinel_role": "manager", "department": "Cards"}),
    )
    .await;
    oidc.set_user("uma-sub", json!({"email": "uma@bank.test", "preferred_username": "uma", "sentinel_role": ["user"]}))
        .await;
    oidc.set_user("rex-sub", json!({"email": "rex@bank.test", "preferred_username": "rex"})).await;
}

/// A browser without a browser: no redirects followed, cookies carried by hand.
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap()
}

fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.split(';').next().and_then(|pair| pair.split_once('=')).filter(|(n, _)| *n == name).map(|(_, v)| v.to_owned())
    })
}

/// "Sign in with …": the provider's authorize URL and this browser's state cookie.
async fn begin(srv: &TestServer) -> (String, String) {
    let response = client().get(srv.url("/ui/login/oidc?next=/ui/checklists")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{:?}", response.text().await);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let state = cookie_value(&response, "sentinelops_oidc_state").expect("the flow is bound to this browser");
    (location, state)
}

/// Follows the provider's redirect back to us with the given state cookie.
async fn finish(callback: &str, state_cookie: &str) -> reqwest::Response {
    client().get(callback).header(COOKIE, format!("sentinelops_oidc_state={state_cookie}")).send().await.unwrap()
}

async fn last_failure(w: &World, username: &str) -> Value {
    let path = format!("/api/v1/auth/events?username={username}&event_type=LOGIN_FAILURE&limit=1");
    let (status, body) = w.srv.get(&path, &w.admin).await;
    assert_eq!(status, 200, "{body}");
    body["items"][0].clone()
}

#[tokio::test]
async fn the_code_flow_signs_in_with_the_role_and_section_of_the_claims() {
    let oidc = TestOidc::start().await;
    provider_people(&oidc).await;
    let w = world_with(&oidc).await;

    let (authorize_url, state) = begin(&w.srv).await;
    assert!(authorize_url.starts_with(&oidc.issuer()), "{authorize_url}");
    let asked = query_of(&authorize_url);
    assert_eq!(asked["client_id"], CLIENT_ID);
    assert_eq!(asked["redirect_uri"], w.srv.url("/ui/login/oidc/callback"));
    assert!(asked["scope"].contains("openid") && asked["scope"].contains("email"), "{asked:?}");
    let callback = oidc.authorize(&authorize_url, "olga-sub").await;
    let response = finish(&callback, &state).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/ui/checklists", "back where the person was going");
    let token = cookie_value(&response, "sentinelops_session").expect("a session cookie");
    assert_eq!(cookie_value(&response, "sentinelops_oidc_state").as_deref(), Some(""), "the state cookie is spent");

    let (status, me) = w.srv.get("/auth/me", &token).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("olga"), Some("manager")));
    assert_eq!((&me["section_id"], me["auth_source"].as_str()), (&json!(w.cards().id), Some("oidc")));
    assert_eq!((me["first_name"].as_str(), me["email"].as_str()), (Some("Olga"), Some("olga@bank.test")));
    let (_, events) = w.srv.get("/api/v1/auth/events?username=olga&event_type=LOGIN_SUCCESS", &w.admin).await;
    let success = &events["items"][0]["metadata"];
    assert_eq!((success["source"].as_str(), success["login_type"].as_str()), (Some("oidc"), Some("oidc")));

    // The same person again: the same account, refreshed from the claims.
    oidc.set_user(
        "olga-sub",
        json!({"email": "olga@bank.test", "preferred_username": "olga", "sentinel_role": "admin", "department": "Cards"}),
    )
    .await;
    let (authorize_url, state) = begin(&w.srv).await;
    let response = finish(&oidc.authorize(&authorize_url, "olga-sub").await, &state).await;
    let token = cookie_value(&response, "sentinelops_session").unwrap();
    let (_, again) = w.srv.get("/auth/me", &token).await;
    assert_eq!((&again["id"], again["role"].as_str()), (&me["id"], Some("admin")));

    // An operator whose role claim is a list, and no section claim: no section.
    let (authorize_url, state) = begin(&w.srv).await;
    let response = finish(&oidc.authorize(&authorize_url, "uma-sub").await, &state).await;
    let token = cookie_value(&response, "sentinelops_session").unwrap();
    let (_, uma) = w.srv.get("/auth/me", &token).await;
    assert_eq!((uma["role"].as_str(), &uma["section_id"]), (Some("user"), &Value::Null));

    // No role claim at all: refused, with the reason, and no account.
    let (authorize_url, state) = begin(&w.srv).await;
    let response = finish(&oidc.authorize(&authorize_url, "rex-sub").await, &state).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("not in a SentinelOps group"));
    assert_eq!(last_failure(&w, "rex").await["metadata"]["reason"], "no_group");

    // A single sign-on account has no password here.
    let (status, _) =
        w.srv.call(Method::POST, "/auth/signin", None, Some(json!({"email": "olga", "password": PASSWORD}))).await;
    assert_eq!(status, 401);
    assert_eq!(last_failure(&w, "olga").await["metadata"]["reason"], "wrong_source");
}

#[tokio::test]
async fn another_browsers_state_a_replay_and_a_refusal_at_the_provider_sign_nobody_in() {
    let oidc = TestOidc::start().await;
    provider_people(&oidc).await;
    let w = world_with(&oidc).await;

    // The victim's browser holds its own state; the attacker's callback carries another.
    let (attacker_url, _) = begin(&w.srv).await;
    let (_, victim_state) = begin(&w.srv).await;
    let attacker_callback = oidc.authorize(&attacker_url, "olga-sub").await;
    let response = finish(&attacker_callback, &victim_state).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&response, "sentinelops_session").is_none());
    assert_eq!(last_failure(&w, "oidc").await["metadata"]["directory_answer"], "state_mismatch");

    // The right browser, once; the same answer again is refused (the flow is spent).
    let (url, state) = begin(&w.srv).await;
    let callback = oidc.authorize(&url, "olga-sub").await;
    assert_eq!(finish(&callback, &state).await.status(), StatusCode::SEE_OTHER);
    let replay = finish(&callback, &state).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&replay, "sentinelops_session").is_none());
    assert_eq!(last_failure(&w, "oidc").await["metadata"]["directory_answer"], "unknown_state");

    // The person pressed Deny at the provider.
    let (url, state) = begin(&w.srv).await;
    let denied = finish(&oidc.deny(&url).await, &state).await;
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    assert!(denied.text().await.unwrap().contains("Single sign-on failed"));
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    // The provider's tokens live a minute; the browser comes back five minutes later
    // by our clock (well inside the flow's ten).
    let oidc = TestOidc::start_with(OidcOptions { token_lifetime: 60, ..OidcOptions::default() }).await;
    provider_people(&oidc).await;
    let w = world_with(&oidc).await;
    let (url, state) = begin(&w.srv).await;
    let callback = oidc.authorize(&url, "olga-sub").await;
    w.clock.advance(chrono::Duration::minutes(5));
    let response = finish(&callback, &state).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&response, "sentinelops_session").is_none());
    let failure = last_failure(&w, "oidc").await;
    assert_eq!(
        (failure["metadata"]["reason"].as_str(), failure["metadata"]["directory_answer"].as_str()),
        (Some("oidc_rejected"), Some("rejected"))
    );
}

/// An ID token the provider really issued for our client, and the nonce it carries.
async fn issued_id_token(oidc: &TestOidc, srv: &TestServer, sub: &str) -> (String, String) {
    let (url, _) = begin(srv).await;
    let asked = query_of(&url);
    let code = query_of(&oidc.authorize(&url, sub).await)["code"].clone();
    let discovery: Value =
        client().get(oidc.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    let tokens: Value = client()
        .post(discovery["token_endpoint"].as_str().unwrap())
        .basic_auth(CLIENT_ID, Some("client-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", &asked["redirect_uri"]),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (tokens["id_token"].as_str().unwrap().to_owned(), asked["nonce"].clone())
}

#[tokio::test]
async fn a_tampered_token_a_wrong_nonce_and_a_late_token_fail_validation() {
    let oidc = TestOidc::start().await;
    provider_people(&oidc).await;
    let w = world_with(&oidc).await;
    let (id_token, nonce) = issued_id_token(&oidc, &w.srv, "olga-sub").await;

    let person = w.srv.app.oidc_person_of(&id_token, &nonce).await.expect("the real token validates");
    assert_eq!((person.username.as_str(), person.role), ("olga", Some(sentinelops_domain::Role::Manager)));

    // The payload changed to another role, the signature kept: refused.
    let parts: Vec<&str> = id_token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sentinel_role"] = json!("admin");
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    let err = w.srv.app.oidc_person_of(&forged, &nonce).await.unwrap_err();
    assert!(err.to_string().contains("ID token"), "{err}");
    // A signature of another token.
    let (other, _) = issued_id_token(&oidc, &w.srv, "uma-sub").await;
    let spliced = format!("{}.{}.{}", parts[0], parts[1], other.split('.').nth(2).unwrap());
    assert!(w.srv.app.oidc_person_of(&spliced, &nonce).await.is_err());

    // The nonce of another flow.
    let err = w.srv.app.oidc_person_of(&id_token, "some-other-nonce").await.unwrap_err();
    assert!(err.to_string().to_lowercase().contains("nonce"), "{err}");

    // Two hours later by our clock, the same token has expired.
    w.clock.advance(chrono::Duration::hours(2));
    let err = w.srv.app.oidc_person_of(&id_token, &nonce).await.unwrap_err();
    assert!(err.to_string().to_lowercase().contains("expire"), "{err}");
}

#[tokio::test]
async fn a_provider_name_that_a_local_account_holds_gets_an_account_of_its_own() {
    let oidc = TestOidc::start().await;
    // The provider lets people choose their name: this one chose a local operator's.
    oidc.set_user(
        "mimic-sub",
        json!({"email": "mimic@elsewhere.test", "preferred_username": "olu.operator", "sentinel_role": "admin"}),
    )
    .await;
    let w = world_with(&oidc).await;
    let (url, state) = begin(&w.srv).await;
    let response = finish(&oidc.authorize(&url, "mimic-sub").await, &state).await;
    let token = cookie_value(&response, "sentinelops_session").expect("signed in");
    let (_, me) = w.srv.get("/auth/me", &token).await;
    assert_eq!((me["username"].as_str(), me["auth_source"].as_str()), (Some("olu.operator-2"), Some("oidc")));
    assert_ne!(me["id"], json!(w.operator.id), "not the local operator's account");
    let (_, olu) = w.srv.get("/auth/me", &w.operator).await;
    assert_eq!((olu["role"].as_str(), olu["auth_source"].as_str()), (Some("user"), Some("local")));
}
