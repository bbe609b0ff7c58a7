//! `Idempotency-Key` on mutations: the first request with a key runs and its answer is
//! stored; a retry with the same key gets that answer without running again; a key
//! reused for another request is refused; a retry while the first still runs is told so.

use chrono::Duration;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::StoreError;
use sentinelops_store::repo::idempotency::{self, IdempotencyRow};

use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult, invalid};
use crate::tx::commit;

/// What to do with a keyed request.
#[derive(Debug, Clone)]
pub enum Claim {
    /// Run it, then `finish` (or `release` on failure) this claim.
    Run(Uuid),
    /// Answer this, as the first request did.
    Replay { status: u16, body: Value },
}

/// A claim whose request has not finished in this long is presumed dead.
const ABANDONED_AFTER_SECONDS: i64 = 120;

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_idempotency_key(&self, actor: &Actor, key: &str, method: &str, path: &str) -> AppResult<Claim> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 {
            return Err(invalid("Idempotency-Key must be 1 to 200 characters"));
        }
        let Some(user_id) = actor.recorded_id() else {
            return Err(invalid("Idempotency keys belong to a signed-in user"));
        };
        let now = self.clock.now();
        let row = IdempotencyRow {
            id: new_id(),
            user_id,
            idem_key: key.to_owned(),
            method: method.to_owned(),
            path: path.to_owned(),
            status_code: 0,
            response_body: json!(null),
            created_at: now,
        };
        let tx = self.store.begin_write().await?;
        match idempotency::claim(&tx, row.clone()).await {
            Ok(()) => {
                commit(tx).await?;
                return Ok(Claim::Run(row.id));
            }
            Err(StoreError::Conflict(_)) => drop(tx),
            Err(other) => return Err(other.into()),
        }
        let existing = idempotency::find(self.store.reader(), user_id, key)
            .await?
            .ok_or_else(|| AppError::Conflict("The idempotency key is being released; retry".into()))?;
        if existing.method != method || existing.path != path {
            return Err(invalid("This Idempotency-Key was already used for a different request"));
        }
        if existing.status_code > 0 {
            return Ok(Claim::Replay {
                status: u16::try_from(existing.status_code).unwrap_or(200),
                body: existing.response_body,
            });
        }
        let tx = self.store.begin_write().await?;
        if idempotency::take_over(&tx, existing.id, now - Duration::seconds(ABANDONED_AFTER_SECONDS), now).await? {
            commit(tx).await?;
            return Ok(Claim::Run(existing.id));
        }
        Err(AppError::Conflict("A request with this Idempotency-Key is still being processed".into()))
    }

    /// Stores the answer of a request that succeeded.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn finish_idempotency_key(&self, claim: Uuid, status: u16, body: Value) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        idempotency::complete(&tx, claim, i32::from(status), body).await?;
        commit(tx).await
    }

    /// Frees the key of a request that failed, so that a retry runs again.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn release_idempotency_key(&self, claim: Uuid) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        idempotency::release(&tx, claim).await?;
        commit(tx).await
    }
}
