//! The "export is running" handshake of the Reports page. A download whose body is
//! streamed has no length, so the browser cannot show progress until the file starts;
//! `reports.js` puts a random token in the form, shows "Preparing…" and watches for a
//! cookie of that token, which the export's response sets as soon as its first page is
//! read (its headers go out then). A refusal answers an error page instead, with no cookie.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

/// The cookie `reports.js` watches.
pub const COOKIE: &str = "sentinelops_download";

/// The form's token, read from the same query string as the filters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DownloadToken {
    pub download_token: String,
}

impl DownloadToken {
    /// A token the page made: 8–64 letters and digits (anything else is ignored, so
    /// nothing from the query reaches a header unchecked).
    fn valid(&self) -> Option<&str> {
        let token = self.download_token.as_str();
        ((8..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(token)
    }

    /// `response` with the token's cookie when there is a valid token.
    pub fn mark(&self, mut response: Response) -> Response {
        if let Some(token) = self.valid()
            && let Ok(value) =
                HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/ui; Max-Age=120; SameSite=Strict"))
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_become_cookies() {
        let mark = |token: &str| {
            DownloadToken { download_token: token.to_owned() }
                .mark(Response::new(axum::body::Body::empty()))
                .headers()
                .get(header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert!(mark("abc123XYZ789").is_some_and(|c| c.starts_with("sentinelops_download=abc123XYZ789;")));
        for bad in ["", "short", "abc123XYZ789; Path=/", "abc123XYZ789\r\nX: y", &"a".repeat(65)] {
            assert_eq!(mark(bad), None, "{bad:?}");
        }
    }
}
