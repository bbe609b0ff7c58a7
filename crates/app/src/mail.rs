//! E-mail: composed when a notification is sent (inside its transaction, so it needs no
//! configuration), delivered later from the outbox over SMTP with lettre (rustls with
//! the ring provider; security `none`, `starttls` or `tls`).
//!
//! Every value interpolated into the HTML body is escaped. The link into the UI is
//! stored as a path and prefixed with `mail.public_url` at delivery; with no public URL
//! configured the mail carries no link.
//!
//! A mail may name an attachment by reference ([`AttachmentRef`]); the outbox renders
//! it when it sends, so the row stays small and the file shows the state at sending.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::MailConfig;

/// How long one SMTP step (connect, each command) may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// An e-mail row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPayload {
    pub to: String,
    pub user_id: Option<Uuid>,
    pub subject: String,
    /// Plain-text body, without the link.
    pub text: String,
    /// HTML body (values escaped), without the link and the surrounding document.
    pub html: String,
    /// Path of the link into the UI, e.g. `/checklists/{id}`.
    pub link: Option<String>,
    /// A file to render and attach when the mail is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentRef>,
    /// Path of the one-click acknowledge page of an alert e-mail (issue 21).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge: Option<String>,
}

/// A file named by reference in an outbox row, rendered at delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttachmentRef {
    /// The PDF shift report of a checklist.
    ShiftReport { instance_id: Uuid },
}

/// A rendered file, ready to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAttachment {
    pub filename: String,
    /// A MIME type, e.g. `application/pdf`.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A header value on one line: control characters (CR and LF included) become spaces.
pub(crate) fn one_line(value: &str) -> String {
    let line: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The e-mail for one recipient of a notification.
pub fn compose(
    to: &str,
    user_id: Option<Uuid>,
    title: &str,
    message: &str,
    priority: &str,
    link: Option<String>,
) -> EmailPayload {
    let subject = format!("SentinelOps | {}", one_line(title));
    let text = format!("{title}\n\n{message}\n\nPriority: {priority}\n");
    let paragraphs: Vec<String> = message.lines().map(escape_html).collect();
    let html = format!(
        "<p style=\"margin:0 0 4px;font-size:12px;color:#5b6b7f\">SentinelOps &middot; priority {priority}</p>\n\
         <h2 style=\"margin:0 0 12px;font-size:18px\">{title}</h2>\n\
         <p style=\"margin:0 0 12px\">{message}</p>",
        priority = escape_html(priority),
        title = escape_html(title),
        message = paragraphs.join("<br>\n"),
    );
    EmailPayload { to: to.trim().to_owned(), user_id, subject, text, html, link, attachment: None, acknowledge: None }
}

/// The final plain-text and HTML bodies, with the link under `public_url` (none when
/// no public URL is configured).
pub fn finish(payload: &EmailPayload, public_url: &str) -> (String, String) {
    let base = public_url.trim().trim_end_matches('/');
    let url = payload.link.as_deref().filter(|_| !base.is_empty()).map(|path| format!("{base}{path}"));
    let mut text = payload.text.clone();
    let mut link_html = String::new();
    let acknowledge = payload.acknowledge.as_deref().filter(|_| !base.is_empty()).map(|path| format!("{base}{path}"));
    if let Some(url) = &acknowledge {
        text.push_str(&format!("\nAcknowledge (no sign-in needed, works once): {url}\n"));
        link_html = format!(
            "\n<p style=\"margin:16px 0\"><a href=\"{0}\" style=\"background:#b42318;color:#fff;padding:8px 14px;\
             border-radius:4px;text-decoration:none\">Acknowledge</a></p>",
            escape_html(url)
        );
    }
    if let Some(url) = &url {
        text.push_str(&format!("\nOpen in SentinelOps: {url}\n"));
        link_html.push_str(&format!(
            "\n<p style=\"margin:16px 0\"><a href=\"{0}\" style=\"color:#0b5cad\">Open in SentinelOps</a></p>",
            escape_html(url)
        ));
    }
    text.push_str("\n-- \nSentinelOps. You receive this because e-mail notifications are on in your preferences.\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{subject}</title></head>\n\
         <body style=\"font-family:Arial,Helvetica,sans-serif;color:#1b2430;line-height:1.4\">\n\
         {body}{link_html}\n\
         <p style=\"margin:24px 0 0;font-size:12px;color:#5b6b7f\">You receive this because e-mail \
         notifications are on in your SentinelOps preferences.</p>\n</body></html>\n",
        subject = escape_html(&payload.subject),
        body = payload.html,
    );
    (text, html)
}

/// Why a mail was not sent: worth retrying, or never going to work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailError {
    Transient(String),
    Permanent(String),
}

/// An SMTP client built from the configuration.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// `Ok(None)` when no SMTP host is configured (mail is off); `Err` for a
    /// configuration that cannot work (unknown security, bad sender address).
    pub fn from_config(config: &MailConfig) -> Result<Option<Mailer>, String> {
        let Some(host) = config.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let builder = match config.security.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| format!("invalid SMTP host {host:?}: {e}"))?,
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| format!("invalid SMTP host {host:?}: {e}"))?,
            other => return Err(format!("unknown SMTP security {other:?} (expected none, starttls or tls)")),
        };
        let mut builder = builder.port(config.port).timeout(Some(SMTP_TIMEOUT));
        if let Some(username) = config.username.as_deref().filter(|u| !u.is_empty()) {
            builder = builder.credentials(Credentials::new(
                username.to_owned(),
                config.password.as_ref().map(|p| p.expose().to_owned()).unwrap_or_default(),
            ));
        }
        let from: Mailbox =
            config.from.trim().parse().map_err(|e| format!("invalid sender address {:?}: {e}", config.from))?;
        Ok(Some(Mailer { transport: builder.build(), from, public_url: config.public_url.clone() }))
    }

    /// Sends the mail: its text and HTML alternatives, and `file` attached (as
    /// multipart/mixed) when given.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn send(&self, payload: &EmailPayload, file: Option<&FileAttachment>) -> Result<(), MailError> {
        let to: Mailbox = payload
            .to
            .parse()
            .map_err(|e| MailError::Permanent(format!("invalid recipient address {:?}: {e}", payload.to)))?;
        let (text, html) = finish(payload, &self.public_url);
        let mut body = MultiPart::alternative_plain_html(text, html);
        if let Some(file) = file {
            let content_type = ContentType::parse(file.content_type)
                .map_err(|e| MailError::Permanent(format!("invalid attachment type {:?}: {e}", file.content_type)))?;
            let attached = Attachment::new(one_line(&file.filename)).body(file.bytes.clone(), content_type);
            body = MultiPart::mixed().multipart(body).singlepart(attached);
        }
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(one_line(&payload.subject))
            .multipart(body)
            .map_err(|e| MailError::Permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(format!("SMTP rejected the message: {e}"))),
            Err(e) => Err(MailError::Transient(format!("SMTP delivery failed: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape_html("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(escape_html("a & b \"c\""), "a &amp; b &quot;c&quot;");
        assert_eq!(escape_html("Disk • 97%"), "Disk • 97%");
    }

    #[test]
    fn every_interpolated_value_is_escaped() {
        let mail = compose(
            " ops@bank.example ",
            None,
            "Escalated - <script>x()</script>",
            "Reason: <b>x</b>\nsecond line",
            "<critical>",
            Some("/checklists/abc".into()),
        );
        assert_eq!(mail.to, "ops@bank.example");
        assert_eq!(mail.subject, "SentinelOps | Escalated - <script>x()</script>");
        let (text, html) = finish(&mail, "https://ops.bank.example/");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>x"), "{html}");
        assert!(!html.contains("<critical>"), "{html}");
        assert!(html.contains("&lt;script&gt;x()&lt;/script&gt;"));
        assert!(html.contains("Reason: &lt;b&gt;x&lt;/b&gt;<br>\nsecond line"));
        assert!(html.contains("href=\"https://ops.bank.example/checklists/abc\""));
        assert!(text.contains("Reason: <b>x</b>"));
        assert!(text.contains("Open in SentinelOps: https://ops.bank.example/checklists/abc"));
    }

    #[test]
    fn no_public_url_means_no_link() {
        let mail = compose("a@b.c", None, "T", "M", "low", Some("/checklists/1".into()));
        let (text, html) = finish(&mail, "");
        assert!(!text.contains("/checklists/1"));
        assert!(!html.contains("href"));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let mail = compose("a@b.c", None, "Line one\r\nBcc: x@y.z", "M", "low", None);
        assert_eq!(mail.subject, "SentinelOps | Line one Bcc: x@y.z");
    }

    #[test]
    fn configuration_is_checked() {
        let mut config = MailConfig { from: "SentinelOps <ops@bank.example>".into(), ..MailConfig::default() };
        assert!(matches!(Mailer::from_config(&config), Ok(None)));
        config.host = Some("127.0.0.1".into());
        config.security = "none".into();
        assert!(matches!(Mailer::from_config(&config), Ok(Some(_))));
        config.security = "starttls".into();
        assert!(matches!(Mailer::from_config(&config), Ok(Some(_))));
        config.security = "tls".into();
        assert!(matches!(Mailer::from_config(&config), Ok(Some(_))));
        config.security = "ssl3".into();
        assert!(Mailer::from_config(&config).is_err());
        config.security = "none".into();
        config.from = "not an address".into();
        assert!(Mailer::from_config(&config).is_err());
    }
}
