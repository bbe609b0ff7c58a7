//! A template's items, their subitems and scheduled events, and their order: one form
//! per use case (`add_template_item`, `update_template_item`, `delete_template_item`,
//! `change_template_subitem`, `change_template_event`, `reorder_template_items`).

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use uuid::Uuid;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::roles::Supervisor;
use crate::ui::templates::forms::{EntryFields, EventFields};
use crate::ui::templates::view::Failed;
use crate::ui::templates::{Refusal, TemplateEditor, refused, saved};

pub async fn add_item(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = match fields.to_item_input() {
        Ok(input) => state.app.add_template_item(&user.actor, id, input).await.map_err(Refusal::App),
        Err(message) => Err(Refusal::Input(message)),
    };
    match outcome {
        Ok(item) => saved(&headers, id, format!("Item '{}' added.", item.title)),
        Err(refusal) => refused(&state, &user, &headers, Some(id), Failed::NewItem(fields), refusal).await,
    }
}

pub async fn update_item(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = match fields.to_item_input() {
        Ok(mut input) => {
            // The edit form has no event fields: the item's events stay as they are.
            input.scheduled_events = None;
            state.app.update_template_item(&user.actor, id, item, input).await.map_err(Refusal::App)
        }
        Err(message) => Err(Refusal::Input(message)),
    };
    match outcome {
        Ok(saved_item) => saved(&headers, id, format!("Item '{}' saved.", saved_item.title)),
        Err(refusal) => refused(&state, &user, &headers, Some(id), Failed::Item(item, fields), refusal).await,
    }
}

pub async fn delete_item(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
) -> UiResult {
    match state.app.delete_template_item(&user.actor, id, item).await {
        Ok(removed) => saved(&headers, id, format!("Item '{}' removed.", removed.title)),
        Err(err) => refused(&state, &user, &headers, Some(id), Failed::Action, err).await,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrderForm {
    /// Every item id, comma-separated, in the new order (the up/down buttons carry it).
    pub order: String,
}

pub async fn reorder(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<OrderForm>,
) -> UiResult {
    let ids: Result<Vec<Uuid>, _> = form.order.split(',').map(|s| s.trim().parse::<Uuid>()).collect();
    let outcome = match ids {
        Ok(ids) => state.app.reorder_template_items(&user.actor, id, ids).await.map_err(Refusal::App),
        Err(_) => Err(Refusal::Input("The new order could not be read. Reload the page and try again.".to_owned())),
    };
    match outcome {
        Ok(template) => saved(&headers, id, format!("Order saved. The template is now version {}.", template.version)),
        Err(refusal) => refused(&state, &user, &headers, Some(id), Failed::Action, refusal).await,
    }
}

pub async fn add_subitem(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = match fields.to_subitem_input() {
        Ok(input) => {
            state.app.change_template_subitem(&user.actor, id, item, None, Some(input)).await.map_err(Refusal::App)
        }
        Err(message) => Err(Refusal::Input(message)),
    };
    match outcome {
        Ok(_) => saved(&headers, id, format!("Subitem '{}' added.", fields.title.trim())),
        Err(refusal) => refused(&state, &user, &headers, Some(id), Failed::NewSubitem(item, fields), refusal).await,
    }
}

pub async fn update_subitem(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item, subitem)): UiPath<(Uuid, Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = match fields.to_subitem_input() {
        Ok(input) => state
            .app
            .change_template_subitem(&user.actor, id, item, Some(subitem), Some(input))
            .await
            .map_err(Refusal::App),
        Err(message) => Err(Refusal::Input(message)),
    };
    match outcome {
        Ok(_) => saved(&headers, id, format!("Subitem '{}' saved.", fields.title.trim())),
        Err(refusal) => {
            refused(&state, &user, &headers, Some(id), Failed::Subitem(item, subitem, fields), refusal).await
        }
    }
}

pub async fn delete_subitem(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item, subitem)): UiPath<(Uuid, Uuid, Uuid)>,
) -> UiResult {
    match state.app.change_template_subitem(&user.actor, id, item, Some(subitem), None).await {
        Ok(_) => saved(&headers, id, "Subitem removed."),
        Err(err) => refused(&state, &user, &headers, Some(id), Failed::Action, err).await,
    }
}

pub async fn add_event(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EventFields>,
) -> UiResult {
    let outcome = match fields.to_input() {
        Ok(input) => {
            state.app.change_template_event(&user.actor, id, item, None, Some(input)).await.map_err(Refusal::App)
        }
        Err(message) => Err(Refusal::Input(message)),
    };
    match outcome {
        Ok(_) => saved(&headers, id, "Scheduled event added."),
        Err(refusal) => refused(&state, &user, &headers, Some(id), Failed::NewEvent(item, fields), refusal).await,
    }
}

pub async fn delete_event(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item, event)): UiPath<(Uuid, Uuid, Uuid)>,
) -> UiResult {
    match state.app.change_template_event(&user.actor, id, item, Some(event), None).await {
        Ok(_) => saved(&headers, id, "Scheduled event removed."),
        Err(err) => refused(&state, &user, &headers, Some(id), Failed::Action, err).await,
    }
}
