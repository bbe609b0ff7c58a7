//! A thin HTTP client for the benchmark (one keep-alive connection per worker).

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

impl Api {
    pub fn new(base: &str) -> anyhow::Result<Api> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(1)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .context("http client")?;
        Ok(Api { base: base.to_owned(), client })
    }

    /// Sends a JSON request; returns the status and the parsed body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let method = Method::from_bytes(method.as_bytes()).context("method")?;
        let mut request = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }

    pub async fn expect_ok(&self, method: &str, path: &str, token: &str, body: Value) -> anyhow::Result<()> {
        let (status, answer) = self.send(method, path, token, Some(body)).await?;
        if status != 200 {
            bail!("{method} {path}: {status} {answer}");
        }
        Ok(())
    }

    /// GET returning the raw body (its size matters to the report).
    pub async fn get_raw(&self, path: &str, token: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.bytes().await?.to_vec()))
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let response = self
            .client
            .post(format!("{}/auth/signin", self.base))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("sign-in of {email}: {status} {body}");
        }
        Ok(body["token"].as_str().context("token")?.to_owned())
    }
}
