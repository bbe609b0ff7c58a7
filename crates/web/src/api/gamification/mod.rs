//! `/api/v1/gamification`: the Performance Command, badge claims, the legacy answers,
//! the leaderboard's section settings, supervisors' adjustments and the caller's own
//! ledger ("why didn't I get points?").

pub mod adjust;
pub mod command;
pub mod ledger;
pub mod legacy;
pub mod settings;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(command::routes())
        .merge(legacy::routes())
        .merge(settings::routes())
        .merge(adjust::routes())
        .merge(ledger::routes())
}
