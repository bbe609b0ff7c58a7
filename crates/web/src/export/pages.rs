//! Rows in pages: a stream that reads the next page only when the previous one has
//! been written, so an export of any size holds one page in memory.

use futures::stream::{self, BoxStream, StreamExt};
use std::future::Future;

use sentinelops_app::AppError;

use super::Cell;

/// Pages of typed rows, in order; an error ends the stream.
pub type RowPages = BoxStream<'static, Result<Vec<Vec<Cell>>, AppError>>;

/// Where the reading stands.
enum Next<C> {
    After(C),
    Done,
}

/// The pages `fetch` reads: `fetch(None)` the first, then `fetch(Some(cursor))` with the
/// cursor the previous page returned, until one returns none. The first page is read
/// before this returns, so a refusal (403, 422) is an error answer, not a broken download.
pub async fn paged<C, F, Fut>(mut fetch: F) -> Result<RowPages, AppError>
where
    C: Send + 'static,
    F: FnMut(Option<C>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<Vec<Cell>>, Option<C>), AppError>> + Send + 'static,
{
    let (first, next) = fetch(None).await?;
    let state = (next.map_or(Next::Done, Next::After), fetch);
    let rest = stream::unfold(state, |(next, mut fetch)| async move {
        let Next::After(cursor) = next else {
            return None;
        };
        match fetch(Some(cursor)).await {
            Ok((rows, next)) => Some((Ok(rows), (next.map_or(Next::Done, Next::After), fetch))),
            Err(err) => Some((Err(err), (Next::Done, fetch))),
        }
    });
    Ok(stream::once(async move { Ok(first) }).chain(rest).boxed())
}
