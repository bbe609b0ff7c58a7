//! The checklist export: checklists of a date range, one row per item and per subitem,
//! read in keyset pages so a year of a section streams in constant memory.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_store::repo::checklist_export::{self, Contents, InstanceCursor, Move};
use sentinelops_store::repo::checklists::{InstanceFilter, InstanceRow, OverrideRow};
use sentinelops_store::repo::{org, users};

use crate::access::can_use_section;
use crate::actor::Actor;
use crate::error::{AppResult, forbidden, invalid};
use crate::shifts::parse_shift;
use crate::{App, validate};

/// The longest range one export covers (a leap year, both ends included).
pub const MAX_RANGE_DAYS: i64 = 366;
/// Checklists read per page (each brings its items and subitems: a few thousand rows).
const INSTANCES_PER_PAGE: u64 = 100;

/// The filters as asked for.
#[derive(Debug, Clone, Default)]
pub struct ChecklistExportQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Admins: one section or all; others: their own (naming another is refused).
    pub section_id: Option<Uuid>,
    pub shift: Option<String>,
    pub status: Option<String>,
}

/// A checked export: what to read and how to name it. Cheap to clone into a stream.
#[derive(Debug, Clone)]
pub struct ChecklistExport {
    filter: InstanceFilter,
    tz: Tz,
    sections: HashMap<Uuid, String>,
}

/// One exported row: an item, or one of its subitems.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistExportRow {
    pub checklist_id: Uuid,
    pub date: NaiveDate,
    pub shift: &'static str,
    pub section: String,
    pub template: String,
    pub checklist_status: &'static str,
    pub item: String,
    /// Empty on an item's own row.
    pub subitem: String,
    pub severity: i32,
    pub status: &'static str,
    /// Who acted last on it (display name), empty when nobody has.
    pub by: String,
    pub at: Option<DateTime<Utc>>,
    /// `at` in the business time zone.
    pub at_local: Option<NaiveDateTime>,
    pub skipped_reason: String,
    pub failure_reason: String,
    /// The item's final verdict (items only) and who gave it.
    pub verdict: String,
    pub verdict_by: String,
    /// The checklist's supervisor overrides, "KIND: reason" joined by "; ".
    pub overrides: String,
}

/// One page of rows, and where the next starts (`None`: this was the last).
#[derive(Debug, Clone)]
pub struct ChecklistExportPage {
    pub rows: Vec<ChecklistExportRow>,
    pub next: Option<InstanceCursor>,
}

impl App {
    /// Checks the filters and the caller's reach; the rows come from
    /// [`App::checklist_export_page`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn checklist_export(&self, actor: &Actor, q: &ChecklistExportQuery) -> AppResult<ChecklistExport> {
        let from = validate::date("from", q.from)?;
        let to = validate::date("to", q.to)?;
        if from > to {
            return Err(invalid("from must not be after to"));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(invalid(format!("the range must be at most {MAX_RANGE_DAYS} days; narrow from and to")));
        }
        let section_id = match (q.section_id, actor.is_admin()) {
            (Some(section), _) => {
                can_use_section(actor, section)?;
                Some(section)
            }
            (None, true) => None,
            (None, false) => Some(actor.section_id.ok_or_else(|| forbidden("You are not assigned to a section"))?),
        };
        let sections = org::list_sections(self.store.reader(), None).await?;
        if let Some(section) = section_id
            && !sections.iter().any(|s| s.id == section)
        {
            return Err(invalid("section_id names no section"));
        }
        let shift = match q.shift.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(parse_shift(&s.to_ascii_uppercase())?),
            None => None,
        };
        let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(InstanceStatus::parse(&s.to_ascii_uppercase()).ok_or_else(|| {
                invalid(format!("status must be one of {}", InstanceStatus::ALL.map(InstanceStatus::as_str).join(", ")))
            })?),
            None => None,
        };
        let filter = InstanceFilter {
            section_id,
            start_date: Some(from),
            end_date: Some(to),
            shift,
            status,
            ..InstanceFilter::default()
        };
        let tz = self.business_timezone().await?;
        Ok(ChecklistExport { filter, tz, sections: sections.into_iter().map(|s| (s.id, s.name)).collect() })
    }

    /// The rows of the next page of checklists after `after` (from the first when `None`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn checklist_export_page(
        &self,
        export: &ChecklistExport,
        after: Option<InstanceCursor>,
    ) -> AppResult<ChecklistExportPage> {
        let c = self.store.reader();
        let instances = checklist_export::instances_after(c, &export.filter, after, INSTANCES_PER_PAGE).await?;
        let next = match instances.last() {
            Some(last) if instances.len() as u64 == INSTANCES_PER_PAGE => Some(InstanceCursor::of(last)),
            _ => None,
        };
        let contents = checklist_export::contents_of(c, instances.iter().map(|i| i.id).collect()).await?;
        let names = self.names_in(&contents).await?;
        Ok(ChecklistExportPage { rows: export.rows(&instances, &contents, &names), next })
    }

    /// Display names of everyone the contents mention, in one query.
    async fn names_in(&self, contents: &Contents) -> AppResult<HashMap<Uuid, String>> {
        let mut ids: Vec<Uuid> = contents
            .items
            .iter()
            .flat_map(|i| [i.started_by, i.completed_by, i.final_verdict_by])
            .chain(contents.subitems.iter().flat_map(|s| [s.started_by, s.completed_by]))
            .flatten()
            .chain(contents.exception_moves.iter().map(|a| a.user_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let found = users::find_many(self.store.reader(), ids).await?;
        Ok(found.into_iter().map(|u| (u.id, person_name(&u.first_name, &u.last_name, &u.username))).collect())
    }
}

/// "First Last", or the username when both are blank.
fn person_name(first: &str, last: &str, username: &str) -> String {
    let full = format!("{} {}", first.trim(), last.trim());
    match full.trim() {
        "" => username.to_owned(),
        name => name.to_owned(),
    }
}

/// Who acted on a step and when: completion, else the skip or failure (the activity row
/// that moved it there; without one, who started it at its last change), else the start.
struct Stamp {
    by: Option<Uuid>,
    at: Option<DateTime<Utc>>,
}

fn stamp(
    status: ItemStatus,
    started: (Option<Uuid>, Option<DateTime<Utc>>),
    completed: (Option<Uuid>, Option<DateTime<Utc>>),
    moved: Option<&Move>,
    updated_at: DateTime<Utc>,
) -> Stamp {
    match status {
        ItemStatus::Completed => Stamp { by: completed.0.or(started.0), at: completed.1.or(started.1) },
        ItemStatus::Skipped | ItemStatus::Failed => match moved {
            Some(m) => Stamp { by: Some(m.by), at: Some(m.at) },
            None => Stamp { by: started.0, at: Some(updated_at) },
        },
        ItemStatus::InProgress => Stamp { by: started.0, at: started.1 },
        ItemStatus::Pending => Stamp { by: None, at: None },
    }
}

fn overrides_text(rows: &[&OverrideRow]) -> String {
    rows.iter().map(|o| format!("{}: {}", o.kind, o.reason)).collect::<Vec<_>>().join("; ")
}

/// `rows` by a key, each group in the rows' order.
fn group<T>(rows: &[T], key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<&T>> {
    let mut groups: HashMap<Uuid, Vec<&T>> = HashMap::new();
    for row in rows {
        groups.entry(key(row)).or_default().push(row);
    }
    groups
}

impl ChecklistExport {
    fn rows(
        &self,
        instances: &[InstanceRow],
        contents: &Contents,
        names: &HashMap<Uuid, String>,
    ) -> Vec<ChecklistExportRow> {
        let name = |id: Option<Uuid>| id.and_then(|id| names.get(&id)).cloned().unwrap_or_default();
        let items = group(&contents.items, |i| i.instance_id);
        let subitems = group(&contents.subitems, |s| s.instance_item_id);
        let overrides = group(&contents.overrides, |o| o.instance_id);
        let movers = contents.exception_movers();
        let mut rows = Vec::with_capacity(contents.items.len() + contents.subitems.len());
        for instance in instances {
            let base = ChecklistExportRow {
                checklist_id: instance.id,
                date: instance.checklist_date,
                shift: instance.shift.as_str(),
                section: self.sections.get(&instance.section_id).cloned().unwrap_or_default(),
                template: instance.template_name.clone(),
                checklist_status: instance.status.as_str(),
                item: String::new(),
                subitem: String::new(),
                severity: 0,
                status: "",
                by: String::new(),
                at: None,
                at_local: None,
                skipped_reason: String::new(),
                failure_reason: String::new(),
                verdict: String::new(),
                verdict_by: String::new(),
                overrides: overrides_text(overrides.get(&instance.id).map(Vec::as_slice).unwrap_or_default()),
            };
            for item in items.get(&instance.id).into_iter().flatten() {
                let s = stamp(
                    *item.status,
                    (item.started_by, item.started_at),
                    (item.completed_by, item.completed_at),
                    movers.get(&(item.id, None, item.status.as_str())),
                    item.updated_at,
                );
                rows.push(ChecklistExportRow {
                    item: item.title.clone(),
                    severity: item.severity,
                    status: item.status.as_str(),
                    by: name(s.by),
                    at: s.at,
                    at_local: s.at.map(|t| t.with_timezone(&self.tz).naive_local()),
                    skipped_reason: item.skipped_reason.clone().unwrap_or_default(),
                    failure_reason: item.failure_reason.clone().unwrap_or_default(),
                    verdict: item.final_verdict.clone().unwrap_or_default(),
                    verdict_by: name(item.final_verdict_by),
                    ..base.clone()
                });
                for sub in subitems.get(&item.id).into_iter().flatten() {
                    let s = stamp(
                        *sub.status,
                        (sub.started_by, sub.started_at),
                        (sub.completed_by, sub.completed_at),
                        movers.get(&(item.id, Some(sub.id), sub.status.as_str())),
                        sub.updated_at,
                    );
                    rows.push(ChecklistExportRow {
                        item: item.title.clone(),
                        subitem: sub.title.clone(),
                        severity: sub.severity,
                        status: sub.status.as_str(),
                        by: name(s.by),
                        at: s.at,
                        at_local: s.at.map(|t| t.with_timezone(&self.tz).naive_local()),
                        skipped_reason: sub.skipped_reason.clone().unwrap_or_default(),
                        failure_reason: sub.failure_reason.clone().unwrap_or_default(),
                        ..base.clone()
                    });
                }
            }
        }
        rows
    }
}
