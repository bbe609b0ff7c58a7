//! The JSON API, compatible with the original system's contract.

pub mod audit;
pub mod auth;
pub mod notifications;
pub mod org;
pub mod paging;
pub mod serde_lenient;
pub mod settings;
pub mod users;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(org::routes())
        .merge(settings::routes())
        .merge(audit::routes())
        .merge(notifications::routes())
}
