//! Entities: one module per table, field names equal to column names.
//!
//! The schema itself lives in `crate::migration`; these structs map rows, and a few
//! build the new rows every writer starts from (`item_columns`, `checklist_instances`).
//! Enum-like columns are plain `String`s here; the database checks their values.

pub mod app_settings;
pub mod auth_events;
pub mod auth_sessions;
pub mod badge_claims;
pub mod calendar_feeds;
pub mod checklist_instance_items;
pub mod checklist_instance_scheduled_events;
pub mod checklist_instance_subitems;
pub mod checklist_instances;
pub mod checklist_item_activity;
pub mod checklist_overrides;
pub mod checklist_participants;
pub mod checklist_template_items;
pub mod checklist_template_scheduled_events;
pub mod checklist_template_subitems;
pub mod checklist_templates;
pub mod coverage_alerts;
pub mod coverage_minimums;
pub mod days_off;
pub mod departments;
pub mod gamification_daily;
pub mod gamification_scores;
pub mod handover_notes;
pub mod held_emails;
pub mod idempotency_keys;
pub mod item_columns;
pub mod job_leases;
pub mod live_events;
pub mod notification_preferences;
pub mod notification_receipts;
pub mod notifications;
pub mod ops_events;
pub mod outbox;
pub mod presence;
pub mod reminder_deliveries;
pub mod roster_settings;
pub mod scheduled_shifts;
pub mod sections;
pub mod shift_assignments;
pub mod shift_exceptions;
pub mod shift_pattern_days;
pub mod shift_patterns;
pub mod shift_swaps;
pub mod shifts;
pub mod state_transition_rules;
pub mod user_streaks;
pub mod users;

/// Every `Entity` under a CamelCase name.
pub mod prelude {
    pub use super::app_settings::Entity as AppSettings;
    pub use super::auth_events::Entity as AuthEvents;
    pub use super::auth_sessions::Entity as AuthSessions;
    pub use super::badge_claims::Entity as BadgeClaims;
    pub use super::calendar_feeds::Entity as CalendarFeeds;
    pub use super::checklist_instance_items::Entity as ChecklistInstanceItems;
    pub use super::checklist_instance_scheduled_events::Entity as ChecklistInstanceScheduledEvents;
    pub use super::checklist_instance_subitems::Entity as ChecklistInstanceSubitems;
    pub use super::checklist_instances::Entity as ChecklistInstances;
    pub use super::checklist_item_activity::Entity as ChecklistItemActivity;
    pub use super::checklist_overrides::Entity as ChecklistOverrides;
    pub use super::checklist_participants::Entity as ChecklistParticipants;
    pub use super::checklist_template_items::Entity as ChecklistTemplateItems;
    pub use super::checklist_template_scheduled_events::Entity as ChecklistTemplateScheduledEvents;
    pub use super::checklist_template_subitems::Entity as ChecklistTemplateSubitems;
    pub use super::checklist_templates::Entity as ChecklistTemplates;
    pub use super::coverage_alerts::Entity as CoverageAlerts;
    pub use super::coverage_minimums::Entity as CoverageMinimums;
    pub use super::days_off::Entity as DaysOff;
    pub use super::departments::Entity as Departments;
    pub use super::gamification_daily::Entity as GamificationDaily;
    pub use super::gamification_scores::Entity as GamificationScores;
    pub use super::handover_notes::Entity as HandoverNotes;
    pub use super::held_emails::Entity as HeldEmails;
    pub use super::idempotency_keys::Entity as IdempotencyKeys;
    pub use super::job_leases::Entity as JobLeases;
    pub use super::live_events::Entity as LiveEvents;
    pub use super::notification_preferences::Entity as NotificationPreferences;
    pub use super::notification_receipts::Entity as NotificationReceipts;
    pub use super::notifications::Entity as Notifications;
    pub use super::ops_events::Entity as OpsEvents;
    pub use super::outbox::Entity as Outbox;
    pub use super::reminder_deliveries::Entity as ReminderDeliveries;
    pub use super::roster_settings::Entity as RosterSettings;
    pub use super::scheduled_shifts::Entity as ScheduledShifts;
    pub use super::sections::Entity as Sections;
    pub use super::shift_assignments::Entity as ShiftAssignments;
    pub use super::shift_exceptions::Entity as ShiftExceptions;
    pub use super::shift_pattern_days::Entity as ShiftPatternDays;
    pub use super::shift_patterns::Entity as ShiftPatterns;
    pub use super::shift_swaps::Entity as ShiftSwaps;
    pub use super::shifts::Entity as Shifts;
    pub use super::state_transition_rules::Entity as StateTransitionRules;
    pub use super::user_streaks::Entity as UserStreaks;
    pub use super::users::Entity as Users;
}
