//! `GET /ui/templates`: the library, filtered by section (admins), shift and state.

use askama::Template;
use axum::extract::State;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;

use crate::api::templates::TemplateView;
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::UiQuery;
use crate::ui::render::{self, Layout};
use crate::ui::roles::Supervisor;
use crate::ui::templates::forms::{SHIFTS, local_time};
use crate::ui::templates::view::SectionOption;
use crate::ui::templates::{TemplateEditor, sections};

/// The filters as typed (empty = any), echoed back into the form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LibraryFilters {
    pub section: String,
    pub shift: String,
    /// "", "active" or "inactive".
    pub active: String,
}

impl LibraryFilters {
    pub fn is_section(&self, id: &str) -> bool {
        self.section == id
    }

    pub fn is_shift(&self, code: &str) -> bool {
        self.shift == code
    }

    pub fn is_active(&self, state: &str) -> bool {
        self.active == state
    }

    pub fn any(&self) -> bool {
        !(self.section.is_empty() && self.shift.is_empty() && self.active.is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct LibraryRow {
    pub id: Uuid,
    pub name: String,
    pub section: String,
    pub shift: String,
    pub version: i32,
    pub items: usize,
    pub subitems: usize,
    pub is_active: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "templates.html")]
pub struct LibraryPage {
    pub layout: Layout,
    pub rows: Vec<LibraryRow>,
    pub filters: LibraryFilters,
    pub sections: Vec<SectionOption>,
    /// Only admins see other sections, so only they filter by one.
    pub show_sections: bool,
}

impl LibraryPage {
    pub fn shifts(&self) -> &'static [(&'static str, &'static str)] {
        &SHIFTS
    }
}

pub async fn library(
    State(state): State<AppState>,
    Supervisor(user, ..): TemplateEditor,
    UiQuery(filters): UiQuery<LibraryFilters>,
) -> UiResult {
    let section = match filters.section.trim() {
        "" => None,
        id => match id.parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                let message = "That section filter is not a section. Pick one from the list.";
                return Err(AppError::BadRequest(message.to_owned()).into());
            }
        },
    };
    let shift = Some(filters.shift.trim()).filter(|s| !s.is_empty());
    let active_only = filters.active == "active";
    let templates = state.app.list_templates(&user.actor, shift, active_only, section).await?;
    let tz = state.app.business_timezone().await?;
    let sections = sections(&state).await;
    let rows = templates
        .into_iter()
        .filter(|t| filters.active != "inactive" || !t.row.is_active)
        .map(|t| {
            let t = TemplateView::from(t);
            let section_id = t.section_id.to_string();
            LibraryRow {
                id: t.id,
                section: sections.iter().find(|s| s.id == section_id).map_or(section_id, |s| s.name.clone()),
                shift: t.shift,
                version: t.version,
                items: t.items.len(),
                subitems: t.items.iter().map(|i| i.subitems.len()).sum(),
                is_active: t.is_active,
                updated: local_time(t.updated_at, tz),
                name: t.name,
            }
        })
        .collect();
    let layout = user.layout(&state, "Templates", "templates").await;
    let show_sections = user.is_admin();
    Ok(render::page(&LibraryPage { layout, rows, filters, sections, show_sections }))
}
