//! `/ui/templates`: the template library and editor, for supervisors (managers see and
//! edit their section's templates, admins all; the use cases enforce it, the pages only
//! keep operators out). Every change is a plain form POST to a fine-grained use case,
//! answered 303 back to the editor with a flash; a refused one re-renders the editor
//! with the user's input and the use case's message next to that form (`ui.js` shows
//! the message in place for `data-enhance` forms).
//!
//! - `library` — the list with its filters;
//! - `editor` — the page, the new-template form and the template's own fields;
//! - `items` — items, subitems, scheduled events and their order.

mod editor;
pub mod forms;
mod items;
mod library;
pub mod view;

use axum::Router;
use axum::routing::{get, post};
use uuid::Uuid;

use sentinelops_app::AppError;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::outcome::{self, Refusal};
use crate::ui::roles::{FormPost, Supervisor, TemplateLibrary};
use crate::ui::templates::view::{Failed, Failure, SectionOption};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/templates", get(library::library).post(editor::create))
        .route("/ui/templates/new", get(editor::new_template))
        .route("/ui/templates/{id}", get(editor::edit).post(editor::update))
        .route("/ui/templates/{id}/active", post(editor::set_active))
        .route("/ui/templates/{id}/delete", post(editor::delete))
        .route("/ui/templates/{id}/reorder", post(items::reorder))
        .route("/ui/templates/{id}/items", post(items::add_item))
        .route("/ui/templates/{id}/items/{item}", post(items::update_item))
        .route("/ui/templates/{id}/items/{item}/delete", post(items::delete_item))
        .route("/ui/templates/{id}/items/{item}/subitems", post(items::add_subitem))
        .route("/ui/templates/{id}/items/{item}/subitems/{subitem}", post(items::update_subitem))
        .route("/ui/templates/{id}/items/{item}/subitems/{subitem}/delete", post(items::delete_subitem))
        .route("/ui/templates/{id}/items/{item}/events", post(items::add_event))
        .route("/ui/templates/{id}/items/{item}/events/{event}/delete", post(items::delete_event))
}

/// Operators get the 403 page (the use cases refuse them too).
pub type TemplateEditor = Supervisor<TemplateLibrary>;

/// A change posted to the library or the editor.
pub type EditorPost = FormPost<TemplateEditor>;

/// Every section by name, for selects and the library's section column. A failure
/// leaves the list empty (ids are shown instead of names) rather than the page broken.
async fn sections(state: &AppState) -> Vec<SectionOption> {
    match state.app.list_sections(None).await {
        Ok(list) => {
            let mut list: Vec<SectionOption> =
                list.into_iter().map(|s| SectionOption { id: s.id.to_string(), name: s.name }).collect();
            list.sort_by_key(|s| s.name.to_lowercase());
            list
        }
        Err(err) => {
            tracing::warn!("sections for the template pages failed: {err}");
            Vec::new()
        }
    }
}

pub fn editor_path(id: Uuid) -> String {
    format!("/ui/templates/{id}")
}

/// 303 back to the editor with a flash.
fn saved(post: &EditorPost, id: Uuid, message: impl Into<String>) -> UiResult {
    Ok(outcome::saved(&post.headers, &editor_path(id), message))
}

/// A form's use case run on its parsed input; input that does not parse is refused with
/// the form's own message before any use case runs.
async fn on_input<I, T>(
    parsed: Result<I, String>,
    run: impl AsyncFnOnce(I) -> Result<T, AppError>,
) -> Result<T, Refusal> {
    match parsed {
        Ok(input) => run(input).await.map_err(Refusal::App),
        Err(message) => Err(Refusal::Input(message)),
    }
}

/// The editor's answer to a change of template `id`: 303 back with `done`'s flash, or
/// the editor again with `form` holding what was typed.
async fn answer<T>(
    post: &EditorPost,
    id: Uuid,
    result: Result<T, impl Into<Refusal>>,
    done: impl FnOnce(T) -> String,
    form: Failed,
) -> UiResult {
    match result {
        Ok(value) => saved(post, id, done(value)),
        Err(refusal) => refused(post, Some(id), form, refusal).await,
    }
}

/// A refused form: the editor again (or the new-template page), the form holding what
/// was typed and the message beside it; see `outcome::refused` for the rest.
async fn refused(post: &EditorPost, template: Option<Uuid>, form: Failed, refusal: impl Into<Refusal>) -> UiResult {
    let EditorPost { state, user, .. } = post;
    outcome::refused(&post.headers, refusal, async |status, message| {
        let failure = Failure { form, message };
        match template {
            Some(id) => editor::render_editor(state, user, id, Some(failure), Default::default(), status).await,
            None => editor::render_new(state, user, Some(failure), status).await,
        }
    })
    .await
}
