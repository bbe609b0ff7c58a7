//! The live checklist's POST actions. Each calls one use case (which enforces roles,
//! sections and transitions) and answers like every UI form: 303 back to the page with
//! a flash, or for `ui.js` the refreshed live fragment. A change refused because the
//! item moved on meanwhile re-renders the fresh state with a message that names the
//! new status and shows the user's unsaved reason.

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::checklists::{
    CurrentState, InstanceView, ItemUpdate, MissingReason, OverrideInput, SubitemUpdate, parse_item_status,
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

/// Who asked about which checklist (the `{id}` of every action's path), for the
/// answer. Extracted like the handlers' own arguments: the session first (its
/// rejection is the sign-in page), then the path (a malformed id is the 404 page).
struct Ctx {
    state: AppState,
    user: UiUser,
    headers: HeaderMap,
    id: Uuid,
}

#[derive(Deserialize)]
struct ChecklistPath {
    id: Uuid,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = UiUser::from_request_parts(parts, state).await?;
        let UiPath(ChecklistPath { id }) = UiPath::from_request_parts(parts, state).await?;
        Ok(Ctx { state: state.clone(), user, headers: parts.headers.clone(), id })
    }
}

impl Ctx {
    /// Done: back to the page (flash) or the fresh fragment.
    async fn done(&self, message: &str) -> UiResult {
        if session::is_fetch(&self.headers) {
            return answer(&self.state, &self.user, &self.headers, self.id, StatusCode::OK, None, None).await;
        }
        Ok(outcome::saved(&self.headers, &format!("/ui/checklists/{}", self.id), message))
    }

    /// The answer to a use case without a draft to keep: `message` when it succeeded.
    async fn settled<T>(&self, result: Result<T, AppError>, message: impl FnOnce(T) -> String) -> UiResult {
        match result {
            Ok(value) => self.done(&message(value)).await,
            Err(err) => self.failed(err, None, None).await,
        }
    }

    /// Refused input (before or by the use case), see `outcome::refused`: for `ui.js` the
    /// message next to the form (the dialog and its text stay as they were), else the
    /// page with it.
    async fn refused(&self, refusal: impl Into<Refusal>, draft: Option<(&str, &str)>) -> UiResult {
        outcome::refused(&self.headers, refusal, async |status, message| {
            let notice = Notice { text: message, kept_text: draft.map(|(_, t)| t.to_owned()) };
            answer(&self.state, &self.user, &self.headers, self.id, status, Some(notice), draft).await
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
        let status = if session::is_fetch(&self.headers) { StatusCode::OK } else { StatusCode::CONFLICT };
        answer(&self.state, &self.user, &self.headers, self.id, status, Some(notice), draft).await
    }
}

impl Ctx {
    /// The status a form asks for, when it is one and has the reason it needs (see
    /// `check_reason`); else the answer refusing it.
    async fn wanted_status(
        &self,
        status: &str,
        reason: Option<&str>,
        draft: Option<(&str, &str)>,
    ) -> Result<ItemStatus, UiResult> {
        let to = match parse_item_status(status) {
            Ok(to) => to,
            Err(err) => return Err(self.failed(err, None, draft).await),
        };
        if let Err(message) = check_reason(to, reason) {
            return Err(self.refused(Refusal::Input(message), draft).await);
        }
        Ok(to)
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

async fn join(ctx: Ctx) -> UiResult {
    let result = ctx.state.app.join_instance(&ctx.user.actor, ctx.id).await;
    ctx.settled(result, |_| "You joined this checklist.".to_owned()).await
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

async fn item_status(ctx: Ctx, UiPath((_, item)): UiPath<(Uuid, Uuid)>, UiForm(form): UiForm<StatusForm>) -> UiResult {
    let item_key = item.to_string();
    let reason = text(form.reason.as_deref());
    let typed = reason.clone().or_else(|| text(form.final_verdict.as_deref())).unwrap_or_default();
    let draft = Some((item_key.as_str(), typed.as_str()));
    let to = match ctx.wanted_status(&form.status, reason.as_deref(), draft).await {
        Ok(to) => to,
        Err(refusal) => return refusal,
    };
    let previous = text(form.previous_status.as_deref()).as_deref().and_then(ItemStatus::parse);
    let update = ItemUpdate {
        status: to,
        comment: text(form.comment.as_deref()),
        reason,
        final_verdict: text(form.final_verdict.as_deref()),
        expected: previous,
    };
    match ctx.state.app.update_item(&ctx.user.actor, ctx.id, item, update).await {
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
    ctx: Ctx,
    UiPath((_, item, sub)): UiPath<(Uuid, Uuid, Uuid)>,
    UiForm(form): UiForm<SubitemForm>,
) -> UiResult {
    let item_key = item.to_string();
    let reason = text(form.reason.as_deref());
    let typed = reason.clone().unwrap_or_default();
    let draft = Some((item_key.as_str(), typed.as_str()));
    let to = match ctx.wanted_status(&form.status, reason.as_deref(), draft).await {
        Ok(to) => to,
        Err(refusal) => return refusal,
    };
    let update = SubitemUpdate { status: to, reason, comment: None };
    match ctx.state.app.update_subitem(&ctx.user.actor, ctx.id, item, sub, update).await {
        Ok(_) => ctx.done(&format!("Subitem marked {}.", label(to.as_str()).to_lowercase())).await,
        Err(err) => ctx.failed(err, None, draft).await,
    }
}

#[derive(Debug, Deserialize)]
struct SignOffForm {
    comment: Option<String>,
}

/// "… the checklist's new status, in lower case".
fn new_status(view: &InstanceView) -> String {
    label(view.row.status.as_str()).to_lowercase()
}

async fn sign_off(ctx: Ctx, UiForm(form): UiForm<SignOffForm>) -> UiResult {
    let result = ctx.state.app.complete_instance(&ctx.user.actor, ctx.id, text(form.comment.as_deref())).await;
    ctx.settled(result, |view| format!("Checklist signed off: {}.", new_status(&view))).await
}

#[derive(Debug, Deserialize)]
struct OverrideForm {
    action: String,
    reason: Option<String>,
}

async fn override_instance(ctx: Ctx, UiForm(form): UiForm<OverrideForm>) -> UiResult {
    let reason = text(form.reason.as_deref());
    let Some(given) = reason.clone() else {
        return ctx.refused(Refusal::Input("A supervisor override needs a reason.".to_owned()), None).await;
    };
    let input = OverrideInput { reason: Some(given), comment: None };
    let (app, actor, id) = (&ctx.state.app, &ctx.user.actor, ctx.id);
    let result = match form.action.as_str() {
        // Our form asks for a reason (refused above when empty, and by the app as well).
        "one_time_completion" => app.one_time_completion(actor, id, input, MissingReason::Refuse).await,
        "reopen" => app.reopen_instance(actor, id, input).await,
        "force_close" => app.force_close_instance(actor, id, input).await,
        _ => return ctx.refused(Refusal::Input("Unknown override.".to_owned()), None).await,
    };
    ctx.settled(result, |view| format!("Override recorded: the checklist is {}.", new_status(&view))).await
}

#[derive(Debug, Deserialize)]
struct HandoverForm {
    content: String,
    priority: Option<String>,
}

async fn write_handover(ctx: Ctx, UiForm(form): UiForm<HandoverForm>) -> UiResult {
    let Ok(priority) = form.priority.as_deref().unwrap_or("2").parse::<i32>() else {
        return ctx.refused(Refusal::Input("Choose a priority from the list.".to_owned()), None).await;
    };
    let input = NewHandover {
        content: form.content.trim().to_owned(),
        priority: Some(priority),
        from_instance_id: Some(ctx.id),
        ..NewHandover::default()
    };
    let result = ctx.state.app.create_handover(&ctx.user.actor, input).await;
    ctx.settled(result, |_| "Handover note written for the next shift.".to_owned()).await
}

/// The path of a handover note's actions.
#[derive(Deserialize)]
struct NotePath {
    note: Uuid,
}

async fn acknowledge_handover(ctx: Ctx, UiPath(NotePath { note }): UiPath<NotePath>) -> UiResult {
    let result = ctx.state.app.acknowledge_handover(&ctx.user.actor, note).await;
    ctx.settled(result, |_| "Handover note acknowledged.".to_owned()).await
}

#[derive(Debug, Deserialize)]
struct ResolveForm {
    resolution: Option<String>,
}

async fn resolve_handover(
    ctx: Ctx,
    UiPath(NotePath { note }): UiPath<NotePath>,
    UiForm(form): UiForm<ResolveForm>,
) -> UiResult {
    let result = ctx.state.app.resolve_handover(&ctx.user.actor, note, text(form.resolution.as_deref())).await;
    ctx.settled(result, |_| "Handover note resolved.".to_owned()).await
}
