//! The roster in the built-in UI (issue 20): the section's week grid with the manager's
//! tools (`week`), the pattern editor (`patterns`), one's own schedule with day-off
//! requests (`me`), shift swaps (`swaps`), coverage minimums (`coverage`), and the
//! shift colours as a style sheet (`colours`).

pub mod colours;
pub mod coverage;
pub mod me;
pub mod patterns;
pub mod swaps;
pub mod week;

use axum::Router;
use axum::http::HeaderMap;
use chrono::NaiveDate;
use uuid::Uuid;

use sentinelops_app::AppError;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::outcome::{self, Refusal};
use crate::ui::render::{self, Flash};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(week::routes())
        .merge(patterns::routes())
        .merge(me::routes())
        .merge(colours::routes())
        .merge(coverage::routes())
        .merge(swaps::routes())
}

/// A form's answer: back to `back` with the flash `done` writes, or with the refusal
/// (the message alone for `ui.js`).
pub async fn answer<T>(
    headers: &HeaderMap,
    back: &str,
    result: Result<T, impl Into<Refusal>>,
    done: impl FnOnce(T) -> String,
) -> UiResult {
    outcome::outcome(headers, result, back, done, |_, message| async move {
        Ok(render::redirect_with_flash(headers, back, Flash::error(message)))
    })
    .await
}

/// A date field; blank is `None`.
pub fn date_field(name: &str, text: &str) -> Result<Option<NaiveDate>, Refusal> {
    match text.trim() {
        "" => Ok(None),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Refusal::Input(format!("{name} must be a date (YYYY-MM-DD)."))),
    }
}

/// A required date field.
pub fn required_date(name: &str, text: &str) -> Result<NaiveDate, Refusal> {
    date_field(name, text)?.ok_or_else(|| Refusal::Input(format!("{name} is required.")))
}

/// A section picked in a query or form; blank is `None`.
pub fn section_field(text: Option<&str>) -> Result<Option<Uuid>, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => {
            t.parse().map(Some).map_err(|_| AppError::Validation("The section is not a valid section.".to_owned()))
        }
        None => Ok(None),
    }
}
