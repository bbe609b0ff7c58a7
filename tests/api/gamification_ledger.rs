//! The points ledger written with the work (issue 18): a scripted shift against a table
//! computed by hand, the anti-gaming rules, adjustments; after every step each user's
//! total equals the sum of their ledger and of their daily tallies.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_store::repo::gamification as ledger;
use sentinelops_testkit::world::{Member, World};
use sentinelops_testkit::{Options, test_config};

const INSTANCES: &str = "/api/v1/checklists/instances";
const LEDGER: &str = "/api/v1/gamification/ledger";
const ADJUST: &str = "/api/v1/gamification/adjustments";

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, s).single().unwrap()
}

fn day(d: &str) -> NaiveDate {
    d.parse().unwrap()
}

/// A world at 07:00 UTC on 2026-12-01 (business zone UTC: MORNING is 07:00–15:00) with
/// two operators, a MORNING template of `items` and its checklist.
struct Desk {
    w: World,
    id: String,
    items: Value,
}

impl Desk {
    async fn new(items: Value, min_seconds_per_item: i64) -> Desk {
        let mut config = test_config();
        config.scoring.min_seconds_per_item = min_seconds_per_item;
        let options = Options { config: Some(config), ..Options::default() };
        let w = World::builder().at(at(7, 0, 0)).colleague().options(options).build().await;
        w.template(w.section, "Morning ops", "MORNING", items).await;
        let body = json!({"shift": "MORNING", "checklist_date": "2026-12-01"});
        let (status, answer) = w.srv.post(INSTANCES, &w.operator, body).await;
        assert_eq!(status, 200, "{answer}");
        let instance = answer["instance"].clone();
        Desk { id: instance["id"].as_str().unwrap().to_owned(), items: instance["items"].clone(), w }
    }

    fn item(&self, title: &str) -> String {
        let items = self.items.as_array().unwrap();
        let item = items.iter().find(|i| i["title"] == title).unwrap_or_else(|| panic!("no item {title}"));
        item["id"].as_str().unwrap().to_owned()
    }

    /// Moves an item as `who` at `when`.
    async fn step(&self, who: &Member, when: DateTime<Utc>, title: &str, body: Value) {
        self.w.clock.set(when);
        let path = format!("{INSTANCES}/{}/items/{}", self.id, self.item(title));
        let (status, answer) = self.w.srv.patch(&path, who, body).await;
        assert_eq!(status, 200, "{title}: {answer}");
    }

    async fn complete(&self, who: &Member, when: DateTime<Utc>, title: &str) {
        self.step(who, when, title, json!({"status": "COMPLETED"})).await;
    }

    async fn start(&self, who: &Member, when: DateTime<Utc>, title: &str) {
        self.w.clock.set(when);
        let path = format!("{INSTANCES}/{}/items/{}/start-work", self.id, self.item(title));
        let (status, answer) = self.w.srv.post(&path, who, json!({})).await;
        assert_eq!(status, 200, "{title}: {answer}");
    }

    /// A supervisor's action on the checklist (`complete`, `reopen`, `change-date`).
    async fn supervise(&self, when: DateTime<Utc>, action: &str, body: Value) -> Value {
        self.w.clock.set(when);
        let (status, answer) =
            self.w.srv.post(&format!("{INSTANCES}/{}/{action}", self.id), &self.w.manager, body).await;
        assert_eq!(status, 200, "{action}: {answer}");
        answer
    }

    /// The user's total, after checking that the streak row, the ledger and the daily
    /// tallies agree.
    async fn total(&self, who: &Member) -> i64 {
        let c = self.w.srv.app.store.reader();
        let sum = ledger::ledger_total(c, who.id).await.unwrap();
        let daily = ledger::daily_total(c, who.id).await.unwrap();
        let stored = ledger::streak_of(c, who.id).await.unwrap().map_or(0, |s| i64::from(s.total_points));
        assert_eq!((stored, daily), (sum, sum), "{}: streak row, daily tallies and ledger disagree", who.username);
        sum
    }

    async fn totals(&self) -> [i64; 3] {
        [self.total(&self.w.operator).await, self.total(self.w.colleague()).await, self.total(&self.w.manager).await]
    }

    /// The points of a user's rows on one activity date.
    async fn on(&self, who: &Member, date: &str) -> i64 {
        let c = self.w.srv.app.store.reader();
        let rows = ledger::rows_of_user(c, who.id, day(date), day(date), 1000).await.unwrap();
        rows.iter().map(|r| i64::from(r.points)).sum()
    }

    /// The caller's ledger through the API.
    async fn my_ledger(&self, who: &Member) -> Vec<Value> {
        let (status, rows) = self.w.srv.get(&format!("{LEDGER}?start_date=2026-11-01&end_date=2026-12-31"), who).await;
        assert_eq!(status, 200, "{rows}");
        rows.as_array().unwrap().clone()
    }
}

fn refusals(rows: &[Value]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["state"] == "REFUSED")
        .map(|r| (r["title"].as_str().unwrap().to_owned(), r["rule"].as_str().unwrap().to_owned()))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn a_scripted_shift_pays_the_table_computed_by_hand_through_sign_off_reopen_and_date_correction() {
    let items = json!([
        {"title": "Check backups", "severity": 4, "is_required": true, "sort_order": 1},
        {"title": "Review alerts", "severity": 2, "is_required": false, "sort_order": 2},
        {"title": "Patch window", "severity": 3, "is_required": true, "sort_order": 3},
        {"title": "Print report", "severity": 1, "is_required": false, "sort_order": 4},
        {"title": "Morning upload", "severity": 2, "is_required": false, "sort_order": 5,
         "item_type": "TIMED", "scheduled_time": "08:00", "notify_before_minutes": 15},
        {"title": "Midday report", "severity": 1, "is_required": false, "sort_order": 6,
         "item_type": "TIMED", "scheduled_time": "09:00", "notify_before_minutes": 0},
    ]);
    let d = Desk::new(items, 0).await;
    let (olu, ada) = (&d.w.operator, d.w.colleague());
    d.complete(olu, at(7, 10, 0), "Check backups").await;
    d.complete(ada, at(7, 20, 0), "Review alerts").await;
    d.step(olu, at(7, 30, 0), "Patch window", json!({"status": "FAILED", "reason": "Vendor patch failed"})).await;
    d.step(ada, at(7, 40, 0), "Print report", json!({"status": "SKIPPED", "reason": "Printer down"})).await;
    d.start(olu, at(8, 3, 0), "Morning upload").await;
    d.complete(olu, at(8, 10, 0), "Morning upload").await;
    d.start(ada, at(9, 20, 0), "Midday report").await;
    d.complete(ada, at(9, 25, 0), "Midday report").await;
    // Until sign-off everything is provisional: nobody has a point yet.
    assert_eq!(d.totals().await, [0, 0, 0]);
    let provisional: Vec<Value> = d.my_ledger(olu).await.into_iter().filter(|r| r["state"] == "PROVISIONAL").collect();
    // Backups 22 + 10 critical, patch failure 4 + 3, upload start 4 and upload 11.
    let mut promised: Vec<i64> = provisional.iter().map(|r| r["provisional_points"].as_i64().unwrap()).collect();
    promised.sort_unstable();
    assert_eq!(promised, [4, 7, 11, 32]);

    // Signed off with exceptions at 10:00 (before the 15:00 shift end).
    let signed = d.supervise(at(10, 0, 0), "complete", json!({})).await;
    assert_eq!(signed["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS");
    // olu: backups 22 (5 + 3×4 + 2 + 3) + critical 10; failure reported 7 (4 + 3);
    //      upload 11 (5 + 3×2) + on-time start 4; checklist on time 14; collaboration 8;
    //      3 actions × 2.
    let olu_signed = 22 + 10 + 7 + 11 + 4 + 14 + 8 + 3 * 2;
    // ada: alerts 11; midday report 8 (5 + 3) and its start 20 min late −4; the skip
    //      pays nothing; on time 14; collaboration 8; 2 actions × 2.
    let ada_signed = 11 + 8 - 4 + 14 + 8 + 2 * 2;
    assert_eq!(d.totals().await, [olu_signed, ada_signed, 0]);
    assert_eq!((olu_signed, ada_signed), (82, 41));
    assert_eq!(refusals(&d.my_ledger(ada).await), [("Print report".to_owned(), "skipped".to_owned())]);

    // Reopened: everything is taken back by reversal rows.
    d.supervise(at(10, 30, 0), "reopen", json!({"reason": "The skipped report can be printed now"})).await;
    assert_eq!(d.totals().await, [0, 0, 0]);
    // ada prints the report after all, and the checklist is signed off again.
    d.complete(ada, at(10, 40, 0), "Print report").await;
    d.supervise(at(11, 0, 0), "complete", json!({})).await;
    // ada: + the report 8 and one more action × 2.
    let ada_again = ada_signed + 8 + 2;
    assert_eq!(d.totals().await, [olu_signed, ada_again, 0]);

    // A date correction moves every point to the new date; nothing else changes.
    let body = json!({"target_date": "2026-12-02", "reason": "Logged on the wrong day"});
    d.supervise(at(11, 30, 0), "change-date", body).await;
    assert_eq!(d.totals().await, [olu_signed, ada_again, 0]);
    assert_eq!((d.on(olu, "2026-12-01").await, d.on(olu, "2026-12-02").await), (0, olu_signed));
    assert_eq!((d.on(ada, "2026-12-01").await, d.on(ada, "2026-12-02").await), (0, ada_again));

    // Nothing was ever rewritten: each reversal names the confirmed rows it undoes.
    let rows = d.my_ledger(olu).await;
    let confirmed = rows.iter().filter(|r| r["state"] == "CONFIRMED").count();
    let reversed = rows.iter().filter(|r| r["state"] == "REVERSAL").count();
    // olu's 9 awards (two items, the critical bonus, the failure, the start, the run, on
    // time, collaboration, actions): confirmed three times, reversed twice.
    assert_eq!((confirmed, reversed), (3 * 9, 2 * 9));
}

#[tokio::test]
async fn each_anti_gaming_rule_refuses_what_it_should_and_no_more() {
    let plain =
        |title: &str, order: i32| json!({"title": title, "severity": 1, "is_required": false, "sort_order": order});
    let items = json!([
        plain("Alpha", 1),
        plain("Bravo", 2),
        plain("Charlie", 3),
        {"title": "Delta", "severity": 1, "is_required": false, "sort_order": 4,
         "item_type": "TIMED", "scheduled_time": "09:00", "notify_before_minutes": 15},
        plain("Echo", 5),
        plain("Foxtrot", 6),
    ]);
    // A plausible item takes at least a minute here.
    let d = Desk::new(items, 60).await;
    let (olu, mary) = (&d.w.operator, &d.w.manager);
    d.complete(olu, at(7, 0, 0), "Alpha").await;
    d.complete(olu, at(7, 0, 10), "Bravo").await; // 10 s after Alpha: a burst
    d.complete(olu, at(7, 2, 0), "Charlie").await; // 110 s after Bravo: fine
    d.complete(olu, at(7, 5, 0), "Delta").await; // its window opens at 08:45: early
    d.step(olu, at(7, 10, 0), "Foxtrot", json!({"status": "SKIPPED", "reason": "Not needed today"})).await;
    d.complete(mary, at(7, 15, 0), "Echo").await; // the manager works an item, then signs off
    let refused = refusals(&d.my_ledger(olu).await);
    let expected = [("Bravo", "burst"), ("Delta", "early"), ("Foxtrot", "skipped")];
    assert_eq!(refused, expected.map(|(t, r)| (t.to_owned(), r.to_owned())));
    d.supervise(at(7, 20, 0), "complete", json!({})).await;
    // olu: Alpha 8 + Charlie 8 (5 + 3); on time 14; collaboration 8 (mary acted too);
    // 2 paid actions × 2. Bravo, Delta (and its start) and Foxtrot pay nothing.
    assert_eq!(d.totals().await, [8 + 8 + 14 + 8 + 2 * 2, 0, 0]);
    let rows = d.my_ledger(olu).await;
    let paid: Vec<&str> = rows
        .iter()
        .filter(|r| r["state"] == "CONFIRMED" && r["kind"] == "ITEM")
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(paid.len(), 2);
    assert!(paid.contains(&"Alpha") && paid.contains(&"Charlie"), "{paid:?}");
    let burst = rows.iter().find(|r| r["rule"] == "burst").unwrap();
    assert!(burst["refusal"].as_str().unwrap().contains("burst"), "{burst}");
    // The supervisor's own sign-off pays them nothing, and says why.
    let mine = d.my_ledger(mary).await;
    assert!(mine.iter().all(|r| r["points"] == 0), "{mine:?}");
    let why = mine.iter().find(|r| r["title"] == "Echo" && r["state"] == "REFUSED").unwrap();
    assert_eq!(why["rule"], "self_sign_off");
    assert!(why["refusal"].as_str().unwrap().contains("signed this checklist off yourself"), "{why}");
}

#[tokio::test]
async fn a_supervisor_adjusts_points_with_a_reason_and_the_user_is_told() {
    let w = World::builder().at(at(9, 0, 0)).colleague().cards().build().await;
    let (olu, ada, mary) = (&w.operator, w.colleague(), &w.manager);
    let body = |user: Uuid, points: i32, reason: &str| json!({"user_id": user, "points": points, "reason": reason});

    let (status, row) = w.srv.post(ADJUST, mary, body(olu.id, 25, "  Covered a double shift  ")).await;
    assert_eq!(status, 201, "{row}");
    assert_eq!(
        (row["state"].as_str(), row["kind"].as_str(), row["points"].as_i64()),
        (Some("ADJUSTMENT"), Some("ADJUSTMENT"), Some(25))
    );
    assert_eq!(row["title"], "Covered a double shift");
    assert_eq!(row["awarded_by"], json!(mary.id));
    let (status, _) = w.srv.post(ADJUST, &w.admin, body(olu.id, -5, "Double-counted handover")).await;
    assert_eq!(status, 201);

    // Refused: no reason, a reason too short, zero or too many points.
    let no_reason = json!({"user_id": olu.id, "points": 10});
    assert_eq!(w.srv.post(ADJUST, mary, no_reason).await.0, 422);
    assert_eq!(w.srv.post(ADJUST, mary, body(olu.id, 10, " a ")).await.0, 422);
    assert_eq!(w.srv.post(ADJUST, mary, body(olu.id, 0, "Nothing at all")).await.0, 422);
    assert_eq!(w.srv.post(ADJUST, mary, body(olu.id, 1001, "Far too many")).await.0, 422);
    // The most negative integer has no absolute value: still a plain 422, not a 500.
    assert_eq!(w.srv.post(ADJUST, mary, body(olu.id, i32::MIN, "Far too few")).await.0, 422);
    // Forbidden: an operator, a manager adjusting themselves, a manager of another section.
    assert_eq!(w.srv.post(ADJUST, olu, body(ada.id, 10, "Helped me out")).await.0, 403);
    assert_eq!(w.srv.post(ADJUST, mary, body(mary.id, 10, "Worked hard")).await.0, 403);
    assert_eq!(w.srv.post(ADJUST, &w.cards().manager, body(olu.id, 10, "Not my team")).await.0, 403);

    let (_, notes) = w.srv.get("/api/v1/notifications/?unread_only=false&limit=50", olu).await;
    let titles: Vec<&str> = notes.as_array().unwrap().iter().filter_map(|n| n["title"].as_str()).collect();
    assert!(titles.contains(&"Points adjusted (+25)") && titles.contains(&"Points adjusted (-5)"), "{titles:?}");

    let c = w.srv.app.store.reader();
    let stored = ledger::streak_of(c, olu.id).await.unwrap().map(|s| s.total_points);
    let (sum, daily) = (ledger::ledger_total(c, olu.id).await.unwrap(), ledger::daily_total(c, olu.id).await.unwrap());
    assert_eq!((stored, sum, daily), (Some(20), 20, 20));
    assert_eq!(ledger::ledger_total(c, ada.id).await.unwrap(), 0);
    let (_, mine) = w.srv.get(LEDGER, olu).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2), "{mine}");
    assert_eq!(mine[0]["points"], -5, "newest first");
}

#[tokio::test]
async fn handover_notes_pay_their_author_and_a_resolver_but_not_a_self_resolution() {
    let d = Desk::new(json!([{"title": "Only", "severity": 1, "sort_order": 1}]), 0).await;
    let (olu, ada) = (&d.w.operator, d.w.colleague());
    let notes = "/api/v1/checklists/handover-notes";
    let mut ids = Vec::new();
    for (who, text) in [(olu, "Watch the batch job"), (ada, "Printer toner is low")] {
        let (status, note) = d.w.srv.post(notes, who, json!({"content": text, "from_instance_id": d.id})).await;
        assert_eq!(status, 200, "{note}");
        ids.push(note["id"].as_str().unwrap().to_owned());
    }
    // Written: 6 each, at once.
    assert_eq!(d.totals().await, [6, 6, 0]);
    // ada resolves olu's note (12), then her own (nothing, and why).
    let resolve = |id: &str| format!("{notes}/{id}/resolve");
    assert_eq!(d.w.srv.post(&resolve(&ids[0]), ada, json!({"resolution_notes": "Batch done"})).await.0, 200);
    assert_eq!(d.w.srv.post(&resolve(&ids[1]), ada, json!({})).await.0, 200);
    assert_eq!(d.totals().await, [6, 6 + 12, 0]);
    // olu writes another note (6) and resolves it himself (nothing).
    let (status, note) = d.w.srv.post(notes, olu, json!({"content": "Mine to close", "from_instance_id": d.id})).await;
    assert_eq!(status, 200, "{note}");
    let own = note["id"].as_str().unwrap();
    assert_eq!(d.w.srv.post(&resolve(own), olu, json!({})).await.0, 200);
    assert_eq!(d.totals().await, [12, 18, 0]);
    let rows = d.my_ledger(olu).await;
    let refused: Vec<&Value> = rows.iter().filter(|r| r["state"] == "REFUSED").collect();
    assert_eq!(refused.len(), 1, "{rows:?}");
    assert_eq!(refused[0]["rule"], "self_resolve");
    assert_eq!(refused[0]["checklist_id"], json!(d.id));
}
