//! Quiet hours and e-mail per priority (issue 21, item 5).
//!
//! Each user chooses which priorities reach them by e-mail (`email_priorities`, all four
//! until chosen); CRITICAL is always e-mailed while e-mail is on. A non-critical e-mail
//! due while its recipient is in their quiet hours (wall times in the business time
//! zone, see `sentinelops_domain::quiet`) is held in `held_emails` until the window
//! ends; the quiet-digest job then sends the user one e-mail listing everything held,
//! just before the outbox job of the same tick delivers it. In-app notifications are
//! recorded whatever these choices: they only decide the e-mail.
//!
//! Webhooks are not held: they are queued once per event for the systems listening on
//! a class, not for a user, so no one's quiet hours apply to them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_domain::quiet::QuietHours;
use sentinelops_store::Conn;
use sentinelops_store::repo::held_emails::{self, HeldEmailRow, NewHeldEmail};
use sentinelops_store::repo::notifications::{self as prefs_repo, PreferencesRow};
use sentinelops_store::repo::outbox::{self, NewOutbox};

use crate::App;
use crate::error::{AppError, AppResult, invalid};
use crate::mail::{EmailPayload, escape_html};
use crate::notifications::Priority;
use crate::tx::commit;

/// Users whose held mail one run of the job releases (the rest wait for the next tick).
const USERS_PER_RUN: u64 = 200;
/// Where the digest links to.
const DIGEST_LINK: &str = "/ui/notifications";

/// The priorities a user has e-mailed, lowest first, from the stored comma list (none
/// stored: all four). CRITICAL is always among them.
pub fn email_priorities(stored: Option<&str>) -> Vec<Priority> {
    let Some(stored) = stored else { return Priority::ALL.to_vec() };
    let chosen: Vec<&str> = stored.split(',').map(str::trim).collect();
    Priority::ALL.into_iter().filter(|p| *p == Priority::Critical || chosen.contains(&p.as_str())).collect()
}

/// The stored comma list of a choice of priorities (CRITICAL always included), or a
/// refusal naming the first value that is not a priority.
pub(crate) fn store_email_priorities(values: &[String]) -> AppResult<String> {
    let mut chosen = vec![Priority::Critical];
    for value in values {
        match Priority::ALL.into_iter().find(|p| p.as_str() == value) {
            Some(p) => chosen.push(p),
            None => {
                return Err(invalid(format!(
                    "email_priorities may only hold \"low\", \"medium\", \"high\" and \"critical\", not {value:?}"
                )));
            }
        }
    }
    let list: Vec<&str> = Priority::ALL.into_iter().filter(|p| chosen.contains(p)).map(Priority::as_str).collect();
    Ok(list.join(","))
}

/// What becomes of one e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// E-mail off, or this priority not chosen.
    Drop,
    Send,
    /// Quiet hours: held until then.
    Hold(DateTime<Utc>),
}

/// The route of an e-mail of `priority` to a user with these preferences (none saved:
/// e-mail on, every priority, no quiet hours); `zone` is read only with quiet hours set.
async fn route<F>(prefs: Option<&PreferencesRow>, priority: Priority, now: DateTime<Utc>, zone: F) -> AppResult<Route>
where
    F: std::future::Future<Output = AppResult<Tz>>,
{
    let Some(prefs) = prefs else { return Ok(Route::Send) };
    if !prefs.email_enabled || !email_priorities(prefs.email_priorities.as_deref()).contains(&priority) {
        return Ok(Route::Drop);
    }
    let quiet = QuietHours::new(prefs.quiet_hours_start, prefs.quiet_hours_end);
    let Some(quiet) = quiet.filter(|_| priority != Priority::Critical) else { return Ok(Route::Send) };
    Ok(match quiet.quiet_until(now, zone.await?) {
        Some(until) => Route::Hold(until),
        None => Route::Send,
    })
}

/// Queues one e-mail to a user, with the caller's transaction: dropped when the user
/// has e-mail off or did not choose this priority; held until the end of their quiet
/// hours when it is not CRITICAL and they are in them; else queued in the outbox.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn queue_user_email(
    c: &impl Conn,
    now: DateTime<Utc>,
    user_id: Uuid,
    priority: Priority,
    payload: EmailPayload,
) -> AppResult<()> {
    let prefs = prefs_repo::get_preferences(c, user_id).await?;
    let payload = serde_json::to_value(payload).map_err(encoding)?;
    match route(prefs.as_ref(), priority, now, crate::settings::business_timezone_of(c)).await? {
        Route::Drop => {}
        Route::Send => enqueue_email(c, now, payload).await?,
        Route::Hold(release_at) => {
            let row = NewHeldEmail { id: new_id(), user_id, release_at, priority: priority.as_str(), payload };
            held_emails::hold(c, now, row).await?;
        }
    }
    Ok(())
}

/// Queues an e-mail in the outbox as it is (no preference or quiet hours applies).
pub(crate) async fn enqueue_email(c: &impl Conn, now: DateTime<Utc>, payload: serde_json::Value) -> AppResult<()> {
    outbox::enqueue(c, now, vec![NewOutbox { id: new_id(), kind: outbox::EMAIL, dedupe_key: None, payload }]).await?;
    Ok(())
}

fn encoding(e: serde_json::Error) -> AppError {
    AppError::Internal(format!("cannot encode an e-mail payload: {e}"))
}

/// One held mail as the digest lists it.
struct HeldEntry {
    title: String,
    body: String,
    received: String,
    link: Option<String>,
}

impl HeldEntry {
    /// `None` for a payload that is not an e-mail (never written so).
    fn of(row: &HeldEmailRow, tz: Tz, public_url: &str) -> Option<HeldEntry> {
        let mail: EmailPayload = serde_json::from_value(row.payload.clone()).ok()?;
        let title = mail.subject.strip_prefix("SentinelOps | ").unwrap_or(&mail.subject).to_owned();
        // A notification's text starts with its title, which the entry already shows.
        let body = mail.text.strip_prefix(title.as_str()).unwrap_or(&mail.text).trim().to_owned();
        let base = public_url.trim().trim_end_matches('/');
        let link = mail.link.filter(|_| !base.is_empty()).map(|path| format!("{base}{path}"));
        let received = row.created_at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string();
        Some(HeldEntry { title, body, received, link })
    }
}

impl HeldEntry {
    fn lines(&self) -> impl Iterator<Item = &str> {
        self.body.lines().filter(|line| !line.trim().is_empty())
    }
}

/// The digest of the held mails `held` for `address`.
fn compose_digest(
    address: &str,
    user_id: Uuid,
    held: &[HeldEmailRow],
    tz: Tz,
    public_url: &str,
) -> Option<EmailPayload> {
    let entries: Vec<HeldEntry> = held.iter().filter_map(|row| HeldEntry::of(row, tz, public_url)).collect();
    if entries.is_empty() {
        return None;
    }
    let count = match entries.len() {
        1 => "1 notification".to_owned(),
        n => format!("{n} notifications"),
    };
    let subject = format!("SentinelOps: {count} held during your quiet hours");
    let mut text = format!("{count} arrived during your quiet hours:\n");
    let mut items = String::new();
    for (n, e) in entries.iter().enumerate() {
        text.push_str(&format!("\n{}. {}\n   Received {}\n", n + 1, e.title, e.received));
        for line in e.lines() {
            text.push_str(&format!("   {line}\n"));
        }
        let link_html = match &e.link {
            Some(url) => {
                text.push_str(&format!("   {url}\n"));
                format!("<br>\n<a href=\"{0}\" style=\"color:#0b5cad\">{0}</a>", escape_html(url))
            }
            None => String::new(),
        };
        let body: Vec<String> = e.lines().map(escape_html).collect();
        items.push_str(&format!(
            "<li style=\"margin:0 0 12px\"><strong>{}</strong> <span style=\"color:#5b6b7f\">({})</span><br>\n{}{link_html}</li>\n",
            escape_html(&e.title),
            escape_html(&e.received),
            body.join("<br>\n"),
        ));
    }
    let html = format!(
        "<h2 style=\"margin:0 0 12px;font-size:18px\">{}</h2>\n<ol style=\"padding-left:20px\">\n{items}</ol>",
        escape_html(&format!("{count} arrived during your quiet hours")),
    );
    // Built on a plain notification e-mail, so fields it gains keep their defaults.
    let mut digest = crate::mail::compose(address, Some(user_id), "", "", "", Some(DIGEST_LINK.to_owned()));
    digest.subject = subject;
    digest.text = text;
    digest.html = html;
    Some(digest)
}

impl App {
    /// Sends each user whose held e-mails are due one digest of them, queued in the
    /// outbox; returns how many digests were queued. Per user, one transaction deletes
    /// the held rows and queues the digest, so a digest goes out once across instances.
    /// The held mail of a user who meanwhile turned e-mail off (or lost their address or
    /// account) is dropped. An attachment of a held mail is not carried into the digest.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn send_quiet_digests(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let mut sent = 0;
        for user_id in held_emails::users_due(self.store.reader(), now, USERS_PER_RUN).await? {
            let tx = self.store.begin_write().await?;
            let held = held_emails::due_for(&tx, user_id, now).await?;
            let count = u64::try_from(held.len()).unwrap_or(u64::MAX);
            // Fewer deleted than read: another run released them meanwhile (rolled back here).
            if held.is_empty() || held_emails::delete(&tx, held.iter().map(|h| h.id).collect()).await? != count {
                continue;
            }
            let address = outbox::email_recipients(&tx, &[user_id]).await?.into_iter().next().map(|(_, a)| a);
            let tz = self.business_timezone_in(&tx).await?;
            let digest = address.and_then(|a| compose_digest(&a, user_id, &held, tz, &self.config.mail.public_url));
            if let Some(digest) = digest {
                enqueue_email(&tx, now, serde_json::to_value(digest).map_err(encoding)?).await?;
                sent += 1;
            }
            commit(tx).await?;
        }
        Ok(sent)
    }

    /// The e-mails held for a user, oldest first (diagnostics and tests).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn held_emails_of(&self, user_id: Uuid) -> AppResult<Vec<HeldEmailRow>> {
        Ok(held_emails::of_user(self.store.reader(), user_id).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{NaiveTime, TimeZone};
    use serde_json::json;

    use super::*;

    fn prefs(start: Option<(u32, u32)>, end: Option<(u32, u32)>, priorities: Option<&str>) -> PreferencesRow {
        let at = |(h, m): (u32, u32)| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        PreferencesRow {
            user_id: Uuid::nil(),
            email_enabled: true,
            push_enabled: true,
            desktop_enabled: true,
            sms_enabled: false,
            quiet_hours_start: start.map(at),
            quiet_hours_end: end.map(at),
            categories: json!({}),
            shift_report_email: None,
            daily_digest_email: None,
            email_priorities: priorities.map(str::to_owned),
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    fn route_at(p: Option<&PreferencesRow>, priority: Priority, hour: u32) -> Route {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, hour, 0, 0).unwrap();
        block(route(p, priority, now, async { Ok(Tz::UTC) })).unwrap()
    }

    #[test]
    fn the_stored_list_reads_back_with_critical_always_in_it() {
        assert_eq!(email_priorities(None), Priority::ALL.to_vec());
        assert_eq!(email_priorities(Some("")), vec![Priority::Critical]);
        assert_eq!(email_priorities(Some("high, low")), vec![Priority::Low, Priority::High, Priority::Critical]);
        let list = |v: &[&str]| store_email_priorities(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(list(&["high", "low", "high"]).unwrap(), "low,high,critical");
        assert_eq!(list(&[]).unwrap(), "critical");
        for bad in ["urgent", "HIGH", " low", ""] {
            assert!(list(&[bad]).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn quiet_hours_hold_all_but_critical_and_unchosen_priorities_are_dropped() {
        let night = prefs(Some((22, 0)), Some((6, 0)), None);
        let release = Utc.with_ymd_and_hms(2026, 12, 7, 6, 0, 0).unwrap();
        assert_eq!(route_at(Some(&night), Priority::High, 3), Route::Hold(release));
        assert_eq!(route_at(Some(&night), Priority::Critical, 3), Route::Send);
        assert_eq!(route_at(Some(&night), Priority::High, 12), Route::Send);
        assert_eq!(route_at(None, Priority::Low, 3), Route::Send);
        let picky = prefs(None, None, Some("high,critical"));
        assert_eq!(route_at(Some(&picky), Priority::Medium, 12), Route::Drop);
        assert_eq!(route_at(Some(&picky), Priority::High, 12), Route::Send);
        let off = PreferencesRow { email_enabled: false, ..prefs(None, None, None) };
        assert_eq!(route_at(Some(&off), Priority::Critical, 12), Route::Drop);
    }

    #[test]
    fn the_digest_lists_each_held_mail() {
        let mail =
            crate::mail::compose("a@b.c", None, "Skip <x>", "Vendor window", "high", Some("/checklists/1".into()));
        let row = HeldEmailRow {
            id: Uuid::nil(),
            user_id: Uuid::nil(),
            release_at: Utc.with_ymd_and_hms(2026, 12, 7, 6, 0, 0).unwrap(),
            priority: "high".into(),
            payload: serde_json::to_value(&mail).unwrap(),
            created_at: Utc.with_ymd_and_hms(2026, 12, 7, 2, 5, 0).unwrap(),
        };
        let digest = compose_digest("a@b.c", Uuid::nil(), &[row.clone(), row], Tz::UTC, "https://ops/").unwrap();
        assert_eq!(digest.subject, "SentinelOps: 2 notifications held during your quiet hours");
        assert!(
            digest.text.contains("1. Skip <x>\n   Received 2026-12-07 02:05 UTC\n   Vendor window\n"),
            "{}",
            digest.text
        );
        assert!(digest.text.contains("2. Skip <x>") && digest.text.contains("https://ops/checklists/1"));
        assert!(digest.html.contains("Skip &lt;x&gt;") && !digest.html.contains("<x>"), "{}", digest.html);
        assert_eq!(compose_digest("a@b.c", Uuid::nil(), &[], Tz::UTC, ""), None);
    }
}
