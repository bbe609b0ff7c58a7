//! The causes nobody's action reports, found by the escalation job: a critical timed
//! item or subitem still undone when its grace ends (MISSED), and a checklist not
//! signed off when the sign-off grace after its shift's end ends. Each subject raises
//! one alert ever (the scans skip subjects that had one), in the job's transaction.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use sentinelops_domain::alert::{AlertCause, CRITICAL_SEVERITY};
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_store::repo::checklists::{self, InstanceRow};
use sentinelops_store::repo::reminders::{self, Scan};

use super::{Raise, policy::policy_for, raise};
use crate::App;
use crate::error::AppResult;
use crate::tx::commit;

/// How far back the scans look (causes that arose while every instance was down are
/// still raised, but nothing older).
const LOOKBACK: Duration = Duration::hours(26);
const LIMIT: u64 = 500;
/// A checklist not signed off: still open, or closed INCOMPLETE by the stale-shift job
/// (which may close it before the sign-off grace ends).
const UNSIGNED: [InstanceStatus; 4] =
    [InstanceStatus::Open, InstanceStatus::InProgress, InstanceStatus::PendingReview, InstanceStatus::Incomplete];

/// A critical timed step that may be missed.
struct Candidate {
    instance_id: Uuid,
    item_id: Uuid,
    subitem_id: Option<Uuid>,
    title: String,
    scheduled_at: DateTime<Utc>,
}

fn when(instance: &InstanceRow) -> String {
    format!("{} ({} - {})", instance.template_name, instance.shift, instance.checklist_date)
}

impl App {
    /// Raises the alerts of missed critical steps and unsigned checklists; returns how
    /// many it raised.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn watch_for_causes(&self) -> AppResult<usize> {
        Ok(self.raise_missed_steps().await? + self.raise_unsigned_checklists().await?)
    }

    async fn raise_missed_steps(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let reader = self.store.reader();
        let scan = Scan {
            from: now - LOOKBACK,
            to: now,
            limit: LIMIT,
            open_items: &ItemStatus::OPEN,
            open_checklists: &InstanceStatus::OPEN,
        };
        let mut candidates: Vec<Candidate> = Vec::new();
        for i in reminders::critical_items_due(reader, scan, CRITICAL_SEVERITY).await? {
            if let Some(at) = i.scheduled_at {
                candidates.push(Candidate {
                    instance_id: i.instance_id,
                    item_id: i.id,
                    subitem_id: None,
                    title: i.title,
                    scheduled_at: at,
                });
            }
        }
        for s in reminders::critical_subitems_due(reader, scan, CRITICAL_SEVERITY).await? {
            if let Some(at) = s.scheduled_at {
                let (item_id, subitem_id) = (s.instance_item_id, Some(s.id));
                candidates.push(Candidate {
                    instance_id: s.instance_id,
                    item_id,
                    subitem_id,
                    title: s.title,
                    scheduled_at: at,
                });
            }
        }
        let mut raised = 0;
        for c in candidates {
            let tx = self.store.begin_write().await?;
            let Some(instance) = checklists::find_instance(&tx, c.instance_id).await? else { continue };
            let policy = policy_for(&tx, instance.section_id).await?;
            if instance.status.is_closed() || c.scheduled_at + policy.due_grace() > now {
                continue;
            }
            let tz = self.business_timezone_in(&tx).await?;
            let at = c.scheduled_at.with_timezone(&tz).format("%H:%M");
            let what = if c.subitem_id.is_some() { "subitem" } else { "item" };
            let subject = c.subitem_id.unwrap_or(c.item_id);
            let cause = Raise {
                cause: AlertCause::ItemMissed,
                subject: subject.to_string(),
                subject_id: Some(subject),
                section_id: instance.section_id,
                instance_id: Some(instance.id),
                item_id: Some(c.item_id),
                subitem_id: c.subitem_id,
                title: format!("MISSED: critical {what} '{}' was due at {at}", c.title),
                message: format!(
                    "The critical {what} '{}' in {} was due at {at} and is still not done {} minutes later.",
                    c.title,
                    when(&instance),
                    policy.due_grace_minutes
                ),
                already_told: Vec::new(),
            };
            raise(&tx, now, cause).await?;
            commit(tx).await?;
            raised += 1;
        }
        Ok(raised)
    }

    async fn raise_unsigned_checklists(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let ended = reminders::unsigned_checklists(self.store.reader(), &UNSIGNED, now - LOOKBACK, now, LIMIT).await?;
        let mut raised = 0;
        for candidate in ended {
            let tx = self.store.begin_write().await?;
            let Some(instance) = checklists::find_instance(&tx, candidate.id).await? else { continue };
            let policy = policy_for(&tx, instance.section_id).await?;
            if !UNSIGNED.contains(&instance.status) || instance.shift_end + policy.signoff_grace() > now {
                continue;
            }
            let cause = Raise {
                cause: AlertCause::ChecklistUnsigned,
                subject: instance.id.to_string(),
                subject_id: Some(instance.id),
                section_id: instance.section_id,
                instance_id: Some(instance.id),
                item_id: None,
                subitem_id: None,
                title: format!("Checklist not signed off: {} shift {}", instance.shift, instance.checklist_date),
                message: format!(
                    "{} ended {} minutes ago or more and is not signed off (status {}).",
                    when(&instance),
                    policy.signoff_grace_minutes,
                    instance.status.as_str()
                ),
                already_told: Vec::new(),
            };
            raise(&tx, now, cause).await?;
            commit(tx).await?;
            raised += 1;
        }
        Ok(raised)
    }
}
