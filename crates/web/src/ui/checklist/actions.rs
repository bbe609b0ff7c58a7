//! The live checklist's POST actions. Each calls one use case (which enforces roles,
//! sections and transitions) and answers like every UI form: 303 back to the page with
//! a flash, or for `ui.js` the refreshed live fragment. A change refused because the
//! item moved on meanwhile re-renders the fresh state with a message that names the
//! new status and shows the user's unsaved reason.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::checklists::{
    CurrentState, ItemUpdate, MissingReason, OverrideInput, SubitemUpdate, parse_item_status,
};
use sentinelops_app::handover::NewHandover;
use sentinelops_domain::checklist::ItemStatus;

use super::answer;
use super::model::{Notice, label};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome::{self, Refusal};
use crate::ui::session::{self, UiUser};

/// The app stores reasons of up to 1000 characters.
const REASON_MAX: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/checklists/{id}/join", post(join))
        .route("/ui/checklists/{id}/items/{item}/status", post(item_status))
        .route("/ui/checklists/{id}/items/{item}/subitems/{sub}/status", post(subitem_status))
        .route("/ui/checklists/{id}/sign-off", post(sign_off))
        .route("/ui/checklists/{id}/override", post(override_instance))
        .route("/ui/checklists/{id}/handover", post(write_handover))
        .route("/ui/checklists/{id}/handover/{note}/acknowledge", post(acknowledge_handover))
        .route("/ui/checklists/{id}/handover/{note}/resolve", post(resolve_handover))
}

/// Who asked, for the answer.
struct Ctx<'a> {
    state: &'a AppState,
    user: &'a UiUser,
    headers: &'a HeaderMap,
    id: Uuid,
}

impl Ctx<'_> {
    /// Done: back to the page (flash) or the fresh fragment.
    async fn done(&self, message: &str) -> UiResult {
        if session::is_fetch(self.headers) {
            return answer(self.state, self.user, self.headers, self.id, StatusCode::OK, None, None).await;
        }
        Ok(outcome::saved(self.headers, &format!("/ui/checklists/{}", self.id), message))
    }

    /// Refused input (before or by the use case), see `outcome::refused`: for `ui.js` the
    /// message next to the form (the dialog and its text stay as they were), else the
    /// page with it.
    async fn refused(&self, refusal: impl Into<Refusal>, draft: Option<(&str, &str)>) -> UiResult {
        outcome::refused(self.headers, refusal, async |status, message| {
            let notice = Notice { text: message, kept_text: draft.map(|(_, t)| t.to_owned()) };
            answer(self.state, self.user, self.headers, self.id, status, Some(notice), draft).await
        })
        .await
    }

    /// A use-case error. A lost race re-renders the fresh state (200 for `ui.js`, whose
    /// region it replaces; 409 for a plain form) with the message and the unsaved text.
    async fn failed(&self, err: AppError, sent_status: Option<ItemStatus>, draft: Option<(&str, &str)>) -> UiResult {
        let AppError::StateConflict { message, current } = err else {
            return self.refused(err, draft).await;
        };
        let text = match (sent_status, *current) {
            (Some(sent), CurrentState::Item(now)) if now.status != sent => {
                format!("Another operator changed this item: it is now {}. Nothing was saved.", now.status.as_str())
            }
            _ => message,
        };
        let notice = Notice { text, kept_text: draft.map(|(_, t)| t.to_owned()).filter(|t| !t.trim().is_empty()) };
        let status = if session::is_fetch(self.headers) { StatusCode::OK } else { StatusCode::CONFLICT };
        answer(self.state, self.user, self.headers, self.id, status, Some(notice), draft).await
    }
}

/// Trims a free text field; `None` when empty.
fn text(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// A reason the status needs (skip, fail) or may carry: the message when it is missing or too long.
fn check_reason(status: ItemStatus, reason: Option<&str>) -> Result<(), String> {
    match reason {
        None if status.is_exception() => {
            Err(format!("A reason is required to mark this {}.", label(status.as_str()).to_lowercase()))
        }
        Some(r) if r.chars().count() > REASON_MAX => {
            Err(format!("The reason is too long: at most {REASON_MAX} characters."))
        }
        _ => Ok(()),
    }
}

async fn join(State(state): State<AppState>, user: UiUser, headers: HeaderMap, UiPath(id): UiPath<Uuid>) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    match state.app.join_instance(&user.actor, id).await {
        Ok(_) => ctx.done("You joined this checklist.").await,
        Err(err) => ctx.failed(err, None, None).await,
    }
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    status: String,
    /// The status the user saw: another operator's change in between is refused.
    previous_status: Option<String>,
    reason: Option<String>,
    comment: Option<String>,
    final_verdict: Option<String>,
}

async fn item_status(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(form): UiForm<StatusForm>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    let item_key = item.to_string();
    let reason = text(form.reason.as_deref());
    let typed = reason.clone().or_else(|| text(form.final_verdict.as_deref())).unwrap_or_default();
    let draft = Some((item_key.as_str(), typed.as_str()));
    let to = match parse_item_status(&form.status) {
        Ok(to) => to,
        Err(err) => return ctx.failed(err, None, draft).await,
    };
    if let Err(message) = check_reason(to, reason.as_deref()) {
        return ctx.refused(Refusal::Input(message), draft).await;
    }
    let previous = text(form.previous_status.as_deref()).as_deref().and_then(ItemStatus::parse);
    let update = ItemUpdate {
        status: to,
        comment: text(form.comment.as_deref()),
        reason,
        final_verdict: text(form.final_verdict.as_deref()),
        expected: previous,
    };
    match state.app.update_item(&user.actor, id, item, update).await {
        Ok(_) => ctx.done(&format!("Item marked {}.", label(to.as_str()).to_lowercase())).await,
        Err(err) => ctx.failed(err, previous, draft).await,
    }
}

#[derive(Debug, Deserialize)]
struct SubitemForm {
    status: String,
    reason: Option<String>,
}

async fn subitem_status(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath((id, item, sub)): UiPath<(Uuid, Uuid, Uuid)>,
    UiForm(form): UiForm<SubitemForm>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    let item_key = item.to_string();
    let reason = text(form.reason.as_deref());
    let typed = reason.clone().unwrap_or_default();
    let draft = Some((item_key.as_str(), typed.as_str()));
    let to = match parse_item_status(&form.status) {
        Ok(to) => to,
        Err(err) => return ctx.failed(err, None, draft).await,
    };
    if let Err(message) = check_reason(to, reason.as_deref()) {
        return ctx.refused(Refusal::Input(message), draft).await;
    }
    let update = SubitemUpdate { status: to, reason, comment: None };
    match state.app.update_subitem(&user.actor, id, item, sub, update).await {
        Ok(_) => ctx.done(&format!("Subitem marked {}.", label(to.as_str()).to_lowercase())).await,
        Err(err) => ctx.failed(err, None, draft).await,
    }
}

#[derive(Debug, Deserialize)]
struct SignOffForm {
    comment: Option<String>,
}

async fn sign_off(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<SignOffForm>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    match state.app.complete_instance(&user.actor, id, text(form.comment.as_deref())).await {
        Ok(view) => ctx.done(&format!("Checklist signed off: {}.", label(view.status.as_str()).to_lowercase())).await,
        Err(err) => ctx.failed(err, None, None).await,
    }
}

#[derive(Debug, Deserialize)]
struct OverrideForm {
    action: String,
    reason: Option<String>,
}

async fn override_instance(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<OverrideForm>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    let reason = text(form.reason.as_deref());
    let Some(given) = reason.clone() else {
        return ctx.refused(Refusal::Input("A supervisor override needs a reason.".to_owned()), None).await;
    };
    let input = OverrideInput { reason: Some(given), comment: None };
    let result = match form.action.as_str() {
        // Our form asks for a reason (refused above when empty, and by the app as well).
        "one_time_completion" => state.app.one_time_completion(&user.actor, id, input, MissingReason::Refuse).await,
        "reopen" => state.app.reopen_instance(&user.actor, id, input).await,
        "force_close" => state.app.force_close_instance(&user.actor, id, input).await,
        _ => return ctx.refused(Refusal::Input("Unknown override.".to_owned()), None).await,
    };
    match result {
        Ok(view) => {
            ctx.done(&format!("Override recorded: the checklist is {}.", label(view.status.as_str()).to_lowercase()))
                .await
        }
        Err(err) => ctx.failed(err, None, None).await,
    }
}

#[derive(Debug, Deserialize)]
struct HandoverForm {
    content: String,
    priority: Option<String>,
}

async fn write_handover(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<HandoverForm>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    let Ok(priority) = form.priority.as_deref().unwrap_or("2").parse::<i32>() else {
        return ctx.refused(Refusal::Input("Choose a priority from the list.".to_owned()), None).await;
    };
    let input = NewHandover {
        content: form.content.trim().to_owned(),
        priority: Some(priority),
        from_instance_id: Some(id),
        ..NewHandover::default()
    };
    match state.app.create_handover(&user.actor, input).await {
        Ok(_) => ctx.done("Handover note written for the next shift.").await,
        Err(err) => ctx.failed(err, None, None).await,
    }
}

async fn acknowledge_handover(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath((id, note)): UiPath<(Uuid, Uuid)>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    match state.app.acknowledge_handover(&user.actor, note).await {
        Ok(_) => ctx.done("Handover note acknowledged.").await,
        Err(err) => ctx.failed(err, None, None).await,
    }
}

#[derive(Debug, Deserialize)]
struct ResolveForm {
    resolution: Option<String>,
}

async fn resolve_handover(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath((id, note)): UiPath<(Uuid, Uuid)>,
    UiForm(form): UiForm<ResolveForm>,
) -> UiResult {
    let ctx = Ctx { state: &state, user: &user, headers: &headers, id };
    match state.app.resolve_handover(&user.actor, note, text(form.resolution.as_deref())).await {
        Ok(_) => ctx.done("Handover note resolved.").await,
        Err(err) => ctx.failed(err, None, None).await,
    }
}
