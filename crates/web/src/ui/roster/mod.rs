//! `/ui/roster`: the roster pages.

pub mod swaps;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().merge(swaps::routes())
}
