//! `/ui/admin/escalation?section_id=`: a section's escalation policy, edited by
//! administrators (managers read it through the API; this page is admins only, like the
//! rest of Administration). The form shows the policy's levels plus two blank rows
//! (blank rows are ignored, so a level is added by filling one in and removed by
//! clearing it); each level has its delay, the section's managers and all admins as
//! checkboxes, named users (the section's people and the admins), an on-call address
//! and a webhook class. A refused policy is the form again, as typed, with the message.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::alerts::{Level, Policy, PolicyView, Recipients};
use sentinelops_domain::escalation::WEBHOOK_CLASSES;

use super::AdminPost;
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiQuery};
use crate::ui::outcome::{Refusal, outcome, refused};
use crate::ui::render::{self, Layout};
use crate::ui::roles::Admin;
use crate::ui::session::UiUser;
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/admin/escalation", get(policy_page).post(save))
}

/// Blank rows offered below the policy's levels.
const BLANK_ROWS: usize = 2;
/// Rows a posted form may number (the most levels a policy holds, and the blank rows).
const MAX_ROWS: usize = sentinelops_domain::escalation::MAX_LEVELS + BLANK_ROWS;

fn back(section_id: Uuid) -> String {
    format!("/ui/admin/escalation?section_id={section_id}")
}

/// One level's row as the form shows it (typed text kept as typed).
#[derive(Debug, Clone, Default)]
pub struct LevelRow {
    pub delay: String,
    pub managers: bool,
    pub admins: bool,
    pub users: Vec<Uuid>,
    pub email: String,
    pub webhook: String,
}

impl LevelRow {
    fn of(level: &Level) -> LevelRow {
        let r = &level.recipients;
        LevelRow {
            delay: level.delay_minutes.to_string(),
            managers: r.section_managers,
            admins: r.all_admins,
            users: r.users.clone(),
            email: r.email.clone().unwrap_or_default(),
            webhook: r.webhook.clone().unwrap_or_default(),
        }
    }

    fn is_blank(&self) -> bool {
        self.delay.trim().is_empty()
            && !self.managers
            && !self.admins
            && self.users.is_empty()
            && self.email.trim().is_empty()
            && self.webhook.trim().is_empty()
    }

    /// The level; `n` is the row's number as shown.
    fn level(&self, n: usize) -> Result<Level, String> {
        let delay_minutes = self
            .delay
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("Level {n}: the delay must be a whole number of minutes."))?;
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let recipients = Recipients {
            section_managers: self.managers,
            users: self.users.clone(),
            all_admins: self.admins,
            email: text(&self.email),
            webhook: text(&self.webhook),
        };
        Ok(Level { delay_minutes, recipients })
    }
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct PolicyDraft {
    pub rows: Vec<LevelRow>,
    pub repeat: String,
    pub due_grace: String,
    pub signoff_grace: String,
}

impl PolicyDraft {
    fn of(policy: &Policy) -> PolicyDraft {
        PolicyDraft {
            rows: policy.levels.iter().map(LevelRow::of).collect(),
            repeat: policy.repeat.to_string(),
            due_grace: policy.due_grace_minutes.to_string(),
            signoff_grace: policy.signoff_grace_minutes.to_string(),
        }
    }

    /// Reads the posted fields: `section_id`, `repeat`, `due_grace_minutes`,
    /// `signoff_grace_minutes`, and per row `level{i}_delay`, `_managers`, `_admins`,
    /// `_users` (repeated), `_email`, `_webhook`.
    fn from_fields(fields: &[(String, String)]) -> Result<PolicyDraft, String> {
        let mut draft = PolicyDraft::default();
        for (name, value) in fields {
            match name.as_str() {
                "repeat" => draft.repeat.clone_from(value),
                "due_grace_minutes" => draft.due_grace.clone_from(value),
                "signoff_grace_minutes" => draft.signoff_grace.clone_from(value),
                _ => {
                    let Some((index, field)) = row_field(name) else { continue };
                    if index >= MAX_ROWS {
                        return Err(format!("A policy has at most {MAX_ROWS} rows."));
                    }
                    if draft.rows.len() <= index {
                        draft.rows.resize_with(index + 1, LevelRow::default);
                    }
                    let Some(row) = draft.rows.get_mut(index) else { continue };
                    match field {
                        "delay" => row.delay.clone_from(value),
                        "managers" => row.managers = true,
                        "admins" => row.admins = true,
                        "email" => row.email.clone_from(value),
                        "webhook" => row.webhook.clone_from(value),
                        "users" => {
                            let user = value.trim().parse::<Uuid>().map_err(|_| {
                                format!("Level {}: a named user is not a user of this system.", index + 1)
                            })?;
                            row.users.push(user);
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(draft)
    }

    /// The form's row numbers of the policy's levels (blank rows are left out).
    fn level_rows(&self) -> Vec<usize> {
        self.rows.iter().enumerate().filter(|(_, row)| !row.is_blank()).map(|(i, _)| i + 1).collect()
    }

    /// A refusal naming `levels[k]` also names the row it came from, as the form numbers it.
    fn readable(&self, message: String) -> String {
        let level = message.strip_prefix("levels[").and_then(|rest| rest.split_once(']')).map(|(k, _)| k);
        match level.and_then(|k| k.parse::<usize>().ok()).and_then(|k| self.level_rows().get(k).copied()) {
            Some(row) => format!("Level {row}: {message}"),
            None => message,
        }
    }

    /// The policy the rows and numbers make (blank rows left out).
    fn policy(&self) -> Result<Policy, String> {
        let levels = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| !row.is_blank())
            .map(|(i, row)| row.level(i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        if levels.is_empty() {
            return Err("Fill in at least one level.".to_owned());
        }
        let minutes = |label: &str, text: &str| {
            text.trim().parse::<u32>().map_err(|_| format!("{label} must be a whole number."))
        };
        Ok(Policy {
            levels,
            repeat: minutes("Repeat", &self.repeat)?,
            due_grace_minutes: minutes("Due grace", &self.due_grace)?,
            signoff_grace_minutes: minutes("Sign-off grace", &self.signoff_grace)?,
        })
    }

    /// The rows to show: the filled ones and two blank ones.
    fn with_blank_rows(mut self) -> PolicyDraft {
        self.rows.retain(|row| !row.is_blank());
        self.rows.extend(std::iter::repeat_with(LevelRow::default).take(BLANK_ROWS));
        self
    }
}

/// `level3_delay` → (2, "delay"): rows are numbered from 1 in the form's names.
fn row_field(name: &str) -> Option<(usize, &str)> {
    let (row, field) = name.strip_prefix("level")?.split_once('_')?;
    let n = row.parse::<usize>().ok()?;
    Some((n.checked_sub(1)?, field))
}

/// A section in the picker.
pub struct SectionChoice {
    pub id: Uuid,
    pub name: String,
    pub selected: bool,
}

/// Someone a level may name.
pub struct Person {
    pub id: Uuid,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin_escalation.html")]
pub struct EscalationPage {
    pub layout: Layout,
    pub tab: &'static str,
    pub csrf: String,
    pub sections: Vec<SectionChoice>,
    pub section_id: Option<Uuid>,
    pub is_default: bool,
    pub updated: String,
    pub draft: PolicyDraft,
    pub people: Vec<Person>,
    pub webhook_classes: &'static [&'static str],
    pub error: Option<String>,
}

impl EscalationPage {
    pub fn names(&self, row: &LevelRow, id: &Uuid) -> bool {
        row.users.contains(id)
    }

    pub fn is_webhook(&self, row: &LevelRow, class: &str) -> bool {
        row.webhook.trim() == class
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SectionQuery {
    pub section_id: Option<Uuid>,
}

async fn policy_page(
    State(state): State<AppState>,
    Admin(user, ..): Admin,
    UiQuery(q): UiQuery<SectionQuery>,
) -> UiResult {
    render_page(&state, &user, q.section_id, StatusCode::OK, None, None).await
}

async fn render_page(
    state: &AppState,
    user: &UiUser,
    section_id: Option<Uuid>,
    status: StatusCode,
    draft: Option<PolicyDraft>,
    error: Option<String>,
) -> UiResult {
    let all = state.app.list_sections(None).await?;
    // No section asked for: the first one, so the page is never empty.
    let chosen = section_id.or_else(|| all.first().map(|s| s.id));
    let sections =
        all.into_iter().map(|s| SectionChoice { selected: Some(s.id) == chosen, id: s.id, name: s.name }).collect();
    let mut page = EscalationPage {
        layout: user.layout(state, "Escalation policies", "admin").await,
        tab: "escalation",
        csrf: user.csrf.clone(),
        sections,
        section_id: chosen,
        is_default: false,
        updated: String::new(),
        draft: PolicyDraft::default(),
        people: Vec::new(),
        webhook_classes: &WEBHOOK_CLASSES,
        error,
    };
    let Some(section) = chosen else { return Ok(render::page_status(status, &page)) };
    let PolicyView { policy, is_default, updated_at, .. } = state.app.escalation_policy(&user.actor, section).await?;
    let tz = state.app.business_timezone().await?;
    let draft = draft.unwrap_or_else(|| PolicyDraft::of(&policy)).with_blank_rows();
    // The section's people and the admins, and anyone the policy names already.
    page.people = state
        .app
        .list_users(&user.actor)
        .await?
        .into_iter()
        .filter(|u| {
            (u.is_active && (u.section_id == Some(section) || u.role == "admin"))
                || draft.rows.iter().any(|r| r.users.contains(&u.id))
        })
        .map(|u| {
            let name = format!("{} {}", u.first_name, u.last_name).trim().to_owned();
            Person { id: u.id, label: format!("{name} ({}, {})", u.username, u.role) }
        })
        .collect();
    page.is_default = is_default;
    page.updated = timefmt::minute_or_never(tz, updated_at);
    page.draft = draft;
    Ok(render::page_status(status, &page))
}

async fn save(post: AdminPost, UiForm(fields): UiForm<Vec<(String, String)>>) -> UiResult {
    let AdminPost { state, user, headers, .. } = &post;
    let section = fields.iter().find(|(name, _)| name == "section_id").map(|(_, v)| v.as_str());
    let Some(section) = crate::ui::roster::section_field(section)? else {
        return Err(AppError::Validation("Pick a section first.".into()).into());
    };
    let draft = PolicyDraft::from_fields(&fields);
    let rerender = |status, message, draft| render_page(state, user, Some(section), status, draft, Some(message));
    let draft = match draft {
        Ok(draft) => draft,
        Err(message) => {
            return refused(headers, Refusal::Input(message.clone()), |s, m| rerender(s, m, None)).await;
        }
    };
    let policy = match draft.policy() {
        Ok(policy) => policy,
        Err(message) => return refused(headers, Refusal::Input(message), |s, m| rerender(s, m, Some(draft))).await,
    };
    let result = state.app.put_escalation_policy(&user.actor, section, policy).await.map_err(|err| match err {
        AppError::Validation(message) => AppError::Validation(draft.readable(message)),
        other => other,
    });
    let done = |view: PolicyView| format!("Escalation policy saved: {} level(s).", view.policy.levels.len());
    outcome(headers, result, &back(section), done, |s, m| rerender(s, m, Some(draft))).await
}
