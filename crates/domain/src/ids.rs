//! Identifiers: UUID v7 everywhere, so keys sort by creation time.

use uuid::Uuid;

/// A new time-ordered identifier.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
