//! Outbound webhooks: one JSON POST per event class and configured URL, signed with
//! HMAC-SHA256 when a secret is configured, sent from the outbox.
//!
//! Headers: `X-SentinelOps-Event: <class>`, `X-SentinelOps-Delivery: <outbox id>` (the
//! same on every retry, so receivers can drop duplicates) and, with a secret,
//! `X-SentinelOps-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. Any 2xx answer is
//! a delivery; redirects are not followed.

use std::sync::OnceLock;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use crate::config::WebhookConfig;

/// How long one POST may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The event classes a webhook can subscribe to.
pub const CLASSES: [&str; 5] = ["escalation", "skip", "completion", "handover", "reminder"];

/// A webhook row of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookPayload {
    pub class: String,
    /// The JSON body POSTed to every target.
    pub body: Value,
    /// Targets that already answered 2xx (a retry skips them).
    #[serde(default)]
    pub delivered: Vec<String>,
}

/// `sha256=<hex>` of HMAC-SHA256 over `body` with `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let digest = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    };
    let mut out = String::with_capacity(7 + digest.len() * 2);
    out.push_str("sha256=");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The URLs configured for `class`, each once, in configuration order.
pub fn targets<'a>(config: &'a WebhookConfig, class: &str) -> Vec<&'a str> {
    let mut urls: Vec<&str> = Vec::new();
    for (c, url) in &config.targets {
        if c.eq_ignore_ascii_case(class) && !url.trim().is_empty() && !urls.contains(&url.trim()) {
            urls.push(url.trim());
        }
    }
    urls
}

/// One HTTP client for the process (connection pool, TLS roots loaded once).
fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let built = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("SentinelOps/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    Ok(CLIENT.get_or_init(|| built))
}

/// POSTs `body` to `url`; `Err` describes why it did not answer 2xx.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn post(url: &str, class: &str, delivery_id: &str, body: &[u8], secret: Option<&str>) -> Result<(), String> {
    let mut request = client()?
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-SentinelOps-Event", class)
        .header("X-SentinelOps-Delivery", delivery_id)
        .body(body.to_vec());
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        request = request.header("X-SentinelOps-Signature", signature(secret.as_bytes(), body));
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("{url} answered {}", response.status())),
        Err(e) if e.is_timeout() => Err(format!("{url} timed out after {} s", TIMEOUT.as_secs())),
        Err(e) if e.is_connect() => Err(format!("{url} refused or unreachable: {e}")),
        Err(e) => Err(format!("{url} failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn targets_are_per_class_and_unique() {
        let config = WebhookConfig {
            targets: vec![
                ("escalation".into(), "http://a/".into()),
                ("skip".into(), "http://b/".into()),
                ("Escalation".into(), " http://c/ ".into()),
                ("escalation".into(), "http://a/".into()),
            ],
            secret: None,
        };
        assert_eq!(targets(&config, "escalation"), ["http://a/", "http://c/"]);
        assert_eq!(targets(&config, "skip"), ["http://b/"]);
        assert!(targets(&config, "completion").is_empty());
    }
}
