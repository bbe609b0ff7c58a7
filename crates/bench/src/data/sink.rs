//! Where generated rows go: per-table buffers written in bounded transactions with
//! big multi-row INSERTs, plus the per-table row counts and write times reported at
//! the end.

use std::time::{Duration, Instant};

use anyhow::Context;
use sentinelops_store::entity::{
    auth_events, checklist_instance_items, checklist_instance_scheduled_events, checklist_instance_subitems,
    checklist_instances, checklist_item_activity, checklist_participants, gamification_daily, gamification_scores,
    handover_notes, notification_receipts, notifications, ops_events, user_streaks,
};
use sentinelops_store::repo::rows::insert_all_within;
use sentinelops_store::{Store, Tx};

/// Rows buffered before a transaction is written: bounds memory and transaction size.
pub const ROWS_PER_TX: usize = 50_000;
/// Bound parameters per INSERT statement, under SQLite's 32766 (PostgreSQL allows 65535).
const PARAMS_PER_STATEMENT: usize = 30_000;

/// Rows and write time per table, in first-write order.
#[derive(Debug, Default)]
pub struct Tally {
    tables: Vec<(&'static str, u64, Duration)>,
}

impl Tally {
    pub fn add(&mut self, table: &'static str, rows: usize, took: Duration) {
        let rows = u64::try_from(rows).unwrap_or(u64::MAX);
        match self.tables.iter_mut().find(|(name, _, _)| *name == table) {
            Some(entry) => {
                entry.1 += rows;
                entry.2 += took;
            }
            None => self.tables.push((table, rows, took)),
        }
    }

    #[cfg(test)]
    pub fn rows(&self, table: &str) -> u64 {
        self.tables.iter().find(|(name, _, _)| *name == table).map_or(0, |(_, rows, _)| *rows)
    }

    pub fn entries(&self) -> &[(&'static str, u64, Duration)] {
        &self.tables
    }
}

/// Writes one table's rows with statements of as many rows as the parameter budget
/// allows (the entity's own column count, so a new column cannot overrun the budget).
macro_rules! put {
    ($tx:expr, $tally:expr, $module:ident, $rows:expr) => {{
        let rows = std::mem::take(&mut $rows);
        if !rows.is_empty() {
            let started = Instant::now();
            let count = rows.len();
            insert_all_within::<$module::ActiveModel>($tx, rows, PARAMS_PER_STATEMENT)
                .await
                .with_context(|| format!("inserting into {}", stringify!($module)))?;
            $tally.add(stringify!($module), count, started.elapsed());
        }
    }};
}

/// Buffers for every streamed table, flushed together in foreign-key order.
#[derive(Default)]
pub struct Batch {
    pub instances: Vec<checklist_instances::Model>,
    pub items: Vec<checklist_instance_items::Model>,
    pub subitems: Vec<checklist_instance_subitems::Model>,
    pub events: Vec<checklist_instance_scheduled_events::Model>,
    pub participants: Vec<checklist_participants::Model>,
    pub activity: Vec<checklist_item_activity::Model>,
    pub handover: Vec<handover_notes::Model>,
    pub ops: Vec<ops_events::Model>,
    pub notifications: Vec<notifications::Model>,
    pub receipts: Vec<notification_receipts::Model>,
    pub auth: Vec<auth_events::Model>,
    pub scores: Vec<gamification_scores::Model>,
    pub daily: Vec<gamification_daily::Model>,
    pub streaks: Vec<user_streaks::Model>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.instances.len()
            + self.items.len()
            + self.subitems.len()
            + self.events.len()
            + self.participants.len()
            + self.activity.len()
            + self.handover.len()
            + self.ops.len()
            + self.notifications.len()
            + self.receipts.len()
            + self.auth.len()
            + self.scores.len()
            + self.daily.len()
            + self.streaks.len()
    }

    /// Writes the buffers once they hold a transaction's worth of rows.
    pub async fn flush_if_full(&mut self, store: &Store, tally: &mut Tally) -> anyhow::Result<()> {
        if self.len() >= ROWS_PER_TX { self.flush(store, tally).await } else { Ok(()) }
    }

    /// Writes every buffered row in one transaction (parents before children).
    pub async fn flush(&mut self, store: &Store, tally: &mut Tally) -> anyhow::Result<()> {
        if self.len() == 0 {
            return Ok(());
        }
        let tx = store.begin_write().await?;
        self.write(&tx, tally).await?;
        let started = Instant::now();
        sentinelops_store::commit(tx).await?;
        tally.add("(commits)", 0, started.elapsed());
        Ok(())
    }

    async fn write(&mut self, tx: &Tx, tally: &mut Tally) -> anyhow::Result<()> {
        put!(tx, tally, checklist_instances, self.instances);
        put!(tx, tally, checklist_instance_items, self.items);
        put!(tx, tally, checklist_instance_subitems, self.subitems);
        put!(tx, tally, checklist_instance_scheduled_events, self.events);
        put!(tx, tally, checklist_participants, self.participants);
        put!(tx, tally, checklist_item_activity, self.activity);
        put!(tx, tally, handover_notes, self.handover);
        put!(tx, tally, ops_events, self.ops);
        put!(tx, tally, notifications, self.notifications);
        put!(tx, tally, notification_receipts, self.receipts);
        put!(tx, tally, auth_events, self.auth);
        put!(tx, tally, gamification_scores, self.scores);
        put!(tx, tally, gamification_daily, self.daily);
        put!(tx, tally, user_streaks, self.streaks);
        Ok(())
    }
}
