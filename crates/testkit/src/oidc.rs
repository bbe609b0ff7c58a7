//! A real OpenID provider on a free loopback port: `oidc-provider-mock` 0.3.4 from PyPI
//! (`python3 -m oidc_provider_mock`, run as a child process that is killed on drop).
//!
//! What the provider does (0.3.4, read from its source and checked by the tests below):
//! - Discovery at `/.well-known/openid-configuration`; its `issuer` is built from the
//!   request's Host header, so everything must use `http://127.0.0.1:PORT` (what
//!   [`TestOidc::issuer`] returns), never `localhost`, or issuers will not match.
//! - Any client id and secret are accepted and any redirect URI (no registration), with
//!   `client_secret_basic` or `client_secret_post`. Only `response_type=code`.
//! - ID tokens are RS256, keys at `/jwks` (a new key each start). Claims: `iss`, `sub`,
//!   `aud` (an array with the client id), `iat`, `exp` (`iat` + the token lifetime),
//!   `auth_time`, `at_hash`, `nonce` (when the request had one), and the user's claims
//!   set with [`TestOidc::set_user`]: non-standard ones (`groups`, `sentinel_role`,
//!   `department`, ...) always, standard ones only with their scope (`email` with scope
//!   `email`, `name` with `profile`). Userinfo answers the same claims.
//! - Access and ID tokens live [`OidcOptions::token_lifetime`] (the provider's default: one
//!   hour); a negative lifetime issues tokens that are already expired.
//! - PKCE: the provider accepts `code_challenge`/`code_challenge_method=S256` but does
//!   NOT check the `code_verifier` (no PKCE extension is registered in 0.3.4). The
//!   harness's [`TestOidc::authorize`] checks that the request carries an S256 challenge
//!   and remembers it per code ([`TestOidc::code_challenge`]) so a test can check the
//!   verifier the app sent is the right one by other means.
//! - A user never set is authorised all the same, with claims `{"email": sub}`.
//!
//! The authorization page (`GET` the authorize URL) is a form posted back to the same URL:
//! a text field `sub` ([`SUB_FIELD`]) and an "Authorize" button ([`AUTHORIZE_BUTTON`]);
//! a separate form's "Deny" button ([`DENY_BUTTON`]) answers `error=access_denied`.
//! The provider answers the post with a 302 to the app's redirect URI, `?code=..&state=..`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// CSS selector of the authorization form's subject field (type the user's `sub` here).
pub const SUB_FIELD: &str = "input[name=\"sub\"]";
/// CSS selector of the button that authorises (the form's only submit button without a name;
/// the predefined and recent users' buttons carry `name="sub"`, Deny carries `name="action"`).
pub const AUTHORIZE_BUTTON: &str = "button[type=\"submit\"]:not([name])";
/// CSS selector of the button that refuses (the app gets `error=access_denied`).
pub const DENY_BUTTON: &str = "button[name=\"action\"][value=\"deny\"]";

/// The pip line that installs the provider (as `.ci/run` does).
pub const PIP_INSTALL: &str = "python3 -m pip install --quiet oidc-provider-mock==0.3.4";

/// How long the provider may take to answer discovery after its start.
const START_LIMIT: Duration = Duration::from_secs(30);

/// How the provider runs.
#[derive(Debug, Clone)]
pub struct OidcOptions {
    /// Lifetime of access and ID tokens, in seconds (`exp` = `iat` + this); negative gives
    /// tokens that are expired when issued.
    pub token_lifetime: i64,
    /// Refuse authorization requests without a `nonce`.
    pub require_nonce: bool,
}

impl Default for OidcOptions {
    fn default() -> Self {
        OidcOptions { token_lifetime: 3600, require_nonce: false }
    }
}

/// A running provider; killed on drop.
pub struct TestOidc {
    port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
    http: reqwest::Client,
    /// Authorization code -> the `code_challenge` of the request that got it.
    challenges: Mutex<HashMap<String, String>>,
}

impl TestOidc {
    /// Starts the provider with the default options (tokens live an hour, nonce optional).
    pub async fn start() -> TestOidc {
        Self::start_with(OidcOptions::default()).await
    }

    /// Starts the provider and waits until discovery answers. Fails, naming the pip line,
    /// when the package is not installed for `python3` (or `SENTINELOPS_PYTHON`).
    pub async fn start_with(options: OidcOptions) -> TestOidc {
        let python = python();
        let probe = Command::new(&python).args(["-c", "import oidc_provider_mock"]).output();
        match probe {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "the OpenID provider for the tests is not installed for {}: run `{PIP_INSTALL}` (.ci/run does)\n{}",
                python.display(),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!("cannot run {} ({e}); the OIDC tests need Python with `{PIP_INSTALL}`", python.display()),
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let log = tempfile::NamedTempFile::new().expect("the provider's log file");
        let err = log.reopen().expect("the provider's log file");
        let out = log.reopen().expect("the provider's log file");
        let child = Command::new(&python)
            .args(["-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(format!("--token-max-age={}", options.token_lifetime))
            .arg(format!("--require-nonce={}", options.require_nonce))
            // Plain-text log lines (no colours), and Python's deprecation chatter silenced.
            .env("NO_COLOR", "1")
            .env("PYTHONWARNINGS", "ignore")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("start {} -m oidc_provider_mock: {e}", python.display()));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        let mut oidc = TestOidc { port, child, log, http, challenges: Mutex::new(HashMap::new()) };
        oidc.wait_for_discovery().await;
        oidc
    }

    /// `http://127.0.0.1:PORT`, exactly the `issuer` of discovery and of the ID tokens.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `issuer` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    /// Sets (replaces) the claims of user `sub`, e.g. `{"email": .., "name": .., "groups": [..]}`:
    /// what the ID token and userinfo carry for them from the next authorization on.
    pub async fn set_user(&self, sub: &str, claims: serde_json::Value) {
        let response = self
            .http
            .put(self.url(&format!("/users/{}", path_segment(sub))))
            .json(&claims)
            .send()
            .await
            .expect("PUT the user's claims to the provider");
        let status = response.status();
        assert_eq!(status, 204, "set the user's claims: {}", response.text().await.unwrap_or_default());
    }

    /// Revokes every access and refresh token of `sub` (userinfo then answers 401).
    pub async fn revoke_tokens(&self, sub: &str) {
        let url = self.url(&format!("/users/{}/revoke-tokens", path_segment(sub)));
        let response = self.http.post(url).send().await.expect("revoke the user's tokens");
        assert_eq!(response.status(), 204, "revoke the user's tokens");
    }

    /// Completes the authorization page as user `sub` with a plain HTTP client (what a
    /// person does with [`SUB_FIELD`] and [`AUTHORIZE_BUTTON`]): returns the URL the
    /// provider redirects to, the app's callback with `code` and `state`.
    ///
    /// Checks, as the bank's provider would insist, that the app asked for an S256 PKCE
    /// challenge, a nonce and a state; the challenge is kept for [`Self::code_challenge`].
    pub async fn authorize(&self, authorize_url: &str, sub: &str) -> String {
        let query = query_of(authorize_url);
        for key in ["state", "nonce", "code_challenge"] {
            assert!(query.get(key).is_some_and(|v| !v.is_empty()), "the authorization request lacks `{key}`");
        }
        assert_eq!(query.get("code_challenge_method").map(String::as_str), Some("S256"), "PKCE must be S256");
        let location = self.post_form(authorize_url, &[("sub", sub)]).await;
        if let (Some(code), Some(challenge)) = (query_of(&location).remove("code"), query.get("code_challenge")) {
            self.challenges.lock().unwrap().insert(code, challenge.clone());
        }
        location
    }

    /// Presses Deny on the authorization page: returns the app's callback with
    /// `error=access_denied`.
    pub async fn deny(&self, authorize_url: &str) -> String {
        self.post_form(authorize_url, &[("action", "deny")]).await
    }

    /// The S256 `code_challenge` of the request that got `code` (through [`Self::authorize`]):
    /// the provider does not check PKCE, a test can (BASE64URL(SHA-256(verifier))).
    pub fn code_challenge(&self, code: &str) -> Option<String> {
        self.challenges.lock().unwrap().get(code).cloned()
    }

    /// What the provider logged so far (one line per request).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    async fn post_form(&self, authorize_url: &str, form: &[(&str, &str)]) -> String {
        let response =
            self.http.post(authorize_url).form(form).send().await.expect("post the provider's authorization form");
        let status = response.status();
        let location =
            response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        match location {
            Some(location) if status.is_redirection() => location,
            _ => panic!(
                "the provider did not redirect ({status}): {}\n{}",
                response.text().await.unwrap_or_default(),
                self.log()
            ),
        }
    }

    async fn wait_for_discovery(&mut self) {
        let started = Instant::now();
        let discovery = self.url("/.well-known/openid-configuration");
        loop {
            if let Ok(response) = self.http.get(&discovery).send().await
                && response.status().is_success()
            {
                return;
            }
            let exited = self.child.try_wait().ok().flatten();
            assert!(exited.is_none(), "the OpenID provider exited ({exited:?}):\n{}", self.log());
            assert!(started.elapsed() < START_LIMIT, "the OpenID provider does not answer:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TestOidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if crate::log::filter().is_some() {
            eprintln!("--- oidc-provider-mock ({}) ---\n{}", self.issuer(), self.log());
        }
    }
}

/// `SENTINELOPS_PYTHON`, else `python3` from PATH.
fn python() -> PathBuf {
    std::env::var_os("SENTINELOPS_PYTHON")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

/// `sub` as one URL path segment (subjects are often e-mail addresses).
fn path_segment(sub: &str) -> String {
    sub.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query parameters of a URL, decoded (the last value of a repeated key); none when
/// it is not a URL.
pub fn query_of(url: &str) -> HashMap<String, String> {
    reqwest::Url::parse(url).map(|u| u.query_pairs().into_owned().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};

    use super::*;

    const CLIENT_ID: &str = "sentinelops";
    const CLIENT_SECRET: &str = "client-secret";
    const REDIRECT_URI: &str = "http://127.0.0.1:9/auth/oidc/callback";

    /// The authorize URL an app builds: code flow, PKCE S256, nonce and state.
    fn authorize_url(provider: &Value, verifier: &str, nonce: &str, state: &str) -> String {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut url = reqwest::Url::parse(provider["authorization_endpoint"].as_str().unwrap()).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", CLIENT_ID)
            .append_pair("redirect_uri", REDIRECT_URI)
            .append_pair("scope", "openid email profile")
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        url.to_string()
    }

    async fn discovery(oidc: &TestOidc) -> Value {
        let response = reqwest::get(oidc.url("/.well-known/openid-configuration")).await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The payload of a JWT (the signature is the app's to check).
    fn jwt_claims(jwt: &str) -> Value {
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "a JWT has three parts: {jwt}");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
    }

    /// Runs the flow as `sub` up to the token endpoint's answer.
    async fn sign_in(oidc: &TestOidc, sub: &str, nonce: &str) -> Value {
        let discovery = discovery(oidc).await;
        let verifier = "a-verifier-of-forty-three-characters-or-more-0123456789";
        let url = authorize_url(&discovery, verifier, nonce, "state-1");
        let callback = oidc.authorize(&url, sub).await;
        assert!(callback.starts_with(REDIRECT_URI), "{callback}");
        let query = query_of(&callback);
        assert_eq!(query["state"], "state-1");
        let code = &query["code"];
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        assert_eq!(oidc.code_challenge(code), Some(expected));
        let response = reqwest::Client::new()
            .post(discovery["token_endpoint"].as_str().unwrap())
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    #[tokio::test]
    async fn discovery_names_the_issuer_and_the_form_has_the_documented_fields() {
        let oidc = TestOidc::start().await;
        let discovery = discovery(&oidc).await;
        assert_eq!(discovery["issuer"], oidc.issuer());
        assert_eq!(discovery["token_endpoint"], oidc.url("/oauth2/token"));
        assert_eq!(discovery["userinfo_endpoint"], oidc.url("/userinfo"));
        assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["RS256"]));

        let page = reqwest::get(authorize_url(&discovery, "v", "n", "s")).await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(r#"name="sub""#), "{html}");
        assert!(html.contains(r#"<button type="submit">Authorize</button>"#), "{html}");
        assert!(html.contains(r#"name="action" value="deny""#), "{html}");

        let denied = oidc.deny(&authorize_url(&discovery, "v", "n", "s")).await;
        assert!(denied.starts_with(REDIRECT_URI), "{denied}");
        assert_eq!(query_of(&denied)["error"], "access_denied");
    }

    #[tokio::test]
    async fn the_code_flow_gives_an_id_token_with_the_claims_set_and_the_nonce() {
        let oidc = TestOidc::start().await;
        let claims = json!({
            "email": "ann.lee@bank.test",
            "name": "Ann Lee",
            "groups": ["sentinel-managers", "branch-harare"],
            "sentinel_role": "manager",
            "department": "Operations",
        });
        oidc.set_user("ann.lee@bank.test", claims.clone()).await;
        let tokens = sign_in(&oidc, "ann.lee@bank.test", "nonce-123").await;

        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["iss"], oidc.issuer());
        assert_eq!(id["sub"], "ann.lee@bank.test");
        assert_eq!(id["aud"], json!([CLIENT_ID]));
        assert_eq!(id["nonce"], "nonce-123");
        for (name, value) in claims.as_object().unwrap() {
            assert_eq!(&id[name], value, "claim {name} in {id}");
        }
        let lifetime = id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap();
        assert_eq!(lifetime, 3600, "{id}");

        let userinfo: Value = reqwest::Client::new()
            .get(oidc.url("/userinfo"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(userinfo["groups"], claims["groups"]);
        assert_eq!(userinfo["email"], claims["email"]);

        // The key set the app checks the ID token's RS256 signature with.
        let jwks: Value = reqwest::get(oidc.url("/jwks")).await.unwrap().json().await.unwrap();
        assert_eq!(jwks["keys"][0]["kty"], "RSA", "{jwks}");
    }

    #[tokio::test]
    async fn a_negative_lifetime_issues_expired_tokens() {
        let oidc = TestOidc::start_with(OidcOptions { token_lifetime: -120, ..OidcOptions::default() }).await;
        oidc.set_user("bob", json!({"email": "bob@bank.test"})).await;
        let tokens = sign_in(&oidc, "bob", "nonce-9").await;
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        let now = i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs())
            .unwrap();
        assert!(id["exp"].as_i64().unwrap() < now - 60, "{id}");
    }
}
