//! `/ui/checklists`: the checklist timeline — instances by date and shift, filtered
//! (date range, shift, status, search text) and paginated — and `POST /ui/checklists`,
//! starting a shift's checklist (or opening the one that already exists) and going
//! to it. The live checklist page itself is `/ui/checklists/{id}` (another module).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::checklists::{CreateInstance, InstanceListQuery, InstanceSummary};
use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_domain::shift::ShiftType;

use crate::api::paging::PageRequest;
use crate::state::AppState;
use crate::ui::dashboard::status_label;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiQuery};
use crate::ui::outcome;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

/// Rows per page of the timeline.
const PAGE_SIZE: u64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/checklists", get(timeline).post(start))
}

/// The filters as typed (strings, so an empty field is "no filter", not a 422).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TimelineQuery {
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub shift: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub page: String,
}

/// `POST /ui/checklists`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub shift: String,
    #[serde(default)]
    pub checklist_date: String,
    #[serde(default)]
    pub section_id: String,
}

#[derive(Template)]
#[template(path = "checklists.html")]
pub struct TimelinePage {
    pub layout: Layout,
    pub filters: TimelineQuery,
    pub shifts: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub sections: Vec<Choice>,
    pub rows: Vec<TimelineRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// The filters could not be applied (a bad date, an unknown status…).
    pub filter_error: Option<String>,
    pub start: StartForm,
    pub start_error: Option<String>,
}

/// An `<option>`: value, label.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    /// The three shifts, in the day's order.
    pub fn shifts() -> Vec<Choice> {
        ShiftType::ALL.iter().map(|s| Choice { value: s.as_str().to_owned(), label: s.title().to_owned() }).collect()
    }

    /// The checklist statuses, labelled for people.
    pub fn statuses() -> Vec<Choice> {
        InstanceStatus::ALL
            .iter()
            .map(|s| Choice { value: s.as_str().to_owned(), label: status_label(s.as_str()) })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub id: String,
    pub date: String,
    pub shift: String,
    pub template: String,
    pub section: String,
    pub status: String,
    pub status_label: String,
    pub actioned: usize,
    pub total: usize,
    pub exceptions: usize,
}

async fn timeline(State(state): State<AppState>, user: UiUser, UiQuery(filters): UiQuery<TimelineQuery>) -> UiResult {
    let (today, _, _) = state.app.operational_today().await?;
    let start = StartForm {
        checklist_date: today.to_string(),
        section_id: user.actor.section_id.map(|s| s.to_string()).unwrap_or_default(),
        ..StartForm::default()
    };
    render_timeline(&state, &user, filters, start, None).await
}

async fn start(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<StartForm>,
) -> UiResult {
    let input = match start_input(&form) {
        Ok(input) => input,
        Err(message) => {
            return render_timeline(
                &state,
                &user,
                TimelineQuery::default(),
                form,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await;
        }
    };
    match state.app.create_instance(&user.actor, input).await {
        Ok((row, created)) => {
            let flash =
                if created { "Checklist started." } else { "This shift's checklist was already started; here it is." };
            Ok(outcome::saved(&headers, &format!("/ui/checklists/{}", row.id), flash))
        }
        // Any refusal, even "not your section", is shown above the start form.
        Err(err) => {
            let error = render::error_message(&err);
            render_timeline(&state, &user, TimelineQuery::default(), form, Some(error)).await
        }
    }
}

/// The form's strings as the use case's input; a malformed field is the message.
fn start_input(form: &StartForm) -> Result<CreateInstance, String> {
    let shift = form.shift.trim();
    if shift.is_empty() {
        return Err("Choose a shift.".to_owned());
    }
    let checklist_date = optional(&form.checklist_date)
        .map(|d| d.parse::<NaiveDate>().map_err(|_| format!("{d:?} is not a date (YYYY-MM-DD).")))
        .transpose()?;
    let section_id = optional(&form.section_id)
        .map(|s| s.parse::<Uuid>().map_err(|_| "Choose a section from the list.".to_owned()))
        .transpose()?;
    Ok(CreateInstance { checklist_date, shift: Some(shift.to_owned()), template_id: None, section_id })
}

fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// The timeline page, with the start form's state (and its error, if a start failed).
async fn render_timeline(
    state: &AppState,
    user: &UiUser,
    filters: TimelineQuery,
    start: StartForm,
    start_error: Option<(StatusCode, String)>,
) -> UiResult {
    let sections = state.app.list_sections(None).await?;
    let section_names: HashMap<Uuid, String> = sections.iter().map(|s| (s.id, s.name.clone())).collect();
    let mut page = TimelinePage {
        layout: user.layout(state, "Checklists", "checklists").await,
        shifts: Choice::shifts(),
        statuses: Choice::statuses(),
        // Only administrators work across sections; everyone else starts in their own.
        sections: if user.is_admin() {
            sections.iter().map(|s| Choice { value: s.id.to_string(), label: s.name.clone() }).collect()
        } else {
            Vec::new()
        },
        rows: Vec::new(),
        total: 0,
        page: 1,
        pages: 0,
        prev_url: None,
        next_url: None,
        filter_error: None,
        start,
        start_error: None,
        filters,
    };
    let mut status = StatusCode::OK;
    if let Some((code, message)) = start_error {
        status = code;
        page.start_error = Some(message);
    }
    match list_page(state, user, &page.filters, &section_names).await {
        Ok(listing) => {
            page.prev_url = (listing.page > 1).then(|| page_url(&page.filters, listing.page - 1));
            page.next_url = (listing.page < listing.pages).then(|| page_url(&page.filters, listing.page + 1));
            page.rows = listing.rows;
            page.total = listing.total;
            page.page = listing.page;
            page.pages = listing.pages;
        }
        Err((code, message)) => {
            if status == StatusCode::OK {
                status = code;
            }
            page.filter_error = Some(message);
        }
    }
    Ok(render::page_status(status, &page))
}

struct Listing {
    rows: Vec<TimelineRow>,
    total: u64,
    page: u64,
    pages: u64,
}

async fn list_page(
    state: &AppState,
    user: &UiUser,
    filters: &TimelineQuery,
    sections: &HashMap<Uuid, String>,
) -> Result<Listing, (StatusCode, String)> {
    let bad = |message: String| (StatusCode::UNPROCESSABLE_ENTITY, message);
    let date = |field: &str, value: &str| -> Result<Option<NaiveDate>, (StatusCode, String)> {
        optional(value)
            .map(|d| d.parse::<NaiveDate>().map_err(|_| bad(format!("The {field} {d:?} is not a date (YYYY-MM-DD)."))))
            .transpose()
    };
    let page_number = match optional(&filters.page) {
        Some(p) => Some(p.parse::<u64>().map_err(|_| bad(format!("The page {p:?} is not a number.")))?),
        None => None,
    };
    let request = PageRequest::new(page_number, Some(PAGE_SIZE), PAGE_SIZE, PAGE_SIZE)
        .map_err(|err| render::error_message(&err))?;
    let query = InstanceListQuery {
        start_date: date("start date", &filters.start_date)?,
        end_date: date("end date", &filters.end_date)?,
        shift: optional(&filters.shift).map(str::to_owned),
        status: optional(&filters.status).map(str::to_owned),
        search: optional(&filters.search).map(str::to_owned),
        sort_by: None,
        sort_order: None,
        page: Some(request.page),
        limit: Some(request.limit),
    };
    let found = state
        .app
        .paginated_instances(&user.actor, &query, request.window())
        .await
        .map_err(|err| render::error_message(&err))?;
    Ok(Listing {
        rows: found.rows.iter().map(|s| row_of(s, sections)).collect(),
        total: found.total,
        page: request.page,
        pages: found.total.div_ceil(request.limit),
    })
}

fn row_of(s: &InstanceSummary, sections: &HashMap<Uuid, String>) -> TimelineRow {
    let row = &s.row;
    TimelineRow {
        id: row.id.to_string(),
        date: row.checklist_date.to_string(),
        shift: row.shift.title().to_owned(),
        template: row.template_name.clone(),
        section: sections.get(&row.section_id).cloned().unwrap_or_default(),
        status: row.status.as_str().to_ascii_lowercase(),
        status_label: status_label(row.status.as_str()),
        actioned: s.actioned_items,
        total: s.total_items,
        exceptions: s.exception_items,
    }
}

/// The timeline's URL for another page, keeping the filters.
fn page_url(filters: &TimelineQuery, page: u64) -> String {
    let page = page.to_string();
    let pairs: Vec<(&str, &str)> = [
        ("start_date", filters.start_date.as_str()),
        ("end_date", filters.end_date.as_str()),
        ("shift", filters.shift.as_str()),
        ("status", filters.status.as_str()),
        ("search", filters.search.as_str()),
        ("page", page.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .collect();
    format!("/ui/checklists?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}
