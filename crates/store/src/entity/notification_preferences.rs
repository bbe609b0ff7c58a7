//! `notification_preferences`: per-user notification preferences.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub email_enabled: bool,
    pub push_enabled: bool,
    pub desktop_enabled: bool,
    pub sms_enabled: bool,
    pub quiet_hours_start: Option<Time>,
    pub quiet_hours_end: Option<Time>,
    pub categories: Json,
    /// The shift report mailed at sign-off; `None`: the role's default (on for managers).
    pub shift_report_email: Option<bool>,
    /// The daily shift digest; `None`: off.
    pub daily_digest_email: Option<bool>,
    /// The priorities e-mailed, a comma list (low,medium,high,critical); `None`: all four.
    pub email_priorities: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
