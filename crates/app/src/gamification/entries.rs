//! Building ledger rows with the metadata every row carries (`title`, `detail`), and
//! appending them with the per-user live message that refreshes open Performance pages.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use sentinelops_domain::scoring::{LedgerState, Refusal, ScoreKind};
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::InstanceRow;
use sentinelops_store::repo::gamification::{self, LedgerRow};

use crate::error::AppResult;
use crate::live::{self, LiveScope, Topic};

/// The live event kind telling a user's clients that their points changed
/// (`payload.points` is the change, `payload.recipients` the user).
pub const POINTS_UPDATED: &str = "points_updated";

/// `"{SHIFT} shift on {date}"`: where a row's points come from.
pub(crate) fn detail_of(instance: &InstanceRow) -> String {
    format!("{} shift on {}", instance.shift.as_str(), instance.checklist_date)
}

/// A row about a checklist (its date, shift and section), with `title` and `detail`.
pub(crate) fn checklist_row(
    instance: &InstanceRow,
    user: Uuid,
    kind: ScoreKind,
    state: LedgerState,
    title: &str,
    now: DateTime<Utc>,
) -> LedgerRow {
    let mut row = LedgerRow::new(user, kind, state, instance.checklist_date, now);
    row.instance_id = Some(instance.id);
    row.shift = Some(instance.shift.as_str().to_owned());
    row.section_id = Some(instance.section_id);
    row.metadata = json!({ "title": title, "detail": detail_of(instance) });
    row
}

/// A row on a date without a checklist (an adjustment).
pub(crate) fn plain_row(
    user: Uuid,
    kind: ScoreKind,
    state: LedgerState,
    date: NaiveDate,
    title: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> LedgerRow {
    let mut row = LedgerRow::new(user, kind, state, date, now);
    row.metadata = json!({ "title": title, "detail": detail });
    row
}

/// Adds `key: value` to a row's metadata.
pub(crate) fn note(row: &mut LedgerRow, key: &str, value: Value) {
    if let Value::Object(map) = &mut row.metadata {
        map.insert(key.to_owned(), value);
    } else {
        let mut map = Map::new();
        map.insert(key.to_owned(), value);
        row.metadata = Value::Object(map);
    }
}

/// Records a refusal's sentence and rule code on a row.
pub(crate) fn refuse(row: &mut LedgerRow, refusal: &Refusal) {
    note(row, "refusal", json!(refusal.sentence));
    note(row, "rule", json!(refusal.rule.as_str()));
}

/// Appends rows (tallies and streaks follow in the store) and, for each user whose
/// points or counters moved, a live message their clients receive after commit.
pub(crate) async fn append(tx: &Tx, rows: Vec<LedgerRow>, now: DateTime<Utc>) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut moved: BTreeMap<Uuid, (i64, Option<Uuid>)> = BTreeMap::new();
    for row in rows.iter().filter(|r| LedgerState::parse(&r.state).is_some_and(LedgerState::counts)) {
        let entry = moved.entry(row.user_id).or_insert((0, row.section_id));
        entry.0 += i64::from(row.points);
    }
    gamification::append(tx, rows, now).await?;
    for (user, (points, section)) in moved {
        let payload = json!({ "recipients": [user], "points": points });
        live::record(tx, now, LiveScope::section(Topic::Notification, section), POINTS_UPDATED, None, payload).await?;
    }
    Ok(())
}
