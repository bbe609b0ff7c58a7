//! The columns every checklist step table shares. Template items and subitems hold a
//! step's definition; instance items and subitems are snapshots of them (copied when a
//! checklist is created) plus the progress columns. The migration builds these tables
//! from one column list (`step_columns`, `instance_step`, `versioned`), and so do the
//! entities: sea-orm's `DeriveEntityModel` cannot embed a struct, so `item_table!`
//! writes each table's `Model` with the shared columns in the migration's order, and
//! from the same lists the row builders: `fields` (a row's item columns), `new` (a
//! template row) and `pending` (an instance row nobody has worked yet).

use sea_orm::entity::prelude::*;

/// Writes a step table's entity (`Model`, `Relation`, `ActiveModelBehavior`) and its
/// row builders. `keys` are the columns between `id` and the item columns; `own` the
/// table's columns after the shared ones (before `version` on instance tables), each
/// with its value in a new row.
macro_rules! item_table {
    // A template table: id, keys, the item columns, own columns, the timestamps.
    (template $table:tt {
        keys { $($key:ident: $key_ty:ty),* }
        own { $(pub $own:ident: $own_ty:ty = $new:expr),* }
    }) => {
        item_table!(@model $table, { $(pub $key: $key_ty,)* }, {
            $(pub $own: $own_ty,)*
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        });

        impl Model {
            /// A new row of `fields`, created at `now`.
            pub fn new(
                id: Uuid,
                $($key: $key_ty,)*
                fields: $crate::entity::item_columns::ItemFields,
                now: DateTimeUtc,
            ) -> Self {
                item_table!(@with_fields Self {
                    id,
                    $($key,)*
                    $($own: $new,)*
                    created_at: now,
                    updated_at: now,
                }, fields)
            }
        }
    };
    // An instance table: id, keys, the item columns, the schedule and progress
    // columns, own columns, the version and the timestamps.
    (instance $table:tt {
        keys { $($key:ident: $key_ty:ty),* }
        own { $(pub $own:ident: $own_ty:ty = $new:expr),* }
    }) => {
        item_table!(@model $table, { $(pub $key: $key_ty,)* }, {
            pub scheduled_at: Option<DateTimeUtc>,
            pub remind_at: Option<DateTimeUtc>,
            /// One of PENDING, IN_PROGRESS, COMPLETED, SKIPPED, FAILED.
            pub status: crate::stored::Stored<sentinelops_domain::checklist::ItemStatus>,
            pub started_by: Option<Uuid>,
            pub started_at: Option<DateTimeUtc>,
            pub completed_by: Option<Uuid>,
            pub completed_at: Option<DateTimeUtc>,
            pub skipped_reason: Option<String>,
            pub failure_reason: Option<String>,
            $(pub $own: $own_ty,)*
            /// Optimistic-locking counter.
            pub version: i32,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        });

        impl Model {
            /// A snapshot of `fields` that nobody has worked yet (the domain's pending
            /// step: PENDING, nothing stamped, version 1). The reminder is due
            /// `notify_before_minutes` before `scheduled_at`.
            pub fn pending(
                id: Uuid,
                $($key: $key_ty,)*
                fields: $crate::entity::item_columns::ItemFields,
                scheduled_at: Option<DateTimeUtc>,
                now: DateTimeUtc,
            ) -> Self {
                let sentinelops_domain::step::Step {
                    status, started_by, started_at, completed_by, completed_at,
                    skipped_reason, failure_reason, version, ..
                } = sentinelops_domain::step::Step::pending();
                let lead = chrono::Duration::minutes(i64::from(fields.notify_before_minutes.unwrap_or(0)));
                let remind_at = scheduled_at.map(|at| at - lead);
                item_table!(@with_fields Self {
                    id,
                    $($key,)*
                    scheduled_at,
                    remind_at,
                    status: crate::stored::Stored(status),
                    started_by,
                    started_at,
                    completed_by,
                    completed_at,
                    skipped_reason,
                    failure_reason,
                    $($own: $new,)*
                    version,
                    created_at: now,
                    updated_at: now,
                }, fields)
            }
        }
    };
    // The entity, and `fields`.
    (@model $table:tt, { $($head:tt)* }, { $($tail:tt)* }) => {
        item_table!(@struct
            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub id: Uuid,
                $($head)*
            } { $($tail)* }
        );

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        impl Model {
            /// This row's item columns.
            pub fn fields(&self) -> $crate::entity::item_columns::ItemFields {
                use $crate::entity::item_columns::ItemFields;
                let row = self.clone();
                item_table!(@with_fields ItemFields {}, row)
            }
        }
    };
    // The one list of the item columns, in the migration's `step_columns` order.
    (@struct $(#[$attr:meta])* $name:ident { $($head:tt)* } { $($tail:tt)* }) => {
        $(#[$attr])*
        pub struct $name {
            $($head)*
            pub title: String,
            pub description: Option<String>,
            /// One of ROUTINE, TIMED, SCHEDULED_EVENT, CONDITIONAL, INFORMATIONAL.
            pub item_type: crate::stored::Stored<sentinelops_domain::checklist::ItemType>,
            pub is_required: bool,
            pub has_exe_time: bool,
            /// 1 to 5 (checked on the template tables; instances copy it).
            pub severity: i32,
            pub sort_order: i32,
            pub scheduled_time: Option<Time>,
            pub notify_before_minutes: Option<i32>,
            $($tail)*
        }
    };
    // `$ty { $(other fields)*, ..$from }` for the item columns (Rust has no struct
    // update from a value of another type).
    (@with_fields $ty:ident { $($other:tt)* }, $from:ident) => {
        $ty {
            $($other)*
            title: $from.title,
            description: $from.description,
            item_type: $from.item_type,
            is_required: $from.is_required,
            has_exe_time: $from.has_exe_time,
            severity: $from.severity,
            sort_order: $from.sort_order,
            scheduled_time: $from.scheduled_time,
            notify_before_minutes: $from.notify_before_minutes,
        }
    };
}

pub(super) use item_table;

item_table!(@struct
    /// What a step is, as every step table stores it: a template row's definition,
    /// which an instance row copies.
    #[derive(Clone, Debug, PartialEq)]
    ItemFields {} {}
);
