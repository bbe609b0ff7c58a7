//! `/api/v1/gamification`: the Performance Command, badge claims, the legacy answers
//! and the leaderboard's section settings.

pub mod command;
pub mod legacy;
pub mod settings;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(command::routes()).merge(legacy::routes()).merge(settings::routes())
}
