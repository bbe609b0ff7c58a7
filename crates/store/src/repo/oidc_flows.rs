//! OpenID Connect sign-ins in flight: saved at the redirect, taken once at the return.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::Conn;
use crate::entity::oidc_flows::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type OidcFlowRow = Model;

/// Saves a flow, clearing the ones whose time is up (a browser that never came back).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, flow: OidcFlowRow) -> StoreResult<()> {
    Entity::delete_many().filter(Column::ExpiresAt.lt(flow.created_at)).exec(c).await?;
    let row = ActiveModel {
        state_hash: Set(flow.state_hash),
        nonce: Set(flow.nonce),
        pkce_verifier: Set(flow.pkce_verifier),
        next: Set(flow.next),
        ip: Set(flow.ip),
        created_at: Set(flow.created_at),
        expires_at: Set(flow.expires_at),
    };
    row.insert(c).await?;
    Ok(())
}

/// Flows an address began that still wait for their browser.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_live_from(c: &impl Conn, ip: Option<&str>, now: DateTime<Utc>) -> StoreResult<u64> {
    let query = Entity::find().filter(Column::ExpiresAt.gt(now));
    let query = match ip {
        Some(ip) => query.filter(Column::Ip.eq(ip)),
        None => query.filter(Column::Ip.is_null()),
    };
    Ok(query.count(c).await?)
}

/// Takes the flow of a state: returns it and deletes it, so a second return with the
/// same state finds nothing. `None` when unknown, already used or expired.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn take(c: &impl Conn, state_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<OidcFlowRow>> {
    let Some(flow) = Entity::find_by_id(state_hash.to_owned()).one(c).await? else {
        return Ok(None);
    };
    let deleted = Entity::delete_many().filter(Column::StateHash.eq(state_hash)).exec(c).await?;
    Ok((deleted.rows_affected == 1 && flow.expires_at > now).then_some(flow))
}
