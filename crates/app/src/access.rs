//! Section scoping: non-admins see and change only their own section's resources.

use uuid::Uuid;

use sentinelops_domain::SECTION_SUPERVISORS;

use crate::actor::Actor;
use crate::error::{AppResult, forbidden};

/// Reading or working a resource of `section_id`.
pub fn can_use_section(actor: &Actor, section_id: Uuid) -> AppResult<()> {
    if actor.is_admin() || actor.section_id == Some(section_id) {
        Ok(())
    } else {
        Err(forbidden("This resource belongs to another section"))
    }
}

/// Supervising a resource of `section_id`, under the one supervision rule of `domain`.
pub fn can_supervise_section(actor: &Actor, section_id: Uuid) -> AppResult<()> {
    if SECTION_SUPERVISORS.supervises(actor.role, actor.section_id, section_id) {
        Ok(())
    } else if actor.role.is_supervisor() {
        Err(forbidden("This resource belongs to another section"))
    } else {
        Err(forbidden("Only managers and administrators can do this"))
    }
}

/// The section a non-admin acts in (admins must name one).
pub fn own_section(actor: &Actor) -> AppResult<Uuid> {
    actor.section_id.ok_or_else(|| forbidden("You are not assigned to a section"))
}
