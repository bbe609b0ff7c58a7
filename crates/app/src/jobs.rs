//! Background jobs. Each run holds a lease row, so with several instances exactly one
//! runs a job at a time; a holder that dies lets its lease lapse. Every job is safe to
//! rerun: its work is recorded by unique rows or conditional updates, so a run killed
//! half-way is finished by the next one, never done twice.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::repo::checklists::{self, InstanceRow};
use sentinelops_store::repo::reminders::{self, DeliveryRow};
use sentinelops_store::repo::templates::{self, TemplateFilter};
use sentinelops_store::repo::users::{self, UserFilter};
use sentinelops_store::repo::{jobs as leases, retention};

use crate::App;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::AppResult;
use crate::live;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Creates each section's checklists for the day, at the configured local time.
    DailyCreation,
    /// Sends due reminders and missed-deadline alerts.
    Reminders,
    /// Closes checklists whose shift ended more than the grace period ago.
    StaleShifts,
    /// Delivers e-mail and webhooks.
    Outbox,
    /// Deletes what is older than the configured retention.
    Retention,
    /// Mails the daily shift digest once the day's last shift is over.
    DailyDigest,
    /// Tells the live channels of checklists whose timed steps changed due state.
    DueStates,
    /// Alerts managers of shifts about to start with fewer people than their minimum.
    CoverageAlerts,
    /// Raises alerts for missed critical steps and unsigned checklists, and climbs the
    /// escalation policy of every open alert whose next step is due.
    Escalations,
    /// Sends each user the e-mail held during their quiet hours once those end, as one digest.
    QuietDigest,
    /// Asks the directory about the directory accounts signed in: ends the sessions of
    /// those it no longer lets in and brings roles and sections up to date.
    DirectoryCheck,
}

impl Job {
    // The digest runs after the stale-shift job, so it sees the day's final states.
    // Escalations run after the jobs that raise alerts, and they and the quiet-hours
    // digest before the outbox, so their e-mails leave in the same tick.
    pub const ALL: [Job; 11] = [
        Job::DailyCreation,
        Job::Reminders,
        Job::DueStates,
        Job::StaleShifts,
        Job::DailyDigest,
        Job::CoverageAlerts,
        Job::Escalations,
        Job::QuietDigest,
        Job::Outbox,
        Job::Retention,
        Job::DirectoryCheck,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::DailyCreation => "daily_creation",
            Job::Reminders => "reminders",
            Job::StaleShifts => "stale_shifts",
            Job::Outbox => "outbox",
            Job::Retention => "retention",
            Job::DailyDigest => "daily_digest",
            Job::DueStates => "due_states",
            Job::CoverageAlerts => "coverage_alerts",
            Job::Escalations => "escalations",
            Job::QuietDigest => "quiet_digest",
            Job::DirectoryCheck => "directory_check",
        }
    }
}

/// How far back the reminder job looks (reminders due while every instance was down
/// are still sent, but nothing older).
const LOOKBACK: Duration = Duration::hours(12);
/// A lease outlives a run by far; a dead holder blocks a job at most this long.
const LEASE: Duration = Duration::minutes(5);

impl App {
    /// Runs one job under its lease; `None` when another instance holds it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn run_job(&self, job: Job) -> AppResult<Option<usize>> {
        let holder = self.presence.node().to_owned();
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let acquired = leases::acquire(&tx, job.name(), &holder, now, now + LEASE).await?;
        commit(tx).await?;
        if !acquired {
            return Ok(None);
        }
        let state = leases::get(self.store.reader(), job.name()).await?.and_then(|l| l.state);
        let result = match job {
            Job::DailyCreation => self.daily_creation(state).await,
            Job::Reminders => self.send_reminders().await.map(|n| (n, None)),
            Job::StaleShifts => self.close_stale_shifts().await.map(|n| (n, None)),
            Job::Outbox => self.deliver_outbox_once().await.map(|n| (n, None)),
            Job::Retention => self.apply_retention().await.map(|n| (n, None)),
            Job::DailyDigest => self.daily_digest(state).await,
            Job::DueStates => self.announce_due_changes(state).await,
            Job::CoverageAlerts => self.send_coverage_alerts().await.map(|n| (n, None)),
            Job::Escalations => self.run_escalations().await.map(|n| (n, None)),
            Job::QuietDigest => self.send_quiet_digests().await.map(|n| (n, None)),
            Job::DirectoryCheck => self.check_directory_accounts(state).await,
        };
        let tx = self.store.begin_write().await?;
        let new_state = result.as_ref().ok().and_then(|(_, s)| s.clone());
        leases::release(&tx, job.name(), &holder, self.clock.now(), new_state).await?;
        commit(tx).await?;
        result.map(|(n, _)| Some(n))
    }

    /// Runs every job on a timer until shutdown (plus the presence heartbeat, which
    /// also lets go of expired checklist documents and idle snapshots).
    pub fn spawn_jobs(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        let mut shutdown = self.live.shutdown_signal();
        tokio::spawn(sentinelops_store::uncounted(async move {
            let mut tick = tokio::time::interval(app.config.jobs.tick);
            let mut heartbeat = tokio::time::interval(crate::presence::HEARTBEAT);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if !app.config.jobs.enabled {
                            continue;
                        }
                        for job in Job::ALL {
                            if let Err(e) = app.run_job(job).await {
                                tracing::error!(job = job.name(), error = %e, "job failed; it will run again");
                            }
                        }
                    }
                    _ = heartbeat.tick() => {
                        app.instance_documents.drop_expired();
                        app.snapshots.drop_idle();
                        if let Err(e) = app.presence_heartbeat().await {
                            tracing::warn!(error = %e, "presence heartbeat failed");
                        }
                    }
                    _ = shutdown.changed() => break,
                }
            }
        }))
    }

    /// At or after the configured local time, creates today's checklist of every
    /// section and shift that has an active template. Idempotent per slot.
    async fn daily_creation(&self, state: Option<Value>) -> AppResult<(usize, Option<Value>)> {
        let tz = self.business_timezone().await?;
        let local = self.clock.now().with_timezone(&tz);
        if local.time() < self.config.jobs.daily_creation_at {
            return Ok((0, state));
        }
        let today = local.date_naive();
        let done =
            state.as_ref().and_then(|s| s.get("last_date")).and_then(Value::as_str) == Some(today.to_string().as_str());
        if done {
            return Ok((0, state));
        }
        let filter = TemplateFilter { section_id: None, shift: None, active_only: true };
        let active = templates::list_templates(self.store.reader(), &filter).await?;
        let mut seen: HashSet<(Uuid, ShiftType)> = HashSet::new();
        let mut created = 0;
        let system = Actor::system();
        for template in active {
            // The most recently edited active template of a slot wins (the list is newest first).
            if !seen.insert((template.section_id, template.shift.get())) {
                continue;
            }
            if self.ensure_instance(&system, &template, today).await?.1 {
                created += 1;
            }
        }
        Ok((created, Some(json!({ "last_date": today }))))
    }

    /// The active managers of a section (or its admins when it has none).
    pub(crate) async fn section_managers(
        &self,
        c: &impl sentinelops_store::Conn,
        section_id: Uuid,
    ) -> AppResult<Vec<Uuid>> {
        let filter = UserFilter { section_id: Some(section_id), role: Some(Role::Manager), active_only: true };
        let managers: Vec<Uuid> = users::list(c, &filter).await?.into_iter().map(|u| u.id).collect();
        if !managers.is_empty() {
            return Ok(managers);
        }
        let admins = UserFilter { section_id: None, role: Some(Role::Admin), active_only: true };
        Ok(users::list(c, &admins).await?.into_iter().map(|u| u.id).collect())
    }

    /// Reminders `notify_before_minutes` ahead of each TIMED item, subitem and scheduled
    /// event (a lead of 0 fires at the due time) to the participants, or the section's
    /// managers when nobody joined; and one "missed" alert to the managers when a due
    /// time passes with the work not actioned. Each is sent once, whoever runs the job.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn send_reminders(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let from = now - LOOKBACK;
        let reader = self.store.reader();
        let scan = reminders::Scan {
            from,
            to: now,
            limit: 500,
            open_items: &ItemStatus::OPEN,
            open_checklists: &InstanceStatus::OPEN,
        };
        let mut due: Vec<Due> = Vec::new();
        for i in reminders::items_to_remind(reader, scan).await? {
            if let (Some(remind), Some(at)) = (i.remind_at, i.scheduled_at) {
                due.push(Due {
                    kind: "REMINDER",
                    entity: "ITEM",
                    id: i.id,
                    instance: i.instance_id,
                    title: i.title,
                    due_at: remind,
                    scheduled_at: at,
                });
            }
        }
        for s in reminders::subitems_to_remind(reader, scan).await? {
            if let (Some(remind), Some(at)) = (s.remind_at, s.scheduled_at) {
                due.push(Due {
                    kind: "REMINDER",
                    entity: "SUBITEM",
                    id: s.id,
                    instance: s.instance_id,
                    title: s.title,
                    due_at: remind,
                    scheduled_at: at,
                });
            }
        }
        let events = reminders::events_to_remind(reader, scan).await?;
        if !events.is_empty() {
            let mut parents: HashMap<Uuid, (String, ItemStatus)> = HashMap::new();
            for item in checklists::items_of_many(reader, events.iter().map(|e| e.instance_id).collect()).await? {
                parents.insert(item.id, (item.title, *item.status));
            }
            for e in events {
                let Some((title, status)) = parents.get(&e.instance_item_id) else { continue };
                if ItemStatus::OPEN.contains(status) {
                    due.push(Due {
                        kind: "REMINDER",
                        entity: "EVENT",
                        id: e.id,
                        instance: e.instance_id,
                        title: title.clone(),
                        due_at: e.remind_at,
                        scheduled_at: e.event_datetime,
                    });
                }
            }
        }
        for i in reminders::items_overdue(reader, scan).await? {
            if let Some(at) = i.scheduled_at {
                due.push(Due {
                    kind: "MISSED",
                    entity: "ITEM",
                    id: i.id,
                    instance: i.instance_id,
                    title: i.title,
                    due_at: at,
                    scheduled_at: at,
                });
            }
        }
        for s in reminders::subitems_overdue(reader, scan).await? {
            if let Some(at) = s.scheduled_at {
                due.push(Due {
                    kind: "MISSED",
                    entity: "SUBITEM",
                    id: s.id,
                    instance: s.instance_id,
                    title: s.title,
                    due_at: at,
                    scheduled_at: at,
                });
            }
        }
        let mut sent = 0;
        for d in due {
            if self.deliver_reminder(d, now).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// One reminder: claimed and notified in one transaction, so it is sent exactly once.
    async fn deliver_reminder(&self, d: Due, now: DateTime<Utc>) -> AppResult<bool> {
        let tx = self.store.begin_write().await?;
        let Some(instance) = checklists::find_instance(&tx, d.instance).await? else { return Ok(false) };
        if instance.status.is_closed() {
            return Ok(false);
        }
        let claim = DeliveryRow {
            id: new_id(),
            kind: d.kind.to_owned(),
            entity_type: d.entity.to_owned(),
            entity_id: d.id,
            instance_id: d.instance,
            due_at: d.due_at,
            created_at: now,
        };
        if !reminders::claim(&tx, claim).await? {
            return Ok(false);
        }
        let what = match d.entity {
            "SUBITEM" => "Subitem",
            "EVENT" => "Scheduled Event",
            _ => "Timed Item",
        };
        let tz = self.business_timezone_in(&tx).await?;
        let at = d.scheduled_at.with_timezone(&tz).format("%H:%M");
        let participants: Vec<Uuid> =
            checklists::participants_of(&tx, instance.id).await?.into_iter().map(|p| p.user_id).collect();
        let (title, message, priority, audience) = if d.kind == "MISSED" {
            (
                format!("SentinelOps Missed • {} {what} due at {at}", instance.shift),
                format!(
                    "'{}' in {} ({} - {}) was due at {at} and is not done.",
                    d.title, instance.template_name, instance.shift, instance.checklist_date
                ),
                Priority::High,
                self.section_managers(&tx, instance.section_id).await?,
            )
        } else {
            let minutes = (d.scheduled_at - now).num_minutes().max(0);
            // The people rostered for the shift first; without a roster, whoever joined
            // the checklist; with neither, the section's managers.
            let rostered = crate::roster::rostered_for(&tx, &instance).await?;
            let audience = if !rostered.is_empty() {
                rostered
            } else if !participants.is_empty() {
                participants
            } else {
                self.section_managers(&tx, instance.section_id).await?
            };
            (
                format!("SentinelOps Reminder • {} {what} Due in {minutes} min", instance.shift),
                format!(
                    "'{}' in {} ({} - {}) is due at {at}.",
                    d.title, instance.template_name, instance.shift, instance.checklist_date
                ),
                Priority::Medium,
                audience,
            )
        };
        notifications::send(
            &tx,
            now,
            Draft {
                title,
                message,
                priority,
                related_entity: "checklist_reminder",
                related_id: Some(instance.id),
                section_id: Some(instance.section_id),
                audience: Audience::Users(audience),
                exclude: None,
            },
        )
        .await?;
        commit(tx).await?;
        Ok(true)
    }

    /// Open checklists whose shift ended more than the grace period ago become INCOMPLETE.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn close_stale_shifts(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let cutoff = now - self.config.jobs.stale_grace;
        let stale = checklists::open_ended_before(self.store.reader(), &InstanceStatus::OPEN, cutoff, 200).await?;
        let system = Actor::system();
        let mut closed = 0;
        for candidate in stale {
            let tx = self.store.begin_write().await?;
            let Some(instance) = checklists::find_instance_for_update(&tx, candidate.id).await? else { continue };
            let from = *instance.status;
            if from.is_closed() || instance.shift_end >= cutoff {
                continue;
            }
            self.mark_incomplete(&tx, &system, instance, now).await?;
            commit(tx).await?;
            closed += 1;
        }
        Ok(closed)
    }

    async fn mark_incomplete(
        &self,
        tx: &sentinelops_store::Tx,
        system: &Actor,
        instance: InstanceRow,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let previous = instance.status;
        let mut row = instance.clone();
        row.status = InstanceStatus::Incomplete.into();
        row.closed_at = Some(now);
        row.updated_at = now;
        checklists::save_instance(tx, row.clone()).await?;
        // INCOMPLETE is final (only an audited reopen moves it), so its record is mailed too.
        crate::report_mail::queue_shift_report(tx, now, &row, crate::report_mail::Closing::Incomplete).await?;
        self.settle_points(tx, &row, system, crate::gamification::Target::CurrentState, now).await?;
        checklists::touch_instance(tx, instance.id, now).await?;
        record_ops(
            tx,
            now,
            system,
            OpsEvent {
                event_type: "CHECKLIST_INCOMPLETE",
                entity_type: "CHECKLIST_INSTANCE",
                entity_id: instance.id.to_string(),
                section_id: Some(instance.section_id),
                payload: json!({
                    "instance_id": instance.id, "previous_status": previous, "shift": instance.shift,
                    "checklist_date": instance.checklist_date, "shift_end": instance.shift_end,
                    "grace_minutes": self.config.jobs.stale_grace.num_minutes(),
                }),
            },
        )
        .await?;
        let payload = json!({ "status": InstanceStatus::Incomplete.as_str(), "previous_status": previous });
        live::checklist_event(tx, now, &instance, "CHECKLIST_UPDATE", system, payload).await?;
        notifications::send(
            tx,
            now,
            Draft {
                title: format!("Checklist incomplete - {} shift", instance.shift),
                message: format!(
                    "{} ({} - {}) was not signed off by the end of the shift and is now INCOMPLETE (it was {previous}).",
                    instance.template_name, instance.shift, instance.checklist_date
                ),
                priority: Priority::High,
                related_entity: "checklist_instance",
                related_id: Some(instance.id),
                section_id: Some(instance.section_id),
                audience: Audience::Users(self.section_managers(tx, instance.section_id).await?),
                exclude: None,
            },
        )
        .await?;
        Ok(())
    }

    /// Deletes auth events, ops events and notifications older than their configured
    /// retention (off by default), in batches; each purge is itself an ops event.
    /// Idempotency keys and live events, which serve retries and reconnects only, go
    /// after a day whatever the configuration (housekeeping, not counted).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn apply_retention(&self) -> AppResult<usize> {
        let jobs = &self.config.jobs;
        let now = self.clock.now();
        let classes = [
            ("auth_events", jobs.retain_auth_events),
            ("ops_events", jobs.retain_ops_events),
            ("notifications", jobs.retain_notifications),
        ];
        let mut total = 0usize;
        let tx = self.store.begin_write().await?;
        sentinelops_store::repo::idempotency::purge(&tx, now - Duration::days(1)).await?;
        retention::purge_live_events(&tx, now - Duration::days(1), 5_000).await?;
        commit(tx).await?;
        for (class, keep) in classes {
            let Some(keep) = keep else { continue };
            let before = now - keep;
            let tx = self.store.begin_write().await?;
            let deleted = match class {
                "auth_events" => retention::purge_auth_events(&tx, before, 5_000).await?,
                "ops_events" => retention::purge_ops_events(&tx, before, 5_000).await?,
                _ => retention::purge_notifications(&tx, before, 5_000).await?,
            };
            if deleted > 0 {
                record_ops(
                    &tx,
                    now,
                    &Actor::system(),
                    OpsEvent {
                        event_type: "RETENTION_PURGED",
                        entity_type: "RETENTION",
                        entity_id: class.to_owned(),
                        section_id: None,
                        payload: json!({ "class": class, "deleted": deleted, "older_than": before, "retention_days": keep.num_days() }),
                    },
                )
                .await?;
            }
            commit(tx).await?;
            total += usize::try_from(deleted).unwrap_or(usize::MAX);
        }
        Ok(total)
    }

    /// Starts the live pump, clears stale presence of this node and (when enabled)
    /// the job loop. Returns the tasks to await on shutdown.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn start_background(&self) -> AppResult<Vec<tokio::task::JoinHandle<()>>> {
        self.clear_presence().await?;
        // The first `/health` then has figures to report.
        self.check_database().await;
        let mut tasks = vec![self.start_live_pump().await?];
        tasks.push(self.spawn_jobs());
        Ok(tasks)
    }
}

/// A reminder or missed alert to consider.
struct Due {
    kind: &'static str,
    entity: &'static str,
    id: Uuid,
    instance: Uuid,
    title: String,
    due_at: DateTime<Utc>,
    scheduled_at: DateTime<Utc>,
}
