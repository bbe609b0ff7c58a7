//! A template's items, their subitems and scheduled events, and their order: one form
//! per use case (`add_template_item`, `update_template_item`, `delete_template_item`,
//! `change_template_subitem`, `change_template_event`, `reorder_template_items`).

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::templates::{TemplateItemView, TemplateView};

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::roles::Supervisor;
use crate::ui::templates::forms::{EntryFields, EventFields};
use crate::ui::templates::view::Failed;
use crate::ui::templates::{Refusal, TemplateEditor, answer, on_input, refused, saved};

pub async fn add_item(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome =
        on_input(fields.to_item_input(), async |input| state.app.add_template_item(&user.actor, id, input).await).await;
    let done = |item: TemplateItemView| format!("Item '{}' added.", item.row.title);
    answer((&state, &user, &headers), id, outcome, done, Failed::NewItem(fields)).await
}

pub async fn update_item(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = on_input(fields.to_item_input(), async |mut input| {
        // The edit form has no event fields: the item's events stay as they are.
        input.scheduled_events = None;
        state.app.update_template_item(&user.actor, id, item, input).await
    })
    .await;
    let done = |saved_item: TemplateItemView| format!("Item '{}' saved.", saved_item.row.title);
    answer((&state, &user, &headers), id, outcome, done, Failed::Item(item, fields)).await
}

pub async fn delete_item(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
) -> UiResult {
    match state.app.delete_template_item(&user.actor, id, item).await {
        Ok(removed) => saved(&headers, id, format!("Item '{}' removed.", removed.row.title)),
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
    let done = |template: TemplateView| format!("Order saved. The template is now version {}.", template.row.version);
    answer((&state, &user, &headers), id, outcome, done, Failed::Action).await
}

pub async fn add_subitem(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = on_input(fields.to_subitem_input(), async |input| {
        state.app.change_template_subitem(&user.actor, id, item, None, Some(input)).await
    })
    .await;
    let done = format!("Subitem '{}' added.", fields.title.trim());
    answer((&state, &user, &headers), id, outcome, |_| done, Failed::NewSubitem(item, fields)).await
}

pub async fn update_subitem(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    headers: HeaderMap,
    UiPath((id, item, subitem)): UiPath<(Uuid, Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = on_input(fields.to_subitem_input(), async |input| {
        state.app.change_template_subitem(&user.actor, id, item, Some(subitem), Some(input)).await
    })
    .await;
    let done = format!("Subitem '{}' saved.", fields.title.trim());
    answer((&state, &user, &headers), id, outcome, |_| done, Failed::Subitem(item, subitem, fields)).await
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
    let outcome = on_input(fields.to_input(), async |input| {
        state.app.change_template_event(&user.actor, id, item, None, Some(input)).await
    })
    .await;
    let done = |_| "Scheduled event added.".to_owned();
    answer((&state, &user, &headers), id, outcome, done, Failed::NewEvent(item, fields)).await
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
