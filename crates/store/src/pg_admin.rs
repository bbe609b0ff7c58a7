//! Creating and dropping PostgreSQL databases (used by the test harness and
//! benchmarks to give each run a fresh database).

use std::str::FromStr;

use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};

use crate::error::{StoreError, StoreResult};

fn config_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(e.to_string())
}

/// A database name safe to splice into DDL: ASCII letters, digits and underscores.
fn checked(name: &str) -> StoreResult<&str> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(name)
    } else {
        Err(StoreError::Config(format!("unsafe database name {name:?}")))
    }
}

async fn run(admin_url: &str, sql: &str) -> StoreResult<()> {
    let options = PgConnectOptions::from_str(admin_url).map_err(config_err)?;
    let mut conn = options.connect().await.map_err(config_err)?;
    // Names were checked by `checked`, so splicing them into DDL is safe.
    let result =
        conn.execute(sea_orm::sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))).await.map(|_| ()).map_err(config_err);
    let _ = conn.close().await;
    result
}

/// `CREATE DATABASE name [TEMPLATE template]`.
pub async fn create_database(admin_url: &str, name: &str, template: Option<&str>) -> StoreResult<()> {
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {} TEMPLATE {}", checked(name)?, checked(t)?),
        None => format!("CREATE DATABASE {}", checked(name)?),
    };
    run(admin_url, &sql).await
}

/// `DROP DATABASE IF EXISTS name WITH (FORCE)`.
pub async fn drop_database(admin_url: &str, name: &str) -> StoreResult<()> {
    run(admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", checked(name)?)).await
}

/// Names of databases that start with `prefix`.
pub async fn databases_with_prefix(admin_url: &str, prefix: &str) -> StoreResult<Vec<String>> {
    let options = PgConnectOptions::from_str(admin_url).map_err(config_err)?;
    let mut conn = options.connect().await.map_err(config_err)?;
    let rows: Vec<(String,)> = sea_orm::sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(&mut conn)
        .await
        .map_err(config_err)?;
    let _ = conn.close().await;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// Connections to database `name` that are waiting on `LISTEN` (the live pumps).
pub async fn listening_connections(admin_url: &str, name: &str) -> StoreResult<Vec<i32>> {
    let options = PgConnectOptions::from_str(admin_url).map_err(config_err)?;
    let mut conn = options.connect().await.map_err(config_err)?;
    let rows: Vec<(i32,)> =
        sea_orm::sqlx::query_as("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'")
            .bind(name)
            .fetch_all(&mut conn)
            .await
            .map_err(config_err)?;
    let _ = conn.close().await;
    Ok(rows.into_iter().map(|(pid,)| pid).collect())
}

/// `ALTER DATABASE name WITH ALLOW_CONNECTIONS …`: while false, new connections are
/// refused (as while a database restarts); open ones stay.
pub async fn allow_connections(admin_url: &str, name: &str, allow: bool) -> StoreResult<()> {
    run(admin_url, &format!("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {allow}", checked(name)?)).await
}

/// Ends server connection `pid` (as a network failure or a restart would).
pub async fn terminate_connection(admin_url: &str, pid: i32) -> StoreResult<()> {
    // An integer is safe to splice.
    run(admin_url, &format!("SELECT pg_terminate_backend({pid})")).await
}

/// The URL of database `name` on the server of `admin_url`.
pub fn url_for(admin_url: &str, name: &str) -> String {
    let (scheme, rest) = admin_url.split_once("://").unwrap_or(("postgres", admin_url));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}
