//! What is left of the wire leniency in `app`: the checklist creation body and the
//! template inputs (also read from the demo data file) still deserialize here until
//! their wire types move to `web/src/api/`. The API's own leniency lives in
//! `web/src/api/lenient.rs`.

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

#[derive(Deserialize)]
#[serde(untagged)]
enum AnyId {
    Int(i64),
    Str(String),
}

/// Client-side ids: a string or a number, kept as text (`null`/`""` → None).
pub(crate) fn opt_any_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<AnyId>::deserialize(d)? {
        None => None,
        Some(AnyId::Int(i)) => Some(i.to_string()),
        Some(AnyId::Str(s)) if s.trim().is_empty() => None,
        Some(AnyId::Str(s)) => Some(s.trim().to_owned()),
    })
}
