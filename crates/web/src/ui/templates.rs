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
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use uuid::Uuid;

use sentinelops_app::AppError;

use crate::state::AppState;
use crate::ui::render::{self, Flash};
use crate::ui::session::{self, UiUser};
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

const SUPERVISORS_ONLY: &str = "Templates are managed by managers and administrators.";

/// The page gate: operators get the 403 page (the use cases refuse them too).
async fn gate(state: &AppState, user: &UiUser, headers: &HeaderMap) -> Result<(), Response> {
    user.require(state, headers, user.is_supervisor(), SUPERVISORS_ONLY).await
}

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

/// Why a form was refused: the use case said no, or a number did not parse.
enum Refusal {
    App(AppError),
    Input(String),
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Refusal::App(err)
    }
}

/// 303 back to the editor with a flash.
fn saved(headers: &HeaderMap, id: Uuid, message: impl Into<String>) -> Response {
    render::redirect_with_flash(headers, &editor_path(id), Flash::ok(message))
}

/// A refused form: for `ui.js`, the message alone (shown inside the form); otherwise
/// the editor again, the form holding what was typed and the message beside it. A
/// template that is gone or not the user's is the error page, not a form message.
async fn refused(
    state: &AppState,
    user: &UiUser,
    headers: &HeaderMap,
    template: Option<Uuid>,
    form: Failed,
    refusal: Refusal,
) -> Response {
    let (status, message) = match &refusal {
        Refusal::App(err) => render::error_message(err),
        Refusal::Input(message) => (StatusCode::UNPROCESSABLE_ENTITY, message.clone()),
    };
    if let Refusal::App(err) = refusal
        && (matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) || status.is_server_error())
    {
        return render::app_error_page(state, user, headers, err).await;
    }
    if session::is_fetch(headers) {
        return render::fragment_status(status, &message);
    }
    let failure = Failure { form, message };
    match template {
        Some(id) => editor::render_editor(state, user, headers, id, Some(failure), Default::default(), status).await,
        None => editor::render_new(state, user, Some(failure), status).await,
    }
}
