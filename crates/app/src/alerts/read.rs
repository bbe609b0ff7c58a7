//! Reading alerts: supervisors see their sections' (admins every section's), operators
//! their own section's; each alert with its timeline.

use uuid::Uuid;

use sentinelops_domain::alert::AlertStatus;
use sentinelops_store::repo::alerts::{self as repo, AlertEventRow, AlertFilter, AlertRow};
use sentinelops_store::repo::{Page, Window};

use crate::App;
use crate::access::{can_use_section, own_section};
use crate::actor::Actor;
use crate::error::{AppError, AppResult, not_found};

/// Open alerts a supervisor's banner names, at most.
const BANNER_ALERTS: u64 = 3;

/// Which alerts to list.
#[derive(Debug, Clone)]
pub struct AlertQuery {
    /// Only these statuses (empty: any).
    pub statuses: Vec<AlertStatus>,
    /// One section's (admins: any section; others: their own).
    pub section_id: Option<Uuid>,
    pub window: Window,
}

/// An alert and its timeline, oldest first.
#[derive(Debug, Clone)]
pub struct AlertDetail {
    pub alert: AlertRow,
    pub timeline: Vec<AlertEventRow>,
    /// Whether the reader may acknowledge and resolve it: a supervisor of its section,
    /// or someone its escalation policy names (an operator on call, say).
    pub may_act: bool,
}

/// The sections an actor may read alerts of (`None`: every section), narrowed to
/// `wanted` when given.
fn sections_for(actor: &Actor, wanted: Option<Uuid>) -> AppResult<Option<Vec<Uuid>>> {
    match wanted {
        Some(section) => {
            can_use_section(actor, section)?;
            Ok(Some(vec![section]))
        }
        None if actor.is_admin() => Ok(None),
        None => Ok(Some(vec![own_section(actor)?])),
    }
}

impl App {
    /// Alerts newest first, with how many matched.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_alerts(&self, actor: &Actor, q: AlertQuery) -> AppResult<Page<AlertRow>> {
        let filter = AlertFilter { sections: sections_for(actor, q.section_id)?, statuses: q.statuses };
        Ok(repo::list(self.store.reader(), &filter, q.window).await?)
    }

    /// One alert with its timeline.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn alert(&self, actor: &Actor, id: Uuid) -> AppResult<AlertDetail> {
        let reader = self.store.reader();
        let alert = repo::find(reader, id).await?.ok_or_else(|| not_found("Alert not found"))?;
        can_use_section(actor, alert.section_id)?;
        let timeline = repo::events_of(reader, id).await?;
        let may_act = match super::ownership::can_own(reader, actor, &alert).await {
            Ok(()) => true,
            Err(AppError::Forbidden(_)) => false,
            Err(other) => return Err(other),
        };
        Ok(AlertDetail { alert, timeline, may_act })
    }

    /// The OPEN alerts a supervisor should see on every page (none for operators, or a
    /// manager without a section): the newest few and how many there are.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unacknowledged_alerts(&self, actor: &Actor) -> AppResult<Page<AlertRow>> {
        let empty = Page { rows: Vec::new(), total: 0 };
        if !actor.role.is_supervisor() {
            return Ok(empty);
        }
        let sections = if actor.is_admin() {
            None
        } else if let Some(s) = actor.section_id {
            Some(vec![s])
        } else {
            return Ok(empty);
        };
        let filter = AlertFilter { sections, statuses: vec![AlertStatus::Open] };
        Ok(repo::list(self.store.reader(), &filter, Window { offset: 0, limit: BANNER_ALERTS }).await?)
    }
}
