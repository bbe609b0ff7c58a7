//! `GET /api/v1/checklists/on-shift`: who is on shift now and who comes next, from the
//! roster (issue 20) — what the dashboard's crew panel shows.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::roster::Crew;

use super::error_responses::{QueryErrors, SessionErrors};
use super::lenient::opt_uuid;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(on_shift))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnShiftParams {
    /// A section (admins: any, default every section; others: their own).
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
}

/// A shift and the people rostered on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CrewView {
    /// MORNING, AFTERNOON or NIGHT.
    pub shift: String,
    /// The operational date the shift belongs to.
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `true` for the shift running now, `false` for the next one.
    pub running: bool,
    pub people: Vec<CrewMemberView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CrewMemberView {
    pub user_id: Uuid,
    pub name: String,
    pub section_id: Uuid,
}

impl From<Crew> for CrewView {
    fn from(c: Crew) -> Self {
        CrewView {
            shift: c.shift.as_str().to_owned(),
            date: c.date,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            running: c.running,
            people: c
                .people
                .into_iter()
                .map(|p| CrewMemberView { user_id: p.user_id, name: p.name, section_id: p.section_id })
                .collect(),
        }
    }
}

/// The shift running now (when one is) and the next one, each with its rostered people.
#[utoipa::path(get, path = "/api/v1/checklists/on-shift", tag = "roster", params(OnShiftParams),
    responses((status = 200, body = Vec<CrewView>), SessionErrors, QueryErrors))]
pub async fn on_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<OnShiftParams>,
) -> ApiResult<Json<Vec<CrewView>>> {
    let crews = state.app.on_shift(&auth.actor, q.section_id).await?;
    Ok(Json(crews.into_iter().map(CrewView::from).collect()))
}
