//! `/ui/roster/patterns`: a section's weekly shift patterns — each week at a glance, a
//! form to change it (name, type, each day's shift or off), delete, and a form for a
//! new one. For the section's managers and administrators; operators get the 403 page.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::roster::{PATTERN_TYPES, PatternDayInput, PatternInput};
use sentinelops_domain::roster::DAY_NAMES;

use super::week::ShiftOption;
use super::{answer, section_field};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath, UiQuery};
use crate::ui::outcome::Refusal;
use crate::ui::render::{self, Layout};
use crate::ui::roles::{Area, Supervisor};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/roster/patterns", get(patterns_page).post(create))
        .route("/ui/roster/patterns/{id}", post(update))
        .route("/ui/roster/patterns/{id}/delete", post(delete))
}

pub struct PatternEditor;

impl Area for PatternEditor {
    const REFUSAL: &'static str = "Shift patterns are kept by the section's managers and administrators.";
}

#[derive(Debug, Default, Deserialize)]
pub struct SectionQuery {
    #[serde(default)]
    pub section: Option<String>,
}

#[derive(Template)]
#[template(path = "roster_patterns.html")]
pub struct PatternsPage {
    pub layout: Layout,
    pub csrf: String,
    pub section_id: String,
    pub section_name: String,
    pub back: String,
    pub shifts: Vec<ShiftOption>,
    pub types: Vec<&'static str>,
    pub patterns: Vec<PatternCard>,
    /// Each day's name (Sunday first) with a blank choice, for the new pattern's form.
    pub blank_days: Vec<DayChoice>,
}

#[derive(Debug, Clone)]
pub struct PatternCard {
    pub id: String,
    pub name: String,
    pub description: String,
    pub pattern_type: String,
    pub days: Vec<DayChoice>,
}

/// One day of a pattern: its name, and the shift id or "off".
#[derive(Debug, Clone)]
pub struct DayChoice {
    pub index: usize,
    pub name: &'static str,
    /// "Sun", "Mon", …
    pub short: &'static str,
    pub value: String,
    /// The shift's name, or "Off".
    pub label: String,
    pub class: String,
}

async fn patterns_page(
    State(state): State<AppState>,
    Supervisor(user, _): Supervisor<PatternEditor>,
    UiQuery(query): UiQuery<SectionQuery>,
) -> UiResult {
    let asked = section_field(query.section.as_deref())?;
    let all = if user.is_admin() { state.app.list_sections(None).await? } else { Vec::new() };
    let section_id = asked.or(user.actor.section_id).or_else(|| all.first().map(|s| s.id));
    let Some(section_id) = section_id else {
        return Err(AppError::Validation("Create a section first.".to_owned()).into());
    };
    if !user.is_admin() && user.actor.section_id != Some(section_id) {
        return Err(AppError::Forbidden("This section's patterns are kept by its own managers.".to_owned()).into());
    }
    let sections = if all.is_empty() { state.app.list_sections(None).await? } else { all };
    let section_name = sections.into_iter().find(|s| s.id == section_id).map(|s| s.name).unwrap_or_default();
    let shifts: Vec<ShiftOption> = state
        .app
        .list_shifts()
        .await?
        .into_iter()
        .map(|s| ShiftOption { id: s.row.id.to_string(), name: s.row.name, class: format!("shift-{}", s.row.id) })
        .collect();
    let mut patterns = Vec::new();
    for row in
        state.app.list_patterns(&user.actor, Some(section_id)).await?.into_iter().filter(|p| p.section_id == section_id)
    {
        let view = state.app.pattern(&user.actor, row.id).await?;
        let days = DAY_NAMES
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let day = view.days.iter().find(|(n, _, _)| n == name);
                let shift = day.and_then(|(_, d, _)| d.shift_id.filter(|_| !d.is_off_day));
                let chosen = shift.and_then(|id| shifts.iter().find(|s| s.id == id.to_string()));
                match chosen {
                    Some(s) => DayChoice {
                        index,
                        name,
                        short: short(name),
                        value: s.id.clone(),
                        label: s.name.clone(),
                        class: s.class.clone(),
                    },
                    None => off_day(index, name),
                }
            })
            .collect();
        patterns.push(PatternCard {
            id: row.id.to_string(),
            name: row.name,
            description: row.description.unwrap_or_default(),
            pattern_type: row.pattern_type,
            days,
        });
    }
    let page = PatternsPage {
        layout: user.layout(&state, "Shift patterns", "roster").await,
        csrf: user.csrf.clone(),
        back: format!("/ui/roster/patterns?section={section_id}"),
        section_id: section_id.to_string(),
        section_name,
        shifts,
        types: PATTERN_TYPES.to_vec(),
        patterns,
        blank_days: DAY_NAMES.iter().enumerate().map(|(i, n)| off_day(i, n)).collect(),
    };
    Ok(render::page(&page))
}

fn short(name: &'static str) -> &'static str {
    name.get(..3).unwrap_or(name)
}

fn off_day(index: usize, name: &'static str) -> DayChoice {
    DayChoice {
        index,
        name,
        short: short(name),
        value: "off".to_owned(),
        label: "Off".to_owned(),
        class: String::new(),
    }
}

/// The editor's fields: `day0` (Sunday) … `day6`, each a shift id or "off".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PatternForm {
    pub section_id: String,
    pub name: String,
    pub description: String,
    pub pattern_type: String,
    pub day0: String,
    pub day1: String,
    pub day2: String,
    pub day3: String,
    pub day4: String,
    pub day5: String,
    pub day6: String,
}

impl PatternForm {
    fn input(&self) -> Result<PatternInput, Refusal> {
        let days = [&self.day0, &self.day1, &self.day2, &self.day3, &self.day4, &self.day5, &self.day6];
        let mut schedule = Vec::with_capacity(7);
        for (day_of_week, value) in (0i64..).zip(days) {
            let day = match value.trim() {
                "" | "off" => PatternDayInput { day_of_week, shift_id: None, is_off_day: true },
                id => PatternDayInput {
                    day_of_week,
                    shift_id: Some(
                        id.parse().map_err(|_| Refusal::Input("Pick a shift or Off for each day.".to_owned()))?,
                    ),
                    is_off_day: false,
                },
            };
            schedule.push(day);
        }
        Ok(PatternInput {
            name: Some(self.name.clone()),
            description: Some(self.description.trim().to_owned()).filter(|d| !d.is_empty()),
            pattern_type: Some(self.pattern_type.clone()).filter(|t| !t.trim().is_empty()),
            section_id: self.section_id.trim().parse().ok(),
            schedule_days: Some(schedule),
            metadata: None,
        })
    }
}

fn back_to(form: &PatternForm) -> String {
    match form.section_id.trim().parse::<Uuid>() {
        Ok(id) => format!("/ui/roster/patterns?section={id}"),
        Err(_) => "/ui/roster/patterns".to_owned(),
    }
}

async fn create(
    State(state): State<AppState>,
    Supervisor(user, _): Supervisor<PatternEditor>,
    headers: HeaderMap,
    UiForm(form): UiForm<PatternForm>,
) -> UiResult {
    save(&state, &user, &headers, None, &form).await
}

async fn update(
    State(state): State<AppState>,
    Supervisor(user, _): Supervisor<PatternEditor>,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<PatternForm>,
) -> UiResult {
    save(&state, &user, &headers, Some(id), &form).await
}

/// Creates a pattern (`id` none) or changes one from the editor's fields.
async fn save(state: &AppState, user: &UiUser, headers: &HeaderMap, id: Option<Uuid>, form: &PatternForm) -> UiResult {
    let result = match (form.input(), id) {
        (Ok(input), None) => state.app.create_pattern(&user.actor, input).await.map_err(Refusal::from),
        (Ok(input), Some(id)) => state.app.update_pattern(&user.actor, id, input).await.map_err(Refusal::from),
        (Err(refusal), _) => Err(refusal),
    };
    let verb = if id.is_some() { "saved" } else { "created" };
    answer(headers, &back_to(form), result, |row| format!("Pattern {} {verb}.", row.name)).await
}

async fn delete(
    State(state): State<AppState>,
    Supervisor(user, _): Supervisor<PatternEditor>,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<PatternForm>,
) -> UiResult {
    let back = back_to(&form);
    let result = state.app.delete_pattern(&user.actor, id).await;
    answer(&headers, &back, result, |()| "Pattern deleted.".to_owned()).await
}
