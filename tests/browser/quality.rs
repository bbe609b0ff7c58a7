//! The issue's quality bar, measured in a real browser: every main page fits a
//! 768 px tablet without horizontal scrolling (nav and sign-out on screen), every
//! control is labelled, and the live checklist can be worked by keyboard alone with a
//! visible focus ring (skip link first, item actions reachable, a reason dialog
//! opened with Enter takes focus and closes with Escape).

use sentinelops_app::notifications::{self, Audience, Draft, Priority};
use sentinelops_testkit::browser::{Browser, Key, Session};
use sentinelops_testkit::world::World;
use serde_json::{Value, json};

use crate::sign_in::sign_in;

const TABLET: (u32, u32) = (768, 1024);

/// Elements wider than the viewport, named for the failure message; and the widths.
const OVERFLOW: &str = r#"
// clientWidth: the viewport less its scroll bar, so a page 10 px too wide still counts.
const width = document.documentElement.clientWidth;
const sticksOut = el => el.getBoundingClientRect().right > width + 0.5;
// Inside a scroll container that itself fits (a .table-wrap), only that box scrolls;
// but an absolutely positioned element escapes it unless its containing block is inside.
const clipped = el => {
  const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible' && !sticksOut(a)
        && (!absolute || (el.offsetParent && a.contains(el.offsetParent)))) return true;
  }
  return false;
};
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
  + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
const wide = [...document.body.querySelectorAll('*')]
  .filter(el => sticksOut(el) && !clipped(el))
  .filter((el, _, all) => !all.includes(el.parentElement))
  .map(el => name(el) + ' right=' + Math.round(el.getBoundingClientRect().right));
return { scroll: document.documentElement.scrollWidth, client: width, inner: window.innerWidth, wide: wide.slice(0, 8) };
"#;

/// Whether the main nav (each link) and the sign-out button are on screen.
const HEADER_VISIBLE: &str = r#"
const onScreen = el => {
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
    && r.left >= 0 && r.right <= window.innerWidth + 0.5;
};
const links = [...document.querySelectorAll('nav.site-nav a')];
return {
  nav: links.length > 0 && links.every(onScreen),
  signOut: onScreen(document.querySelector('form[action="/ui/logout"] button[type=submit]')),
};
"#;

/// Form controls with no label, and buttons with no name, as HTML snippets.
const UNLABELLED: &str = r#"
const named = el => {
  const aria = (el.getAttribute('aria-label') || '').trim();
  const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
  return aria !== '' || (by.length > 0 && by.every(id => document.getElementById(id)));
};
const bad = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
  if (!((el.labels && el.labels.length > 0) || named(el))) bad.push(el.outerHTML.slice(0, 200));
}
for (const el of document.querySelectorAll('button')) {
  if (el.textContent.trim() === '' && !named(el)) bad.push(el.outerHTML.slice(0, 200));
}
return bad;
"#;

/// The focused element: what it is, whether it shows on screen, and its focus ring.
const FOCUSED: &str = r#"
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const r = el.getBoundingClientRect();
const s = getComputedStyle(el);
// Chromium's own ring is a 1 px "auto" outline; the house ring (ui.css :focus-visible)
// is 3 px, so >= 2 px proves ours. A box-shadow ring counts only when focus added it.
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
const focusShadow = s.boxShadow;
el.blur();
const restingShadow = getComputedStyle(el).boxShadow;
el.focus({ focusVisible: true });
const shadow = focusShadow !== 'none' && focusShadow !== restingShadow;
return {
  html: el.outerHTML.slice(0, 160),
  skipLink: el.classList.contains('skip-link'),
  action: el.matches('button[data-action]') ? el.getAttribute('data-action') : null,
  itemAction: !!el.closest('[id^="item-"]') && el.matches('button[data-action]'),
  visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
    && r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth,
  ring: outline || shadow,
  inDialog: !!el.closest('dialog[open]'),
};
"#;

/// The standard world on "ICT Operations" (operator `op.one`, manager `mgr.one`), with a
/// template of four items, today's checklist (joined by the operator, one item failed)
/// and two notifications for the admin, one critical: (world, template id, checklist id).
async fn world() -> (World, String, String) {
    let w = World::builder().names("ICT Operations", "mgr.one", "op.one").build().await;
    let (srv, operator) = (&w.srv, &w.operator);
    let items = json!([
        {"title": "Check overnight backups", "item_type": "ROUTINE", "severity": 5, "is_required": true, "sort_order": 1,
         "subitems": [{"title": "Core banking"}, {"title": "Card switch"}]},
        {"title": "Read the NOC mailbox", "item_type": "ROUTINE", "severity": 2, "sort_order": 2},
        {"title": "Test the generator", "item_type": "ROUTINE", "severity": 4, "sort_order": 3},
        {"title": "Update the status board", "item_type": "ROUTINE", "severity": 1, "sort_order": 4},
    ]);
    let template = w.template(w.section, "Morning ops", "MORNING", items).await["id"].as_str().unwrap().to_owned();

    let today = srv.operational_today().await;
    let body = json!({"shift": "MORNING", "checklist_date": today});
    let (status, created) = srv.post("/api/v1/checklists/instances", operator, body).await;
    assert_eq!(status, 200, "{created}");
    let instance = &created["instance"];
    let checklist = instance["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/checklists/instances/{checklist}");
    let (status, body) = srv.post(&format!("{base}/join"), operator, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let last = instance["items"][3]["id"].as_str().unwrap();
    let failed = json!({"status": "FAILED", "reason": "Board PC does not boot"});
    let (status, body) = srv.patch(&format!("{base}/items/{last}"), operator, failed).await;
    assert_eq!(status, 200, "{body}");

    for (title, priority) in [("Backup job late", Priority::Medium), ("Core switch down", Priority::Critical)] {
        let draft = Draft {
            title: title.to_owned(),
            message: "details".to_owned(),
            priority,
            related_entity: "checklist_instance",
            related_id: None,
            section_id: None,
            audience: Audience::Users(vec![w.admin.id]),
            exclude: None,
        };
        notifications::send(srv.app.store.reader(), srv.app.clock.now(), draft).await.unwrap();
    }
    (w, template, checklist)
}

/// Loads `path`, waits for `ready` to contain `text`, and checks the tablet layout and
/// the labels there; saves `<name>-tablet.png`.
async fn check_page(session: &Session, path: &str, ready: (&str, &str), name: &str) {
    session.goto(path).await;
    session.wait_for_text(ready.0, ready.1).await;
    session.screenshot(&format!("{name}-tablet")).await;
    let fit = session.script(OVERFLOW).await;
    assert_eq!(fit["inner"], json!(TABLET.0), "{name}: the viewport is a tablet's: {fit}");
    assert!(
        fit["scroll"].as_u64().unwrap() <= fit["client"].as_u64().unwrap(),
        "{name} ({path}) scrolls sideways at {} px: {fit}",
        TABLET.0
    );
    let header = session.script(HEADER_VISIBLE).await;
    assert_eq!(header, json!({"nav": true, "signOut": true}), "{name}: nav and sign-out on screen");
    let unlabelled = session.script(UNLABELLED).await;
    assert_eq!(unlabelled, json!([]), "{name} ({path}): controls without a label or name");
}

/// The checks catch what they look for: a box too wide for the page, an unlabelled
/// field and a nameless button, added to the page for the moment.
async fn probe_the_checks_on(session: &Session) {
    session.goto("/ui/dashboard").await;
    session.wait_for("main h1").await;
    let add = "const p = document.createElement('div'); p.id = 'probe'; \
               p.innerHTML = '<div class=\"wide\"></div><input type=text><button type=button></button>'; \
               p.firstChild.style.width = '2000px'; p.firstChild.style.height = '1em'; document.getElementById('main').append(p);";
    session.script(add).await;
    let fit = session.script(OVERFLOW).await;
    assert!(fit["scroll"].as_u64() > fit["client"].as_u64(), "a 2000 px box is caught: {fit}");
    assert!(fit["wide"].to_string().contains("div.wide"), "and named: {fit}");
    let unlabelled = session.script(UNLABELLED).await;
    assert_eq!(unlabelled.as_array().map(Vec::len), Some(2), "the bare input and button are caught: {unlabelled}");
    session.script("document.getElementById('probe').remove()").await;
}

#[tokio::test]
async fn every_main_page_fits_a_tablet_and_labels_its_controls() {
    let (w, template, checklist) = world().await;
    let browser = Browser::launch(&w.srv).await;
    let admin = browser.session("admin").await;
    admin.set_window_size(TABLET.0, TABLET.1).await;
    sign_in(&admin, "root.admin").await;
    let editor = format!("/ui/templates/{}", template);
    let (status, alerts) = w.srv.get("/api/v1/alerts", &w.admin).await;
    assert_eq!(status, 200, "{alerts}");
    let alert = format!("/ui/alerts/{}", alerts["items"][0]["id"].as_str().unwrap());
    let pages = [
        ("/ui/dashboard", ("main h1", ""), "dashboard"),
        ("/ui/checklists", ("main h1", "Checklists"), "timeline-admin"),
        ("/ui/notifications", ("main", "Core switch down"), "inbox"),
        ("/ui/notifications/preferences", ("main h1", ""), "preferences"),
        ("/ui/templates", ("table.tpl-library", "Morning ops"), "templates"),
        ("/ui/admin/users", (".users-table", "op.one"), "admin-users"),
        ("/ui/admin/org", ("main", "ICT Operations"), "admin-org"),
        ("/ui/admin/shifts", ("main h2", "Business time zone"), "admin-shifts"),
        ("/ui/admin/escalation", ("#policy-title", "Escalation policy"), "admin-escalation"),
        ("/ui/alerts", (".alerts-table", "Update the status board"), "alerts"),
        (alert.as_str(), (".alert-timeline", "Notified level 1"), "alert"),
        ("/ui/audit", ("main h2", "Operational events"), "audit"),
        ("/ui/audit/auth", ("main", "root.admin"), "audit-auth"),
        ("/ui/reports", ("main h1", "Reports"), "reports"),
        ("/ui/profile", (".current-session", "This session"), "profile"),
        ("/ui/roster/swaps", ("main h1", "Shift swaps"), "roster-swaps"),
        ("/ui/roster?weeks=5", ("main h1", "Roster"), "roster-grid"),
        ("/ui/roster/patterns", ("main h1", "Shift patterns"), "roster-patterns"),
        ("/ui/roster/me", ("main h1", "My schedule"), "roster-me"),
        ("/ui/roster/coverage", ("main h1", ""), "roster-coverage"),
        (editor.as_str(), ("#template-items", "Card switch"), "template-editor"),
    ];
    probe_the_checks_on(&admin).await;
    // Fifteen page loads in one tab: also the regression test for the live stream
    // left open by pages in the back/forward cache (ui.js closes it on pagehide), which
    // used all six connections to the host and stalled the seventh page.
    for (path, ready, name) in pages {
        check_page(&admin, path, ready, name).await;
    }

    // The live checklist as the operator working it (their action buttons showing),
    // and as a manager (sign-off and overrides).
    let page = format!("/ui/checklists/{}", checklist);
    let operator = browser.session("operator").await;
    operator.set_window_size(TABLET.0, TABLET.1).await;
    sign_in(&operator, "op.one").await;
    check_page(&operator, &page, ("main", "Board PC does not boot"), "checklist").await;
    check_page(&operator, "/ui/dashboard", ("main", "Morning ops"), "dashboard-operator").await;
    check_page(&operator, "/ui/checklists", ("main table", "Morning ops"), "timeline").await;
    let manager = browser.session("manager").await;
    manager.set_window_size(TABLET.0, TABLET.1).await;
    sign_in(&manager, "mgr.one").await;
    check_page(&manager, &page, ("main", "Board PC does not boot"), "checklist-manager").await;

    manager.close().await;
    operator.close().await;
    admin.close().await;
    browser.close();
}

/// Where Tab went on a page: every stop, the item actions among them, and whether a
/// reason dialog was opened with Enter and closed with Escape on the way.
struct Walk {
    stops: Vec<Value>,
    actions: Vec<String>,
    dialog_checked: bool,
}

/// Presses Tab from the top of the loaded page until focus leaves the page or wraps,
/// checking each stop (skip link first, on screen, with a focus ring).
async fn tab_through(operator: &Session) -> Walk {
    let mut walk = Walk { stops: Vec::new(), actions: Vec::new(), dialog_checked: false };
    for _ in 0..300 {
        operator.press(Key::Tab).await;
        let focused = operator.script(FOCUSED).await;
        if focused.is_null() {
            break; // past the last control: focus left the page
        }
        if walk.stops.first().is_some_and(|first| first["html"] == focused["html"]) {
            break; // wrapped around to the start
        }
        if walk.stops.is_empty() {
            assert_eq!(focused["skipLink"], true, "the skip link is the first stop: {focused}");
        }
        assert_eq!(focused["visible"], true, "focused element is on screen: {focused}");
        assert_eq!(focused["ring"], true, "focused element shows a focus ring: {focused}");
        if focused["itemAction"] == true {
            walk.actions.push(focused["action"].as_str().unwrap_or("").to_owned());
        }
        if focused["action"] == "skip" && !walk.dialog_checked {
            // Enter on "Skip…" opens its reason dialog with focus inside; Escape closes it.
            operator.press(Key::Enter).await;
            operator.wait_for("dialog[open]").await;
            let inside = operator.script(FOCUSED).await;
            assert_eq!(inside["inDialog"], true, "focus moved into the dialog: {inside}");
            assert_eq!(inside["ring"], true, "focus in the dialog is visible: {inside}");
            operator.press(Key::Escape).await;
            let open = operator.script("return document.querySelectorAll('dialog[open]').length").await;
            assert_eq!(open, 0, "Escape closed the dialog");
            let back = operator.script(FOCUSED).await;
            assert_eq!(back["html"], focused["html"], "focus went back to the Skip button");
            walk.dialog_checked = true;
        }
        walk.stops.push(focused);
    }
    walk
}

#[tokio::test]
async fn the_live_checklist_works_from_the_keyboard_with_a_visible_focus() {
    let (w, _, checklist) = world().await;
    let browser = Browser::launch(&w.srv).await;
    let operator = browser.session("operator").await;
    sign_in(&operator, "op.one").await;
    // On a desktop and on the tablet (where the header wraps onto two rows).
    for (width, height) in [(1280, 900), TABLET] {
        operator.set_window_size(width, height).await;
        operator.goto(&format!("/ui/checklists/{}", checklist)).await;
        operator.wait_for_text("main", "Board PC does not boot").await;
        let walk = tab_through(&operator).await;
        let (stops, actions) = (&walk.stops, &walk.actions);
        eprintln!("keyboard at {width} px: {} focus stops; item actions reached: {actions:?}", stops.len());
        assert!(stops.len() > 10, "tabbed through the page: {stops:?}");
        let sign_out = stops.iter().any(|s| s["html"].as_str().is_some_and(|h| h.contains("Sign out")));
        assert!(sign_out, "Sign out is reachable by Tab: {stops:?}");
        for action in ["start", "complete", "skip", "fail", "resolve"] {
            assert!(actions.iter().any(|a| a == action), "item action {action} reachable by Tab: {actions:?}");
        }
        assert!(walk.dialog_checked, "a Skip… button was reached and its dialog checked");
    }

    operator.close().await;
    browser.close();
}
