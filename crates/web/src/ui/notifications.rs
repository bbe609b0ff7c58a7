//! Notifications in the UI: the bell's badge fragment (reloaded by `ui.js` on every
//! notification event), the inbox (newest first, paged, unread filter, mark read one
//! or all, open the related checklist) whose list `notifications.js` refetches on
//! notification events, and the delivery preferences.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::notifications::{PreferencesUpdate, ReceivedNotification};

use crate::api::notifications::NotificationPreferences;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath, UiQuery};
use crate::ui::outcome;
use crate::ui::render::{self, Layout, badge_text};
use crate::ui::session::{self, UiUser};

/// Notifications per inbox page.
const PAGE_SIZE: u64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/notifications", get(inbox))
        .route("/ui/notifications/badge", get(badge))
        .route("/ui/notifications/list", get(list_fragment))
        .route("/ui/notifications/read-all", post(read_all))
        .route("/ui/notifications/preferences", get(preferences).post(save_preferences))
        .route("/ui/notifications/{id}/read", post(read_one))
        .route("/ui/notifications/{id}/open", post(open_related))
}

/// `partials/badge.html`: the bell's count, swapped into `#bell-count`.
#[derive(Template)]
#[template(path = "partials/badge.html")]
pub struct Badge {
    pub count: u64,
    pub text: String,
}

async fn badge(State(state): State<AppState>, user: UiUser) -> UiResult {
    let count = state.app.unread_notification_count(&user.actor).await?;
    Ok(render::page(&Badge { count, text: badge_text(count) }))
}

/// Which slice of the inbox: `?unread=1` and `?page=N` (also carried by the row forms,
/// so an answer to `ui.js` is the list the user was looking at).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InboxView {
    #[serde(default)]
    pub unread: String,
    #[serde(default)]
    pub page: String,
}

impl InboxView {
    fn unread_only(&self) -> bool {
        matches!(self.unread.trim(), "1" | "true" | "on")
    }

    /// A missing or malformed page is the first: paging links are ours, not typed.
    fn page(&self) -> u64 {
        self.page.trim().parse::<u64>().ok().filter(|p| (1..=1_000_000).contains(p)).unwrap_or(1)
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub list: InboxList,
}

/// `partials/notification_list.html`: the inbox's rows and paging, swapped in place.
#[derive(Template)]
#[template(path = "partials/notification_list.html")]
pub struct InboxList {
    pub rows: Vec<InboxRow>,
    pub unread_only: bool,
    pub page: u64,
    pub has_next: bool,
    pub csrf: String,
}

impl InboxList {
    /// The query of this list (for the live refresh and the paging links).
    pub fn query(&self, page: u64) -> String {
        if self.unread_only { format!("?unread=1&page={page}") } else { format!("?page={page}") }
    }

    /// The fragment URL that reloads this very list.
    pub fn live_url(&self) -> String {
        format!("/ui/notifications/list{}", self.query(self.page))
    }
}

/// `partials/notification_row.html`: one notification.
#[derive(Template)]
#[template(path = "partials/notification_row.html")]
pub struct RowPartial<'a> {
    pub row: &'a InboxRow,
    pub csrf: &'a str,
    pub unread_only: bool,
    pub page: u64,
}

#[derive(Debug, Clone)]
pub struct InboxRow {
    pub id: String,
    pub title: String,
    pub message: String,
    pub priority: String,
    pub is_read: bool,
    pub when: String,
    /// The checklist the notification is about, if any.
    pub instance_id: Option<String>,
}

impl InboxRow {
    pub fn is_urgent(&self) -> bool {
        matches!(self.priority.as_str(), "high" | "critical")
    }

    fn of(received: ReceivedNotification, tz: Tz) -> InboxRow {
        let n = received.notification;
        let about_checklist =
            n.related_entity.as_deref().is_some_and(|e| e.starts_with("checklist") || e == "handover_note");
        InboxRow {
            id: n.id.to_string(),
            title: n.title,
            message: n.message,
            priority: n.priority.to_ascii_lowercase(),
            is_read: received.receipt.is_read,
            when: n.created_at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            instance_id: n.related_id.filter(|_| about_checklist).map(|id| id.to_string()),
        }
    }
}

async fn load_list(state: &AppState, user: &UiUser, view: &InboxView) -> Result<InboxList, AppError> {
    let page = view.page();
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    // One more than a page says whether there is a next one.
    let mut found = state.app.list_notifications(&user.actor, view.unread_only(), PAGE_SIZE + 1, offset).await?;
    let has_next = found.len() as u64 > PAGE_SIZE;
    found.truncate(PAGE_SIZE as usize);
    let tz = state.app.business_timezone().await?;
    Ok(InboxList {
        rows: found.into_iter().map(|n| InboxRow::of(n, tz)).collect(),
        unread_only: view.unread_only(),
        page,
        has_next,
        csrf: user.csrf.clone(),
    })
}

async fn inbox(State(state): State<AppState>, user: UiUser, UiQuery(view): UiQuery<InboxView>) -> UiResult {
    let list = load_list(&state, &user, &view).await?;
    let layout = user.layout(&state, "Notifications", "notifications").await;
    Ok(render::page(&InboxPage { layout, list }))
}

async fn list_fragment(State(state): State<AppState>, user: UiUser, UiQuery(view): UiQuery<InboxView>) -> UiResult {
    Ok(render::page(&load_list(&state, &user, &view).await?))
}

/// After a change: `ui.js` gets the list it was showing, a plain form goes back to it.
async fn answer_change(
    state: &AppState,
    user: &UiUser,
    headers: &HeaderMap,
    view: &InboxView,
    flash: &str,
) -> UiResult {
    if session::is_fetch(headers) {
        return Ok(render::page(&load_list(state, user, view).await?));
    }
    let unread = if view.unread_only() { "unread=1&" } else { "" };
    Ok(outcome::saved(headers, &format!("/ui/notifications?{unread}page={}", view.page()), flash))
}

async fn read_one(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(view): UiForm<InboxView>,
) -> UiResult {
    state.app.mark_notification_read(&user.actor, id).await?;
    answer_change(&state, &user, &headers, &view, "Marked as read.").await
}

async fn read_all(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(view): UiForm<InboxView>,
) -> UiResult {
    let n = state.app.mark_all_notifications_read(&user.actor).await?;
    let flash =
        if n == 1 { "1 notification marked as read.".to_owned() } else { format!("{n} notifications marked as read.") };
    answer_change(&state, &user, &headers, &view, &flash).await
}

/// `POST /ui/notifications/{id}/open`: the checklist named by the form (an id, so the
/// target is always one of our pages), with the notification marked read on the way.
#[derive(Debug, Deserialize)]
pub struct OpenForm {
    pub instance: Uuid,
}

async fn open_related(
    State(state): State<AppState>,
    user: UiUser,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<OpenForm>,
) -> UiResult {
    state.app.mark_notification_read(&user.actor, id).await?;
    Ok(Redirect::to(&format!("/ui/checklists/{}", form.instance)).into_response())
}

#[derive(Template)]
#[template(path = "notification_preferences.html")]
pub struct PreferencesPage {
    pub layout: Layout,
    pub prefs: PreferencesForm,
    pub start_error: Option<String>,
    pub end_error: Option<String>,
    pub error: Option<String>,
    /// Managers and administrators also choose their report mails.
    pub supervisor: bool,
}

/// The preferences form; an unchecked box is absent, so absent means off.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub push: Option<String>,
    #[serde(default)]
    pub desktop: Option<String>,
    #[serde(default)]
    pub sms: Option<String>,
    #[serde(default)]
    pub quiet_hours_start: String,
    #[serde(default)]
    pub quiet_hours_end: String,
    /// Present when the form showed the report-mail boxes (to supervisors only), so an
    /// operator's save leaves those choices unmade.
    #[serde(default)]
    pub reports: Option<String>,
    #[serde(default)]
    pub shift_report: Option<String>,
    #[serde(default)]
    pub daily_digest: Option<String>,
    /// The priorities e-mailed; critical is always e-mailed, so it has no box to submit.
    #[serde(default)]
    pub email_low: Option<String>,
    #[serde(default)]
    pub email_medium: Option<String>,
    #[serde(default)]
    pub email_high: Option<String>,
}

impl PreferencesForm {
    fn of(p: NotificationPreferences) -> PreferencesForm {
        let on = |b: bool| b.then(|| "on".to_owned());
        PreferencesForm {
            email: on(p.email_notifications),
            push: on(p.push_notifications),
            desktop: on(p.desktop_notifications),
            sms: on(p.sms_notifications),
            quiet_hours_start: p.quiet_hours_start.unwrap_or_default(),
            quiet_hours_end: p.quiet_hours_end.unwrap_or_default(),
            reports: None,
            shift_report: on(p.shift_report_email),
            daily_digest: on(p.daily_digest_email),
            email_low: on(p.email_priorities.contains(&"low")),
            email_medium: on(p.email_priorities.contains(&"medium")),
            email_high: on(p.email_priorities.contains(&"high")),
        }
    }

    fn update(&self) -> PreferencesUpdate {
        let quiet = |v: &str| Some(Some(v.trim().to_owned()).filter(|v| !v.is_empty()));
        PreferencesUpdate {
            email_notifications: Some(self.email.is_some()),
            push_notifications: Some(self.push.is_some()),
            desktop_notifications: Some(self.desktop.is_some()),
            sms_notifications: Some(self.sms.is_some()),
            quiet_hours_start: quiet(&self.quiet_hours_start),
            quiet_hours_end: quiet(&self.quiet_hours_end),
            categories: None,
            shift_report_email: self.reports.as_ref().map(|_| self.shift_report.is_some()),
            daily_digest_email: self.reports.as_ref().map(|_| self.daily_digest.is_some()),
            email_priorities: Some(
                [("low", &self.email_low), ("medium", &self.email_medium), ("high", &self.email_high)]
                    .into_iter()
                    .filter(|(_, box_)| box_.is_some())
                    .map(|(priority, _)| priority.to_owned())
                    .collect(),
            ),
        }
    }
}

/// Managers and administrators supervise sections, and so receive report mails.
fn is_supervisor(user: &UiUser) -> bool {
    matches!(user.actor.role, sentinelops_domain::Role::Manager | sentinelops_domain::Role::Admin)
}

async fn preferences(State(state): State<AppState>, user: UiUser) -> UiResult {
    let prefs = PreferencesForm::of(state.app.notification_preferences(&user.actor).await?.into());
    let layout = user.layout(&state, "Notification preferences", "notifications").await;
    let supervisor = is_supervisor(&user);
    Ok(render::page(&PreferencesPage { layout, prefs, start_error: None, end_error: None, error: None, supervisor }))
}

async fn save_preferences(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<PreferencesForm>,
) -> Response {
    match state.app.put_notification_preferences(&user.actor, form.update()).await {
        Ok(_) => outcome::saved(&headers, "/ui/notifications/preferences", "Preferences saved."),
        // Any refusal, the server's too, is shown on the form (the app names the field).
        Err(err) => {
            let (status, message) = render::error_message(&err);
            // The app names the field first ("quiet_hours_start must be …"): show it there.
            let (mut start_error, mut end_error, mut error) = (None, None, None);
            if message.starts_with("quiet_hours_start") {
                start_error = Some(message.replacen("quiet_hours_start", "Quiet hours start", 1));
            } else if message.starts_with("quiet_hours_end") {
                end_error = Some(message.replacen("quiet_hours_end", "Quiet hours end", 1));
            } else {
                error = Some(message);
            }
            let layout = user.layout(&state, "Notification preferences", "notifications").await;
            let supervisor = is_supervisor(&user);
            let page = PreferencesPage { layout, prefs: form, start_error, end_error, error, supervisor };
            render::page_status(status, &page)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row(priority: &str, is_read: bool, instance: bool) -> InboxRow {
        InboxRow {
            id: "aaaaaaaa-0000-0000-0000-000000000001".to_owned(),
            title: "CRITICAL: Checklist Item Escalated".to_owned(),
            message: "Item 'Check <services>' was marked failed by olu.operator".to_owned(),
            priority: priority.to_owned(),
            is_read,
            when: "2026-11-25 12:00".to_owned(),
            instance_id: instance.then(|| "bbbbbbbb-0000-0000-0000-000000000002".to_owned()),
        }
    }

    #[test]
    fn an_unread_critical_row_stands_out_and_offers_its_checklist() {
        let row = row("critical", false, true);
        let html = RowPartial { row: &row, csrf: "TOKEN", unread_only: true, page: 2 }.render().unwrap();
        insta::assert_snapshot!(html);
    }

    #[test]
    fn a_read_low_row_has_no_mark_read_form() {
        let row = row("low", true, false);
        let html = RowPartial { row: &row, csrf: "TOKEN", unread_only: false, page: 1 }.render().unwrap();
        assert!(!html.contains("/read\""), "{html}");
        assert!(html.contains("inbox-row is-read\""), "{html}");
    }
}
