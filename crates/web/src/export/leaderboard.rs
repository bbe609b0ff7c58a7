//! The leaderboard export's columns and rows.

use axum::response::Response;
use futures::StreamExt;

use sentinelops_app::AppError;
use sentinelops_app::exports::LeaderboardExport;

use super::{Cell, Column, FileType, Sheet, download};

const fn col(name: &'static str, width: f64) -> Column {
    Column { name, width }
}

pub const LEADERBOARD: Sheet = Sheet {
    name: "leaderboard",
    columns: &[
        col("window", 10.0),
        col("start_date", 12.0),
        col("end_date", 12.0),
        col("scope", 22.0),
        col("rank", 7.0),
        col("name", 26.0),
        col("username", 20.0),
        col("section", 20.0),
        col("command_points", 15.0),
        col("operational_grade", 17.0),
        col("tier", 10.0),
        col("current_streak", 14.0),
        col("clean_checklists", 16.0),
        col("is_you", 7.0),
    ],
};

fn rows(board: LeaderboardExport) -> Vec<Vec<Cell>> {
    let LeaderboardExport { window, start_date, end_date, scope_label, entries } = board;
    entries
        .into_iter()
        .map(|e| {
            vec![
                Cell::text(window.as_str()),
                Cell::Date(start_date),
                Cell::Date(end_date),
                Cell::text(scope_label.clone()),
                Cell::Int(e.rank),
                Cell::text(e.display_name),
                Cell::text(e.username),
                Cell::text(e.section_name.unwrap_or_default()),
                Cell::Int(e.command_points),
                Cell::Int(e.operational_grade),
                Cell::text(e.tier.as_str()),
                Cell::Int(e.current_streak),
                Cell::Int(e.clean_checklists),
                Cell::text(if e.is_current_user { "yes" } else { "" }),
            ]
        })
        .collect()
}

/// The board as `leaderboard.csv` or `leaderboard.xlsx` (one page: a board is small).
pub async fn respond(board: LeaderboardExport, file_type: FileType) -> Result<Response, AppError> {
    let pages = futures::stream::once(async move { Ok(rows(board)) }).boxed();
    download(file_type, LEADERBOARD, pages).await
}
