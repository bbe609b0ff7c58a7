//! A notification as the original's channels carry it: the list API and the
//! notifications socket. Their `priority` knows low, medium and high only (the original
//! frontend shows anything else as medium), so a critical notification goes out as
//! `high`, and our finer level travels beside it in `priority_level`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::notifications::{Priority, ReceivedNotification};

/// The original's `NotificationResponse`, plus `priority_level`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NotificationJson {
    pub title: String,
    pub message: String,
    /// `low`, `medium` or `high` (critical is sent as high).
    pub priority: String,
    /// Ours: the stored level, `low`, `medium`, `high` or `critical`.
    pub priority_level: String,
    pub related_entity: Option<String>,
    pub related_id: Option<Uuid>,
    /// The notification's id (what `PATCH /notifications/{id}/read` takes).
    pub id: Uuid,
    /// The recipient.
    pub user_id: Uuid,
    /// Always null: role-targeted sends are resolved to users.
    pub role_id: Option<Uuid>,
    pub is_read: bool,
    pub created_at: DateTime<Utc>,
    /// When it was read, or else when it was created.
    pub updated_at: DateTime<Utc>,
}

/// (`priority`, `priority_level`) of a stored level.
fn levels(stored: &str) -> (String, String) {
    match Priority::parse(stored) {
        Some(level) => (level.on_original_channels().as_str().to_owned(), level.as_str().to_owned()),
        None => (stored.to_ascii_lowercase(), stored.to_ascii_lowercase()),
    }
}

impl From<ReceivedNotification> for NotificationJson {
    fn from(r: ReceivedNotification) -> Self {
        let ReceivedNotification { receipt, notification: n } = r;
        let (priority, priority_level) = levels(&n.priority);
        NotificationJson {
            title: n.title,
            message: n.message,
            priority,
            priority_level,
            related_entity: n.related_entity,
            related_id: n.related_id,
            id: n.id,
            user_id: receipt.user_id,
            role_id: None,
            is_read: receipt.is_read,
            created_at: n.created_at,
            updated_at: receipt.read_at.unwrap_or(n.created_at),
        }
    }
}

impl NotificationJson {
    /// A notification just sent, from its live event, as one recipient sees it (unread).
    pub fn from_live(payload: &Value, user_id: Uuid) -> NotificationJson {
        let text = |k: &str| payload.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let uuid = |k: &str| payload.get(k).and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok());
        let created_at = payload
            .get("timestamp")
            .and_then(|t| serde_json::from_value::<DateTime<Utc>>(t.clone()).ok())
            .unwrap_or_default();
        let (priority, priority_level) = levels(&text("priority"));
        NotificationJson {
            title: text("title"),
            message: text("message"),
            priority,
            priority_level,
            related_entity: payload.get("related_entity").and_then(Value::as_str).map(str::to_owned),
            related_id: uuid("related_id"),
            id: uuid("notification_id").unwrap_or_default(),
            user_id,
            role_id: None,
            is_read: false,
            created_at,
            updated_at: created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_goes_out_as_high_with_the_finer_level_beside_it() {
        let got: Vec<(String, String)> = ["low", "medium", "high", "critical", "CRITICAL"].map(levels).into();
        let want = [("low", "low"), ("medium", "medium"), ("high", "high"), ("high", "critical"), ("high", "critical")];
        assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
    }
}
