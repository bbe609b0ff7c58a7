//! Points and performance: `/api/v1/gamification/…`.

pub mod adjust;
pub mod ledger;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(adjust::routes()).merge(ledger::routes())
}
