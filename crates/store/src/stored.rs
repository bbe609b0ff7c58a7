//! Domain names as column values: a status, role, shift or item type is stored as its
//! canonical text and read back as the domain enum.
//!
//! Why a wrapper and not row structs beside the entity models: the orphan rule forbids
//! implementing SeaORM's value traits for `domain` types here (and `domain` has no
//! SeaORM), while one generic wrapper gives every typed column loud decoding without
//! writing each entity's field block a second time. The wrapper derefs to the domain
//! value, compares with it and converts from it, so callers work with the enum.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};
use sentinelops_domain::Named;

/// A domain name stored as text. Reading an unknown name fails with
/// [`crate::StoreError::Corrupt`], never a default.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stored<T>(pub T);

impl<T: Named> Stored<T> {
    pub fn get(self) -> T {
        self.0
    }
}

impl<T> Deref for Stored<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Named> From<T> for Stored<T> {
    fn from(value: T) -> Self {
        Stored(value)
    }
}

impl<T: Named> PartialEq<T> for Stored<T> {
    fn eq(&self, other: &T) -> bool {
        self.0 == *other
    }
}

impl<T: Named> std::fmt::Debug for Stored<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Named> std::fmt::Display for Stored<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// A stored text that names no value of the column's domain type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column} holds {value:?}, which is no {kind}")]
pub struct CorruptValue {
    pub column: String,
    pub kind: &'static str,
    pub value: String,
}

fn corrupt<T: Named>(column: String, value: String) -> DbErr {
    DbErr::TryIntoErr { from: "String", into: T::KIND, source: Arc::new(CorruptValue { column, kind: T::KIND, value }) }
}

/// The canonical names of `values`, for `IN (…)` filters.
pub fn names<T: Named>(values: &[T]) -> Vec<&'static str> {
    values.iter().map(|v| v.as_str()).collect()
}

impl<T: Named> From<Stored<T>> for Value {
    fn from(value: Stored<T>) -> Self {
        value.0.as_str().into()
    }
}

impl<T: Named> TryGetable for Stored<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, index)?;
        T::from_name(&text).map(Stored).ok_or_else(|| {
            let column = index.as_str().map_or_else(|| format!("{index:?}"), str::to_owned);
            TryGetError::DbErr(corrupt::<T>(column, text))
        })
    }
}

impl<T: Named> ValueType for Stored<T> {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(value)?;
        T::from_name(&text).map(Stored).ok_or(ValueTypeErr)
    }

    fn type_name() -> String {
        T::KIND.to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl<T: Named> Nullable for Stored<T> {
    fn null() -> Value {
        Value::String(None)
    }
}

impl<T: Named> sea_orm::IntoActiveValue<Stored<T>> for Stored<T> {
    fn into_active_value(self) -> sea_orm::ActiveValue<Stored<T>> {
        sea_orm::ActiveValue::Set(self)
    }
}

/// Serializes as the canonical name, as the text column holds it: use-case payloads
/// that embed a row field (ops-event payloads) keep their exact shape.
impl<T: Named> serde::Serialize for Stored<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}
