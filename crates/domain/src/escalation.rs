//! Escalation policies (issue 21): how an OPEN alert climbs until someone owns it, in
//! the manner of PagerDuty or GoAlert. A policy is an ordered list of levels; level 1 is
//! notified when the alert opens, and each level's delay is how long the alert waits
//! there unacknowledged before the next level is notified. The last level's delay is
//! its repeat interval: it is notified again `repeat` more times, then the climb ends.
//!
//! ```text
//! step:   0          1                 2                        3 (repeat 1) …
//! level:  1          2                 3                        3
//! at:     t0    t0+d1            t0+d1+d2               t0+d1+d2+d3
//! ```
//!
//! A policy also holds the section's alerting windows: the grace after a timed step's
//! time before it is MISSED (`due`), and the grace after a shift's end before an
//! unsigned checklist opens an alert.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Bounds a policy is checked against.
pub const MAX_LEVELS: usize = 10;
pub const MAX_DELAY_MINUTES: u32 = 24 * 60;
pub const MAX_REPEAT: u32 = 20;
pub const MAX_NAMED_USERS: usize = 50;
pub const MAX_DUE_GRACE_MINUTES: u32 = 240;
pub const MAX_SIGNOFF_GRACE_MINUTES: u32 = 24 * 60;
/// The webhook classes a level may send to (the configured outbound classes).
pub const WEBHOOK_CLASSES: [&str; 5] = ["escalation", "skip", "completion", "handover", "reminder"];

/// Who one level notifies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recipients {
    /// The active managers of the alert's section.
    pub section_managers: bool,
    /// Named users (active ones are notified).
    pub users: Vec<Uuid>,
    /// Every active admin.
    pub all_admins: bool,
    /// An on-call address (a pager gateway, a team list), e-mailed with an acknowledge link.
    pub email: Option<String>,
    /// A webhook class the alert is posted to.
    pub webhook: Option<String>,
}

impl Recipients {
    fn is_empty(&self) -> bool {
        !self.section_managers
            && self.users.is_empty()
            && !self.all_admins
            && self.email.is_none()
            && self.webhook.is_none()
    }
}

/// One level of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// Minutes the alert waits at this level, unacknowledged, before the next step.
    pub delay_minutes: u32,
    pub recipients: Recipients,
}

/// A section's escalation policy and alerting windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub levels: Vec<Level>,
    /// How many more times the last level is notified, its delay apart.
    pub repeat: u32,
    /// Minutes after a timed step's time before it is MISSED.
    pub due_grace_minutes: u32,
    /// Minutes after a shift's end before an unsigned checklist opens an alert.
    pub signoff_grace_minutes: u32,
}

/// One notification round of an alert: which level, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// 0 when the alert opens, then 1, 2, …
    pub index: u32,
    /// 1-based level notified at this step.
    pub level: u32,
    pub at: DateTime<Utc>,
}

impl Default for Policy {
    /// Without configuration: the section's managers at once; after 10 minutes the
    /// managers and every admin; after 20 more the admins and the escalation webhook,
    /// repeated twice 30 minutes apart.
    fn default() -> Self {
        let managers = Recipients { section_managers: true, ..Recipients::default() };
        let managers_and_admins = Recipients { section_managers: true, all_admins: true, ..Recipients::default() };
        let admins_and_webhook =
            Recipients { all_admins: true, webhook: Some("escalation".to_owned()), ..Recipients::default() };
        Policy {
            levels: vec![
                Level { delay_minutes: 10, recipients: managers },
                Level { delay_minutes: 20, recipients: managers_and_admins },
                Level { delay_minutes: 30, recipients: admins_and_webhook },
            ],
            repeat: 2,
            due_grace_minutes: u32::try_from(crate::due::DEFAULT_GRACE.num_minutes()).unwrap_or(15),
            signoff_grace_minutes: 60,
        }
    }
}

/// Why a policy was refused (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn refuse<T>(message: String) -> Result<T, PolicyError> {
    Err(PolicyError(message))
}

impl Policy {
    /// The grace after a timed step's time before it is MISSED.
    pub fn due_grace(&self) -> Duration {
        Duration::minutes(i64::from(self.due_grace_minutes))
    }

    /// The grace after a shift's end before an unsigned checklist opens an alert.
    pub fn signoff_grace(&self) -> Duration {
        Duration::minutes(i64::from(self.signoff_grace_minutes))
    }

    /// Checks the bounds; trims and lower-cases addresses and classes. E-mail syntax is
    /// checked by the caller's address type; named users' existence by the caller.
    pub fn validated(mut self) -> Result<Policy, PolicyError> {
        if self.levels.is_empty() || self.levels.len() > MAX_LEVELS {
            return refuse(format!("levels must hold between 1 and {MAX_LEVELS} levels"));
        }
        if self.repeat > MAX_REPEAT {
            return refuse(format!("repeat must be between 0 and {MAX_REPEAT}"));
        }
        if self.due_grace_minutes > MAX_DUE_GRACE_MINUTES {
            return refuse(format!("due_grace_minutes must be between 0 and {MAX_DUE_GRACE_MINUTES}"));
        }
        if self.signoff_grace_minutes > MAX_SIGNOFF_GRACE_MINUTES {
            return refuse(format!("signoff_grace_minutes must be between 0 and {MAX_SIGNOFF_GRACE_MINUTES}"));
        }
        for (n, level) in self.levels.iter_mut().enumerate() {
            let name = format!("levels[{n}]");
            if !(1..=MAX_DELAY_MINUTES).contains(&level.delay_minutes) {
                return refuse(format!("{name}.delay_minutes must be between 1 and {MAX_DELAY_MINUTES}"));
            }
            let r = &mut level.recipients;
            r.email = r.email.take().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
            r.webhook = r.webhook.take().map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty());
            if let Some(class) = &r.webhook
                && !WEBHOOK_CLASSES.contains(&class.as_str())
            {
                return refuse(format!("{name}.recipients.webhook must be one of {}", WEBHOOK_CLASSES.join(", ")));
            }
            if r.users.len() > MAX_NAMED_USERS {
                return refuse(format!("{name}.recipients.users holds at most {MAX_NAMED_USERS} users"));
            }
            let mut seen = std::collections::HashSet::new();
            r.users.retain(|id| seen.insert(*id));
            if r.is_empty() {
                return refuse(format!("{name}.recipients must name at least one recipient"));
            }
        }
        Ok(self)
    }

    /// How many steps the climb has in all (every level once, then the repeats).
    pub fn step_count(&self) -> u32 {
        u32::try_from(self.levels.len()).unwrap_or(u32::MAX).saturating_add(self.repeat)
    }

    /// The delay spent at the level of step `index` before the next step.
    fn delay_after(&self, index: u32) -> Duration {
        let last = self.levels.len().saturating_sub(1);
        let at = usize::try_from(index).map_or(last, |i| i.min(last));
        self.levels.get(at).map_or(Duration::zero(), |l| Duration::minutes(i64::from(l.delay_minutes)))
    }

    /// Step `index` of an alert opened at `opened_at`, or `None` past the last one.
    pub fn step(&self, opened_at: DateTime<Utc>, index: u32) -> Option<Step> {
        if index >= self.step_count() {
            return None;
        }
        let levels = u32::try_from(self.levels.len()).unwrap_or(u32::MAX);
        let at = (0..index).fold(opened_at, |at, k| at + self.delay_after(k));
        Some(Step { index, level: (index + 1).min(levels), at })
    }

    /// The recipients of a 1-based level (the last level for anything beyond).
    pub fn recipients(&self, level: u32) -> Option<&Recipients> {
        let index = usize::try_from(level.saturating_sub(1)).ok()?;
        self.levels.get(index).or_else(|| self.levels.last()).map(|l| &l.recipients)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn the_default_climbs_three_levels_then_repeats_the_last_twice() {
        let p = Policy::default().validated().unwrap();
        let steps: Vec<(u32, i64)> =
            (0..10).filter_map(|i| p.step(t0(), i)).map(|s| (s.level, (s.at - t0()).num_minutes())).collect();
        assert_eq!(steps, vec![(1, 0), (2, 10), (3, 30), (3, 60), (3, 90)]);
    }

    fn level(delay_minutes: u32) -> Level {
        Level { delay_minutes, recipients: Recipients { section_managers: true, ..Recipients::default() } }
    }

    #[test]
    fn bounds_are_refused_with_the_field_named() {
        let base = Policy::default();
        let cases: Vec<(Policy, &str)> = vec![
            (Policy { levels: vec![], ..base.clone() }, "levels"),
            (Policy { levels: vec![level(0)], ..base.clone() }, "levels[0].delay_minutes"),
            (
                Policy { levels: vec![level(5), level(MAX_DELAY_MINUTES + 1)], ..base.clone() },
                "levels[1].delay_minutes",
            ),
            (Policy { levels: vec![level(5); MAX_LEVELS + 1], ..base.clone() }, "levels"),
            (Policy { repeat: MAX_REPEAT + 1, ..base.clone() }, "repeat"),
            (Policy { due_grace_minutes: MAX_DUE_GRACE_MINUTES + 1, ..base.clone() }, "due_grace_minutes"),
            (Policy { signoff_grace_minutes: MAX_SIGNOFF_GRACE_MINUTES + 1, ..base.clone() }, "signoff_grace_minutes"),
            (
                Policy { levels: vec![Level { delay_minutes: 5, recipients: Recipients::default() }], ..base.clone() },
                "levels[0].recipients",
            ),
            (
                Policy {
                    levels: vec![Level {
                        delay_minutes: 5,
                        recipients: Recipients { webhook: Some("pager".into()), ..Recipients::default() },
                    }],
                    ..base.clone()
                },
                "levels[0].recipients.webhook",
            ),
        ];
        for (policy, field) in cases {
            match policy.validated() {
                Err(PolicyError(message)) => assert!(message.starts_with(field), "{message} should name {field}"),
                Ok(_) => panic!("accepted a policy with a bad {field}"),
            }
        }
    }

    #[test]
    fn blank_addresses_are_dropped_and_users_deduplicated() {
        let user = Uuid::from_u128(7);
        let only_blank = Recipients { email: Some("  ".into()), ..Recipients::default() };
        let refused = Policy { levels: vec![Level { delay_minutes: 5, recipients: only_blank }], ..Policy::default() };
        assert!(refused.validated().is_err(), "a blank address is no recipient");
        let twice = Recipients {
            users: vec![user, user],
            email: Some(" OnCall@Bank.Example ".into()),
            ..Recipients::default()
        };
        let p = Policy { levels: vec![Level { delay_minutes: 5, recipients: twice }], ..Policy::default() }
            .validated()
            .unwrap();
        let r = p.recipients(1).cloned().unwrap_or_default();
        assert_eq!(r.users, vec![user]);
        assert_eq!(r.email.as_deref(), Some("oncall@bank.example"));
    }

    proptest! {
        /// Steps come in time order, one level at a time, level 1 at the opening, the
        /// last level repeated exactly `repeat` times, and nothing after.
        #[test]
        fn steps_climb_in_order_and_end(delays in proptest::collection::vec(1u32..=1440, 1..=MAX_LEVELS), repeat in 0u32..=MAX_REPEAT) {
            let policy = Policy { levels: delays.iter().map(|d| level(*d)).collect(), repeat, ..Policy::default() };
            let steps: Vec<Step> = (0..=policy.step_count()).filter_map(|i| policy.step(t0(), i)).collect();
            let levels = u32::try_from(delays.len()).unwrap_or(0);
            prop_assert_eq!(steps.len() as u32, levels + repeat);
            prop_assert_eq!(steps.first().map(|s| (s.level, s.at)), Some((1, t0())));
            for pair in steps.windows(2) {
                if let [a, b] = pair {
                    prop_assert!(b.at > a.at);
                    prop_assert!(b.level == a.level + 1 || (b.level == levels && a.level == levels));
                    let waited = (b.at - a.at).num_minutes();
                    prop_assert_eq!(waited, i64::from(delays.get(a.level as usize - 1).copied().unwrap_or(0)));
                }
            }
            prop_assert_eq!(steps.iter().filter(|s| s.level == levels).count() as u32, repeat + 1);
            prop_assert!(policy.step(t0(), policy.step_count()).is_none());
        }
    }
}
