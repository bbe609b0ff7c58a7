//! Coverage (issue 20 item 5): the minimum headcount a section wants per shift (set by
//! its managers or an admin), each day's rostered headcount against it, and the job
//! that alerts the section's managers when a shift about to start is short — once a
//! day ahead (configurable) and once more an hour before (configurable), each alert
//! claimed by a unique row in the transaction that sends it, so it goes out once
//! however many instances run the job.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::coverage::{self, Cell, MAX_MINIMUM, Threshold};
use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftWindow;
use sentinelops_store::Conn;
use sentinelops_store::repo::coverage::{self as repo, AlertRow, MinimumRow};
use sentinelops_store::repo::org;
use sentinelops_store::repo::shifts::{self, ShiftRow};

use super::assign::check_range;
use super::book::RosterBook;
use super::section_people;
use crate::access::{can_supervise_section, can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppResult, invalid, not_found};
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, validate};

/// Days the coverage shows when no end is given (two weeks).
pub const DEFAULT_COVERAGE_DAYS: u64 = 14;
/// The notification's `related_entity` (e-mailed per the managers' preferences).
pub const COVERAGE_ALERT: &str = "roster_coverage";

/// A shift's minimum in a section (0: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageMinimum {
    pub shift_id: i32,
    pub shift_name: String,
    pub minimum: u32,
}

/// A change of one shift's minimum.
#[derive(Debug, Clone, Copy)]
pub struct SetCoverageMinimum {
    pub section_id: Uuid,
    pub shift_id: i32,
    pub minimum: i64,
}

/// A section's coverage over a range: one cell per day and shift.
#[derive(Debug, Clone)]
pub struct CoverageReport {
    pub section_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The shifts, in id order (the cells of a day follow it).
    pub shifts: Vec<ShiftRow>,
    pub cells: Vec<Cell>,
}

/// The section a coverage read or change is about: the one named (the actor must use
/// it), else the actor's own; admins must name one.
fn section_of(actor: &Actor, section_id: Option<Uuid>) -> AppResult<Uuid> {
    match section_id {
        Some(section) => {
            can_use_section(actor, section)?;
            Ok(section)
        }
        None if actor.is_admin() => Err(invalid("section_id is required")),
        None => own_section(actor),
    }
}

async fn existing_section(c: &impl Conn, section_id: Uuid) -> AppResult<()> {
    org::find_section(c, section_id).await?.ok_or_else(|| not_found("Section not found"))?;
    Ok(())
}

fn minimum_of(row: &MinimumRow) -> u32 {
    u32::try_from(row.minimum).unwrap_or(0)
}

/// The section's people and their resolved days over `from..=to`.
async fn section_days(
    c: &impl Conn,
    section_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<(NaiveDate, sentinelops_domain::roster::Planned)>> {
    let people = section_people(c, section_id).await?;
    let book = RosterBook::read(c, people.clone(), from, to).await?;
    let mut days = Vec::new();
    for date in from.iter_days().take_while(|d| *d <= to) {
        for user in &people {
            days.push((date, book.day(*user, date)));
        }
    }
    Ok(days)
}

/// The thresholds of the alert job, from the configuration.
fn thresholds(app: &App) -> [Threshold; 2] {
    [
        Threshold { key: "AHEAD", lead: app.config.jobs.coverage_alert_ahead },
        Threshold { key: "FINAL", lead: app.config.jobs.coverage_alert_final },
    ]
}

/// A short shift the alert job found.
struct Short {
    section_id: Uuid,
    date: NaiveDate,
    shift: ShiftRow,
    start: DateTime<Utc>,
    threshold: Threshold,
    rostered: u32,
    minimum: u32,
}

impl App {
    /// Every shift's minimum in a section (0 for a shift without one). Anyone of the
    /// section reads them; admins name the section.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn coverage_minimums(
        &self,
        actor: &Actor,
        section_id: Option<Uuid>,
    ) -> AppResult<(Uuid, Vec<CoverageMinimum>)> {
        let c = self.store.reader();
        let section = section_of(actor, section_id)?;
        existing_section(c, section).await?;
        let set: HashMap<i32, u32> =
            repo::minimums(c, Some(section)).await?.iter().map(|m| (m.shift_id, minimum_of(m))).collect();
        let minimums = shifts::list(c)
            .await?
            .into_iter()
            .map(|s| CoverageMinimum {
                minimum: set.get(&s.id).copied().unwrap_or(0),
                shift_id: s.id,
                shift_name: s.name,
            })
            .collect();
        Ok((section, minimums))
    }

    /// Sets a shift's minimum in a section (its managers, admins); 0 removes it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_coverage_minimum(&self, actor: &Actor, input: SetCoverageMinimum) -> AppResult<CoverageMinimum> {
        let minimum = u32::try_from(input.minimum)
            .ok()
            .filter(|m| *m <= MAX_MINIMUM)
            .ok_or_else(|| invalid(format!("minimum must be between 0 and {MAX_MINIMUM}")))?;
        can_supervise_section(actor, input.section_id)?;
        let tx = self.store.begin_write().await?;
        existing_section(&tx, input.section_id).await?;
        let shift = shifts::find(&tx, input.shift_id)
            .await?
            .ok_or_else(|| invalid(format!("shift_id {} does not exist", input.shift_id)))?;
        let now = self.clock.now();
        let row = MinimumRow {
            section_id: input.section_id,
            shift_id: shift.id,
            minimum: i32::try_from(minimum).unwrap_or(0),
            updated_by: actor.recorded_id(),
            updated_at: now,
        };
        repo::set_minimum(&tx, row).await?;
        let event = OpsEvent {
            event_type: "COVERAGE_MINIMUM_SET",
            entity_type: "ROSTER",
            entity_id: format!("{}:{}", input.section_id, shift.id),
            section_id: Some(input.section_id),
            payload: json!({ "shift_id": shift.id, "shift": shift.name, "minimum": minimum }),
        };
        record_ops(&tx, now, actor, event).await?;
        commit(tx).await?;
        Ok(CoverageMinimum { shift_id: shift.id, shift_name: shift.name, minimum })
    }

    /// A section's coverage from `start_date` (today) to `end_date` (13 days on): per
    /// day and shift, the rostered headcount, the minimum and how many are missing.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn coverage(&self, actor: &Actor, q: super::RosterQuery) -> AppResult<CoverageReport> {
        let c = self.store.reader();
        let section = section_of(actor, q.section_id)?;
        let (today, _, _) = self.operational_today().await?;
        let from = validate::date("start_date", q.start_date.unwrap_or(today))?;
        let to = validate::date(
            "end_date",
            q.end_date.unwrap_or_else(|| from.checked_add_days(Days::new(DEFAULT_COVERAGE_DAYS - 1)).unwrap_or(from)),
        )?;
        check_range(from, to)?;
        existing_section(c, section).await?;
        let shifts = shifts::list(c).await?;
        let minimums: HashMap<i32, u32> =
            repo::minimums(c, Some(section)).await?.iter().map(|m| (m.shift_id, minimum_of(m))).collect();
        let days = section_days(c, section, from, to).await?;
        let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        let shift_ids: Vec<i32> = shifts.iter().map(|s| s.id).collect();
        let cells = coverage::coverage(&dates, &shift_ids, &minimums, &days);
        Ok(CoverageReport { section_id: section, start_date: from, end_date: to, shifts, cells })
    }

    /// The coverage job: alerts each section's managers of every shift starting within
    /// the first threshold (24 h) that has fewer people rostered than its minimum, and
    /// again within the last (1 h). Returns the alerts sent.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn send_coverage_alerts(&self) -> AppResult<usize> {
        let c = self.store.reader();
        let minimums = repo::minimums(c, None).await?;
        if minimums.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        let tz = self.business_timezone().await?;
        let thresholds = thresholds(self);
        let longest = thresholds.iter().map(|t| t.lead).max().unwrap_or_default();
        // Local dates whose shifts may start in (now, now + longest]: an overnight
        // shift of yesterday has started already, so today and on suffice.
        let first = now.with_timezone(&tz).date_naive();
        let last = (now + longest).with_timezone(&tz).date_naive();
        let shifts: HashMap<i32, ShiftRow> = shifts::list(c).await?.into_iter().map(|s| (s.id, s)).collect();
        let mut by_section: BTreeMap<Uuid, Vec<&MinimumRow>> = BTreeMap::new();
        for m in &minimums {
            by_section.entry(m.section_id).or_default().push(m);
        }
        let mut sent = 0;
        for (section_id, rows) in by_section {
            let mut due = Vec::new();
            for date in first.iter_days().take_while(|d| *d <= last) {
                for m in &rows {
                    let Some(shift) = shifts.get(&m.shift_id) else { continue };
                    let start = ShiftWindow { start: shift.start_time, end: shift.end_time }.bounds(date, tz).0;
                    if let Some(threshold) = coverage::due_threshold(now, start, &thresholds) {
                        due.push((date, shift.clone(), start, threshold, minimum_of(m)));
                    }
                }
            }
            if due.is_empty() {
                continue;
            }
            let days = section_days(c, section_id, first, last).await?;
            for (date, shift, start, threshold, minimum) in due {
                let cells = coverage::coverage(&[date], &[shift.id], &HashMap::from([(shift.id, minimum)]), &days);
                let Some(cell) = cells.first().filter(|cell| cell.is_short()) else { continue };
                let short = Short { section_id, date, rostered: cell.rostered, shift, start, threshold, minimum };
                if self.deliver_coverage_alert(short, now).await? {
                    sent += 1;
                }
            }
        }
        Ok(sent)
    }

    /// One alert: claimed and notified in one transaction, so it is sent exactly once.
    async fn deliver_coverage_alert(&self, s: Short, now: DateTime<Utc>) -> AppResult<bool> {
        let tx = self.store.begin_write().await?;
        let claim = AlertRow {
            id: new_id(),
            section_id: s.section_id,
            date: s.date,
            shift_id: s.shift.id,
            threshold: s.threshold.key.to_owned(),
            rostered: i32::try_from(s.rostered).unwrap_or(i32::MAX),
            minimum: i32::try_from(s.minimum).unwrap_or(i32::MAX),
            created_at: now,
        };
        if !repo::claim_alert(&tx, claim).await? {
            return Ok(false);
        }
        let Some(section) = org::find_section(&tx, s.section_id).await? else { return Ok(false) };
        let tz = self.business_timezone_in(&tx).await?;
        let starts = s.start.with_timezone(&tz).format("%a %d %b %H:%M");
        let missing = s.minimum.saturating_sub(s.rostered);
        let minutes = (s.start - now).num_minutes().max(0);
        let within = if minutes >= 120 { format!("{} h", minutes / 60) } else { format!("{minutes} min") };
        let final_call = s.threshold.key == "FINAL";
        let lead = if final_call { "Still coverage short" } else { "Coverage short" };
        let title = format!("{lead} • {} {} shift in {within}", section.name, s.shift.name);
        let message = format!(
            "The {} shift of {} on {} (starts {starts}) has {} of the {} people it needs: {missing} short. Roster someone or change the minimum.",
            s.shift.name, section.name, s.date, s.rostered, s.minimum
        );
        if final_call {
            // Still short an hour before the start: an alert, which notifies the
            // section's escalation policy (its managers first) and climbs until someone
            // owns it; its e-mail carries a one-click acknowledge link.
            let cause = crate::alerts::Raise {
                cause: sentinelops_domain::alert::AlertCause::CoverageGap,
                subject: format!("{}:{}:{}", s.section_id, s.date, s.shift.id),
                subject_id: None,
                section_id: s.section_id,
                instance_id: None,
                item_id: None,
                subitem_id: None,
                title,
                message,
                already_told: Vec::new(),
            };
            crate::alerts::raise(&tx, now, cause).await?;
        } else {
            let audience = self.section_managers(&tx, s.section_id).await?;
            let draft = Draft {
                title,
                message,
                priority: Priority::Medium,
                related_entity: COVERAGE_ALERT,
                related_id: None,
                section_id: Some(s.section_id),
                audience: Audience::Users(audience),
                exclude: None,
            };
            notifications::send(&tx, now, draft).await?;
        }
        let event = OpsEvent {
            event_type: "COVERAGE_SHORT",
            entity_type: "ROSTER",
            entity_id: format!("{}:{}:{}", s.section_id, s.date, s.shift.id),
            section_id: Some(s.section_id),
            payload: json!({
                "date": s.date, "shift": s.shift.name, "threshold": s.threshold.key, "rostered": s.rostered,
                "minimum": s.minimum, "shift_start": s.start,
            }),
        };
        record_ops(&tx, now, &Actor::system(), event).await?;
        commit(tx).await?;
        Ok(true)
    }
}
