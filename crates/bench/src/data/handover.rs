//! Handover notes from one shift's checklist to the next one of the same section:
//! ~30% of shifts write one by hand, and a completed item with a failed subitem may be
//! carried over automatically (priority 4), as the app does at review time.

use chrono::{DateTime, Utc};
use sentinelops_store::entity::handover_notes;

use super::checklists::Run;
use super::rng::Gen;
use super::sink::Batch;

const NOTES: [&str; 6] = [
    "RTGS outgoing queue slow since 14:00; keep an eye on settlement before EOD.",
    "Postilion SAF queue cleared, monitor ARMAS timeouts for the next hour.",
    "Backup of iSupport ran late; confirm it completed before the morning report.",
    "Vendor engaged on the Digi-Loans API latency, ticket I-081233 still open.",
    "Two branches reported slow logins; network team is investigating.",
    "Planned patching of the UAT servers tonight, ignore UAT alerts until 02:00.",
];
const RESOLUTIONS: [&str; 3] =
    ["Checked and resolved during the shift.", "Vendor fixed the issue.", "Monitored, no further action needed."];

/// Writes the notes from `from` to `to` (the next shift of the same section).
pub fn link(g: &mut Gen, batch: &mut Batch, from: &Run<'_>, to: &Run<'_>, now: DateTime<Utc>) {
    let mut notes = Vec::new();
    if let Some((item, title, lines)) = from.carried.first().filter(|_| g.chance(0.5)) {
        let author = from.actions.last().map(|a| a.by);
        if let (Some(author), Some(at)) = (author, from.pending_review_at) {
            let content = format!("Automatic carry-over: {title}\nReported subitems:\n{lines}");
            notes.push((content, 4, true, Some(*item), author.id, at));
        }
    }
    if g.chance(0.3)
        && let Some((author, _)) = g.pick(&from.joined).copied()
    {
        let content = g.pick(&NOTES).copied().unwrap_or("All quiet.").to_owned();
        let priority = [1, 2, 2, 3, 3, 4].get(g.index(6)).copied().unwrap_or(2);
        let at = from.shift_end - g.seconds(60, 1200);
        notes.push((content, priority, false, None, author.id, at.max(from.created_at)));
    }
    for (content, priority, is_automatic, source_item_id, created_by, created_at) in notes {
        let mut note = handover_notes::Model {
            id: g.id_at(created_at),
            from_instance_id: from.id,
            to_instance_id: Some(to.id),
            section_id: from.section_id,
            content,
            priority,
            is_automatic,
            source_item_id,
            created_by,
            created_at,
            acknowledged_by: None,
            acknowledged_at: None,
            resolved_by: None,
            resolved_at: None,
            resolution_notes: None,
        };
        let reader = g.pick(&to.joined).map(|(p, _)| p.id);
        let ack_at = to.created_at.max(created_at) + g.seconds(120, 1800);
        if let Some(reader) = reader.filter(|_| ack_at <= now && g.chance(0.7)) {
            (note.acknowledged_by, note.acknowledged_at) = (Some(reader), Some(ack_at));
            let resolved_at = ack_at + g.seconds(600, 4 * 3600);
            if resolved_at <= now && g.chance(0.45) {
                (note.resolved_by, note.resolved_at) = (Some(reader), Some(resolved_at));
                note.resolution_notes = g.pick(&RESOLUTIONS).map(|s| (*s).to_owned());
            }
        }
        batch.handover.push(note);
    }
}
