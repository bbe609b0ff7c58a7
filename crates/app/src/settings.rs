//! Application settings: the business time zone (readable by everyone, changed by
//! admins, audited).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use uuid::Uuid;

use sentinelops_store::repo::{settings, users};

use crate::App;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppResult, forbidden, invalid};
use crate::tx::commit;

const TIMEZONE_KEY: &str = "business_timezone";

/// Zones offered first in pickers.
pub const RECOMMENDED_TIMEZONES: [&str; 8] = [
    "Africa/Harare",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
];

/// Who set a setting in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetBy {
    /// Nobody: the value comes from configuration (flag, environment or file).
    Configuration,
    /// Stored without a user (the CLI, an import).
    System,
    /// A user, by id and username (the id alone when the account is gone).
    User { id: Uuid, username: Option<String> },
}

/// The business time zone in force and where it comes from (the original's
/// `/app-settings/timezone` answer is built from it).
#[derive(Debug, Clone)]
pub struct TimezoneSetting {
    pub timezone: String,
    pub default_timezone: String,
    pub recommended_timezones: Vec<&'static str>,
    pub updated_by: SetBy,
    pub updated_at: Option<DateTime<Utc>>,
    pub server_utc: DateTime<Utc>,
    pub server_local: String,
}

/// The configured default zone of the application built last in this process (one
/// configuration per process): code without an `App` at hand, such as the e-mail
/// queueing inside `notifications::send`, falls back to it as `App` methods do.
static CONFIGURED_DEFAULT: std::sync::RwLock<Tz> = std::sync::RwLock::new(Tz::UTC);

/// Records the configured default zone (`App::new` calls it).
pub(crate) fn register_default_timezone(zone: Tz) {
    let mut current = CONFIGURED_DEFAULT.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    *current = zone;
}

/// The business time zone read through `c`, without an `App`: the stored setting, or
/// the configured default.
pub(crate) async fn business_timezone_of(c: &impl sentinelops_store::Conn) -> AppResult<Tz> {
    let configured = *CONFIGURED_DEFAULT.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(stored_timezone(c).await?.unwrap_or(configured))
}

/// The stored business time zone, if one was set (and names a known zone).
async fn stored_timezone(c: &impl sentinelops_store::Conn) -> AppResult<Option<Tz>> {
    let row = settings::get(c, TIMEZONE_KEY).await?;
    Ok(row.and_then(|r| r.value.as_str().and_then(|name| name.parse::<Tz>().ok())))
}

impl App {
    /// The business time zone in force.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn business_timezone(&self) -> AppResult<Tz> {
        self.business_timezone_in(self.store.reader()).await
    }

    /// The business time zone read through `c` (inside a transaction, use its connection:
    /// on PostgreSQL a second connection could wait on a pool the transaction holds).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn business_timezone_in(&self, c: &impl sentinelops_store::Conn) -> AppResult<Tz> {
        Ok(stored_timezone(c).await?.unwrap_or(self.config.default_timezone))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn timezone_setting(&self) -> AppResult<TimezoneSetting> {
        let row = settings::get(self.store.reader(), TIMEZONE_KEY).await?;
        let zone = row
            .as_ref()
            .and_then(|r| r.value.as_str().and_then(|name| name.parse::<Tz>().ok()))
            .unwrap_or(self.config.default_timezone);
        let updated_by = match row.as_ref().map(|r| r.updated_by) {
            None => SetBy::Configuration,
            Some(None) => SetBy::System,
            Some(Some(id)) => {
                let username = users::find(self.store.reader(), id).await?.map(|u| u.username);
                SetBy::User { id, username }
            }
        };
        let now = self.clock.now();
        Ok(TimezoneSetting {
            timezone: zone.name().to_owned(),
            default_timezone: self.config.default_timezone.name().to_owned(),
            recommended_timezones: RECOMMENDED_TIMEZONES.to_vec(),
            updated_by,
            updated_at: row.map(|r| r.updated_at),
            server_utc: now,
            server_local: now.with_timezone(&zone).to_rfc3339(),
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_timezone(&self, actor: &Actor, name: &str) -> AppResult<TimezoneSetting> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can change the business time zone"));
        }
        let zone: Tz = name.trim().parse().map_err(|_| invalid(format!("Unknown IANA time zone {name:?}")))?;
        let previous = self.business_timezone().await?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        settings::put(&tx, TIMEZONE_KEY, json!(zone.name()), actor.recorded_id(), now).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "SETTING_UPDATED",
                entity_type: "APP_SETTING",
                entity_id: TIMEZONE_KEY.to_owned(),
                section_id: None,
                payload: json!({ "key": TIMEZONE_KEY, "from": previous.name(), "to": zone.name() }),
            },
        )
        .await?;
        commit(tx).await?;
        self.timezone_setting().await
    }
}
