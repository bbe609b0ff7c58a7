//! `alert_events`: the timeline of an alert (opened, repeated, each level notified,
//! acknowledged, resolved).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alert_id: Uuid,
    pub at: DateTimeUtc,
    /// OPENED, REPEATED, NOTIFIED, ACKNOWLEDGED or RESOLVED.
    pub kind: String,
    /// The alert's level at the event.
    pub level: i32,
    pub actor_id: Option<Uuid>,
    /// Who, as shown (a user's name or an on-call address).
    pub actor_name: Option<String>,
    /// What was notified, or the resolution note.
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
