//! The leaderboard export: every standing of the caller's leaderboard in one window,
//! with the same audience and hidden names as the Performance Command shows them.

use chrono::NaiveDate;

use sentinelops_domain::performance::Window;

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::gamification::LeaderboardEntry;
use crate::gamification::command::{Deck, leaderboard, standings};
use crate::gamification::scope;

/// The whole board of one window.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardExport {
    pub window: Window,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The section's name, or "Organization-wide" for an admin without one.
    pub scope_label: String,
    /// Rank order; names hidden where the leaderboard view hides them.
    pub entries: Vec<LeaderboardEntry>,
}

impl App {
    /// Reads only: unlike the Performance Command, badges are not synced here.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn leaderboard_export(&self, actor: &Actor, window: Window) -> AppResult<LeaderboardExport> {
        let (today, _, _) = self.operational_today().await?;
        let deck = Deck::read(self, actor, today, self.leaderboard_audience(actor).await?).await?;
        let board = standings(&deck, actor.user_id, window);
        Ok(LeaderboardExport {
            window,
            start_date: window.start(today),
            end_date: today,
            scope_label: scope::scope_label(actor, &deck.visible),
            entries: leaderboard(&deck, actor, &board, window, board.len()),
        })
    }
}
