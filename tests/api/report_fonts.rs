//! Fonts for the reports beyond the embedded ones (`--report-fonts`): the real binary,
//! given a folder of Debian's fonts for Chinese (`fonts-droid-fallback`) and Arabic
//! (`fonts-kacst`), typesets a shift record whose people write their names in those
//! scripts with them; without the folder it does not; a folder it cannot read stops it
//! from starting. `.ci/run` installs both font packages.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sentinelops_testkit::pdf::{Pdf, PlacedWord};
use sentinelops_testkit::{ServerProcess, TestServer};
use serde_json::json;

use crate::admin;

const BIN: &str = env!("CARGO_BIN_EXE_sentinelops");
const CJK_FONT: &str = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";
const ARABIC_FONT: &str = "/usr/share/fonts/truetype/kacst/KacstBook.ttf";

/// A folder holding copies of the two fonts (one in a subfolder: the folder is read whole).
fn font_folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sentinelops-report-fonts-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("arabic")).unwrap();
    for (font, to) in [(CJK_FONT, dir.join("cjk.ttf")), (ARABIC_FONT, dir.join("arabic").join("kacst.TTF"))] {
        std::fs::copy(font, &to)
            .unwrap_or_else(|e| panic!("{font} (Debian's fonts-droid-fallback and fonts-kacst): {e}"));
    }
    std::fs::write(dir.join("README.txt"), "not a font").unwrap();
    dir
}

async fn shift_record(server: &ServerProcess, checklist: &str, token: &str) -> Pdf {
    let url = server.url(&format!("/api/v1/checklists/instances/{checklist}/report.pdf"));
    let response = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", server.output());
    Pdf::new(&response.bytes().await.unwrap())
}

#[tokio::test]
async fn a_folder_of_fonts_prints_chinese_and_arabic_names_in_the_reports() {
    // The floor is laid in-process; the binary then serves the same database.
    let mut srv = TestServer::start().await;
    let (_, admin) = admin(&srv).await;
    let section = srv.create_section("Cards").await;
    let mut names = Vec::new();
    for (login, first, last) in [("wang", "秀英", "王"), ("layla", "ليلى", "حداد")] {
        let (user, _) = srv.user_with_token(login, "user", Some(section)).await;
        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
        let (status, body) = srv.patch(&path, &admin, json!({"first_name": first, "last_name": last})).await;
        assert_eq!(status, 200, "{body}");
        names.push(format!("{first} {last}"));
    }
    let token = srv.login("wang", sentinelops_testkit::PASSWORD).await;
    let other = srv.login("layla", sentinelops_testkit::PASSWORD).await;
    let items = json!([{"title": "Card switch", "sort_order": 1}, {"title": "ATM float", "sort_order": 2}]);
    let body = json!({"name": "Cards morning", "shift": "MORNING", "section_id": section, "items": items});
    assert_eq!(srv.post("/api/v1/checklists/templates", &admin, body).await.0, 200);
    let body = json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
    let (status, view) = srv.post("/api/v1/checklists/instances", &token, body).await;
    assert_eq!(status, 200, "{view}");
    let checklist = view["instance"]["id"].as_str().unwrap().to_owned();
    for (index, who) in [(0, &token), (1, &other)] {
        let item = view["instance"]["items"][index]["id"].as_str().unwrap();
        let path = format!("/api/v1/checklists/instances/{checklist}/items/{item}");
        let (status, body) = srv.patch(&path, who, json!({"status": "COMPLETED"})).await;
        assert_eq!(status, 200, "{body}");
    }
    srv.stop().await;

    let folder = font_folder();
    let folder_text = folder.to_str().unwrap();
    let mut with_fonts =
        ServerProcess::start(Path::new(BIN), &srv.database().url, &[("SENTINELOPS_REPORT_FONTS", folder_text)]).await;
    let pdf = shift_record(&with_fonts, &checklist, &token).await;
    pdf.keep(&sentinelops_testkit::artifact_dir("report-pages").join("shift-report-extra-fonts"));
    let fonts = pdf.fonts();
    assert!(fonts.iter().any(|f| f.starts_with("DroidSansFallback")), "the Chinese name in its font: {fonts:?}");
    assert!(fonts.iter().any(|f| f.starts_with("KacstBook")), "the Arabic name in its font: {fonts:?}");
    assert!(fonts.iter().any(|f| f.starts_with("LibertinusSerif")), "the rest in the embedded serif: {fonts:?}");
    assert!(pdf.words().contains(&names[0]), "{}", pdf.words());
    // A right-to-left name keeps to itself: on the page, "By", the name, then its time
    // ("By ليلى حداد · 06 Dec"), not the day pulled into the name's run ("By 06 · ليلى حداد Dec").
    let arabic = |w: &PlacedWord| w.text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    let words = pdf.placed_words(2);
    let name = words.iter().find(|w| arabic(w)).unwrap_or_else(|| panic!("the item's line: {words:?}"));
    let line: Vec<&PlacedWord> = words.iter().filter(|w| (w.y_min - name.y_min).abs() < 2.0).collect();
    let by = line.iter().find(|w| w.text == "By").unwrap_or_else(|| panic!("{line:?}"));
    let day = line.iter().find(|w| w.text.chars().all(|c| c.is_ascii_digit())).unwrap_or_else(|| panic!("{line:?}"));
    for part in line.iter().filter(|w| arabic(w)) {
        assert!(by.x_max < part.x_min && part.x_max < day.x_min, "By, the name, then the day: {line:?}");
    }
    with_fonts.kill();

    // The embedded fonts alone have no glyphs for either script.
    let mut embedded_only = ServerProcess::start(Path::new(BIN), &srv.database().url, &[]).await;
    let fonts = shift_record(&embedded_only, &checklist, &token).await.fonts();
    assert!(!fonts.iter().any(|f| f.starts_with("DroidSansFallback") || f.starts_with("KacstBook")), "{fonts:?}");
    embedded_only.kill();

    // A folder that is not there, or holds no font, stops the start with the reason.
    let empty = std::env::temp_dir().join(format!("sentinelops-no-fonts-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&empty).unwrap();
    for (folder, reason) in
        [(Path::new("/nonexistent/fonts"), "cannot read /nonexistent/fonts"), (empty.as_path(), "holds no font file")]
    {
        let mut child = Command::new(BIN)
            .arg("serve")
            .env("DATABASE_URL", &srv.database().url)
            .env("SENTINELOPS_BIND", "127.0.0.1:0")
            .env("SENTINELOPS_JOBS", "false")
            .env("SENTINELOPS_REPORT_FONTS", folder)
            .env_remove("SENTINELOPS_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Bounded: a server that starts anyway is killed and the test fails, never hangs.
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("sentinelops started with --report-fonts {}", folder.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{said}");
        assert!(said.contains("--report-fonts") && said.contains(reason), "{said}");
    }
    let _ = std::fs::remove_dir_all(&folder);
    let _ = std::fs::remove_dir_all(&empty);
}
