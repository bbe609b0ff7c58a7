//! The Performance Command, badges, the legacy gamification endpoints and name hiding,
//! over real HTTP, from ledger rows appended straight into the test database (so the
//! numbers do not depend on the scoring weights).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::scoring::{LedgerState, ScoreKind};
use sentinelops_store::entity::gamification_scores::Model as LedgerRow;
use sentinelops_store::repo::gamification;
use sentinelops_testkit::world::World;
use sentinelops_testkit::{Options, TestServer};

const COMMAND: &str = "/api/v1/gamification/performance/command";

fn day(d: &str) -> NaiveDate {
    d.parse().unwrap()
}

/// Thursday 14 May 2026, noon UTC.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 14, 12, 0, 0).unwrap()
}

/// One confirmed ledger row, awarded at 10:00 on its date plus `seq` seconds.
struct Award<'a> {
    user: Uuid,
    kind: ScoreKind,
    date: &'a str,
    points: i32,
    quantity: i32,
    shift: Option<&'a str>,
    seq: i64,
    metadata: Value,
}

fn award(user: Uuid, kind: ScoreKind, date: &str, points: i32, quantity: i32) -> Award<'_> {
    Award { user, kind, date, points, quantity, shift: None, seq: 0, metadata: json!({}) }
}

async fn append(srv: &TestServer, awards: Vec<Award<'_>>) -> Vec<LedgerRow> {
    let rows: Vec<LedgerRow> = awards
        .into_iter()
        .map(|a| {
            let date = day(a.date);
            let at = Utc.from_utc_datetime(&date.and_hms_opt(10, 0, 0).unwrap()) + chrono::Duration::seconds(a.seq);
            let mut row = LedgerRow::new(a.user, a.kind, LedgerState::Confirmed, date, at).paying(a.points, a.quantity);
            row.shift = a.shift.map(str::to_owned);
            row.subject_id = Some(Uuid::now_v7());
            row.metadata = a.metadata;
            row
        })
        .collect();
    let tx = srv.app.store.begin_write().await.unwrap();
    gamification::append(&tx, rows.clone(), noon()).await.unwrap();
    sentinelops_store::commit(tx).await.unwrap();
    rows
}

async fn command(srv: &TestServer, token: &str, window: &str) -> Value {
    let (status, body) = srv.get(&format!("{COMMAND}?focus_window={window}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn badge_notifications(srv: &TestServer, token: &str, name: &str) -> usize {
    let (status, body) = srv.get("/api/v1/notifications/?include_read=true&limit=100", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let title = format!("Badge Unlocked | {name}");
    body.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["title"] == title.as_str() && n["related_entity"] == "performance_badge")
        .count()
}

#[tokio::test]
async fn the_command_deck_adds_up_the_ledger_by_window() {
    let w = World::builder().at(noon()).build().await;
    assert_eq!(w.srv.operational_today().await, "2026-05-14");
    let op = w.operator.id;
    let rows = append(
        &w.srv,
        vec![
            Award {
                shift: Some("MORNING"),
                seq: 9,
                metadata: json!({"title": "Check core switch", "detail": "MORNING shift on 2026-05-14"}),
                ..award(op, ScoreKind::Item, "2026-05-14", 20, 1)
            },
            award(op, ScoreKind::ChecklistRun, "2026-05-13", 0, 1),
            Award { seq: 2, ..award(op, ScoreKind::ChecklistClean, "2026-05-13", 18, 1) },
            Award { seq: 1, ..award(op, ScoreKind::ChecklistOnTime, "2026-05-13", 14, 1) },
            award(op, ScoreKind::HandoverCreated, "2026-05-04", 6, 1),
            award(op, ScoreKind::Item, "2026-03-10", 100, 1),
            award(w.manager.id, ScoreKind::Item, "2026-05-14", 30, 1),
        ],
    )
    .await;
    let deck = command(&w.srv, &w.operator, "monthly").await;
    assert_eq!(deck["focus_window"], "monthly");
    assert_eq!(deck["scope_label"], "Core Banking");
    assert!(deck["generated_at"].as_str().unwrap().ends_with('Z'), "{}", deck["generated_at"]);
    assert_eq!(deck["profile"]["display_name"], "olu.operator Tester");
    assert_eq!(deck["profile"]["section_name"], "Core Banking");
    assert_eq!(deck["profile"]["badge_count"], 0);

    let week = &deck["windows"]["weekly"];
    assert_eq!(week["label"], "Week to date");
    assert_eq!((week["start_date"].as_str(), week["end_date"].as_str()), (Some("2026-05-11"), Some("2026-05-14")));
    assert_eq!(week["command_points"], 52);
    // quality 100 (1 clean, on-time run), consistency 2 of 4 days: (100·.27 + 50·.15) / .42 = 82.1
    assert_eq!(week["operational_grade"], 82);
    assert_eq!(week["checklist_quality_rate"], 100.0);
    assert_eq!(week["consistency_rate"], 50.0);
    assert_eq!(week["tier"], "Pulse");
    assert_eq!((week["rank"].as_i64(), week["total_users"].as_i64()), (Some(1), Some(2)));
    assert_eq!((week["current_streak"].as_i64(), week["contribution_days"].as_i64()), (Some(2), Some(2)));
    assert_eq!(week["items_completed"], 1);
    assert_eq!(week["clean_checklists"], 1);
    assert_eq!(week["checklists_joined"], 1);

    let month = &deck["active_window"];
    assert_eq!(month, &deck["windows"]["monthly"]);
    assert_eq!(month["command_points"], 58);
    // consistency 3 of 14 days: (27 + 21.43·.15) / .42 = 71.9
    assert_eq!(month["operational_grade"], 72);
    assert_eq!(month["consistency_rate"], 21.4);
    assert_eq!(month["handovers_created"], 1);
    assert_eq!(
        month["breakdown"],
        json!({"execution_points": 20, "reliability_points": 32, "collaboration_points": 6, "quality_points": 0})
    );
    assert_eq!(deck["windows"]["quarterly"]["command_points"], 58);
    assert_eq!(deck["windows"]["yearly"]["command_points"], 158);
    assert_eq!(deck["windows"]["yearly"]["label"], "Year to date");
    assert!(month["summary"].as_str().unwrap().starts_with("Checklist quality is elite."));

    let board = deck["leaderboard"].as_array().unwrap();
    let names: Vec<(&str, i64, i64, bool)> = board
        .iter()
        .map(|e| {
            (
                e["display_name"].as_str().unwrap(),
                e["command_points"].as_i64().unwrap(),
                e["rank"].as_i64().unwrap(),
                e["is_current_user"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("olu.operator Tester", 58, 1, true), ("mary.manager Tester", 30, 2, false)]);
    assert_eq!(board[0]["tier"], "Pulse");
    assert_eq!(board[0]["section_name"], "Core Banking");

    let trend: Vec<(&str, i64)> = deck["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["label"].as_str().unwrap(), t["command_points"].as_i64().unwrap()))
        .collect();
    assert_eq!(trend, [("Week of 01 May", 0), ("Week of 04 May", 6), ("Week of 11 May", 52)]);

    let events = deck["recent_events"].as_array().unwrap();
    let seen: Vec<(&str, i64)> =
        events.iter().map(|e| (e["event_type"].as_str().unwrap(), e["points"].as_i64().unwrap())).collect();
    assert_eq!(
        seen,
        [("CHECKLIST_ITEM", 20), ("CHECKLIST_CLEAN", 18), ("CHECKLIST_ON_TIME", 14), ("HANDOVER_CREATED", 6)]
    );
    assert_eq!(events[0]["id"], format!("checklist-{}", rows[0].subject_id.unwrap()));
    assert_eq!(events[0]["title"], "Check core switch");
    assert_eq!(events[0]["detail"], "MORNING shift on 2026-05-14");
    assert_eq!(events[3]["id"], format!("handover-created-{}", rows[4].subject_id.unwrap()));

    let badges = deck["badges"].as_array().unwrap();
    assert_eq!(badges.len(), 11);
    assert_eq!(badges[0]["key"], "flow_keeper");
    assert_eq!(badges[0]["progress"], 20.0);
    assert!(badges.iter().all(|b| b["earned"] == false && b["claimable"] == false));
    // yearly: 158 points, grade 65 → 158/2800·40 + 65·.25 + 15 + 20 = 53.5
    assert_eq!(deck["next_badge"]["key"], "sentinel_prime");
    assert_eq!(deck["next_badge"]["progress"], 53.5);

    let weekly = command(&w.srv, &w.operator, "weekly").await;
    let days: Vec<&str> = weekly["trend"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert_eq!(days, ["Mon", "Tue", "Wed", "Thu"]);
    let (status, body) = w.srv.get(&format!("{COMMAND}?focus_window=Weekly"), &w.operator).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = w.srv.get(COMMAND, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn scope_follows_the_section_and_hidden_names_keep_ones_own() {
    let w = World::builder().cards().colleague().drifter().build().await;
    let op = w.operator.id;
    let ada = w.colleague().id;
    let today: String = w.srv.operational_today().await;
    append(&w.srv, vec![award(op, ScoreKind::Item, &today, 10, 1), award(ada, ScoreKind::Item, &today, 40, 1)]).await;
    let mine = command(&w.srv, &w.operator, "weekly").await;
    assert_eq!(mine["active_window"]["total_users"], 3);
    assert_eq!(mine["active_window"]["rank"], 2);
    let admin = command(&w.srv, &w.admin, "weekly").await;
    assert_eq!(admin["scope_label"], "Organization-wide");
    assert_eq!(admin["active_window"]["total_users"], 7);
    let drifter = command(&w.srv, w.drifter(), "weekly").await;
    assert_eq!(drifter["scope_label"], "Your scope");
    assert_eq!(drifter["active_window"]["total_users"], 1);

    let path = format!("/api/v1/gamification/sections/{}/settings", w.section);
    let hide = json!({"hide_leaderboard_names": true});
    let (status, _) = w.srv.put(&path, &w.operator, hide.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w.srv.put(&path, &w.cards().manager, hide.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = w.srv.put(&path, &w.manager, hide).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = w.srv.get(&path, &w.operator).await;
    assert_eq!((status, body["hide_leaderboard_names"].clone()), (StatusCode::OK, json!(true)));

    let hidden = command(&w.srv, &w.operator, "weekly").await;
    let rows: Vec<(String, String, bool)> = hidden["leaderboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["display_name"].as_str().unwrap().to_owned(),
                e["username"].as_str().unwrap().to_owned(),
                e["is_current_user"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows[0], ("Operator #1".to_owned(), String::new(), false));
    assert_eq!(rows[1], ("olu.operator Tester".to_owned(), "olu.operator".to_owned(), true));
    assert_eq!(rows[2], ("Operator #3".to_owned(), String::new(), false));
    let managed = command(&w.srv, &w.manager, "weekly").await;
    assert_eq!(managed["leaderboard"][0]["display_name"], "ada.operator Tester");
}

#[tokio::test]
async fn a_badge_unlocks_notifies_once_even_with_two_servers_and_is_claimed_once() {
    let w = World::new().await;
    let op = w.operator.id;
    let today: String = w.srv.operational_today().await;
    append(&w.srv, vec![award(op, ScoreKind::CriticalItem, &today, 180, 18)]).await;
    let deck = command(&w.srv, &w.operator, "monthly").await;
    let shield = deck["badges"].as_array().unwrap().iter().find(|b| b["key"] == "critical_shield").unwrap().clone();
    assert_eq!((shield["earned"].clone(), shield["claimable"].clone()), (json!(true), json!(true)));
    assert_eq!(shield["progress"], 100.0);
    command(&w.srv, &w.operator, "weekly").await;
    assert_eq!(badge_notifications(&w.srv, &w.operator, "Critical Shield").await, 1);

    // Two servers on one database ask at once after a second unlock.
    let other = TestServer::start_on(w.srv.database().clone(), Options::default()).await;
    append(
        &w.srv,
        vec![
            award(op, ScoreKind::HandoverCreated, &today, 36, 6),
            award(op, ScoreKind::HandoverResolved, &today, 48, 4),
        ],
    )
    .await;
    let token = w.operator.token.clone();
    let (weekly, yearly) = (format!("{COMMAND}?focus_window=weekly"), format!("{COMMAND}?focus_window=yearly"));
    let (a, b) = tokio::join!(w.srv.get(&weekly, &token), other.get(&yearly, &token));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
    assert_eq!(badge_notifications(&w.srv, &w.operator, "Relay Architect").await, 1);
    assert_eq!(badge_notifications(&w.srv, &w.operator, "Critical Shield").await, 1);

    let claim = |key: &str| format!("/api/v1/gamification/performance/badges/{key}/claim");
    let (status, body) = w.srv.post(&claim("no_such_badge"), &w.operator, Value::Null).await;
    assert_eq!((status, body["detail"].clone()), (StatusCode::BAD_REQUEST, json!("Unknown performance badge")));
    let (status, body) = w.srv.post(&claim("night_owl"), &w.operator, Value::Null).await;
    assert_eq!(
        (status, body["detail"].clone()),
        (StatusCode::BAD_REQUEST, json!("This badge is not ready to claim yet."))
    );
    let (status, first) = w.srv.post(&claim("%20Critical_Shield%20"), &w.operator, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["claimed_badge_count"], 1);
    assert_eq!(first["badge"]["claimed"], true);
    assert_eq!(first["badge"]["claimable"], false);
    assert_eq!(first["badge"]["progress"], 100.0);
    let (status, again) = other.post(&claim("critical_shield"), &w.operator, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["claimed_badge_count"], 1);
    assert_eq!(again["badge"]["claimed_at"], first["badge"]["claimed_at"]);
    let deck = command(&w.srv, &w.operator, "monthly").await;
    assert_eq!(deck["profile"]["badge_count"], 1);

    let (status, earned) = w.srv.get("/api/v1/gamification/achievements", &w.operator).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = earned.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["critical_shield", "relay_architect"]);
    let (status, _) = w.srv.post(&claim("critical_shield"), "", Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_legacy_endpoints_answer_from_the_ledger() {
    let w = World::builder().at(noon()).build().await;
    let op = w.operator.id;
    append(
        &w.srv,
        vec![
            Award { shift: Some("MORNING"), seq: 3, ..award(op, ScoreKind::Item, "2026-05-14", 20, 1) },
            award(op, ScoreKind::ChecklistRun, "2026-05-13", 0, 1),
            Award { seq: 1, ..award(op, ScoreKind::ChecklistClean, "2026-05-13", 18, 1) },
            award(op, ScoreKind::ChecklistRun, "2026-05-12", 0, 1),
            award(op, ScoreKind::Item, "2026-04-02", 7, 1),
            award(w.manager.id, ScoreKind::Item, "2026-05-14", 30, 1),
        ],
    )
    .await;
    let (status, scores) = w.srv.get("/api/v1/gamification/scores", &w.operator).await;
    assert_eq!(status, StatusCode::OK, "{scores}");
    assert_eq!(scores.as_array().unwrap().len(), 5);
    assert_eq!(scores[0]["points"], 20);
    assert_eq!(scores[0]["reason"], "ON_TIME_COMPLETION");
    let (_, may) =
        w.srv.get("/api/v1/gamification/scores?start_date=2026-05-13&end_date=2026-05-13", &w.operator).await;
    let reasons: Vec<&str> = may.as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["PERFECT_SHIFT", "ON_TIME_COMPLETION"]);
    for bad in ["limit=0", "limit=501", "start_date=yesterday"] {
        let (status, _) = w.srv.get(&format!("/api/v1/gamification/scores?{bad}"), &w.operator).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    let (status, streak) = w.srv.get("/api/v1/gamification/streak", &w.operator).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(streak["total_points"], 45);
    assert_eq!(streak["current_streak_days"], 3);
    assert_eq!(streak["perfect_shifts_count"], 1);
    assert_eq!(streak["shift_completion_rate"], 50.0);
    assert_eq!(streak["last_shift_date"], "2026-05-14");
    let (_, none) = w.srv.get("/api/v1/gamification/streak", &w.admin).await;
    assert_eq!((none["total_points"].clone(), none["last_shift_date"].clone()), (json!(0), Value::Null));

    let (status, board) = w.srv.get("/api/v1/gamification/leaderboard?timeframe=weekly", &w.operator).await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<(&str, i64, i64)> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["username"].as_str().unwrap(), r["total_points"].as_i64().unwrap(), r["rank"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("olu.operator", 38, 1), ("mary.manager", 30, 2)]);
    assert_eq!(board[0]["avatar_url"], "https://ui-avatars.com/api/?name=olu.operator&background=random");
    let (_, all) = w.srv.get("/api/v1/gamification/leaderboard?timeframe=all_time&limit=1", &w.operator).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["total_points"], 45);
    for bad in ["timeframe=quarterly", "limit=0", "limit=101"] {
        let (status, _) = w.srv.get(&format!("/api/v1/gamification/leaderboard?{bad}"), &w.operator).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    let (status, dash) = w.srv.get("/api/v1/gamification/dashboard", &w.operator).await;
    assert_eq!(status, StatusCode::OK, "{dash}");
    assert_eq!(dash["user"]["rank"], 1);
    assert_eq!(dash["user"]["weekly_points"], 38);
    assert_eq!(dash["user"]["total_points"], 45);
    assert_eq!(dash["leaderboard_preview"][0]["shift_count"], 2);
    assert_eq!(dash["leaderboard_preview"][0]["avg_points_per_shift"], 22.5);
    assert_eq!(dash["recent_scores"].as_array().unwrap().len(), 5);
    assert_eq!(dash["recent_scores"][0]["checklist_date"], "2026-05-14");
    assert_eq!(
        dash["next_milestones"][0],
        json!({"type": "STREAK", "target": 7, "current": 3, "remaining": 4, "reward": 70})
    );
    assert_eq!(dash["next_milestones"][1]["target"], 100);
    let (_, fresh) = w.srv.get("/api/v1/gamification/dashboard", &w.admin).await;
    assert!(fresh.get("next_milestones").is_none(), "{fresh}");

    for path in ["scores", "streak", "leaderboard", "achievements", "dashboard"] {
        let (status, _) = w.srv.get(&format!("/api/v1/gamification/{path}"), "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

/// A computed deck is reused only while nothing it was read from changed: a write
/// through another server (even one that pays no points, within one clock tick) and a
/// colleague's points all show on the next read.
#[tokio::test]
async fn a_deck_is_never_served_stale_after_a_write_through_another_server() {
    let w = World::new().await;
    let other = TestServer::start_on(w.srv.database().clone(), Options::default()).await;
    let op = w.operator.id;
    let today: String = w.srv.operational_today().await;
    append(&w.srv, vec![award(op, ScoreKind::Item, &today, 20, 1)]).await;
    let first = command(&other, &w.operator, "monthly").await;
    assert_eq!(first["active_window"]["command_points"], 20);
    assert_eq!(command(&other, &w.operator, "monthly").await["active_window"], first["active_window"]);

    // No points, one more checklist run (`append` writes every row at the same instant):
    // only the counters move.
    append(&w.srv, vec![award(op, ScoreKind::ChecklistRun, &today, 0, 1)]).await;
    let second = command(&other, &w.operator, "monthly").await;
    assert_eq!(second["active_window"]["checklists_joined"], 1);
    assert_eq!(second["active_window"]["command_points"], first["active_window"]["command_points"]);

    // A colleague overtakes: the caller's rank and the leaderboard follow.
    append(&w.srv, vec![award(w.manager.id, ScoreKind::Item, &today, 90, 1)]).await;
    let third = command(&other, &w.operator, "monthly").await;
    assert_eq!(third["active_window"]["rank"], 2);
    assert_eq!(third["leaderboard"][0]["user_id"], json!(w.manager.id));
    assert_eq!(third["leaderboard"][0]["command_points"], 90);
}

/// After a write, a deck is recomputed from the parts kept per user where that user's
/// revision is unchanged: a colleague's points written through another server show on
/// the next read through this one while the caller's own days and recent events stay
/// theirs, and the caller's own points show in their windows, trend and recent events.
#[tokio::test]
async fn a_recomputed_deck_rereads_each_user_whose_points_changed_and_only_their_parts() {
    let w = World::new().await;
    let other = TestServer::start_on(w.srv.database().clone(), Options::default()).await;
    let (op, mgr) = (w.operator.id, w.manager.id);
    let today: String = w.srv.operational_today().await;
    append(&w.srv, vec![award(op, ScoreKind::Item, &today, 20, 1), award(mgr, ScoreKind::Item, &today, 10, 1)]).await;
    let points = |deck: &Value| -> Vec<(String, i64)> {
        deck["leaderboard"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["username"].as_str().unwrap().to_owned(), e["command_points"].as_i64().unwrap()))
            .collect()
    };
    let recent = |deck: &Value| -> Vec<i64> {
        deck["recent_events"].as_array().unwrap().iter().map(|e| e["points"].as_i64().unwrap()).collect()
    };
    let first = command(&w.srv, &w.operator, "monthly").await;
    assert_eq!(points(&first), [("olu.operator".to_owned(), 20), ("mary.manager".to_owned(), 10)]);
    assert_eq!(recent(&first), [20]);
    // The yearly deck too, so both focus windows have kept parts.
    assert_eq!(command(&w.srv, &w.operator, "yearly").await["active_window"]["command_points"], 20);

    // A colleague scores through the other server.
    append(&other, vec![Award { seq: 3, ..award(mgr, ScoreKind::Item, &today, 40, 1) }]).await;
    let second = command(&w.srv, &w.operator, "monthly").await;
    assert_eq!(points(&second), [("mary.manager".to_owned(), 50), ("olu.operator".to_owned(), 20)]);
    assert_eq!(second["active_window"]["rank"], 2);
    assert_eq!(recent(&second), [20]);
    assert_eq!(second["trend"], first["trend"]);

    // The caller scores through the other server: every part of theirs is read again.
    append(&other, vec![Award { seq: 5, ..award(op, ScoreKind::Item, &today, 45, 1) }]).await;
    let third = command(&w.srv, &w.operator, "monthly").await;
    assert_eq!(points(&third), [("olu.operator".to_owned(), 65), ("mary.manager".to_owned(), 50)]);
    assert_eq!(third["active_window"]["items_completed"], 2);
    assert_eq!(recent(&third), [45, 20]);
    let trend_points: i64 =
        third["trend"].as_array().unwrap().iter().map(|t| t["command_points"].as_i64().unwrap()).sum();
    assert_eq!(trend_points, 65);
    let yearly = command(&w.srv, &w.operator, "yearly").await;
    assert_eq!(yearly["active_window"]["command_points"], 65);
    assert_eq!(recent(&yearly), [45, 20]);
    // The colleague's own deck through this server agrees.
    let theirs = command(&w.srv, &w.manager, "monthly").await;
    assert_eq!(theirs["active_window"]["command_points"], 50);
    assert_eq!(recent(&theirs), [40, 10]);
}
