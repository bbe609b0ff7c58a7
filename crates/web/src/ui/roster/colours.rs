//! `/ui/roster/shift-colours.css`: each shift's colour as a class (`.shift-<id>`). The
//! page's policy forbids inline styles, so the colours an administrator picked arrive
//! as a style sheet; only `#rgb`/`#rrggbb` colours pass, anything else keeps the default.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/roster/shift-colours.css", get(colours))
}

/// `#rgb` or `#rrggbb`, else `None`.
pub fn safe_colour(colour: Option<&str>) -> Option<&str> {
    let c = colour?.trim();
    let hex = c.strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.chars().all(|ch| ch.is_ascii_hexdigit())).then_some(c)
}

async fn colours(State(state): State<AppState>, _user: UiUser) -> UiResult {
    let mut css = String::from("/* The shifts' colours (SentinelOps roster). */\n");
    for shift in state.app.list_shifts().await? {
        if let Some(colour) = safe_colour(shift.row.color.as_deref()) {
            css.push_str(&format!(".shift-{} {{ --shift-colour: {colour}; }}\n", shift.row.id));
        }
    }
    let mut response: Response = css.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_colour;

    #[test]
    fn only_hex_colours_reach_the_style_sheet() {
        assert_eq!(safe_colour(Some("#2563eb")), Some("#2563eb"));
        assert_eq!(safe_colour(Some(" #abc ")), Some("#abc"));
        for bad in ["red", "#12345", "#2563eb; } body { display:none", "#ggg", ""] {
            assert_eq!(safe_colour(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_colour(None), None);
    }
}
