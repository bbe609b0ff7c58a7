//! The period report: a section's week or month, for its managers. Reads a fixed number
//! of queries whatever the period's size (checklists, their contents, names, notes).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::shift::ShiftType;
use sentinelops_reports::{DayRow, ExceptionLine, PeriodReport, PeriodTotals, ShiftCell};
use sentinelops_store::repo::checklist_export::{self, Contents};
use sentinelops_store::repo::checklists::{self, InstanceFilter, InstanceItemRow, InstanceRow};
use sentinelops_store::repo::handover::{self, HandoverRow, Origin};
use sentinelops_store::repo::templates::{self, TemplateFilter};
use sentinelops_store::repo::{org, users};

use super::format::{self, Clock};
use super::shift::handover_line;
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::error::{AppResult, invalid, not_found};
use crate::gamification::scope::display_name;
use crate::{App, validate};

/// Instances a month of one section can hold (31 days × 3 shifts), with room to spare.
const MAX_INSTANCES: u64 = 200;
/// Open notes listed at most (the oldest first).
const MAX_OPEN_NOTES: u64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Seven days from the start.
    Week,
    /// The calendar month the start falls in.
    Month,
}

impl Period {
    pub fn parse(name: &str) -> Option<Period> {
        match name.trim().to_ascii_lowercase().as_str() {
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            _ => None,
        }
    }

    /// The first and last day (both included) and the period's name.
    pub fn range(self, start: NaiveDate) -> Option<(NaiveDate, NaiveDate, String)> {
        match self {
            Period::Week => {
                let last = start.checked_add_days(Days::new(6))?;
                Some((start, last, format!("Week of {}", format::date(start))))
            }
            Period::Month => {
                let first = start.with_day(1)?;
                let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
                Some((first, last, first.format("%B %Y").to_string()))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PeriodQuery {
    pub section_id: Uuid,
    pub period: Period,
    pub start: NaiveDate,
}

impl App {
    /// Checks the caller may supervise the section and reads the period's facts.
    pub(super) async fn period_facts(&self, actor: &Actor, q: PeriodQuery) -> AppResult<PeriodReport> {
        can_supervise_section(actor, q.section_id)?;
        let c = self.store.reader();
        let section = org::find_section(c, q.section_id).await?.ok_or_else(|| not_found("Section not found"))?;
        let start = validate::date("start", q.start)?;
        let (first, last, period) = q.period.range(start).ok_or_else(|| invalid("start is out of range"))?;
        let filter = InstanceFilter {
            section_id: Some(q.section_id),
            start_date: Some(first),
            end_date: Some(last),
            ..InstanceFilter::default()
        };
        let instances = checklists::all_instances(c, &filter, MAX_INSTANCES).await?;
        let contents = checklist_export::contents_of(c, instances.iter().map(|i| i.id).collect()).await?;
        let clock = Clock { tz: self.business_timezone().await? };
        let now = self.clock.now();
        let end_of_period = local_midnight_after(last, clock);
        let (notes, origins) =
            handover::open_in_section_at(c, q.section_id, last, end_of_period.min(now), MAX_OPEN_NOTES).await?;
        let active = templates::list_templates(
            c,
            &TemplateFilter { section_id: Some(q.section_id), shift: None, active_only: true },
        )
        .await?;
        let mut shifts: HashSet<ShiftType> = active.iter().map(|t| *t.shift).collect();
        shifts.extend(instances.iter().map(|i| *i.shift));
        let shifts: Vec<ShiftType> =
            ShiftType::ALL.into_iter().filter(|s| shifts.is_empty() || shifts.contains(s)).collect();
        let people = self.period_people(&contents, &notes).await?;
        let facts = Facts { instances: &instances, contents: &contents, people: &people };
        Ok(PeriodReport {
            section: section.name,
            period,
            range: format!("{} – {}", format::date(first), format::date(last)),
            timezone: clock.tz.name().to_owned(),
            generated_at: clock.at(now),
            shifts: shifts.iter().map(|s| s.title().to_owned()).collect(),
            days: facts.days(first, last, &shifts),
            totals: facts.totals(first, last, shifts.len()),
            exceptions: facts.exceptions(),
            open_handovers: open_notes(&notes, &origins, &people, clock),
        })
    }

    async fn period_people(&self, contents: &Contents, notes: &[HandoverRow]) -> AppResult<HashMap<Uuid, String>> {
        let mut ids: Vec<Uuid> = contents
            .items
            .iter()
            .filter(|i| i.status.is_exception())
            .flat_map(|i| [i.started_by, i.completed_by])
            .chain(contents.subitems.iter().filter(|s| s.status.is_exception()).map(|s| s.started_by))
            .flatten()
            .chain(contents.exception_moves.iter().map(|a| a.user_id))
            .collect();
        for n in notes {
            ids.extend([Some(n.created_by), n.acknowledged_by, n.resolved_by].into_iter().flatten());
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(users::find_many(self.store.reader(), ids).await?.iter().map(|u| (u.id, display_name(u))).collect())
    }
}

/// The instant the day after `last` begins in the business time zone (its first valid
/// local time where a DST change skips midnight). `last` is at most 2200 (validated).
fn local_midnight_after(last: NaiveDate, clock: Clock) -> DateTime<Utc> {
    let next = last.succ_opt().unwrap_or(last);
    let midnight = next.and_time(chrono::NaiveTime::MIN);
    match midnight.and_local_timezone(clock.tz) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // A gap: the day starts when the clocks jump, an hour later at most.
        chrono::LocalResult::None => (midnight + chrono::Duration::hours(1))
            .and_local_timezone(clock.tz)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

struct Facts<'a> {
    instances: &'a [InstanceRow],
    contents: &'a Contents,
    people: &'a HashMap<Uuid, String>,
}

impl Facts<'_> {
    fn statuses_of(&self, instance: Uuid) -> impl Iterator<Item = ItemStatus> + '_ {
        self.contents.items.iter().filter(move |i| i.instance_id == instance).map(|i| *i.status)
    }

    fn days(&self, first: NaiveDate, last: NaiveDate, shifts: &[ShiftType]) -> Vec<DayRow> {
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|date| DayRow {
                date: format::day(date),
                cells: shifts
                    .iter()
                    .map(|shift| match self.instances.iter().find(|i| i.checklist_date == date && *i.shift == *shift) {
                        None => ShiftCell { status: None, completion: None, exceptions: 0 },
                        Some(instance) => {
                            let (mut total, mut done, mut exceptions) = (0, 0, 0);
                            for status in self.statuses_of(instance.id) {
                                total += 1;
                                done += u32::from(status == ItemStatus::Completed);
                                exceptions += u32::from(status.is_exception());
                            }
                            ShiftCell {
                                status: Some(format::instance_status(*instance.status)),
                                completion: Some(format::percent(done, total)),
                                exceptions,
                            }
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn totals(&self, first: NaiveDate, last: NaiveDate, shifts: usize) -> PeriodTotals {
        let days = u32::try_from((last - first).num_days() + 1).unwrap_or(0);
        let shifts = days * u32::try_from(shifts).unwrap_or(0);
        let mut slots: HashSet<(NaiveDate, ShiftType)> = HashSet::new();
        let mut totals = PeriodTotals { shifts, ..PeriodTotals::default() };
        for instance in self.instances {
            slots.insert((instance.checklist_date, *instance.shift));
            totals.closed += u32::from(instance.status.is_closed());
        }
        totals.covered = u32::try_from(slots.len()).unwrap_or(u32::MAX).min(shifts);
        for item in &self.contents.items {
            totals.items += 1;
            totals.completed += u32::from(*item.status == ItemStatus::Completed);
            totals.exceptions += u32::from(item.status.is_exception());
        }
        totals.completion_rate = format::percent(totals.completed, totals.items);
        totals.exception_rate = format::percent(totals.exceptions, totals.items);
        totals
    }

    /// The skipped and failed items and subitems of the period, in the order they came.
    fn exceptions(&self) -> Vec<ExceptionLine> {
        let by_id: HashMap<Uuid, &InstanceRow> = self.instances.iter().map(|i| (i.id, i)).collect();
        let items: HashMap<Uuid, &InstanceItemRow> = self.contents.items.iter().map(|i| (i.id, i)).collect();
        let movers = self.contents.exception_movers();
        let mut lines: Vec<(ExceptionOrder, ExceptionLine)> = Vec::new();
        let mut add = |step: Step<'_>, order: (i32, i32)| {
            let Some(instance) = by_id.get(&step.instance_id) else { return };
            let reason = match step.status {
                ItemStatus::Skipped => step.skipped_reason,
                _ => step.failure_reason,
            };
            // Who skipped or failed it, not who started it.
            let by =
                movers.get(&(step.item_id, step.subitem_id, step.status.as_str())).map(|m| m.by).or(step.started_by);
            lines.push((
                (instance.checklist_date, instance.shift_start, order.0, order.1),
                ExceptionLine {
                    date: format::date(instance.checklist_date),
                    shift: instance.shift.get().title().to_owned(),
                    item: step.title,
                    status: format::item_status(step.status),
                    reason: reason.cloned().unwrap_or_else(|| "No reason recorded".to_owned()),
                    by: by.and_then(|id| self.people.get(&id).cloned()),
                },
            ));
        };
        for item in self.contents.items.iter().filter(|i| i.status.is_exception()) {
            let step = Step {
                instance_id: item.instance_id,
                item_id: item.id,
                subitem_id: None,
                title: item.title.clone(),
                status: *item.status,
                skipped_reason: item.skipped_reason.as_ref(),
                failure_reason: item.failure_reason.as_ref(),
                started_by: item.started_by,
            };
            add(step, (item.sort_order, -1));
        }
        for sub in self.contents.subitems.iter().filter(|s| s.status.is_exception()) {
            let Some(item) = items.get(&sub.instance_item_id) else { continue };
            let step = Step {
                instance_id: sub.instance_id,
                item_id: item.id,
                subitem_id: Some(sub.id),
                title: format!("{} › {}", item.title, sub.title),
                status: *sub.status,
                skipped_reason: sub.skipped_reason.as_ref(),
                failure_reason: sub.failure_reason.as_ref(),
                started_by: sub.started_by,
            };
            add(step, (item.sort_order, sub.sort_order));
        }
        lines.sort_by_key(|(order, _)| *order);
        lines.into_iter().map(|(_, line)| line).collect()
    }
}

/// Where an exception falls: its day, its shift's start, its item's place, its subitem's (-1 for the item).
type ExceptionOrder = (NaiveDate, DateTime<Utc>, i32, i32);

/// An item or a subitem, as the exceptions list reads it.
struct Step<'a> {
    instance_id: Uuid,
    item_id: Uuid,
    subitem_id: Option<Uuid>,
    /// "Backups", or "Backups › Tape" for a subitem.
    title: String,
    status: ItemStatus,
    skipped_reason: Option<&'a String>,
    failure_reason: Option<&'a String>,
    started_by: Option<Uuid>,
}

fn open_notes(
    notes: &[HandoverRow],
    origins: &[Origin],
    people: &HashMap<Uuid, String>,
    clock: Clock,
) -> Vec<sentinelops_reports::HandoverLine> {
    let person = |id: Uuid| people.get(&id).cloned().unwrap_or_else(|| "Unknown user".to_owned());
    notes
        .iter()
        .map(|n| {
            let route = origins
                .iter()
                .find(|(id, _, _)| *id == n.from_instance_id)
                .map(|(_, shift, date)| format!("From {}", format::slot(shift, *date)))
                .unwrap_or_else(|| "From an earlier shift".to_owned());
            handover_line(n, route, clock, &person)
        })
        .collect()
}
