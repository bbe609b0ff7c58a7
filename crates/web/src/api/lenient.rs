//! Deserializers for the loose inputs the original frontend sends: empty strings
//! for "none", numbers as strings, and explicit nulls that clear a field.

use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// `null` or `""` → None; otherwise a UUID.
pub fn opt_uuid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => {
            s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom(format!("{s:?} is not a valid UUID")))
        }
    }
}

/// Like `opt_uuid`, but remembers that the field was present: `Some(None)` clears it.
pub fn patch_uuid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    opt_uuid(d).map(Some)
}

/// Text that remembers it was present: `null` → `Some(None)`, so an explicit null
/// clears the field while an absent one keeps it.
pub fn patch_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IntOrString {
    Int(i64),
    Str(String),
}

/// `null` or `""` → None; a number or a numeric string → Some.
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let value = match Option::<IntOrString>::deserialize(d)? {
        None => return Ok(None),
        Some(IntOrString::Int(i)) => i,
        Some(IntOrString::Str(s)) if s.trim().is_empty() => return Ok(None),
        Some(IntOrString::Str(s)) => {
            s.trim().parse::<i64>().map_err(|_| serde::de::Error::custom(format!("{s:?} is not an integer")))?
        }
    };
    i32::try_from(value).map(Some).map_err(|_| serde::de::Error::custom("integer out of range"))
}

pub fn patch_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i32>>, D::Error> {
    opt_int(d).map(Some)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AnyId {
    Int(i64),
    Str(String),
}

/// Client-side ids: a string or a number, kept as text (`null`/`""` → None).
pub fn opt_any_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<AnyId>::deserialize(d)? {
        None => None,
        Some(AnyId::Int(i)) => Some(i.to_string()),
        Some(AnyId::Str(s)) if s.trim().is_empty() => None,
        Some(AnyId::Str(s)) => Some(s.trim().to_owned()),
    })
}
