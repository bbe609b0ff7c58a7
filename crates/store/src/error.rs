//! Storage errors. Unique-constraint violations become `Conflict` here, at the
//! store boundary, so callers can answer 409 instead of 500.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("referenced row does not exist: {0}")]
    ForeignKey(String),
    #[error("database error: {0}")]
    Db(DbErr),
    #[error("configuration error: {0}")]
    Config(String),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(what)) => StoreError::Conflict(what),
            Some(SqlErr::ForeignKeyConstraintViolation(what)) => StoreError::ForeignKey(what),
            _ => StoreError::Db(err),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
