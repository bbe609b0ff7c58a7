//! What the editor page shows: the template's frame, one row per item (the
//! `partials/template_item.html` partial), and — after a refused form — that form again
//! with the user's input and the use case's message next to it.

use askama::Template;
use chrono_tz::Tz;
use uuid::Uuid;

use crate::api::templates::{TemplateItemView, TemplateView};
use sentinelops_domain::Named;
use sentinelops_domain::checklist::ItemType;
use sentinelops_domain::shift::ShiftType;

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
        self.item_type == ItemType::Timed.as_str()
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
    pub shift_label: &'static str,
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
        &SHIFTS
    }

    /// The details form is folded away in the editor, except on the new-template page
    /// and after its own refused save.
    pub fn editing_frame(&self) -> bool {
        self.saved.is_none() || self.frame_error.is_some()
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
        takes_events: item.item_type == ItemType::ScheduledEvent.as_str(),
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
        shift_label: ShiftType::from_name(&template.shift).map_or("", ShiftType::title),
    }
}

#[cfg(test)]
mod tests {
    use crate::api::templates::{TemplateEventView, TemplateSubitemView};
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn item(n: u128, title: &str, item_type: &str, severity: i32) -> TemplateItemView {
        TemplateItemView {
            id: id(n),
            template_id: id(1),
            title: title.to_owned(),
            description: None,
            item_type: item_type.to_owned(),
            is_required: true,
            has_exe_time: false,
            scheduled_time: None,
            notify_before_minutes: None,
            severity,
            sort_order: i32::try_from(n).unwrap_or(0) * 100,
            created_at: Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).single().unwrap_or_default(),
            subitems: Vec::new(),
            scheduled_events: Vec::new(),
        }
    }

    /// A morning template: a timed critical item with a subitem, and an event item.
    fn template() -> TemplateView {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).single().unwrap_or_default();
        let mut timed = item(10, "Check <overnight> batch", "TIMED", 5);
        timed.description = Some("Both data centres".to_owned());
        timed.scheduled_time = Some("07:30:00".to_owned());
        timed.notify_before_minutes = Some(15);
        timed.subitems.push(TemplateSubitemView {
            id: id(11),
            template_item_id: id(10),
            title: "Read the job log".to_owned(),
            description: None,
            item_type: "ROUTINE".to_owned(),
            is_required: false,
            has_exe_time: false,
            scheduled_time: None,
            notify_before_minutes: None,
            severity: 2,
            sort_order: 100,
            created_at: at,
        });
        let mut event = item(20, "Vendor maintenance window", "SCHEDULED_EVENT", 3);
        event.scheduled_events.push(TemplateEventView {
            id: id(21),
            template_item_id: id(20),
            event_datetime: Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).single().unwrap_or_default(),
            notify_before_minutes: 30,
            notify_roles: json!(["manager"]),
            notify_all: false,
            created_by: None,
            created_at: at,
        });
        TemplateView {
            id: id(1),
            name: "Morning".to_owned(),
            description: None,
            shift: "MORNING".to_owned(),
            is_active: true,
            version: 3,
            created_by: None,
            created_at: at,
            updated_at: at,
            section_id: id(2),
            items: vec![timed, event],
        }
    }

    fn render(name: &str, row: ItemRow) -> String {
        let html = ItemRowPartial { row }.render().unwrap_or_else(|err| format!("render failed: {err}"));
        // Fixed ids already; the filters keep the snapshot stable if the fixtures change.
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[id]");
        settings.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]");
        settings.bind(|| insta::assert_snapshot!(name, html));
        html
    }

    #[test]
    fn an_item_row_shows_its_badges_subitems_moves_and_forms() {
        let rows = item_rows(&template(), "token", chrono_tz::Africa::Harare, None, &Confirm::default());
        let first = rows
            .into_iter()
            .next()
            .unwrap_or_else(|| item_row(id(1), &item(1, "x", "ROUTINE", 1), "", chrono_tz::UTC, 0, &[]));
        let html = render("template_item_row", first);
        assert!(html.contains("Check &#60;overnight&#62; batch"), "escaped title");
        assert!(html.contains("Due 07:30 · reminder 15 min"));
        assert!(!html.contains("&#x2191; Up"), "the first item cannot move up");
    }

    #[test]
    fn a_refused_edit_opens_the_form_with_the_typed_values_and_the_message() {
        let typed = EntryFields { title: "Renamed".to_owned(), severity: "9".to_owned(), ..EntryFields::default() };
        let failure =
            Failure { form: Failed::Item(id(20), typed), message: "severity must be between 1 and 5".to_owned() };
        let rows = item_rows(&template(), "token", chrono_tz::Africa::Harare, Some(&failure), &Confirm::default());
        let second = rows
            .into_iter()
            .nth(1)
            .unwrap_or_else(|| item_row(id(1), &item(1, "x", "ROUTINE", 1), "", chrono_tz::UTC, 0, &[]));
        let html = render("template_item_row_refused", second);
        assert!(html.contains("<details class=\"tpl-edit\" open>"));
        assert!(html.contains("value=\"Renamed\"") && html.contains("severity must be between 1 and 5"));
        assert!(html.contains("2026-11-25 10:00</time> · reminder 30 min · tells manager"), "the event in Harare time");
    }
}
