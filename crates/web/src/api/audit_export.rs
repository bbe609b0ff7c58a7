//! The two audit trails as streamed CSV downloads (the API's `?format=csv` and the
//! UI's export links): every matching row, newest first, read in keyset pages and
//! written as each page arrives, so a million rows cost the memory of one page.

use axum::response::Response;
use uuid::Uuid;

use sentinelops_app::{After, AppError, AuthEventQuery, AuthEventRow, OpsEventQuery, OpsEventRow};

use crate::export::{Cell, Column, Sheet, csv_stream, paged};
use crate::state::AppState;
use sentinelops_app::Actor;

/// Rows read per page: large enough that the per-query cost vanishes, small enough
/// that a page is a few hundred kilobytes.
const PAGE_ROWS: u64 = 2_000;

const fn col(name: &'static str) -> Column {
    Column { name, width: 20.0 }
}

pub const AUTH_EVENTS: Sheet = Sheet {
    name: "auth-events",
    columns: &[
        col("id"),
        col("event_type"),
        col("event_time"),
        col("user_id"),
        col("username"),
        col("ip_address"),
        col("user_agent"),
        col("session_id"),
        col("metadata"),
    ],
};

pub const OPS_EVENTS: Sheet = Sheet {
    name: "ops-events",
    columns: &[
        col("id"),
        col("event_type"),
        col("entity_type"),
        col("entity_id"),
        col("actor_id"),
        col("section_id"),
        col("created_at"),
        col("payload"),
    ],
};

fn id_cell(id: Option<Uuid>) -> Cell {
    id.map_or(Cell::Empty, |u| Cell::Text(u.to_string()))
}

fn auth_cells(r: AuthEventRow) -> Vec<Cell> {
    vec![
        Cell::Text(r.id.to_string()),
        Cell::Text(r.event_type),
        Cell::Text(r.event_time.to_rfc3339()),
        id_cell(r.user_id),
        Cell::text(r.username.unwrap_or_default()),
        Cell::text(r.ip.unwrap_or_default()),
        Cell::text(r.user_agent.unwrap_or_default()),
        id_cell(r.session_id),
        Cell::Text(r.metadata.to_string()),
    ]
}

fn ops_cells(r: OpsEventRow) -> Vec<Cell> {
    vec![
        Cell::Text(r.id.to_string()),
        Cell::Text(r.event_type),
        Cell::Text(r.entity_type),
        Cell::Text(r.entity_id),
        id_cell(r.actor_id),
        id_cell(r.section_id),
        Cell::Text(r.created_at.to_rfc3339()),
        Cell::Text(r.payload.to_string()),
    ]
}

/// Where the page after `rows` starts (none after a short page: that was the last).
fn next_after<T>(rows: &[T], key: impl Fn(&T) -> After) -> Option<After> {
    if (rows.len() as u64) < PAGE_ROWS { None } else { rows.last().map(key) }
}

/// Every auth event matching `query` as `auth-events.csv` (administrators only).
pub async fn auth_events_csv(state: &AppState, actor: &Actor, query: AuthEventQuery) -> Result<Response, AppError> {
    let (app, actor) = (state.app.clone(), actor.clone());
    let pages = paged(move |after: Option<After>| {
        let (app, actor, query) = (app.clone(), actor.clone(), query.clone());
        async move {
            let rows = app.auth_events_after(&actor, &query, after, PAGE_ROWS).await?;
            let next = next_after(&rows, |r| After { time: r.event_time, id: r.id });
            Ok((rows.into_iter().map(auth_cells).collect(), next))
        }
    })
    .await?;
    csv_stream::download(AUTH_EVENTS, pages)
}

/// Every ops event matching `query` that `actor` may read, as `ops-events.csv`.
pub async fn ops_events_csv(state: &AppState, actor: &Actor, query: OpsEventQuery) -> Result<Response, AppError> {
    let (app, actor) = (state.app.clone(), actor.clone());
    let pages = paged(move |after: Option<After>| {
        let (app, actor, query) = (app.clone(), actor.clone(), query.clone());
        async move {
            let rows = app.ops_events_after(&actor, &query, after, PAGE_ROWS).await?;
            let next = next_after(&rows, |r| After { time: r.created_at, id: r.id });
            Ok((rows.into_iter().map(ops_cells).collect(), next))
        }
    })
    .await?;
    csv_stream::download(OPS_EVENTS, pages)
}
