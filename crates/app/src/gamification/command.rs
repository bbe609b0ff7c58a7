//! `App::performance_command`: the Performance Command deck (contract §1.1) from the
//! daily tallies, in a fixed number of queries whatever the history.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use sentinelops_domain::performance::badges::YearFacts;
use sentinelops_domain::performance::metrics::{Breakdown, one_dp};
use sentinelops_domain::performance::summary::summary;
use sentinelops_domain::performance::{RankKey, Rates, Tier, Window, WindowMetrics, operational_grade, ranks};
use sentinelops_domain::scoring::{DailyTally, ScoreKind, streak};
use sentinelops_store::repo::gamification::{DailyRow, LedgerRow, StreakRow, tally_of_day};
use sentinelops_store::repo::gamification_read::{self as read, Visible, WindowSums};

use super::deck_cache::{self, CachedDeck, OwnDays};
use super::model::{
    LeaderboardEntry, PerformanceCommand, Profile, RecentEvent, RecentEventType, TrendPoint, WindowSnapshot,
};
use super::scope;
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// Leaderboard rows and recent events shown.
const LEADERBOARD_SIZE: usize = 8;
const RECENT_EVENTS: u64 = 8;

/// What the deck is computed from: the reads, done once.
pub(crate) struct Deck {
    pub today: NaiveDate,
    pub visible: Visible,
    pub sums: HashMap<Uuid, WindowSums>,
    /// The caller's daily tallies since the earliest window start.
    pub days: OwnDays,
}

/// The earliest day any window reaches (the week may start in the previous year).
fn earliest_start(today: NaiveDate) -> NaiveDate {
    Window::ALL.iter().map(|w| w.start(today)).min().unwrap_or(today)
}

fn index_of(window: Window) -> usize {
    Window::ALL.iter().position(|w| *w == window).unwrap_or(0)
}

impl Deck {
    /// Reads the rest of what the deck needs once the visible users are known: their
    /// window sums and the caller's days, each reused from `deck_cache` while its
    /// user's revision and the day are unchanged (only the others are read, in one
    /// query each).
    pub(crate) async fn read(app: &App, actor: &Actor, today: NaiveDate, visible: Visible) -> AppResult<Deck> {
        let c = app.store.reader();
        let parts = &app.decks;
        let mut sums = HashMap::new();
        let mut missing = Vec::new();
        for u in &visible.users {
            match parts.sums.get(&u.id, deck_cache::part_key(today, &visible, u.id)) {
                Some(Some(kept)) => {
                    sums.insert(u.id, kept);
                }
                Some(None) => {}
                None => missing.push(u.id),
            }
        }
        if !missing.is_empty() {
            let starts: Vec<NaiveDate> = Window::ALL.iter().map(|w| w.start(today)).collect();
            let mut fresh = read::window_sums(c, &missing, &starts, today).await?;
            for id in missing {
                let read = fresh.remove(&id);
                parts.sums.put(id, deck_cache::part_key(today, &visible, id), read.clone());
                if let Some(read) = read {
                    sums.insert(id, read);
                }
            }
        }
        let me = actor.user_id;
        let key = deck_cache::part_key(today, &visible, me);
        let days = match parts.days.get(&me, key) {
            Some(days) => days,
            None => {
                let days: OwnDays = Arc::new(
                    read::days_of(c, me, earliest_start(today), today)
                        .await?
                        .iter()
                        .map(|d: &DailyRow| (d.activity_date, tally_of_day(d)))
                        .collect(),
                );
                parts.days.put(me, key, Arc::clone(&days));
                days
            }
        };
        Ok(Deck { today, visible, sums, days })
    }

    /// A user's metrics in `window` from the window sums. Their live streak comes from
    /// their streak row, clipped to the window (the caller's is exact, see `own_metrics`).
    pub(crate) fn metrics_of(&self, user_id: Uuid, window: Window, streak: Option<&StreakRow>) -> WindowMetrics {
        let i = index_of(window);
        let sums = self.sums.get(&user_id);
        let start = window.start(self.today);
        let live = streak
            .and_then(|s| {
                let last = s.last_shift_date?;
                let fresh = last == self.today || last + Duration::days(1) == self.today;
                (fresh && last >= start).then(|| i64::from(s.current_streak_days).min((last - start).num_days() + 1))
            })
            .unwrap_or(0);
        WindowMetrics {
            tally: sums.and_then(|s| s.tallies.get(i)).copied().unwrap_or_default(),
            contribution_days: sums.and_then(|s| s.active_days.get(i)).copied().unwrap_or(0),
            elapsed_days: window.elapsed_days(self.today),
            current_streak: live,
            longest_streak: 0,
        }
    }

    /// The caller's metrics in `window`, with streaks from their own days.
    pub(crate) fn own_metrics(&self, user_id: Uuid, window: Window) -> WindowMetrics {
        let start = window.start(self.today);
        let active: Vec<NaiveDate> =
            self.days.iter().filter(|(d, t)| *d >= start && t.is_active()).map(|(d, _)| *d).collect();
        let runs = streak::runs(&active);
        WindowMetrics {
            current_streak: i64::from(runs.live(self.today)),
            longest_streak: i64::from(runs.longest),
            ..self.metrics_of(user_id, window, None)
        }
    }
}

/// One visible user's standing in one window.
pub(crate) struct Standing {
    user_index: usize,
    metrics: WindowMetrics,
    grade: i64,
    rank: i64,
}

/// Every visible user's standing in `window`, in rank order.
pub(crate) fn standings(deck: &Deck, caller: Uuid, window: Window) -> Vec<Standing> {
    let mut rows: Vec<Standing> = deck
        .visible
        .users
        .iter()
        .enumerate()
        .map(|(user_index, u)| {
            let metrics = if u.id == caller {
                deck.own_metrics(caller, window)
            } else {
                deck.metrics_of(u.id, window, deck.visible.streaks.get(&u.id))
            };
            let grade = operational_grade(&Rates::of(&metrics));
            Standing { user_index, metrics, grade, rank: 0 }
        })
        .collect();
    let keys: Vec<RankKey> = rows
        .iter()
        .map(|s| {
            let user = deck.visible.users.get(s.user_index);
            RankKey {
                user_id: user.map(|u| u.id).unwrap_or_default(),
                points: s.metrics.command_points(),
                grade: s.grade,
                clean_checklists: s.metrics.tally.clean_checklists,
                display_name: user.map(scope::display_name).unwrap_or_default(),
            }
        })
        .collect();
    for (row, rank) in rows.iter_mut().zip(ranks(&keys)) {
        row.rank = rank;
    }
    rows.sort_by_key(|s| s.rank);
    rows
}

fn snapshot(deck: &Deck, caller: Uuid, window: Window, board: &[Standing]) -> WindowSnapshot {
    let m = deck.own_metrics(caller, window);
    let rates = Rates::of(&m);
    let grade = operational_grade(&rates);
    let points = m.command_points();
    let rank = board
        .iter()
        .find(|s| deck.visible.users.get(s.user_index).is_some_and(|u| u.id == caller))
        .map_or(1, |s| s.rank);
    let t = &m.tally;
    let rate = |r: Option<f64>| one_dp(r.unwrap_or(0.0));
    WindowSnapshot {
        window,
        label: window.label(),
        start_date: window.start(deck.today),
        end_date: deck.today,
        command_points: points,
        operational_grade: grade,
        tier: Tier::of(window, points),
        next_tier: Tier::next(window, points),
        rank,
        total_users: i64::try_from(deck.visible.users.len()).unwrap_or(i64::MAX),
        contribution_days: m.contribution_days,
        current_streak: m.current_streak,
        longest_streak: m.longest_streak,
        items_completed: t.actions,
        critical_items_completed: t.critical_items,
        checklists_joined: t.checklists,
        clean_checklists: t.clean_checklists,
        tasks_completed: 0,
        tasks_completed_on_time: 0,
        critical_tasks_completed: 0,
        high_tasks_completed: 0,
        collaborative_tasks_completed: 0,
        handovers_created: t.handovers_created,
        handovers_resolved: t.handovers_resolved,
        overdue_open_tasks: 0,
        task_on_time_rate: rate(rates.task_on_time),
        checklist_quality_rate: rate(rates.checklist_quality),
        shift_adherence_rate: rate(rates.shift_adherence),
        consistency_rate: rate(rates.consistency),
        timed_start_rate: rate(rates.timed_start),
        late_events: t.late_events,
        summary: summary(&m, &rates, 0, 0),
        breakdown: Breakdown::of(&m.tally),
    }
}

/// The first `size` standings as the caller may see them: other users' names hidden
/// when their section hides names from operators.
pub(crate) fn leaderboard(
    deck: &Deck,
    actor: &Actor,
    board: &[Standing],
    window: Window,
    size: usize,
) -> Vec<LeaderboardEntry> {
    let hidden = scope::names_hidden(actor, &deck.visible);
    board
        .iter()
        .take(size)
        .filter_map(|s| {
            let user = deck.visible.users.get(s.user_index)?;
            let mine = user.id == actor.user_id;
            let hide = hidden && !mine;
            let points = s.metrics.command_points();
            Some(LeaderboardEntry {
                user_id: user.id,
                username: if hide { String::new() } else { user.username.clone() },
                display_name: if hide { scope::hidden_name(s.rank) } else { scope::display_name(user) },
                section_name: user.section_id.and_then(|id| deck.visible.sections.get(&id)).map(|s| s.name.clone()),
                command_points: points,
                operational_grade: s.grade,
                rank: s.rank,
                current_streak: s.metrics.current_streak,
                tasks_completed: 0,
                clean_checklists: s.metrics.tally.clean_checklists,
                tier: Tier::of(window, points),
                is_current_user: mine,
                name_hidden: hide,
            })
        })
        .collect()
}

fn trend(deck: &Deck, window: Window, live_streak: i64) -> Vec<TrendPoint> {
    window
        .buckets(deck.today)
        .into_iter()
        .map(|bucket| {
            let days: Vec<(NaiveDate, DailyTally)> =
                deck.days.iter().filter(|(d, _)| bucket.contains(*d)).copied().collect();
            let mut m = WindowMetrics::of_days(&days, bucket.days(), deck.today);
            m.current_streak = m.contribution_days.min(live_streak);
            TrendPoint {
                command_points: m.command_points(),
                operational_grade: operational_grade(&Rates::of(&m)),
                tasks_completed: 0,
                checklist_items_completed: m.tally.actions,
                handovers_resolved: m.tally.handovers_resolved,
                label: bucket.label,
                period_start: bucket.start,
                period_end: bucket.end,
            }
        })
        .collect()
}

/// A paying ledger row as a recent event: its title and detail as the row's writer
/// recorded them in `metadata`, with fallbacks by kind.
fn recent_event(row: &LedgerRow) -> Option<RecentEvent> {
    let kind = ScoreKind::parse(&row.kind)?;
    let event_type = RecentEventType::of(kind);
    let text = |key: &str| row.metadata.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let detail = text("detail").unwrap_or_else(|| match &row.shift {
        Some(shift) => format!("{shift} shift on {}", row.activity_date.format("%Y-%m-%d")),
        None => row.activity_date.format("%Y-%m-%d").to_string(),
    });
    let title = text("title").unwrap_or_else(|| default_title(kind).to_owned());
    let subject = row.subject_id.unwrap_or(row.id);
    let id = match event_type {
        RecentEventType::Ledger(_) => format!("{}-{}", event_type.id_prefix(), row.id),
        _ => format!("{}-{subject}", event_type.id_prefix()),
    };
    Some(RecentEvent { id, event_type, title, detail, occurred_at: row.awarded_at, points: i64::from(row.points) })
}

fn default_title(kind: ScoreKind) -> &'static str {
    match kind {
        ScoreKind::Item => "Checklist item completed",
        ScoreKind::Subitem => "Checklist subitem completed",
        ScoreKind::CriticalItem => "Critical item handled",
        ScoreKind::FailureReported => "Failure reported",
        ScoreKind::TimedStartOnTime => "Timed item started on cue",
        ScoreKind::TimedStartLate => "Timed item started late",
        ScoreKind::ChecklistRun => "Checklist run",
        ScoreKind::ChecklistOnTime => "Checklist closed on time",
        ScoreKind::ChecklistClean => "Clean checklist",
        ScoreKind::Collaboration | ScoreKind::CollaborativeActions => "Shared checklist work",
        ScoreKind::HandoverCreated => "Logged handover note",
        ScoreKind::HandoverResolved => "Resolved handover note",
        ScoreKind::ShiftStaffed => "Rostered shift staffed",
        ScoreKind::Adjustment => "Points adjusted",
    }
}

impl App {
    /// The users on the caller's leaderboard (the audience their role and section give),
    /// with their sections and streaks: what a deck is read for.
    pub(crate) async fn leaderboard_audience(&self, actor: &Actor) -> AppResult<Visible> {
        Ok(read::visible_users(self.store.reader(), scope::audience_of(actor), actor.user_id).await?)
    }

    /// The caller's Performance Command deck for `focus` (contract §1.1). Records and
    /// notifies newly unlocked badges, exactly once each. A deck computed under the same
    /// fingerprint is reused (see `deck_cache`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn performance_command(&self, actor: &Actor, focus: Window) -> AppResult<PerformanceCommand> {
        let now = self.clock.now();
        let (today, _, _) = self.operational_today().await?;
        let visible = self.leaderboard_audience(actor).await?;
        let fingerprint = deck_cache::fingerprint(actor, today, &visible);
        let cached = match self.decks.get(actor.user_id, focus, fingerprint) {
            Some(cached) => cached,
            None => {
                let deck = Deck::read(self, actor, today, visible).await?;
                let computed = Arc::new(self.compute_deck(&deck, actor, focus, fingerprint).await?);
                self.decks.put(actor.user_id, focus, Arc::clone(&computed));
                computed
            }
        };
        let badges = self.sync_badges(actor, &cached.facts, now).await?;
        let mut command = cached.command.clone();
        command.generated_at = now;
        command.next_badge = super::badges::next_badge(&badges);
        command.profile.badge_count = i64::try_from(badges.iter().filter(|b| b.claimed).count()).unwrap_or(0);
        command.badges = badges;
        Ok(command)
    }

    /// Everything of the deck but its badges, from the reads.
    async fn compute_deck(&self, deck: &Deck, actor: &Actor, focus: Window, fingerprint: u64) -> AppResult<CachedDeck> {
        let me = actor.user_id;
        let today = deck.today;
        let boards: Vec<Vec<Standing>> = Window::ALL.iter().map(|w| standings(deck, me, *w)).collect();
        let windows: Vec<WindowSnapshot> =
            Window::ALL.iter().zip(&boards).map(|(w, board)| snapshot(deck, me, *w, board)).collect();
        let focus_index = index_of(focus);
        let active_window = windows.get(focus_index).cloned().unwrap_or_else(|| snapshot(deck, me, focus, &[]));
        let leaderboard =
            boards.get(focus_index).map(|b| leaderboard(deck, actor, b, focus, LEADERBOARD_SIZE)).unwrap_or_default();
        let yearly = windows.get(index_of(Window::Yearly));
        let facts = YearFacts {
            metrics: deck.own_metrics(me, Window::Yearly),
            grade: yearly.map_or(0, |y| y.operational_grade),
            overdue_open_tasks: 0,
        };
        let key = deck_cache::part_key(today, &deck.visible, me);
        let recent = match self.decks.recent.get(&(me, focus), key) {
            Some(recent) => recent,
            None => {
                let rows =
                    read::recent_paying_rows(self.store.reader(), me, focus.start(today), today, RECENT_EVENTS).await?;
                let recent: Arc<Vec<RecentEvent>> = Arc::new(rows.iter().filter_map(recent_event).collect());
                self.decks.recent.put((me, focus), key, Arc::clone(&recent));
                recent
            }
        };
        let user = deck.visible.users.iter().find(|u| u.id == me);
        let section_name =
            user.and_then(|u| u.section_id).and_then(|id| deck.visible.sections.get(&id)).map(|s| s.name.clone());
        let profile = Profile {
            user_id: me,
            username: user.map_or_else(|| actor.username.clone(), |u| u.username.clone()),
            display_name: user.map_or_else(|| actor.username.clone(), scope::display_name),
            section_name,
            badge_count: 0,
        };
        let command = PerformanceCommand {
            generated_at: self.clock.now(),
            focus_window: focus,
            scope_label: scope::scope_label(actor, &deck.visible),
            profile,
            trend: trend(deck, focus, active_window.current_streak),
            windows,
            active_window,
            leaderboard,
            badges: Vec::new(),
            next_badge: None,
            recent_events: recent.as_ref().clone(),
        };
        Ok(CachedDeck { fingerprint, command, facts })
    }
}
