//! A template's items, their subitems and scheduled events, and their order: one form
//! per use case (`add_template_item`, `update_template_item`, `delete_template_item`,
//! `change_template_subitem`, `change_template_event`, `reorder_template_items`).

use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::templates::{TemplateItemView, TemplateView};

use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::templates::forms::{EntryFields, EventFields};
use crate::ui::templates::view::Failed;
use crate::ui::templates::{EditorPost, Refusal, answer, on_input};

pub async fn add_item(post: EditorPost, UiPath(id): UiPath<Uuid>, UiForm(fields): UiForm<EntryFields>) -> UiResult {
    let outcome = on_input(fields.to_item_input(), async |input| {
        post.state.app.add_template_item(&post.user.actor, id, input).await
    })
    .await;
    let done = |item: TemplateItemView| format!("Item '{}' added.", item.row.title);
    answer(&post, id, outcome, done, Failed::NewItem(fields)).await
}

pub async fn update_item(
    post: EditorPost,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    let outcome = on_input(fields.to_item_input(), async |mut input| {
        // The edit form has no event fields: the item's events stay as they are.
        input.scheduled_events = None;
        post.state.app.update_template_item(&post.user.actor, id, item, input).await
    })
    .await;
    let done = |saved_item: TemplateItemView| format!("Item '{}' saved.", saved_item.row.title);
    answer(&post, id, outcome, done, Failed::Item(item, fields)).await
}

pub async fn delete_item(post: EditorPost, UiPath((id, item)): UiPath<(Uuid, Uuid)>) -> UiResult {
    let result = post.state.app.delete_template_item(&post.user.actor, id, item).await;
    answer(&post, id, result, |removed| format!("Item '{}' removed.", removed.row.title), Failed::Action).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrderForm {
    /// Every item id, comma-separated, in the new order (the up/down buttons carry it).
    pub order: String,
}

pub async fn reorder(post: EditorPost, UiPath(id): UiPath<Uuid>, UiForm(form): UiForm<OrderForm>) -> UiResult {
    let ids: Result<Vec<Uuid>, _> = form.order.split(',').map(|s| s.trim().parse::<Uuid>()).collect();
    let outcome = match ids {
        Ok(ids) => post.state.app.reorder_template_items(&post.user.actor, id, ids).await.map_err(Refusal::App),
        Err(_) => Err(Refusal::Input("The new order could not be read. Reload the page and try again.".to_owned())),
    };
    let done = |template: TemplateView| format!("Order saved. The template is now version {}.", template.row.version);
    answer(&post, id, outcome, done, Failed::Action).await
}

pub async fn add_subitem(
    post: EditorPost,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    save_subitem(post, (id, item, None), fields).await
}

pub async fn update_subitem(
    post: EditorPost,
    UiPath((id, item, subitem)): UiPath<(Uuid, Uuid, Uuid)>,
    UiForm(fields): UiForm<EntryFields>,
) -> UiResult {
    save_subitem(post, (id, item, Some(subitem)), fields).await
}

/// Adds a subitem to `item` of template `id`, or saves `subitem` when there is one.
async fn save_subitem(
    post: EditorPost,
    (id, item, subitem): (Uuid, Uuid, Option<Uuid>),
    fields: EntryFields,
) -> UiResult {
    let outcome = on_input(fields.to_subitem_input(), async |input| {
        post.state.app.change_template_subitem(&post.user.actor, id, item, subitem, Some(input)).await
    })
    .await;
    let (done, form) = match subitem {
        None => (format!("Subitem '{}' added.", fields.title.trim()), Failed::NewSubitem(item, fields)),
        Some(subitem) => (format!("Subitem '{}' saved.", fields.title.trim()), Failed::Subitem(item, subitem, fields)),
    };
    answer(&post, id, outcome, |_| done, form).await
}

pub async fn delete_subitem(post: EditorPost, UiPath((id, item, subitem)): UiPath<(Uuid, Uuid, Uuid)>) -> UiResult {
    let result = post.state.app.change_template_subitem(&post.user.actor, id, item, Some(subitem), None).await;
    answer(&post, id, result, |_| "Subitem removed.".to_owned(), Failed::Action).await
}

pub async fn add_event(
    post: EditorPost,
    UiPath((id, item)): UiPath<(Uuid, Uuid)>,
    UiForm(fields): UiForm<EventFields>,
) -> UiResult {
    let outcome = on_input(fields.to_input(), async |input| {
        post.state.app.change_template_event(&post.user.actor, id, item, None, Some(input)).await
    })
    .await;
    answer(&post, id, outcome, |_| "Scheduled event added.".to_owned(), Failed::NewEvent(item, fields)).await
}

pub async fn delete_event(post: EditorPost, UiPath((id, item, event)): UiPath<(Uuid, Uuid, Uuid)>) -> UiResult {
    let result = post.state.app.change_template_event(&post.user.actor, id, item, Some(event), None).await;
    answer(&post, id, result, |_| "Scheduled event removed.".to_owned(), Failed::Action).await
}
