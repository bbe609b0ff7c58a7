//! `/ui/profile`: my details, my sessions (revoke any but this one; ending this one is
//! signing out) and my recent sign-ins.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::users::UserView;
use sentinelops_app::{AppError, SessionRow};
use sentinelops_domain::auth::SessionState;

use crate::state::AppState;
use crate::ui::audit::AuthRow;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome;
use crate::ui::render::{self, Flash, Layout, role_label};
use crate::ui::session::{self, UiUser};
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/profile", get(profile_page))
        .route("/ui/profile/sessions/{id}/revoke", post(revoke_session))
        .route("/ui/profile/calendar/rotate", post(rotate_calendar))
        .route("/ui/profile/calendar/revoke", post(revoke_calendar))
}

/// A calendar feed as the page shows it.
#[derive(Debug, Clone)]
pub struct FeedBox {
    /// `None`: my own shifts; else my section's roster.
    pub section_id: Option<Uuid>,
    pub active: bool,
    pub since: String,
    /// The secret URL, shown once: right after it was made.
    pub url: Option<String>,
}

impl FeedBox {
    pub fn section_value(&self) -> String {
        self.section_id.map(|s| s.to_string()).unwrap_or_default()
    }
}

/// The secret URL just made, to show on the page this once.
type JustMade = Option<(Option<Uuid>, String)>;

/// Sign-ins listed on the page.
const RECENT_SIGN_INS: u64 = 20;

/// One of my sessions as the table shows it.
#[derive(Debug, Clone)]
pub struct SessionItem {
    pub id: Uuid,
    pub started: String,
    pub last_seen: String,
    pub ip: String,
    pub user_agent: String,
    /// "Active", "Revoked (reason)" or "Expired".
    pub status: String,
    pub is_active: bool,
    pub is_current: bool,
}

impl SessionItem {
    /// `live`: the session policy says it still works (not revoked, idle or expired).
    fn new(row: SessionRow, tz: Tz, live: bool, current: Uuid) -> SessionItem {
        let status = match (&row.revoked_at, live) {
            (Some(_), _) => format!("Ended ({})", row.revoked_reason.as_deref().unwrap_or("revoked")),
            (None, false) => "Expired".to_owned(),
            (None, true) => "Active".to_owned(),
        };
        SessionItem {
            id: row.id,
            started: timefmt::minute(tz, row.created_at),
            last_seen: timefmt::minute(tz, row.last_seen_at),
            ip: row.ip.unwrap_or_default(),
            user_agent: row.user_agent.unwrap_or_default(),
            is_active: live,
            is_current: row.id == current,
            status,
        }
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub layout: Layout,
    pub csrf: String,
    pub me: UserView,
    pub role: &'static str,
    pub last_sign_in: String,
    pub sessions: Vec<SessionItem>,
    pub sign_ins: Vec<AuthRow>,
    pub calendar: FeedBox,
    /// My section's feed (managers and admins with a section).
    pub section_calendar: Option<FeedBox>,
    /// Whether I belong to a section (the coverage page is then mine to see).
    pub has_section: bool,
}

impl ProfilePage {
    /// My feed, then my section's.
    pub fn feeds(&self) -> Vec<&FeedBox> {
        std::iter::once(&self.calendar).chain(self.section_calendar.as_ref()).collect()
    }
}

async fn profile_page(State(state): State<AppState>, user: UiUser) -> UiResult {
    render_profile(&state, &user, None).await
}

async fn feed_box(
    state: &AppState,
    user: &UiUser,
    tz: Tz,
    section_id: Option<Uuid>,
    made: &JustMade,
) -> UiResult<FeedBox> {
    let status = state.app.calendar_feed_status(&user.actor, section_id).await?;
    let base = state.app.config.mail.public_url.trim_end_matches('/');
    Ok(FeedBox {
        section_id,
        active: status.is_some(),
        since: status.map(|f| timefmt::minute(tz, f.created_at)).unwrap_or_default(),
        url: made.as_ref().filter(|(s, _)| *s == section_id).map(|(_, path)| format!("{base}{path}")),
    })
}

async fn render_profile(state: &AppState, user: &UiUser, made: JustMade) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let me = state.app.get_user(&user.actor, user.actor.user_id).await?;
    let sessions = state.app.my_sessions(&user.actor).await?;
    let sign_ins = state.app.my_sign_ins(&user.actor, RECENT_SIGN_INS).await?;
    let now = state.app.clock.now();
    let policy = state.app.config.sessions;
    let live = |s: &SessionRow| policy.state(now, s.revoked_at, s.last_seen_at, s.expires_at) == SessionState::Live;
    let calendar = feed_box(state, user, tz, None, &made).await?;
    let section_calendar = match user.actor.section_id {
        Some(section) if user.is_supervisor() => Some(feed_box(state, user, tz, Some(section), &made).await?),
        _ => None,
    };
    let page = ProfilePage {
        layout: user.layout(state, "Profile", "profile").await,
        csrf: user.csrf.clone(),
        role: role_label(&me.role),
        last_sign_in: timefmt::minute_or_never(tz, me.last_login_at),
        sessions: sessions
            .into_iter()
            .map(|s| {
                let is_live = live(&s);
                SessionItem::new(s, tz, is_live, user.actor.session_id)
            })
            .collect(),
        sign_ins: sign_ins.into_iter().map(|e| AuthRow::new(e, tz)).collect(),
        me,
        calendar,
        section_calendar,
        has_section: user.actor.section_id.is_some(),
    };
    Ok(render::page(&page))
}

/// Ends one of my other sessions. The use case refuses another user's session (404)
/// and this one (sign-out is the way to end it).
async fn revoke_session(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
) -> UiResult {
    match state.app.revoke_my_session(&user.actor, id, &user.meta).await {
        Ok(()) => Ok(outcome::saved(&headers, "/ui/profile", "Session ended.")),
        Err(err @ (AppError::Conflict(_) | AppError::BadRequest(_))) if !session::is_fetch(&headers) => {
            Ok(render::redirect_with_flash(&headers, "/ui/profile", Flash::error(render::error_message(&err).1)))
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedForm {
    /// Empty: my own feed; else my section's.
    pub section_id: String,
}

impl FeedForm {
    fn section(&self) -> Result<Option<Uuid>, AppError> {
        match self.section_id.trim() {
            "" => Ok(None),
            text => text.parse().map(Some).map_err(|_| AppError::Validation("section_id is not a valid id".into())),
        }
    }
}

/// A new secret URL for one of my calendar feeds (made if there was none): the page
/// again, showing it this once (only its hash is kept).
async fn rotate_calendar(State(state): State<AppState>, user: UiUser, UiForm(form): UiForm<FeedForm>) -> UiResult {
    let section = form.section()?;
    let feed = state.app.rotate_calendar_feed(&user.actor, section).await?;
    let made = feed.path.map(|path| (section, path));
    render_profile(&state, &user, made).await
}

/// Turns one of my calendar feeds off: its URL answers 404 from now on.
async fn revoke_calendar(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<FeedForm>,
) -> UiResult {
    let section = form.section()?;
    state.app.revoke_calendar_feed(&user.actor, section).await?;
    Ok(outcome::saved(&headers, "/ui/profile", "Calendar link turned off: it no longer works."))
}
