//! Storage errors. Unique-constraint violations become `Conflict` here, at the
//! store boundary, so callers can answer 409 instead of 500; a database that cannot
//! be reached becomes `Unavailable`, so callers can answer 503.

use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

use crate::stored::CorruptValue;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("referenced row does not exist: {0}")]
    ForeignKey(String),
    /// No connection could be had in time, or the one in use was lost: the database is
    /// down, restarting or out of reach (or every connection stayed busy too long).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(DbErr),
    #[error("configuration error: {0}")]
    Config(String),
    /// A stored value outside its closed set (a status, role, shift or item type no
    /// code writes): the data is corrupt, so the read fails instead of guessing.
    #[error("corrupt stored value: {0}")]
    Corrupt(CorruptValue),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            return StoreError::Unavailable(err.to_string());
        }
        if let DbErr::TryIntoErr { source, .. } = &err
            && let Some(corrupt) = source.downcast_ref::<CorruptValue>()
        {
            return StoreError::Corrupt(corrupt.clone());
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(what)) => StoreError::Conflict(what),
            Some(SqlErr::ForeignKeyConstraintViolation(what)) => StoreError::ForeignKey(what),
            _ => StoreError::Db(err),
        }
    }
}

/// True when the error says the database could not be reached, not that a statement
/// was wrong: the pool's acquire timeout (sqlx keeps retrying a refused connection
/// until then), a connection lost mid-statement, or PostgreSQL refusing work while it
/// shuts down or starts (SQLSTATE class 08, 57P01-57P03, 53300 too many connections).
fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_unavailable(e),
        _ => false,
    }
}

fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::ConnAcquireErr;

    use super::*;

    fn sqlx_err(err: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
    }

    #[test]
    fn a_database_out_of_reach_is_unavailable_and_a_bad_statement_is_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            sqlx_err(sqlx::Error::PoolTimedOut),
            sqlx_err(sqlx::Error::Io(refused)),
            DbErr::Conn(RuntimeErr::SqlxError(Arc::new(sqlx::Error::PoolClosed))),
        ] {
            assert!(matches!(StoreError::from(err), StoreError::Unavailable(_)));
        }
        for err in [
            sqlx_err(sqlx::Error::RowNotFound),
            sqlx_err(sqlx::Error::Protocol("garbled".into())),
            DbErr::RecordNotFound("x".into()),
            DbErr::Custom("x".into()),
        ] {
            assert!(matches!(StoreError::from(err), StoreError::Db(_)));
        }
    }
}
