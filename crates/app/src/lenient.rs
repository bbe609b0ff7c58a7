//! What is left of the wire leniency in `app`: the checklist creation body still
//! deserializes here until it moves to `web/src/api/checklists.rs` with the rest of
//! the checklist contract. The API's own leniency lives in `web/src/api/lenient.rs`.

use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// `null` or `""` → None; otherwise a UUID.
pub(crate) fn opt_uuid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => {
            s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom(format!("{s:?} is not a valid UUID")))
        }
    }
}
