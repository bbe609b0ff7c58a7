//! Generic row writes shared by the repositories: bulk inserts in bounded chunks and
//! whole-row updates. Callers build entity models; these write them.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, EntityTrait, IntoActiveModel, Iterable};

use crate::Conn;
use crate::error::StoreResult;

/// Rows per INSERT statement: far below SQLite's bound-parameter limit.
const CHUNK: usize = 200;

/// Inserts every row with multi-row INSERTs.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_all<A>(c: &impl Conn, rows: Vec<<A::Entity as EntityTrait>::Model>) -> StoreResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    insert_all_chunked::<A>(c, rows, CHUNK).await
}

/// Inserts every row with multi-row INSERTs of at most `chunk` rows (at least one).
/// Bulk loaders pass a bigger chunk: fewer statements are much faster, as long as
/// rows × columns stays under the backend's bound-parameter limit (SQLite: 32766).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_all_chunked<A>(
    c: &impl Conn,
    rows: Vec<<A::Entity as EntityTrait>::Model>,
    chunk: usize,
) -> StoreResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let chunk = chunk.max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(chunk).map(|m| m.into_active_model().reset_all()).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(c).await?;
    }
    Ok(())
}

/// Inserts every row with multi-row INSERTs holding at most `params` bound values each
/// (rows × the entity's column count), so a table that gains a column cannot overrun
/// the backend's limit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_all_within<A>(
    c: &impl Conn,
    rows: Vec<<A::Entity as EntityTrait>::Model>,
    params: usize,
) -> StoreResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count().max(1);
    insert_all_chunked::<A>(c, rows, params / columns).await
}

/// Inserts one row.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_one<A>(c: &impl Conn, row: <A::Entity as EntityTrait>::Model) -> StoreResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    insert_all::<A>(c, vec![row]).await
}

/// Writes every column of an existing row.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save<A>(c: &impl Conn, row: <A::Entity as EntityTrait>::Model) -> StoreResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    row.into_active_model().reset_all().update(c).await?;
    Ok(())
}
