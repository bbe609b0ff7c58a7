//! PDF reports (issue 19): the shift record of one checklist and a section's period
//! report. This module gathers and scopes the facts; `sentinelops-reports` typesets
//! them, on a blocking thread, at most one report per core at a time.

mod format;
mod period;
mod shift;

use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use uuid::Uuid;

use sentinelops_reports::RenderError;
use sentinelops_store::repo::checklists::{self, InstanceRow};
use sentinelops_store::repo::handover::HandoverRow;
use sentinelops_store::repo::org;

pub use period::{Period, PeriodQuery};
pub use sentinelops_reports::Counts;
pub use shift::counts;

use crate::App;
use crate::actor::Actor;
use crate::checklists::view::InstanceView;
use crate::error::{AppError, AppResult, not_found};
use format::Clock;

/// What the original's `/api/pdf/instances/{id}/data` shows: the checklist, its
/// section's name, the notes it handed on (newest first, with their author's name) and
/// the report's file name.
#[derive(Debug, Clone)]
pub struct ShiftFacts {
    pub view: InstanceView,
    pub section_name: Option<String>,
    pub outgoing: Vec<(HandoverRow, Option<String>)>,
    pub filename: String,
}

/// A rendered report and the name it is offered under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPdf {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Reports typeset at once: one per core, so a burst of downloads queues instead of
/// starving the server's other work.
static TYPESETTERS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// How long a shift record stays reusable by `recent_shift_report_pdf`: the original
/// frontend asks `/generate` and then `/download` for the same checklist, which should
/// typeset once. Everything else typesets anew.
const RECENT_FOR: Duration = Duration::from_secs(60);
const RECENT_KEPT: usize = 16;

/// A shift record typeset for a checklist at one of its revisions.
struct Typeset {
    id: Uuid,
    revision: i64,
    at: Instant,
    pdf: Arc<RenderedPdf>,
}

/// Shift records typeset in the last minute (a change to the checklist makes a new one).
static RECENT: LazyLock<Mutex<Vec<Typeset>>> = LazyLock::new(Mutex::default);

fn recent(id: Uuid, revision: i64) -> Option<Arc<RenderedPdf>> {
    let mut recent = RECENT.lock().ok()?;
    recent.retain(|t| t.at.elapsed() < RECENT_FOR);
    recent.iter().find(|t| t.id == id && t.revision == revision).map(|t| Arc::clone(&t.pdf))
}

fn remember(id: Uuid, revision: i64, pdf: &Arc<RenderedPdf>) {
    if let Ok(mut recent) = RECENT.lock() {
        recent.retain(|t| t.id != id && t.at.elapsed() < RECENT_FOR);
        if recent.len() >= RECENT_KEPT {
            recent.remove(0);
        }
        recent.push(Typeset { id, revision, at: Instant::now(), pdf: Arc::clone(pdf) });
    }
}

/// Lets go of what typesetting keeps between reports (the typesetter's memo cache, the
/// last minute's records) once the server is idle.
pub(crate) fn forget_idle() {
    sentinelops_reports::forget_caches();
    if let Ok(mut recent) = RECENT.lock() {
        recent.clear();
    }
}

/// `SentinelOps_Night_Shift_09_04_2026.pdf`: the original's name for a shift record.
pub fn shift_report_filename(instance: &InstanceRow) -> String {
    format!("SentinelOps_{}_Shift_{}.pdf", instance.shift.get().title(), instance.checklist_date.format("%d_%m_%Y"))
}

/// Runs `render` on a blocking thread once a typesetter is free.
async fn typeset(render: impl FnOnce() -> Result<Vec<u8>, RenderError> + Send + 'static) -> AppResult<Vec<u8>> {
    let _permit = TYPESETTERS.acquire().await.map_err(|e| AppError::Internal(format!("typesetters closed: {e}")))?;
    tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| AppError::Internal(format!("the report's renderer stopped: {e}")))?
        .map_err(|e| AppError::Internal(format!("report rendering failed: {e}")))
}

impl App {
    /// The shift record of a checklist the actor may see (404 unknown, 403 another
    /// section), typeset now.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn shift_report_pdf(&self, actor: &Actor, id: Uuid) -> AppResult<Arc<RenderedPdf>> {
        let instance = self.visible_instance(self.store.reader(), actor, id).await?;
        self.shift_report_of(instance).await
    }

    /// The same, reusing one typeset in the last minute while the checklist is
    /// unchanged: the original frontend's download right after its `/generate`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn recent_shift_report_pdf(&self, actor: &Actor, id: Uuid) -> AppResult<Arc<RenderedPdf>> {
        let instance = self.visible_instance(self.store.reader(), actor, id).await?;
        match recent(instance.id, instance.revision) {
            Some(pdf) => Ok(pdf),
            None => self.shift_report_of(instance).await,
        }
    }

    /// For the system (the sign-off mail): no caller, no scoping.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn shift_report_pdf_unscoped(&self, id: Uuid) -> AppResult<Arc<RenderedPdf>> {
        let instance = checklists::find_instance(self.store.reader(), id)
            .await?
            .ok_or_else(|| not_found("Checklist instance not found"))?;
        self.shift_report_of(instance).await
    }

    /// The facts of a checklist's report as data, for a checklist the actor may see.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn shift_report_facts(&self, actor: &Actor, id: Uuid) -> AppResult<ShiftFacts> {
        let instance = self.visible_instance(self.store.reader(), actor, id).await?;
        let filename = shift_report_filename(&instance);
        let section_name = org::find_section(self.store.reader(), instance.section_id).await?.map(|s| s.name);
        let view = self.render_instance(instance).await?;
        let around = self.report_surroundings(&view).await?;
        let mut outgoing: Vec<(HandoverRow, Option<String>)> = around
            .outgoing
            .into_iter()
            .map(|note| {
                let author = around.people.get(&note.created_by).cloned();
                (note, author)
            })
            .collect();
        outgoing.sort_by_key(|(note, _)| std::cmp::Reverse(note.created_at));
        Ok(ShiftFacts { view, section_name, outgoing, filename })
    }

    async fn shift_report_of(&self, instance: InstanceRow) -> AppResult<Arc<RenderedPdf>> {
        let (id, revision) = (instance.id, instance.revision);
        let filename = shift_report_filename(&instance);
        let section = org::find_section(self.store.reader(), instance.section_id)
            .await?
            .map_or_else(|| "Unassigned".to_owned(), |s| s.name);
        let view = self.render_instance(instance).await?;
        let around = self.report_surroundings(&view).await?;
        let clock = Clock { tz: self.business_timezone().await? };
        let report = shift::shift_report(&view, &around, section, clock, self.clock.now());
        let bytes = typeset(move || sentinelops_reports::shift_report(&report)).await?;
        let pdf = Arc::new(RenderedPdf { filename, bytes });
        remember(id, revision, &pdf);
        Ok(pdf)
    }

    /// A section's week or month, for its managers and admins.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn period_report_pdf(&self, actor: &Actor, q: PeriodQuery) -> AppResult<RenderedPdf> {
        let report = self.period_facts(actor, q).await?;
        let filename = format!(
            "SentinelOps_{}_{}_{}.pdf",
            report.section.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect::<String>(),
            match q.period {
                Period::Week => "Week",
                Period::Month => "Month",
            },
            q.start.format("%Y_%m_%d"),
        );
        let bytes = typeset(move || sentinelops_reports::period_report(&report)).await?;
        Ok(RenderedPdf { filename, bytes })
    }
}
