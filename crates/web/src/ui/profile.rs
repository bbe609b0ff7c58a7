//! `/ui/profile`: my details, my sessions (revoke any but this one; ending this one is
//! signing out) and my recent sign-ins.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use chrono_tz::Tz;
use uuid::Uuid;

use sentinelops_app::users::UserView;
use sentinelops_app::{AppError, SessionRow};
use sentinelops_domain::auth::SessionState;

use crate::state::AppState;
use crate::ui::audit::AuthRow;
use crate::ui::error::UiResult;
use crate::ui::extract::UiPath;
use crate::ui::outcome;
use crate::ui::render::{self, Flash, Layout, role_label};
use crate::ui::session::{self, UiUser};
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/profile", get(profile_page))
        .route("/ui/profile/sessions/{id}/revoke", post(revoke_session))
}

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
}

async fn profile_page(State(state): State<AppState>, user: UiUser) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let me = state.app.get_user(&user.actor, user.actor.user_id).await?;
    let sessions = state.app.my_sessions(&user.actor).await?;
    let sign_ins = state.app.my_sign_ins(&user.actor, RECENT_SIGN_INS).await?;
    let now = state.app.clock.now();
    let policy = state.app.config.sessions;
    let live = |s: &SessionRow| policy.state(now, s.revoked_at, s.last_seen_at, s.expires_at) == SessionState::Live;
    let page = ProfilePage {
        layout: user.layout(&state, "Profile", "profile").await,
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
