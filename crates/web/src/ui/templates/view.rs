//! What the editor page shows: the template's frame, one row per item (the
//! `partials/template_item.html` partial), and — after a refused form — that form again
//! with the user's input and the use case's message next to it.

use askama::Template;
use chrono_tz::Tz;
use uuid::Uuid;

use sentinelops_app::templates::{TemplateItemView, TemplateView};

use crate::ui::render::Layout;
use crate::ui::templates::forms::{
    EntryFields, EventFields, EventLine, FrameFields, SHIFTS, local_time, short_time, type_label,
};

/// A section in a select or a table cell.
#[derive(Debug, Clone)]
pub struct SectionOption {
    pub id: String,
    pub name: String,
}

/// Which form a refused POST came from, with what the user typed.
#[derive(Debug, Clone)]
pub enum Failed {
    Frame(FrameFields),
    NewItem(EntryFields),
    Item(Uuid, EntryFields),
    NewSubitem(Uuid, EntryFields),
    Subitem(Uuid, Uuid, EntryFields),
    NewEvent(Uuid, EventFields),
    /// Reorder, delete, activate: no fields to keep; the message goes on top.
    Action,
}

/// A refused form: where it was and the message to show next to it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub form: Failed,
    pub message: String,
}

/// The short description of a saved item or subitem (the form may hold other values).
#[derive(Debug, Clone)]
pub struct Summary {
    pub title: String,
    pub description: Option<String>,
    pub item_type: String,
    pub severity: i32,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
}

impl Summary {
    pub fn type_label(&self) -> &str {
        type_label(&self.item_type)
    }

    pub fn is_timed(&self) -> bool {
        self.item_type == "TIMED"
    }
}

#[derive(Debug, Clone)]
pub struct SubitemRow {
    pub id: Uuid,
    pub summary: Summary,
    pub fields: EntryFields,
    pub error: Option<String>,
}

impl SubitemRow {
    /// The prefix of its form's field ids.
    pub fn prefix(&self) -> String {
        format!("subitem-{}", self.id)
    }
}

/// One item of the editor with everything its partial needs (the partial is also
/// rendered alone, so it carries the ids and the CSRF token itself).
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub template_id: Uuid,
    pub id: Uuid,
    pub csrf: String,
    /// 1-based place in the list, and the list's length.
    pub position: usize,
    pub count: usize,
    pub summary: Summary,
    pub fields: EntryFields,
    pub error: Option<String>,
    pub subitems: Vec<SubitemRow>,
    pub new_subitem: EntryFields,
    pub new_subitem_error: Option<String>,
    /// SCHEDULED_EVENT items have events; the others none.
    pub takes_events: bool,
    pub events: Vec<EventLine>,
    pub new_event: EventFields,
    pub new_event_error: Option<String>,
    /// The complete item order after moving this item up / down (`None` at the ends).
    pub order_up: Option<String>,
    pub order_down: Option<String>,
    /// Render the delete confirmation open (the no-script way to confirm).
    pub confirm_delete: bool,
}

impl ItemRow {
    /// The prefix of one of its forms' field ids ("item", "new-subitem").
    pub fn prefix(&self, form: &str) -> String {
        format!("{form}-{}", self.id)
    }

    /// Opens the item's edit form: after its own refused edit.
    pub fn editing(&self) -> bool {
        self.error.is_some()
    }
}

/// `partials/template_item.html` on its own (for the snapshot test; the editor
/// includes the same file for each row).
#[derive(Template)]
#[template(path = "partials/template_item.html")]
pub struct ItemRowPartial {
    pub row: ItemRow,
}

/// The saved template the editor shows (absent on the new-template page).
#[derive(Debug, Clone)]
pub struct Saved {
    pub id: Uuid,
    pub version: i32,
    pub is_active: bool,
    pub updated: String,
    pub section_name: String,
}

#[derive(Template)]
#[template(path = "template_editor.html")]
pub struct EditorPage {
    pub layout: Layout,
    pub saved: Option<Saved>,
    pub frame: FrameFields,
    pub frame_error: Option<String>,
    /// Admins pick the section; managers' templates stay in their own.
    pub sections: Vec<SectionOption>,
    pub can_pick_section: bool,
    pub rows: Vec<ItemRow>,
    pub new_item: EntryFields,
    pub new_item_error: Option<String>,
    pub action_error: Option<String>,
    pub confirm_delete: bool,
}

impl EditorPage {
    pub fn shifts(&self) -> &'static [(&'static str, &'static str)] {
        SHIFTS
    }

    /// The new-item form opens by itself when the template has no items yet or the
    /// last attempt was refused.
    pub fn adding(&self) -> bool {
        self.rows.is_empty() || self.new_item_error.is_some()
    }
}

/// Which row to open a delete confirmation for (`?confirm=delete` or `?confirm={item id}`).
#[derive(Debug, Clone, Default)]
pub struct Confirm(pub Option<String>);

impl Confirm {
    pub fn template(&self) -> bool {
        self.0.as_deref() == Some("delete")
    }

    fn item(&self, id: Uuid) -> bool {
        self.0.as_deref() == Some(id.to_string().as_str())
    }
}

fn summary(
    title: &str,
    description: Option<&String>,
    item_type: &str,
    severity: i32,
    flags: (bool, bool),
    time: (Option<&String>, Option<i32>),
) -> Summary {
    Summary {
        title: title.to_owned(),
        description: description.cloned(),
        item_type: item_type.to_owned(),
        severity,
        is_required: flags.0,
        has_exe_time: flags.1,
        scheduled_time: time.0.map(|t| short_time(t.as_str())),
        notify_before_minutes: time.1,
    }
}

/// The rows of a saved template, with a refused item form (if any) put back in place.
pub fn item_rows(
    template: &TemplateView,
    csrf: &str,
    tz: Tz,
    failure: Option<&Failure>,
    confirm: &Confirm,
) -> Vec<ItemRow> {
    let ids: Vec<Uuid> = template.items.iter().map(|i| i.id).collect();
    let count = ids.len();
    template
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut row = item_row(template.id, item, csrf, tz, index, &ids);
            row.count = count;
            row.confirm_delete = confirm.item(item.id);
            if let Some(failure) = failure {
                apply_failure(&mut row, failure);
            }
            row
        })
        .collect()
}

fn item_row(template_id: Uuid, item: &TemplateItemView, csrf: &str, tz: Tz, index: usize, ids: &[Uuid]) -> ItemRow {
    let swapped = |a: usize, b: usize| {
        let mut order = ids.to_vec();
        order.swap(a, b);
        order.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",")
    };
    ItemRow {
        template_id,
        id: item.id,
        csrf: csrf.to_owned(),
        position: index + 1,
        count: ids.len(),
        summary: summary(
            &item.title,
            item.description.as_ref(),
            &item.item_type,
            item.severity,
            (item.is_required, item.has_exe_time),
            (item.scheduled_time.as_ref(), item.notify_before_minutes),
        ),
        fields: EntryFields::of_item(item),
        error: None,
        subitems: item
            .subitems
            .iter()
            .map(|s| SubitemRow {
                id: s.id,
                summary: summary(
                    &s.title,
                    s.description.as_ref(),
                    &s.item_type,
                    s.severity,
                    (s.is_required, s.has_exe_time),
                    (s.scheduled_time.as_ref(), s.notify_before_minutes),
                ),
                fields: EntryFields::of_subitem(s),
                error: None,
            })
            .collect(),
        new_subitem: EntryFields::default(),
        new_subitem_error: None,
        takes_events: item.item_type == "SCHEDULED_EVENT",
        events: item.scheduled_events.iter().map(|e| EventLine::of(e, tz)).collect(),
        new_event: EventFields::default(),
        new_event_error: None,
        order_up: (index > 0).then(|| swapped(index - 1, index)),
        order_down: (index + 1 < ids.len()).then(|| swapped(index, index + 1)),
        confirm_delete: false,
    }
}

fn apply_failure(row: &mut ItemRow, failure: &Failure) {
    let message = Some(failure.message.clone());
    match &failure.form {
        Failed::Item(id, fields) if *id == row.id => {
            row.fields = fields.clone();
            row.error = message;
        }
        Failed::NewSubitem(id, fields) if *id == row.id => {
            row.new_subitem = fields.clone();
            row.new_subitem_error = message;
        }
        Failed::Subitem(id, sid, fields) if *id == row.id => {
            if let Some(sub) = row.subitems.iter_mut().find(|s| s.id == *sid) {
                sub.fields = fields.clone();
                sub.error = message;
            }
        }
        Failed::NewEvent(id, fields) if *id == row.id => {
            row.new_event = fields.clone();
            row.new_event_error = message;
        }
        _ => {}
    }
}

/// The frame fields of a saved template.
pub fn frame_of(template: &TemplateView) -> FrameFields {
    FrameFields {
        name: template.name.clone(),
        description: template.description.clone().unwrap_or_default(),
        shift: template.shift.clone(),
        section_id: template.section_id.to_string(),
        is_active: template.is_active.then(|| "on".to_owned()),
    }
}

pub fn saved_of(template: &TemplateView, tz: Tz, sections: &[SectionOption]) -> Saved {
    let section = template.section_id.to_string();
    Saved {
        id: template.id,
        version: template.version,
        is_active: template.is_active,
        updated: local_time(template.updated_at, tz),
        section_name: sections.iter().find(|s| s.id == section).map_or(section, |s| s.name.clone()),
    }
}
