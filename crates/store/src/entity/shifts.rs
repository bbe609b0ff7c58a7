//! `shifts`: the three shifts of the day (seeded by the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Unique: MORNING, AFTERNOON or NIGHT.
    pub name: String,
    pub start_time: Time,
    pub end_time: Time,
    pub timezone: Option<String>,
    pub color: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
