//! The OpenID Connect conversation: discovery, the authorization request (code flow
//! with PKCE, state and nonce), the code exchange, ID-token validation against the
//! provider's keys and our clock, and the userinfo call. Nothing here touches our
//! database; `directory::mod` keeps the flow between the two halves.

use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use std::str::FromStr;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use sentinelops_domain::directory::{AuthSource, DirectoryPerson, Dn};
use serde_json::{Map, Value};

use crate::config::OidcConfig;

/// Why an OpenID Connect sign-in did not produce a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcFailure {
    /// The provider could not be reached or answered nonsense (discovery, token, keys).
    #[error("identity provider unavailable: {0}")]
    Unavailable(String),
    /// The answer failed validation: state, nonce, signature, audience, expiry, claims.
    #[error("sign-in rejected: {0}")]
    Rejected(String),
}

impl OidcFailure {
    /// The answer class written to the auth event.
    pub fn class(&self) -> &'static str {
        match self {
            OidcFailure::Unavailable(_) => "unavailable",
            OidcFailure::Rejected(_) => "rejected",
        }
    }
}

fn unavailable(context: &str, err: impl std::fmt::Display) -> OidcFailure {
    OidcFailure::Unavailable(format!("{context}: {err}"))
}

fn rejected(context: &str, err: impl std::fmt::Display) -> OidcFailure {
    OidcFailure::Rejected(format!("{context}: {err}"))
}

/// How long the provider's discovery document (and so its keys) is reused.
const METADATA_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// The HTTP client and the cached discovery document of the provider.
#[derive(Debug, Clone)]
pub struct Provider {
    http: reqwest::Client,
    metadata: std::sync::Arc<tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>>,
}

impl Provider {
    pub fn new(timeout: std::time::Duration) -> Provider {
        // No redirects: a token endpoint that redirects could send the code elsewhere
        // (the library's own advice).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        Provider { http, metadata: std::sync::Arc::default() }
    }

    /// The discovery document, read again after `METADATA_TTL` (keys rotate).
    async fn metadata(&self, config: &OidcConfig) -> Result<CoreProviderMetadata, OidcFailure> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, metadata)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| unavailable("issuer URL", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| unavailable("discovery", crate::error::with_causes(&e)))?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(
        &self,
        config: &OidcConfig,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcFailure,
    > {
        let metadata = self.metadata(config).await?;
        let redirect = RedirectUrl::new(config.redirect_url.clone()).map_err(|e| unavailable("redirect URL", e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            config.client_secret.as_ref().map(|s| ClientSecret::new(s.expose().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// The first half: where to send the browser, and the secrets to keep until it
    /// comes back.
    pub async fn begin(&self, config: &OidcConfig) -> Result<Begun, OidcFailure> {
        let client = self.client(config).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in &config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Begun {
            authorize_url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// The second half: exchanges the code, validates the ID token at `now` (our
    /// clock), reads userinfo, and maps the claims to a person.
    pub async fn finish(
        &self,
        config: &OidcConfig,
        code: &str,
        kept: Kept<'_>,
        now: DateTime<Utc>,
    ) -> Result<DirectoryPerson, OidcFailure> {
        let client = self.client(config).await?;
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| unavailable("token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(kept.pkce_verifier.to_owned()));
        let tokens = exchange.request_async(&self.http).await.map_err(|e| match &e {
            // The provider refused the code (used, expired, wrong verifier): a rejection.
            openidconnect::RequestTokenError::ServerResponse(_) => rejected("code exchange", &e),
            _ => unavailable("code exchange", crate::error::with_causes(&e)),
        })?;
        let id_token = tokens.id_token().ok_or_else(|| rejected("code exchange", "no ID token in the answer"))?;
        self.person_of(config, &id_token.to_string(), Some(tokens.access_token().secret()), kept.nonce, now).await
    }

    /// Validates an ID token (signature by the provider's keys, issuer, audience, expiry
    /// at `now`, and the `nonce` the flow kept), reads userinfo with the access token,
    /// and maps the claims to a person.
    pub async fn person_of(
        &self,
        config: &OidcConfig,
        id_token: &str,
        access_token: Option<&str>,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<DirectoryPerson, OidcFailure> {
        let client = self.client(config).await?;
        let parsed = CoreIdToken::from_str(id_token).map_err(|e| rejected("ID token", e))?;
        let verifier = client.id_token_verifier().set_time_fn(move || now);
        let claims = parsed.claims(&verifier, &Nonce::new(nonce.to_owned())).map_err(|e| rejected("ID token", e))?;
        let subject = claims.subject().as_str().to_owned();
        // The library has checked the signature of exactly this token; its payload is
        // read again as JSON for the claims the standard set does not name (roles,
        // groups, a department).
        let mut all = payload(id_token).map_err(|e| rejected("ID token", e))?;
        if let (Some(url), Some(access_token)) = (client.user_info_url(), access_token) {
            // Userinfo only adds claims: a provider whose access token is for another
            // resource (Entra ID's, for one) may refuse it, and the ID token still stands.
            match self.user_info(url.url().as_str(), access_token).await {
                Ok(info) => {
                    if info.get("sub").and_then(Value::as_str) != Some(subject.as_str()) {
                        return Err(rejected("userinfo", "its subject is not the ID token's"));
                    }
                    for (key, value) in info {
                        all.entry(key).or_insert(value);
                    }
                }
                Err(failure) => tracing::warn!(cause = %failure, "OpenID Connect: userinfo unread, using the ID token"),
            }
        }
        person(config, &subject, &all)
    }

    async fn user_info(&self, url: &str, access_token: &str) -> Result<Map<String, Value>, OidcFailure> {
        let response =
            self.http.get(url).bearer_auth(access_token).send().await.map_err(|e| unavailable("userinfo", e))?;
        if !response.status().is_success() {
            return Err(unavailable("userinfo", response.status()));
        }
        response.json().await.map_err(|e| rejected("userinfo", e))
    }
}

/// What the first half hands the caller.
#[derive(Debug, Clone)]
pub struct Begun {
    pub authorize_url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The secrets kept between the halves.
#[derive(Debug, Clone, Copy)]
pub struct Kept<'a> {
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
}

/// The JSON payload of a compact JWS.
fn payload(token: &str) -> Result<Map<String, Value>, String> {
    let part = token.split('.').nth(1).ok_or("not a compact JWT")?;
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// A claim as a list of strings (a provider sends one string or an array).
fn strings(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The person the claims describe, in our terms.
fn person(config: &OidcConfig, subject: &str, claims: &Map<String, Value>) -> Result<DirectoryPerson, OidcFailure> {
    // An address the provider says it has not verified is not kept; one it vouches for
    // (true, or "true" as some providers send it) may match an existing account.
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    };
    let email = text(claims, "email").filter(|_| email_verified != Some(false)).map(|e| e.to_lowercase());
    let username = text(claims, "preferred_username")
        .or_else(|| email.clone())
        .unwrap_or_else(|| subject.to_owned())
        .to_lowercase();
    let role_values = strings(claims, &config.role_claim);
    let groups: Vec<Dn> = role_values.iter().map(|v| Dn::new(v)).collect();
    // The mapping's section attribute is the section claim here.
    let section_value = config.mapping.section_attribute.as_deref().and_then(|claim| text(claims, claim));
    let section = config.mapping.section_for(&groups, section_value.as_deref());
    let (first_name, last_name) = match (text(claims, "given_name"), text(claims, "family_name")) {
        (None, None) => (text(claims, "name").unwrap_or_default(), String::new()),
        (given, family) => (given.unwrap_or_default(), family.unwrap_or_default()),
    };
    Ok(DirectoryPerson {
        source: AuthSource::Oidc,
        external_id: subject.to_owned(),
        username,
        email,
        email_verified: email_verified == Some(true),
        first_name,
        last_name,
        role: config.mapping.role_for_claim(&role_values).or(config.default_role),
        section,
        disabled: false,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sentinelops_domain::directory::SectionChoice;
    use serde_json::json;

    #[test]
    fn claims_map_to_a_person() {
        let mut config = OidcConfig::new("http://127.0.0.1:1", "sentinelops");
        config.role_claim = "roles".into();
        config.mapping.section_attribute = Some("department".into());
        let claims = json!({"preferred_username": "Dora", "email": "Dora@Bank.test", "given_name": "Dora",
            "family_name": "Directory", "roles": ["manager"], "department": "Cards"});
        let p = person(&config, "sub-1", claims.as_object().unwrap()).unwrap();
        assert_eq!((p.username.as_str(), p.email.as_deref()), ("dora", Some("dora@bank.test")));
        assert_eq!(p.role, Some(sentinelops_domain::Role::Manager));
        assert_eq!(p.section, SectionChoice::Named("Cards".into()));
        let unverified = json!({"email": "x@bank.test", "email_verified": false, "roles": "user"});
        let p = person(&config, "sub-2", unverified.as_object().unwrap()).unwrap();
        assert_eq!((p.email, p.username.as_str(), p.section), (None, "sub-2", SectionChoice::None));

        // No role claim: refused, unless a default role is configured.
        let no_role = json!({"email": "g@bank.test"});
        assert_eq!(person(&config, "sub-3", no_role.as_object().unwrap()).unwrap().role, None);
        config.default_role = Some(sentinelops_domain::Role::User);
        assert_eq!(person(&config, "sub-3", no_role.as_object().unwrap()).unwrap().role, config.default_role);
    }

    #[test]
    fn the_payload_of_a_jws_is_read() {
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"a","groups":["x"]}"#);
        let claims = payload(&format!("e30.{body}.sig")).unwrap();
        assert_eq!(strings(&claims, "groups"), vec!["x".to_owned()]);
        assert!(payload("nodots").is_err());
    }
}
