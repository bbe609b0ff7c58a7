//! The template editor's form fields: what a form posts (all text, so a bad value comes
//! back to the user as typed) and how it becomes the app's inputs. Only the parsing of
//! numbers happens here; every rule (titles, severity 1–5, times in the shift window…)
//! is the use case's.

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_domain::Named;
use sentinelops_domain::checklist::ItemType;
use sentinelops_domain::shift::ShiftType;

use sentinelops_app::templates::{EventInput, ItemInput, SubitemInput, TemplateInput};

use crate::api::templates::{TemplateEventView, TemplateItemView, TemplateSubitemView};

/// Every shift's code and title, in the day's order, for selects.
pub static SHIFTS: LazyLock<Vec<(&str, &str)>> =
    LazyLock::new(|| ShiftType::ALL.into_iter().map(|s| (s.as_str(), s.title())).collect());

/// The label of an item type (the code itself for one we do not know).
pub fn type_label(code: &str) -> &str {
    ItemType::from_name(code).map_or(code, |t| t.label())
}

/// The template's own fields (create and update).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FrameFields {
    pub name: String,
    pub description: String,
    pub shift: String,
    pub section_id: String,
    /// A checkbox: present when ticked.
    pub is_active: Option<String>,
}

impl FrameFields {
    pub fn active(&self) -> bool {
        self.is_active.is_some()
    }

    pub fn is_shift(&self, code: &str) -> bool {
        self.shift == code
    }

    pub fn is_section(&self, id: &str) -> bool {
        self.section_id == id
    }

    /// The input for `create_template` (`with_active`) or `update_template` (activation
    /// has its own button there, so the field is left alone).
    pub fn to_input(&self, with_active: bool) -> Result<TemplateInput, String> {
        let section_id = match self.section_id.trim() {
            "" => None,
            id => Some(id.parse::<Uuid>().map_err(|_| "Choose a section from the list.".to_owned())?),
        };
        Ok(TemplateInput {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            shift: Some(self.shift.clone()).filter(|s| !s.trim().is_empty()),
            is_active: with_active.then(|| self.active()),
            section_id,
            items: None,
        })
    }
}

/// An item's or a subitem's fields (they have the same ones). A new item's form also
/// carries its first scheduled event, which a SCHEDULED_EVENT item cannot be without.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct EntryFields {
    pub title: String,
    pub description: String,
    pub item_type: String,
    pub severity: String,
    pub is_required: Option<String>,
    pub has_exe_time: Option<String>,
    pub scheduled_time: String,
    pub notify_before_minutes: String,
    pub event_datetime: String,
    pub event_notify_before_minutes: String,
    pub event_notify_all: Option<String>,
}

impl Default for EntryFields {
    /// A blank new entry: routine, required, the lowest severity (the use case's defaults).
    fn default() -> Self {
        EntryFields {
            title: String::new(),
            description: String::new(),
            item_type: "ROUTINE".to_owned(),
            severity: "1".to_owned(),
            is_required: Some("on".to_owned()),
            has_exe_time: None,
            scheduled_time: String::new(),
            notify_before_minutes: String::new(),
            event_datetime: String::new(),
            event_notify_before_minutes: "30".to_owned(),
            event_notify_all: None,
        }
    }
}

fn checkbox(on: bool) -> Option<String> {
    on.then(|| "on".to_owned())
}

impl EntryFields {
    pub fn of_item(item: &TemplateItemView) -> EntryFields {
        EntryFields {
            title: item.title.clone(),
            description: item.description.clone().unwrap_or_default(),
            item_type: item.item_type.clone(),
            severity: item.severity.to_string(),
            is_required: checkbox(item.is_required),
            has_exe_time: checkbox(item.has_exe_time),
            scheduled_time: item.scheduled_time.as_deref().map(short_time).unwrap_or_default(),
            notify_before_minutes: item.notify_before_minutes.map(|m| m.to_string()).unwrap_or_default(),
            ..EntryFields::default()
        }
    }

    pub fn of_subitem(subitem: &TemplateSubitemView) -> EntryFields {
        EntryFields {
            title: subitem.title.clone(),
            description: subitem.description.clone().unwrap_or_default(),
            item_type: subitem.item_type.clone(),
            severity: subitem.severity.to_string(),
            is_required: checkbox(subitem.is_required),
            has_exe_time: checkbox(subitem.has_exe_time),
            scheduled_time: subitem.scheduled_time.as_deref().map(short_time).unwrap_or_default(),
            notify_before_minutes: subitem.notify_before_minutes.map(|m| m.to_string()).unwrap_or_default(),
            ..EntryFields::default()
        }
    }

    pub fn is_type(&self, code: &str) -> bool {
        self.item_type == code
    }

    pub fn is_severity(&self, value: &str) -> bool {
        self.severity.trim() == value
    }

    /// False for a typed value the select does not offer (it stays selected, so the
    /// message next to it makes sense and a resave does not silently change it).
    pub fn severity_offered(&self) -> bool {
        ["1", "2", "3", "4", "5"].contains(&self.severity.trim())
    }

    pub fn required(&self) -> bool {
        self.is_required.is_some()
    }

    pub fn timed(&self) -> bool {
        self.has_exe_time.is_some()
    }

    pub fn event_all(&self) -> bool {
        self.event_notify_all.is_some()
    }

    /// The input for `add_template_item` / `update_template_item`: every field given,
    /// so an unticked box or an emptied description is a change too.
    pub fn to_item_input(&self) -> Result<ItemInput, String> {
        let first_event = match self.event_datetime.trim() {
            "" => None,
            when => Some(vec![EventInput {
                id: None,
                event_datetime: Some(when.to_owned()),
                notify_before_minutes: minutes("Event reminder", &self.event_notify_before_minutes)?,
                notify_roles: None,
                notify_all: Some(self.event_all()),
            }]),
        };
        Ok(ItemInput {
            id: None,
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            item_type: text(&self.item_type),
            is_required: Some(self.required()),
            has_exe_time: Some(self.timed()),
            scheduled_time: text(&self.scheduled_time),
            notify_before_minutes: minutes("Reminder", &self.notify_before_minutes)?,
            severity: severity(&self.severity)?,
            sort_order: None,
            subitems: None,
            scheduled_events: first_event,
        })
    }

    /// The input for a subitem: an item's fields (a subitem form has no event fields,
    /// and a subitem's events would not be read).
    pub fn to_subitem_input(&self) -> Result<SubitemInput, String> {
        Ok(SubitemInput { scheduled_events: None, ..self.to_item_input()? })
    }
}

/// A scheduled event of a SCHEDULED_EVENT item.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct EventFields {
    /// `datetime-local`: a local time in the business time zone.
    pub event_datetime: String,
    pub notify_before_minutes: String,
    pub notify_all: Option<String>,
    pub notify_admin: Option<String>,
    pub notify_manager: Option<String>,
    pub notify_user: Option<String>,
}

impl Default for EventFields {
    fn default() -> Self {
        EventFields {
            event_datetime: String::new(),
            notify_before_minutes: "30".to_owned(),
            notify_all: None,
            notify_admin: None,
            notify_manager: None,
            notify_user: None,
        }
    }
}

impl EventFields {
    pub fn to_input(&self) -> Result<EventInput, String> {
        let roles: Vec<String> =
            [("admin", &self.notify_admin), ("manager", &self.notify_manager), ("user", &self.notify_user)]
                .into_iter()
                .filter(|(_, ticked)| ticked.is_some())
                .map(|(role, _)| role.to_owned())
                .collect();
        Ok(EventInput {
            id: None,
            event_datetime: text(&self.event_datetime),
            notify_before_minutes: minutes("Reminder", &self.notify_before_minutes)?,
            notify_roles: Some(roles),
            notify_all: Some(self.notify_all.is_some()),
        })
    }
}

/// A saved event as shown: its time in the business time zone and who is told.
#[derive(Debug, Clone)]
pub struct EventLine {
    pub id: Uuid,
    pub when: String,
    pub notify_before_minutes: i32,
    pub audience: String,
}

impl EventLine {
    pub fn of(event: &TemplateEventView, tz: Tz) -> EventLine {
        let roles: Vec<&str> =
            event.notify_roles.as_array().map(|r| r.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
        let audience = if event.notify_all {
            "everyone".to_owned()
        } else if roles.is_empty() {
            "the checklist's participants".to_owned()
        } else {
            roles.join(", ")
        };
        EventLine {
            id: event.id,
            when: local_time(event.event_datetime, tz),
            notify_before_minutes: event.notify_before_minutes,
            audience,
        }
    }
}

/// A time as people on the floor read it: the business time zone, to the minute.
pub fn local_time(at: DateTime<chrono::Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// "15:30:00" as people write it ("15:30"); the use case takes either.
pub fn short_time(time: &str) -> String {
    match time.strip_suffix(":00") {
        Some(short) if short.len() == 5 => short.to_owned(),
        _ => time.to_owned(),
    }
}

fn text(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

fn severity(value: &str) -> Result<Option<i32>, String> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| "Severity must be a number from 1 to 5.".to_owned()),
    }
}

fn minutes(what: &str, value: &str) -> Result<Option<i32>, String> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| format!("{what} minutes must be a whole number.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_typed_badly_are_a_message_and_blank_ones_are_left_to_the_use_case() {
        let fields = EntryFields { severity: "high".into(), ..EntryFields::default() };
        assert_eq!(fields.to_item_input().err().as_deref(), Some("Severity must be a number from 1 to 5."));
        let fields = EntryFields { severity: " ".into(), notify_before_minutes: "15".into(), ..EntryFields::default() };
        let input = fields.to_item_input().unwrap_or_default();
        assert_eq!((input.severity, input.notify_before_minutes), (None, Some(15)));
        // Out-of-range values pass through: the use case owns the rule and its message.
        let fields = EntryFields { severity: "9".into(), ..EntryFields::default() };
        assert_eq!(fields.to_item_input().ok().and_then(|i| i.severity), Some(9));
    }

    #[test]
    fn unticked_boxes_are_false_not_missing_so_an_update_can_clear_them() {
        let fields = EntryFields { is_required: None, has_exe_time: None, ..EntryFields::default() };
        let input = fields.to_subitem_input().unwrap_or_default();
        assert_eq!((input.is_required, input.has_exe_time), (Some(false), Some(false)));
    }
}
