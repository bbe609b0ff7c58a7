//! Who may receive the report mails (the shift report at sign-off, the daily digest):
//! the active supervisors with an e-mail address, each with the preferences that decide
//! whether they get one. The decision itself is the app's (role defaults live there).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use sentinelops_domain::{Role, Supervisors};
use uuid::Uuid;

use crate::Conn;
use crate::entity::{notification_preferences as prefs, users};
use crate::error::StoreResult;
use crate::stored::names;

/// A supervisor and the preferences that concern report mails (`None`: no saved row).
#[derive(Debug, Clone)]
pub struct ReportRecipient {
    pub user_id: Uuid,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub section_id: Option<Uuid>,
    pub email_enabled: Option<bool>,
    pub shift_report_email: Option<bool>,
    pub daily_digest_email: Option<bool>,
}

/// The active users with an address who supervise `section` under `rule` (every
/// section's supervisors when `section` is `None`), ordered by id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn supervisors_with_preferences(
    c: &impl Conn,
    rule: Supervisors,
    section: Option<Uuid>,
) -> StoreResult<Vec<ReportRecipient>> {
    let own_section = match section {
        Some(section_id) => Condition::all()
            .add(users::Column::Role.is_in(names(rule.own_section)))
            .add(users::Column::SectionId.eq(section_id)),
        None => Condition::all().add(users::Column::Role.is_in(names(rule.own_section))),
    };
    let found = users::Entity::find()
        .filter(users::Column::IsActive.eq(true))
        .filter(users::Column::Email.is_not_null())
        .filter(Condition::any().add(users::Column::Role.is_in(names(rule.everywhere))).add(own_section))
        .order_by_asc(users::Column::Id)
        .all(c)
        .await?;
    let mut saved: HashMap<Uuid, prefs::Model> = HashMap::new();
    for chunk in found.chunks(1000) {
        let rows = prefs::Entity::find().filter(prefs::Column::UserId.is_in(chunk.iter().map(|u| u.id))).all(c).await?;
        saved.extend(rows.into_iter().map(|p| (p.user_id, p)));
    }
    Ok(found
        .into_iter()
        .filter_map(|user| {
            let email = user.email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty())?;
            let p = saved.get(&user.id);
            Some(ReportRecipient {
                user_id: user.id,
                username: user.username,
                email,
                role: user.role.get(),
                section_id: user.section_id,
                email_enabled: p.map(|p| p.email_enabled),
                shift_report_email: p.and_then(|p| p.shift_report_email),
                daily_digest_email: p.and_then(|p| p.daily_digest_email),
            })
        })
        .collect())
}
