//! `gamification_scores`: the append-only points ledger (see the `points_ledger`
//! migration and `sentinelops_domain::scoring`). Enum columns hold the domain spellings.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "gamification_scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub instance_id: Option<Uuid>,
    /// The item, subitem or handover note the row is about.
    pub subject_id: Option<Uuid>,
    /// `ScoreKind`.
    pub kind: String,
    /// `LedgerState`.
    pub state: String,
    /// The original's `ScoreReason`.
    pub reason: String,
    pub points: i32,
    /// Units of `kind` this row adds (negative in a reversal, 0 when it counts nothing).
    pub quantity: i32,
    pub activity_date: Date,
    pub shift: Option<String>,
    pub section_id: Option<Uuid>,
    /// The rule's inputs, a refusal's reason, what a reversal undoes.
    pub metadata: Json,
    /// Who awarded it: the supervisor of an adjustment or a sign-off.
    pub awarded_by: Option<Uuid>,
    pub awarded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// A row of `kind` in `state` for `user_id` on `activity_date` that pays nothing and
    /// counts nothing yet: callers set `points`/`quantity` (see `paying`), the checklist,
    /// subject, shift, section and metadata as the rule says.
    pub fn new(
        user_id: Uuid,
        kind: sentinelops_domain::scoring::ScoreKind,
        state: sentinelops_domain::scoring::LedgerState,
        activity_date: Date,
        now: DateTimeUtc,
    ) -> Model {
        Model {
            id: sentinelops_domain::ids::new_id(),
            user_id,
            instance_id: None,
            subject_id: None,
            kind: kind.as_str().to_owned(),
            state: state.as_str().to_owned(),
            reason: kind.reason().as_str().to_owned(),
            points: 0,
            quantity: 0,
            activity_date,
            shift: None,
            section_id: None,
            metadata: serde_json::json!({}),
            awarded_by: None,
            awarded_at: now,
        }
    }

    /// The same row with these points and units.
    pub fn paying(self, points: i32, quantity: i32) -> Model {
        Model { points, quantity, ..self }
    }
}
