//! The editor page (`GET /ui/templates/{id}`, `GET /ui/templates/new`) and the
//! template's own fields: create, update, activate/deactivate, delete.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::templates::{TemplateChange, TemplateInput};
use sentinelops_domain::shift::ShiftType;

use crate::api::templates::TemplateView;
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath, UiQuery};
use crate::ui::outcome;
use crate::ui::render;
use crate::ui::roles::Supervisor;
use crate::ui::session::UiUser;
use crate::ui::templates::forms::{EntryFields, FrameFields};
use crate::ui::templates::view::{Confirm, EditorPage, Failed, Failure, frame_of, item_rows, saved_of};
use crate::ui::templates::{EditorPost, TemplateEditor, answer, editor_path, on_input, refused, saved, sections};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EditorQuery {
    /// `delete` or an item id: open that delete confirmation (without script).
    pub confirm: Option<String>,
}

pub async fn new_template(State(state): State<AppState>, Supervisor(user, ..): TemplateEditor) -> UiResult {
    render_new(&state, &user, None, StatusCode::OK).await
}

pub async fn edit(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    UiPath(id): UiPath<Uuid>,
    UiQuery(query): UiQuery<EditorQuery>,
) -> UiResult {
    render_editor(&state, &user, id, None, Confirm(query.confirm), StatusCode::OK).await
}

/// The new-template page: the frame form only (items are added in the editor).
pub async fn render_new(state: &AppState, user: &UiUser, failure: Option<Failure>, status: StatusCode) -> UiResult {
    let (frame, frame_error) = match failure {
        Some(Failure { form: Failed::Frame(fields), message }) => (fields, Some(message)),
        Some(Failure { message, .. }) => (new_frame(user), Some(message)),
        None => (new_frame(user), None),
    };
    let page = EditorPage {
        layout: user.layout(state, "New template", "templates").await,
        saved: None,
        frame,
        frame_error,
        sections: sections(state).await,
        can_pick_section: user.is_admin(),
        rows: Vec::new(),
        new_item: EntryFields::default(),
        new_item_error: None,
        action_error: None,
        confirm_delete: false,
    };
    Ok(render::page_status(status, &page))
}

fn new_frame(user: &UiUser) -> FrameFields {
    FrameFields {
        shift: ShiftType::Morning.as_str().to_owned(),
        section_id: user.actor.section_id.map(|s| s.to_string()).unwrap_or_default(),
        is_active: Some("on".to_owned()),
        ..FrameFields::default()
    }
}

/// The editor of a saved template, with a refused form (if any) back in its place.
pub async fn render_editor(
    state: &AppState,
    user: &UiUser,
    id: Uuid,
    failure: Option<Failure>,
    confirm: Confirm,
    status: StatusCode,
) -> UiResult {
    let template = TemplateView::from(state.app.get_template(&user.actor, id).await?);
    let tz = state.app.business_timezone().await?;
    let sections = sections(state).await;
    let rows = item_rows(&template, &user.csrf, tz, failure.as_ref(), &confirm);
    let mut page = EditorPage {
        layout: user.layout(state, template.name.clone(), "templates").await,
        saved: Some(saved_of(&template, tz, &sections)),
        frame: frame_of(&template),
        frame_error: None,
        sections,
        can_pick_section: user.is_admin(),
        rows,
        new_item: EntryFields::default(),
        new_item_error: None,
        action_error: None,
        confirm_delete: confirm.template(),
    };
    match failure {
        Some(Failure { form: Failed::Frame(fields), message }) => {
            page.frame = fields;
            page.frame_error = Some(message);
        }
        Some(Failure { form: Failed::NewItem(fields), message }) => {
            page.new_item = fields;
            page.new_item_error = Some(message);
        }
        Some(Failure { form: Failed::Action, message }) => page.action_error = Some(message),
        _ => {}
    }
    Ok(render::page_status(status, &page))
}

pub async fn create(post: EditorPost, UiForm(fields): UiForm<FrameFields>) -> UiResult {
    let outcome =
        on_input(fields.to_input(true), async |input| post.state.app.create_template(&post.user.actor, input).await)
            .await;
    match outcome {
        Ok(change) => Ok(outcome::saved(
            &post.headers,
            &editor_path(change.id),
            format!("Template '{}' created. Add its items below.", change.template.row.name),
        )),
        Err(refusal) => refused(&post, None, Failed::Frame(fields), refusal).await,
    }
}

/// The template's own fields (name, description, shift, section).
pub async fn update(post: EditorPost, UiPath(id): UiPath<Uuid>, UiForm(fields): UiForm<FrameFields>) -> UiResult {
    let outcome = on_input(fields.to_input(false), async |mut input| {
        if !post.user.is_admin() {
            // Managers cannot move templates; their form has no section field.
            input.section_id = None;
        }
        post.state.app.update_template(&post.user.actor, id, input).await
    })
    .await;
    let done = |change: TemplateChange| format!("Saved. The template is now version {}.", change.template.row.version);
    answer(&post, id, outcome, done, Failed::Frame(fields)).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActiveForm {
    /// "true" to activate, anything else deactivates.
    pub is_active: String,
}

pub async fn set_active(post: EditorPost, UiPath(id): UiPath<Uuid>, UiForm(form): UiForm<ActiveForm>) -> UiResult {
    let active = form.is_active == "true";
    let input = TemplateInput { is_active: Some(active), ..TemplateInput::default() };
    match post.state.app.update_template(&post.user.actor, id, input).await {
        Ok(_) if active => saved(&post, id, "Activated: new checklists can use this template."),
        Ok(_) => saved(&post, id, "Deactivated: no new checklists start from this template."),
        Err(err) => refused(&post, Some(id), Failed::Action, err).await,
    }
}

/// Deletes (retires) the template; checklists made from it keep working.
pub async fn delete(post: EditorPost, UiPath(id): UiPath<Uuid>) -> UiResult {
    match post.state.app.delete_template(&post.user.actor, id).await {
        Ok(message) => Ok(outcome::saved(&post.headers, "/ui/templates", message)),
        Err(err) => refused(&post, Some(id), Failed::Action, err).await,
    }
}
