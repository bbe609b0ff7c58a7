//! A tiny SMTP server on 127.0.0.1:0 that records every message it accepts: enough of
//! RFC 5321 for lettre (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), no TLS,
//! no authentication. Tests may make it refuse recipients with a given reply code, or
//! answer slowly.
//! Recorded messages can be read back with their headers and MIME parts decoded.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (MAIL FROM).
    pub from: String,
    /// The envelope recipients (RCPT TO).
    pub to: Vec<String>,
    /// The message (headers and body) with dot-stuffing removed, CRLF line ends.
    pub data: String,
}

/// The running server; stops when dropped.
pub struct TestSmtp {
    addr: SocketAddr,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    reject_code: Arc<AtomicU16>,
    /// Milliseconds the server waits before each reply (a slow server).
    reply_delay_ms: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl TestSmtp {
    pub async fn start() -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the test SMTP server");
        let addr = listener.local_addr().expect("SMTP server address");
        let mails = Arc::new(Mutex::new(Vec::new()));
        let reject_code = Arc::new(AtomicU16::new(0));
        let reply_delay_ms = Arc::new(AtomicU64::new(0));
        let (m, r, d) = (Arc::clone(&mails), Arc::clone(&reject_code), Arc::clone(&reply_delay_ms));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (m, r, d) = (Arc::clone(&m), Arc::clone(&r), Arc::clone(&d));
                tokio::spawn(async move {
                    let _ = session(stream, m, r, d).await;
                });
            }
        });
        TestSmtp { addr, mails, reject_code, reply_delay_ms, task }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Points `config`'s mail at this server (plain SMTP on loopback), sent from
    /// `sentinelops@test.local`, with links under `public_url`.
    pub fn configure(&self, config: &mut sentinelops_app::AppConfig, public_url: &str) {
        config.mail.host = Some("127.0.0.1".into());
        config.mail.port = self.port();
        config.mail.security = "none".into();
        config.mail.from = "SentinelOps <sentinelops@test.local>".into();
        config.mail.public_url = public_url.into();
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.mails.lock().unwrap().clone()
    }

    /// The messages whose envelope recipients include `address`.
    pub fn mailbox(&self, address: &str) -> Vec<ReceivedMail> {
        self.messages().into_iter().filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address))).collect()
    }

    /// From now on, answer RCPT TO with this code (e.g. 550 permanent, 451 transient);
    /// `None` accepts again.
    pub fn reject_recipients(&self, code: Option<u16>) {
        self.reject_code.store(code.unwrap_or(0), Ordering::SeqCst);
    }

    /// From now on, wait this long before every reply (a slow server); zero answers at once.
    pub fn delay_replies(&self, delay: std::time::Duration) {
        self.reply_delay_ms.store(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    stream: TcpStream,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
    reject: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
) -> std::io::Result<()> {
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(delay_ms.load(Ordering::SeqCst)));
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    pause().await;
    write.write_all(b"220 test-smtp ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-test-smtp greets you\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n".into(),
            "HELO" => "250 test-smtp\r\n".into(),
            "MAIL" => {
                from = angle_address(&command);
                to.clear();
                "250 OK\r\n".into()
            }
            "RCPT" => match reject.load(Ordering::SeqCst) {
                0 => {
                    to.push(angle_address(&command));
                    "250 OK\r\n".into()
                }
                code => format!("{code} Recipient refused by the test server\r\n"),
            },
            "DATA" if to.is_empty() => "554 No valid recipients\r\n".into(),
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mails.lock().unwrap().push(ReceivedMail { from: from.clone(), to: std::mem::take(&mut to), data });
                "250 OK: queued\r\n".into()
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 OK\r\n".into()
            }
            "NOOP" => "250 OK\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 Command not implemented\r\n".into(),
        };
        pause().await;
        write.write_all(reply.as_bytes()).await?;
    }
}

/// The address between `<` and `>` of `MAIL FROM:<a@b> …` or `RCPT TO:<a@b>`.
fn angle_address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}

impl ReceivedMail {
    /// A header of the message, unfolded and with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (headers, _) = split_entity(&self.data);
        header_in(&headers, name).map(|v| decode_words(&v))
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The decoded body of the first part with this content type (`text/plain`,
    /// `text/html`), searching multipart bodies.
    pub fn part(&self, content_type: &str) -> Option<String> {
        find_part(&self.data, content_type).map(|p| String::from_utf8(p.bytes).expect("UTF-8 part"))
    }

    /// The first part with this content type (e.g. `application/pdf`), headers and bytes.
    pub fn attachment(&self, content_type: &str) -> Option<MailPart> {
        find_part(&self.data, content_type)
    }

    pub fn text(&self) -> String {
        self.part("text/plain").unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.part("text/html").unwrap_or_default()
    }
}

/// Splits an entity into its unfolded headers and its body.
fn split_entity(entity: &str) -> (Vec<(String, String)>, String) {
    let entity = entity.replace("\r\n", "\n");
    let (head, body) = entity.split_once("\n\n").unwrap_or((entity.as_str(), ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn header_in(headers: &[(String, String)], name: &str) -> Option<String> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// A parameter of a header value, e.g. `boundary` of a Content-Type.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (key, v) = p.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find_part(entity: &str, wanted: &str) -> Option<MailPart> {
    let (headers, body) = split_entity(entity);
    let content_type = header_in(&headers, "Content-Type").unwrap_or_else(|| "text/plain".into());
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        let boundary = parameter(&content_type, "boundary")?;
        let delimiter = format!("--{boundary}");
        let mut sections = body.split(delimiter.as_str()).skip(1);
        return sections.find_map(|section| {
            if section.starts_with("--") {
                return None;
            }
            find_part(section.trim_start_matches('\n'), wanted)
        });
    }
    if mime != wanted {
        return None;
    }
    let encoding = header_in(&headers, "Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
    let body = body.strip_suffix('\n').unwrap_or(&body);
    let bytes = match encoding.as_str() {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(body.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .expect("valid base64 part"),
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.as_bytes().to_vec(),
    };
    Some(MailPart { headers, bytes })
}

/// One leaf part of a message: its headers and its decoded body.
#[derive(Debug, Clone)]
pub struct MailPart {
    headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
}

impl MailPart {
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(&self.headers, name).map(|v| decode_words(&v))
    }

    /// The file name (`Content-Disposition: attachment; filename=…`), if any, also when
    /// written in RFC 2231 pieces (`filename*0="…"; filename*1*=utf-8''…`) as lettre does.
    pub fn filename(&self) -> Option<String> {
        let disposition = self.header("Content-Disposition")?;
        if let Some(name) = parameter(&disposition, "filename") {
            return Some(name);
        }
        let mut name = Vec::new();
        for index in 0.. {
            if let Some(piece) = parameter(&disposition, &format!("filename*{index}")) {
                name.extend_from_slice(piece.as_bytes());
            } else if let Some(piece) = parameter(&disposition, &format!("filename*{index}*")) {
                // The first encoded piece starts with `charset'language'`.
                let encoded = if index == 0 { piece.splitn(3, '\'').last().unwrap_or("") } else { piece.as_str() };
                name.extend(decode_percent(encoded));
            } else {
                break;
            }
        }
        (!name.is_empty()).then(|| String::from_utf8(name).expect("UTF-8 file name"))
    }

    /// Whether the part is an attachment (not shown inline).
    pub fn is_attachment(&self) -> bool {
        self.header("Content-Disposition").is_some_and(|d| d.trim().to_ascii_lowercase().starts_with("attachment"))
    }
}

/// `%XX` escapes decoded (RFC 2231 parameter values).
fn decode_percent(value: &str) -> Vec<u8> {
    decode_escapes(value, b'%')
}

fn decode_quoted_printable(body: &str) -> Vec<u8> {
    decode_escapes(&body.replace("=\n", ""), b'=')
}

/// Bytes written as `<escape>XX` (two hex digits) decoded; anything else kept.
fn decode_escapes(value: &str, escape: u8) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == escape {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace
/// between two encoded words is dropped.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from) = rest.split_at(start);
        let Some(word) = encoded_word(from) else {
            out.push_str(before);
            out.push_str("=?");
            rest = &from[2..];
            last_was_word = false;
            continue;
        };
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        out.push_str(&word.0);
        rest = &from[word.1..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// One encoded word at the start of `s`: its text and its length.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("=?")?;
    let mut fields = inner.splitn(3, '?');
    let _charset = fields.next()?;
    let encoding = fields.next()?.to_ascii_lowercase();
    let tail = fields.next()?;
    let end = tail.find("?=")?;
    let text = &tail[..end];
    let bytes = match encoding.as_str() {
        "b" => base64::engine::general_purpose::STANDARD.decode(text).ok()?,
        "q" => decode_quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    let consumed = s.len() - tail.len() + end + 2;
    Some((String::from_utf8(bytes).ok()?, consumed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_headers_and_parts() {
        let data = "Subject: =?utf-8?b?SGFuZG92ZXIg4oCi?=\r\n =?utf-8?q?_NIGHT?=\r\n\
                    Content-Type: multipart/alternative;\r\n boundary=\"XYZ\"\r\n\r\n\
                    --XYZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                    a =E2=80=A2 b=\r\n c\r\n\
                    --XYZ\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                    PGI+eDwvYj4=\r\n--XYZ--\r\n";
        let mail = ReceivedMail { from: String::new(), to: Vec::new(), data: data.into() };
        assert_eq!(mail.subject(), "Handover • NIGHT");
        assert_eq!(mail.text(), "a • b c");
        assert_eq!(mail.html(), "<b>x</b>");
    }
}
