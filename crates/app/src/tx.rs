//! Transaction boundaries of the use cases. A use case that writes opens one
//! transaction (`Store::begin_write`), does all its work in it, and ends it here.

use sentinelops_store::Tx;

use crate::error::AppResult;

/// Commits a write transaction: after this returns Ok, the change and everything
/// it caused are durable.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn commit(tx: Tx) -> AppResult<()> {
    Ok(sentinelops_store::commit(tx).await?)
}
