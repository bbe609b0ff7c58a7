//! `shift_swaps`: an operator's offer of one rostered shift, its taker and its decision.

use sea_orm::entity::prelude::*;
use sentinelops_domain::swap::SwapStatus;

use crate::stored::Stored;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shift_swaps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub section_id: Uuid,
    pub date: Date,
    pub shift_id: i32,
    pub offered_by: Uuid,
    /// A directed offer's colleague; `None`: open to the section.
    pub offered_to: Option<Uuid>,
    pub taken_by: Option<Uuid>,
    pub status: Stored<SwapStatus>,
    pub note: Option<String>,
    /// Completed on acceptance (the section needed no approval).
    pub auto_approved: bool,
    pub decided_by: Option<Uuid>,
    pub decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
