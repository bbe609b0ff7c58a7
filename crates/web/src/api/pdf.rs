//! PDF reports (issue 19). The original's four `/api/pdf/*` endpoints — now signed in
//! and section-scoped; the data one is `pdf_data` — with its file name and headers, so its frontend's PDF button
//! works unchanged; `/api/v1/checklists/instances/{id}/report.pdf`; and the managers'
//! period report at `/api/v1/reports/period.pdf`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::reports::{Period, PeriodQuery, RenderedPdf};

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate))
        .routes(routes!(download))
        .routes(routes!(preview))
        .routes(routes!(super::pdf_data::instance_data))
        .routes(routes!(instance_report))
        .routes(routes!(period_report))
}

/// How the browser should treat the file.
#[derive(Debug, Clone, Copy)]
pub enum Disposition {
    /// Save it (no caching: the checklist may change).
    Attachment,
    /// Show it in the browser (the original let it be cached for an hour; we keep
    /// it private to the signed-in user).
    Inline,
}

/// The PDF with the original's headers: its name in `Content-Disposition` (exposed to
/// cross-origin scripts, which read it to name the download).
pub fn pdf_response(pdf: &RenderedPdf, disposition: Disposition) -> Response {
    let (kind, caching): (&str, &[(HeaderName, &'static str)]) = match disposition {
        Disposition::Attachment => (
            "attachment",
            &[
                (header::CACHE_CONTROL, "no-cache, no-store, must-revalidate"),
                (header::PRAGMA, "no-cache"),
                (header::EXPIRES, "0"),
            ],
        ),
        Disposition::Inline => ("inline", &[(header::CACHE_CONTROL, "private, max-age=3600")]),
    };
    let mut response = pdf.bytes.clone().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(header::CONTENT_DISPOSITION, crate::export::content_disposition(kind, &pdf.filename));
    headers
        .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Content-Disposition, Content-Length"));
    for (name, value) in caching {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    response
}

/// `POST /api/pdf/generate`'s body. The three flags are accepted and, as in the
/// original, change nothing: the report always has every section.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct GenerateRequest {
    pub instance_id: Uuid,
    #[serde(default)]
    pub include_summary: Option<bool>,
    #[serde(default)]
    pub include_details: Option<bool>,
    #[serde(default)]
    pub include_metadata: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GenerateAnswer {
    pub success: bool,
    pub message: String,
    pub filename: String,
    pub size_bytes: usize,
}

/// Typesets a checklist's report and says its name and size (the original frontend
/// then downloads it; the second call reuses this render).
#[utoipa::path(post, path = "/api/pdf/generate", tag = "pdf", request_body = GenerateRequest,
    responses((status = 200, body = GenerateAnswer), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn generate(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<GenerateRequest>,
) -> ApiResult<Json<GenerateAnswer>> {
    let pdf = state.app.shift_report_pdf(&auth.actor, body.instance_id).await?;
    Ok(Json(GenerateAnswer {
        success: true,
        message: "PDF generated successfully".to_owned(),
        filename: pdf.filename.clone(),
        size_bytes: pdf.bytes.len(),
    }))
}

/// The record `/generate` just typeset, or a new one.
async fn recent_report(state: &AppState, auth: &AuthUser, id: Uuid) -> Result<Arc<RenderedPdf>, AppError> {
    state.app.recent_shift_report_pdf(&auth.actor, id).await
}

/// The checklist's report as a download (`Content-Disposition: attachment`).
#[utoipa::path(get, path = "/api/pdf/download/{instance_id}", tag = "pdf",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"), SessionErrors, PathErrors))]
pub async fn download(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let pdf = recent_report(&state, &auth, id).await?;
    Ok(pdf_response(&pdf, Disposition::Attachment))
}

/// The checklist's report for viewing in the browser (`Content-Disposition: inline`).
#[utoipa::path(get, path = "/api/pdf/preview/{instance_id}", tag = "pdf",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"), SessionErrors, PathErrors))]
pub async fn preview(State(state): State<AppState>, auth: AuthUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let pdf = recent_report(&state, &auth, id).await?;
    Ok(pdf_response(&pdf, Disposition::Inline))
}

/// The checklist's signed shift record as a PDF download.
#[utoipa::path(get, path = "/api/v1/checklists/instances/{instance_id}/report.pdf", tag = "reports",
    params(("instance_id" = Uuid, Path, description = "The checklist instance's id")),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"), SessionErrors, PathErrors))]
pub async fn instance_report(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let pdf = state.app.shift_report_pdf(&auth.actor, id).await?;
    Ok(pdf_response(&pdf, Disposition::Attachment))
}

/// The period report's parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The section (managers: their own; admins: any).
    pub section_id: Uuid,
    /// `week` (seven days from `start`) or `month` (the calendar month `start` is in).
    pub period: String,
    /// A date (YYYY-MM-DD).
    pub start: NaiveDate,
}

/// The period asked for; anything but week or month is a 422.
pub fn parse_period(period: &str) -> Result<Period, AppError> {
    Period::parse(period).ok_or_else(|| AppError::Validation("period must be week or month".into()))
}

/// A section's week or month as one PDF: coverage per day and shift, completion and
/// exception rates, failed and skipped items with reasons, handovers still open (managers
/// of the section and admins).
#[utoipa::path(get, path = "/api/v1/reports/period.pdf", tag = "reports", params(PeriodParams),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"), SessionErrors,
              (status = 404, description = "No such section", body = crate::error::Detail), QueryErrors))]
pub async fn period_report(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<PeriodParams>,
) -> ApiResult<Response> {
    let query =
        PeriodQuery { section_id: params.section_id, period: parse_period(&params.period)?, start: params.start };
    let pdf = state.app.period_report_pdf(&auth.actor, query).await?;
    Ok(pdf_response(&pdf, Disposition::Attachment))
}
