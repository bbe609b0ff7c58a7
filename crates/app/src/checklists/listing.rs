//! Listing instances: by date range, paginated with filters and search, today's, and
//! today's coverage per shift. Summaries carry item counts from one extra query.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, completion_percentage};
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::repo::checklists::{self, InstanceFilter, InstanceRow, InstanceSort};
use sentinelops_store::repo::{Page, Window};

use super::view::InstanceView;
use crate::actor::Actor;
use crate::error::{AppResult, invalid};
use crate::shifts::parse_shift;
use crate::{App, validate};

/// A light instance for timelines (no items): its row and its items' counts.
#[derive(Debug, Clone)]
pub struct InstanceSummary {
    pub row: InstanceRow,
    pub total_items: usize,
    pub completed_items: usize,
    pub actioned_items: usize,
    pub exception_items: usize,
    pub completion_percentage: f64,
}

/// How many checklists each shift of the operational day has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShiftCoverage {
    pub morning: usize,
    pub afternoon: usize,
    pub night: usize,
}

/// Filters of `GET /instances/paginated`.
#[derive(Debug, Clone, Default)]
pub struct InstanceListQuery {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub shift: Option<String>,
    pub status: Option<String>,
    pub search: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub page: Option<u64>,
    pub limit: Option<u64>,
}

/// At most this many instances in one unpaginated listing.
const LIST_CAP: u64 = 2_000;

impl App {
    /// The section filter for listings: admins see every section (or one they name).
    fn list_scope(&self, actor: &Actor, requested: Option<Uuid>) -> Option<Option<Uuid>> {
        if actor.is_admin() { Some(requested) } else { actor.section_id.map(Some) }
    }

    async fn summaries(&self, rows: Vec<InstanceRow>) -> AppResult<Vec<InstanceSummary>> {
        let reader = self.store.reader();
        let items = checklists::items_of_many(reader, rows.iter().map(|r| r.id).collect()).await?;
        let mut statuses: HashMap<Uuid, Vec<ItemStatus>> = HashMap::new();
        for i in items {
            statuses.entry(i.instance_id).or_default().push(*i.status);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let s = statuses.remove(&r.id).unwrap_or_default();
                InstanceSummary {
                    row: r,
                    total_items: s.len(),
                    completed_items: s.iter().filter(|x| **x == ItemStatus::Completed).count(),
                    actioned_items: s.iter().filter(|x| x.is_actioned()).count(),
                    exception_items: s.iter().filter(|x| x.is_exception()).count(),
                    completion_percentage: completion_percentage(&s),
                }
            })
            .collect())
    }

    /// `GET /instances`: a date range (today by default) and shift.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_instances(
        &self,
        actor: &Actor,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        shift: Option<&str>,
    ) -> AppResult<Vec<InstanceSummary>> {
        let Some(section) = self.list_scope(actor, None) else {
            return Ok(Vec::new());
        };
        let today = self.operational_today().await?.0;
        let (start, end) = (start.unwrap_or(today), end.unwrap_or(today));
        validate::date("start_date", start)?;
        validate::date("end_date", end)?;
        if start > end {
            return Err(invalid("start_date must not be after end_date"));
        }
        let shift = shift.map(parse_shift).transpose()?;
        let filter = InstanceFilter {
            section_id: section,
            start_date: Some(start),
            end_date: Some(end),
            shift,
            ..InstanceFilter::default()
        };
        let rows = checklists::all_instances(self.store.reader(), &filter, LIST_CAP).await?;
        self.summaries(rows).await
    }

    /// `GET /instances/paginated`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn paginated_instances(
        &self,
        actor: &Actor,
        q: &InstanceListQuery,
        window: Window,
    ) -> AppResult<Page<InstanceSummary>> {
        let Some(section) = self.list_scope(actor, None) else {
            return Ok(Page { rows: Vec::new(), total: 0 });
        };
        let today = self.operational_today().await?.0;
        let end = validate::date("end_date", q.end_date.unwrap_or(today))?;
        let start = match q.start_date {
            Some(d) => validate::date("start_date", d)?,
            None => end.checked_sub_days(chrono::Days::new(30)).unwrap_or(end),
        };
        if start > end {
            return Err(invalid("start_date must not be after end_date"));
        }
        let mut filter = InstanceFilter {
            section_id: section,
            start_date: Some(start),
            end_date: Some(end),
            ..InstanceFilter::default()
        };
        if let Some(shift) = q.shift.as_deref().filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("all")) {
            filter.shift = Some(parse_shift(shift)?);
        }
        if let Some(status) = q.status.as_deref().filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("all")) {
            let status = InstanceStatus::parse(status).ok_or_else(|| invalid(format!("unknown status {status:?}")))?;
            filter.status = Some(status);
        }
        // Search narrows the other filters; a search that contradicts one matches nothing.
        if let Some(text) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let mut contradiction = false;
            if let Ok(id) = text.parse::<Uuid>() {
                filter.id = Some(id);
            } else if let Ok(date) = text.parse::<NaiveDate>() {
                contradiction = date < start || date > end;
                filter.start_date = Some(date);
                filter.end_date = Some(date);
            } else if let Some(shift) = ShiftType::parse(text) {
                contradiction = filter.shift.is_some_and(|s| s != shift);
                filter.shift = Some(shift);
            } else if let Some(status) = InstanceStatus::parse(&text.replace(' ', "_")) {
                contradiction = filter.status.is_some_and(|s| s != status);
                filter.status = Some(status);
            } else {
                filter.name_contains = Some(text.chars().take(200).collect());
            }
            if contradiction {
                return Ok(Page { rows: Vec::new(), total: 0 });
            }
        }
        let sort = match q.sort_by.as_deref().unwrap_or("checklist_date") {
            "checklist_date" | "date" => InstanceSort::Date,
            "shift" => InstanceSort::Shift,
            "status" => InstanceSort::Status,
            other => return Err(invalid(format!("sort_by must be checklist_date, shift or status, not {other:?}"))),
        };
        let descending = match q.sort_order.as_deref().unwrap_or("desc").to_ascii_lowercase().as_str() {
            "desc" => true,
            "asc" => false,
            other => return Err(invalid(format!("sort_order must be asc or desc, not {other:?}"))),
        };
        let page = checklists::list_instances(self.store.reader(), &filter, sort, descending, window).await?;
        Ok(Page { total: page.total, rows: self.summaries(page.rows).await? })
    }

    /// Today's instances (the operational day), in full.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn today_instances(&self, actor: &Actor) -> AppResult<Vec<InstanceView>> {
        let rows = self.today_rows(actor).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(self.render_instance(row).await?);
        }
        Ok(views)
    }

    /// How many checklists each shift of the operational day has.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn today_coverage(&self, actor: &Actor) -> AppResult<ShiftCoverage> {
        let mut coverage = ShiftCoverage::default();
        for row in self.today_rows(actor).await? {
            match *row.shift {
                ShiftType::Morning => coverage.morning += 1,
                ShiftType::Afternoon => coverage.afternoon += 1,
                ShiftType::Night => coverage.night += 1,
            }
        }
        Ok(coverage)
    }

    /// The rows of the operational day's instances the actor may list (none without
    /// a section).
    async fn today_rows(&self, actor: &Actor) -> AppResult<Vec<InstanceRow>> {
        let Some(section) = self.list_scope(actor, None) else {
            return Ok(Vec::new());
        };
        let today = self.operational_today().await?.0;
        let filter = InstanceFilter {
            section_id: section,
            start_date: Some(today),
            end_date: Some(today),
            ..InstanceFilter::default()
        };
        Ok(checklists::all_instances(self.store.reader(), &filter, LIST_CAP).await?)
    }
}
