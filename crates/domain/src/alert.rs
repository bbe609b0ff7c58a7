//! Alerts (issue 21): something that needs an owner — a CRITICAL failure, a missed
//! critical item, a checklist still unsigned past its grace, a short-staffed shift.
//! One alert per cause: a repeat of the cause while the alert is not resolved attaches
//! to it. An OPEN alert climbs its section's escalation policy (`escalation`) until
//! someone acknowledges it; resolving it needs a note.
//!
//! ```text
//! OPEN ──acknowledge──▶ ACKNOWLEDGED ──resolve──▶ RESOLVED
//!   └──────────────────resolve──────────────────────┘
//! ```

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertStatus {
    /// Nobody owns it yet: it climbs the escalation policy.
    Open,
    /// Someone owns it: the climb stopped.
    Acknowledged,
    /// Dealt with, with a note.
    Resolved,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 3] = [AlertStatus::Open, AlertStatus::Acknowledged, AlertStatus::Resolved];

    pub const fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "OPEN",
            AlertStatus::Acknowledged => "ACKNOWLEDGED",
            AlertStatus::Resolved => "RESOLVED",
        }
    }

    /// A status as a client spells it (any case, surrounding blanks ignored).
    pub fn parse(text: &str) -> Option<AlertStatus> {
        AlertStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether `self` may be acknowledged (only an open alert).
    pub fn can_acknowledge(self) -> bool {
        self == AlertStatus::Open
    }

    /// Whether `self` may be resolved (anything not resolved yet).
    pub fn can_resolve(self) -> bool {
        self != AlertStatus::Resolved
    }
}

/// What opened an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertCause {
    /// An item or subitem marked failed (escalated) by an operator.
    ItemFailed,
    /// A critical timed item, subitem or scheduled event whose grace passed undone.
    ItemMissed,
    /// A checklist whose shift ended more than the sign-off grace ago, not signed off.
    ChecklistUnsigned,
    /// A rostered shift about to start with fewer people than its minimum.
    CoverageGap,
}

impl AlertCause {
    pub const ALL: [AlertCause; 4] =
        [AlertCause::ItemFailed, AlertCause::ItemMissed, AlertCause::ChecklistUnsigned, AlertCause::CoverageGap];

    pub const fn as_str(self) -> &'static str {
        match self {
            AlertCause::ItemFailed => "ITEM_FAILED",
            AlertCause::ItemMissed => "ITEM_MISSED",
            AlertCause::ChecklistUnsigned => "CHECKLIST_UNSIGNED",
            AlertCause::CoverageGap => "COVERAGE_GAP",
        }
    }

    pub fn parse(text: &str) -> Option<AlertCause> {
        AlertCause::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether the cause is critical: critical alerts bypass quiet hours and are sent at
    /// the highest priority.
    pub const fn is_critical(self) -> bool {
        matches!(self, AlertCause::ItemFailed | AlertCause::ItemMissed)
    }

    /// The key that makes "one alert per cause": the same key while an alert is not
    /// resolved attaches to it. `subject` is the failed or missed step, the unsigned
    /// checklist, or the short shift (section, date and shift folded into one id by
    /// the caller).
    pub fn key(self, subject: impl std::fmt::Display) -> String {
        format!("{}:{subject}", self.as_str())
    }
}

/// Severity at and above which a missed timed step opens an alert (1–5 scale).
pub const CRITICAL_SEVERITY: i32 = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn statuses_and_causes_read_back_as_spelled() {
        for s in AlertStatus::ALL {
            assert_eq!(AlertStatus::parse(&s.as_str().to_lowercase()), Some(s));
        }
        for c in AlertCause::ALL {
            assert_eq!(AlertCause::parse(c.as_str()), Some(c));
        }
        assert_eq!(AlertStatus::parse("CLOSED"), None);
        assert_eq!(AlertCause::parse(""), None);
    }

    #[test]
    fn only_an_open_alert_is_acknowledged_and_a_resolved_one_is_final() {
        assert!(AlertStatus::Open.can_acknowledge());
        assert!(!AlertStatus::Acknowledged.can_acknowledge());
        assert!(!AlertStatus::Resolved.can_acknowledge());
        assert!(AlertStatus::Open.can_resolve());
        assert!(AlertStatus::Acknowledged.can_resolve());
        assert!(!AlertStatus::Resolved.can_resolve());
    }

    #[test]
    fn keys_differ_by_cause_and_subject() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_ne!(AlertCause::ItemFailed.key(a), AlertCause::ItemMissed.key(a));
        assert_ne!(AlertCause::ItemFailed.key(a), AlertCause::ItemFailed.key(b));
        assert_eq!(AlertCause::ItemFailed.key(a), AlertCause::ItemFailed.key(a));
    }
}
