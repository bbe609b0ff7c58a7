//! Report mails: the shift report (PDF attached) mailed to a section's supervisors when
//! a checklist closes, and the daily shift digest.
//!
//! Who gets them is decided here, from two notification preferences stored as real
//! columns (`None` when never chosen):
//! - "shift report by e-mail": on by default for managers, off for administrators
//!   (who supervise every section and opt in);
//! - "daily shift digest": off by default.
//!
//! Both need e-mail on at all (`email_enabled`): that switch turns every e-mail off.

mod digest;
mod shift_report;

use sentinelops_domain::checklist::{ItemStatus, completion_percentage};
use sentinelops_domain::{Role, SECTION_SUPERVISORS};
use sentinelops_store::Conn;
use sentinelops_store::repo::report_mail::{ReportRecipient, supervisors_with_preferences};
use uuid::Uuid;

use crate::error::AppResult;

pub(crate) use shift_report::{Closing, Rendered, queue_shift_report, without_attachment};

/// The sentence a shift report mail carries when its PDF could not be attached.
pub const REPORT_NOT_ATTACHED: &str =
    "The shift report could not be attached to this e-mail; download it from the checklist page in SentinelOps.";

/// The "shift report by e-mail" preference of someone who never chose it.
pub fn shift_report_default(role: Role) -> bool {
    role == Role::Manager
}

/// The "daily shift digest" preference of someone who never chose it.
pub const DIGEST_DEFAULT: bool = false;

/// Whether a supervisor gets the shift reports of the sections they supervise.
fn wants_shift_report(r: &ReportRecipient) -> bool {
    r.email_enabled != Some(false) && r.shift_report_email.unwrap_or_else(|| shift_report_default(r.role))
}

/// Whether a supervisor gets the daily digest.
fn wants_digest(r: &ReportRecipient) -> bool {
    r.email_enabled != Some(false) && r.daily_digest_email.unwrap_or(DIGEST_DEFAULT)
}

/// The supervisors of `section` (of every section when `None`) whom `wants` picks.
async fn recipients(
    c: &impl Conn,
    section: Option<Uuid>,
    wants: fn(&ReportRecipient) -> bool,
) -> AppResult<Vec<ReportRecipient>> {
    let all = supervisors_with_preferences(c, SECTION_SUPERVISORS, section).await?;
    Ok(all.into_iter().filter(wants).collect())
}

/// What a checklist's items say, as the report mails tell it: the same counts as the
/// attached PDF (exceptions are skipped and failed items; subitems are told apart).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tally {
    items: usize,
    skipped: usize,
    failed: usize,
    exceptions: usize,
    subitem_exceptions: usize,
    /// Completed items in percent (items only, as the original).
    completion: f64,
}

impl Tally {
    fn of(items: &[ItemStatus], subitems: &[ItemStatus]) -> Tally {
        let count = |s: ItemStatus| items.iter().filter(|x| **x == s).count();
        Tally {
            items: items.len(),
            skipped: count(ItemStatus::Skipped),
            failed: count(ItemStatus::Failed),
            exceptions: items.iter().filter(|s| s.is_exception()).count(),
            subitem_exceptions: subitems.iter().filter(|s| s.is_exception()).count(),
            completion: completion_percentage(items),
        }
    }

    fn sentence(&self) -> String {
        format!(
            "{}% of {} items completed, {} skipped, {} failed: {}.",
            self.completion,
            self.items,
            self.skipped,
            self.failed,
            self.exceptions_phrase()
        )
    }

    /// The exceptions in a line of text: "2 exception(s)", "0 exception(s), 1 subitem skipped or failed".
    fn exceptions_phrase(&self) -> String {
        match self.subitem_exceptions {
            0 => format!("{} exception(s)", self.exceptions),
            n => format!("{} exception(s), {}", self.exceptions, subitem_phrase(n)),
        }
    }

    /// The exceptions as a table cell: "2", or "2 (+1 subitem)".
    fn exceptions_cell(&self) -> String {
        match self.subitem_exceptions {
            0 => self.exceptions.to_string(),
            1 => format!("{} (+1 subitem)", self.exceptions),
            n => format!("{} (+{n} subitems)", self.exceptions),
        }
    }
}

/// "1 subitem skipped or failed", "3 subitems skipped or failed".
fn subitem_phrase(n: usize) -> String {
    if n == 1 { "1 subitem skipped or failed".to_owned() } else { format!("{n} subitems skipped or failed") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient(role: Role, email: Option<bool>, report: Option<bool>, digest: Option<bool>) -> ReportRecipient {
        ReportRecipient {
            user_id: Uuid::nil(),
            username: "u".into(),
            email: "u@x.y".into(),
            role,
            section_id: None,
            email_enabled: email,
            shift_report_email: report,
            daily_digest_email: digest,
        }
    }

    #[test]
    fn managers_get_reports_unless_they_say_no_and_admins_only_when_they_say_yes() {
        assert!(wants_shift_report(&recipient(Role::Manager, None, None, None)));
        assert!(!wants_shift_report(&recipient(Role::Manager, None, Some(false), None)));
        assert!(!wants_shift_report(&recipient(Role::Manager, Some(false), Some(true), None)));
        assert!(!wants_shift_report(&recipient(Role::Admin, None, None, None)));
        assert!(wants_shift_report(&recipient(Role::Admin, Some(true), Some(true), None)));
    }

    #[test]
    fn exceptions_are_the_items_as_in_the_pdf_and_subitems_are_told_apart() {
        use ItemStatus::*;
        let tally = Tally::of(&[Completed, Skipped, Failed, Completed], &[Failed, Completed]);
        assert_eq!(
            (tally.items, tally.skipped, tally.failed, tally.exceptions, tally.subitem_exceptions),
            (4, 1, 1, 2, 1)
        );
        assert_eq!(
            tally.sentence(),
            "50% of 4 items completed, 1 skipped, 1 failed: 2 exception(s), 1 subitem skipped or failed."
        );
        assert_eq!(tally.exceptions_cell(), "2 (+1 subitem)");
        let clean = Tally::of(&[Completed, Completed], &[Completed]);
        assert_eq!(clean.sentence(), "100% of 2 items completed, 0 skipped, 0 failed: 0 exception(s).");
        assert_eq!(clean.exceptions_cell(), "0");
        // Only a subitem failed: the checklist has exceptions, and the digest says where.
        let subitem_only = Tally::of(&[Completed], &[Failed, Skipped]);
        assert_eq!(subitem_only.exceptions_cell(), "0 (+2 subitems)");
    }

    #[test]
    fn the_digest_is_opt_in_and_needs_email() {
        assert!(!wants_digest(&recipient(Role::Manager, None, None, None)));
        assert!(wants_digest(&recipient(Role::Manager, None, None, Some(true))));
        assert!(!wants_digest(&recipient(Role::Admin, Some(false), None, Some(true))));
    }
}
