//! The 11 badges as the caller has them: unlocked by their yearly metrics, notified
//! once, claimed once (contract §1.3, §1.4).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use sentinelops_domain::performance::Window;
use sentinelops_domain::performance::badges::{BADGES, BadgeDef, YearFacts, evaluate, find, shown_progress};
use sentinelops_store::repo::badge_claims::{self, BadgeClaimRow};

use super::model::BadgeView;
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;

/// The `related_entity` of a badge notification (the original's value).
pub const BADGE_ENTITY: &str = "performance_badge";

fn view(def: &'static BadgeDef, facts: &YearFacts, row: Option<&BadgeClaimRow>) -> BadgeView {
    let state = evaluate(def, facts);
    // A recorded unlock stays earned even if the year's metrics fall back (badges have no year).
    let earned = state.unlocked_by_metrics || row.is_some();
    let claimed_at = row.and_then(|r| r.claimed_at);
    BadgeView {
        def,
        earned,
        claimed: claimed_at.is_some(),
        claimable: earned && claimed_at.is_none(),
        progress: shown_progress(&state, earned),
        unlocked_at: row.map(|r| r.unlocked_at),
        claimed_at,
    }
}

fn views(facts: &YearFacts, rows: &[BadgeClaimRow]) -> Vec<BadgeView> {
    let by_key: HashMap<&str, &BadgeClaimRow> = rows.iter().map(|r| (r.badge_key.as_str(), r)).collect();
    BADGES.iter().map(|def| view(def, facts, by_key.get(def.key).copied())).collect()
}

/// Among the unearned badges, the one with the most progress (ties by name).
pub fn next_badge(badges: &[BadgeView]) -> Option<BadgeView> {
    badges
        .iter()
        .filter(|b| !b.earned)
        .min_by(|a, b| b.progress.total_cmp(&a.progress).then_with(|| a.def.name.cmp(b.def.name)))
        .cloned()
}

impl App {
    /// The caller's badges. A badge their metrics unlock and whose unlock nobody has
    /// notified yet is recorded, notified (in-app and e-mail) and marked in one
    /// transaction; the conditional mark makes the notification happen once even when
    /// two servers race.
    pub(crate) async fn sync_badges(
        &self,
        actor: &Actor,
        facts: &YearFacts,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<BadgeView>> {
        let me = actor.user_id;
        let rows = badge_claims::of_user(self.store.reader(), me).await?;
        let notified: HashMap<&str, bool> =
            rows.iter().map(|r| (r.badge_key.as_str(), r.unlock_notified_at.is_some())).collect();
        let pending: Vec<&'static BadgeDef> = BADGES
            .iter()
            .filter(|def| !notified.get(def.key).copied().unwrap_or(false))
            .filter(|def| evaluate(def, facts).unlocked_by_metrics || notified.contains_key(def.key))
            .collect();
        if pending.is_empty() || actor.is_system() {
            return Ok(views(facts, &rows));
        }
        let tx = self.store.begin_write().await?;
        let keys: Vec<&str> = pending.iter().map(|d| d.key).collect();
        badge_claims::record_unlocks(&tx, me, &keys, now).await?;
        for def in &pending {
            if badge_claims::mark_notified(&tx, me, def.key, now).await? {
                notifications::send(&tx, now, unlock_notice(def, actor)).await?;
            }
        }
        let rows = badge_claims::of_user(&tx, me).await?;
        commit(tx).await?;
        Ok(views(facts, &rows))
    }

    /// Claims a badge the caller has earned (key trimmed and lower-cased). Claiming a
    /// claimed badge changes nothing. Returns the badge and the caller's claimed count.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_badge(&self, actor: &Actor, key: &str) -> AppResult<(BadgeView, i64)> {
        let def = find(key).ok_or_else(|| AppError::BadRequest("Unknown performance badge".into()))?;
        // The yearly deck also records and notifies any unlock still pending.
        let deck = self.performance_command(actor, Window::Yearly).await?;
        let badge = deck.badges.iter().find(|b| b.def.key == def.key);
        if !badge.is_some_and(|b| b.earned) {
            return Err(AppError::BadRequest("This badge is not ready to claim yet.".into()));
        }
        let me = actor.user_id;
        let now = self.clock.now();
        let tx = self.store.begin_write().await?;
        badge_claims::record_unlocks(&tx, me, &[def.key], now).await?;
        badge_claims::mark_claimed(&tx, me, def.key, now).await?;
        let rows = badge_claims::of_user(&tx, me).await?;
        commit(tx).await?;
        let row = rows.iter().find(|r| r.badge_key == def.key);
        let mut claimed = deck
            .badges
            .into_iter()
            .find(|b| b.def.key == def.key)
            .ok_or_else(|| AppError::Internal("Claimed badge could not be reloaded.".into()))?;
        claimed.claimed_at = row.and_then(|r| r.claimed_at);
        claimed.unlocked_at = row.map(|r| r.unlocked_at);
        claimed.claimed = claimed.claimed_at.is_some();
        claimed.claimable = !claimed.claimed;
        claimed.progress = 100.0;
        let count = rows.iter().filter(|r| r.claimed_at.is_some()).count();
        Ok((claimed, i64::try_from(count).unwrap_or(0)))
    }
}

fn unlock_notice(def: &BadgeDef, actor: &Actor) -> Draft {
    Draft {
        title: format!("Badge Unlocked | {}", def.name),
        message: format!("You unlocked the {} badge ({}). Claim it in the Badge Forge.", def.name, def.target),
        priority: Priority::Medium,
        related_entity: BADGE_ENTITY,
        related_id: None,
        section_id: actor.section_id,
        audience: Audience::Users(vec![actor.user_id]),
        exclude: None,
    }
}
