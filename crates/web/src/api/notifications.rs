//! `/api/v1/notifications`: placeholder, being written.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
