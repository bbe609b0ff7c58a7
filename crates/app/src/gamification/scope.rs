//! Who the performance views show the caller, and under which names.

use sentinelops_store::repo::gamification_read::{Audience, UserRow, Visible};

use crate::actor::Actor;

/// The caller's audience: their section's active users; everyone for an admin without
/// a section; otherwise only themselves (the caller is always added by the query).
pub fn audience_of(actor: &Actor) -> Audience {
    match actor.section_id {
        Some(section) => Audience::Section(section),
        None if actor.is_admin() => Audience::Everyone,
        None => Audience::Only(actor.user_id),
    }
}

/// The scope's label: the section's name, or the original's fallbacks.
pub fn scope_label(actor: &Actor, visible: &Visible) -> String {
    match actor.section_id {
        Some(section) => {
            visible.sections.get(&section).map_or_else(|| "Current section".to_owned(), |s| s.name.clone())
        }
        None if actor.is_admin() => "Organization-wide".to_owned(),
        None => "Your scope".to_owned(),
    }
}

/// "first last" trimmed, else the username, else a neutral name.
pub fn display_name(user: &UserRow) -> String {
    let full = format!("{} {}", user.first_name.trim(), user.last_name.trim());
    let full = full.trim();
    if !full.is_empty() {
        full.to_owned()
    } else if !user.username.trim().is_empty() {
        user.username.clone()
    } else {
        "SentinelOps operator".to_owned()
    }
}

/// Whether other users' names are hidden from the caller: their section hides names
/// and they are neither a manager nor an admin.
pub fn names_hidden(actor: &Actor, visible: &Visible) -> bool {
    let hides =
        actor.section_id.and_then(|s| visible.sections.get(&s)).and_then(|s| s.hide_leaderboard_names).unwrap_or(false);
    hides && !actor.role.is_supervisor()
}

/// The placeholder shown instead of a hidden name.
pub fn hidden_name(rank: i64) -> String {
    format!("Operator #{rank}")
}
