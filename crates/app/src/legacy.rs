//! `sentinelops import-legacy DIR`: the original's file-era templates (JSON or YAML)
//! and instance files. Everything is read and checked first, then written in one
//! transaction: a malformed file is refused with its name and field, and nothing is
//! half-imported. Importing twice changes nothing; a dry run reports without writing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, ItemType};
use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftType;
use sentinelops_domain::{ActivityAction, Named, Role};
use sentinelops_store::Conn;
use sentinelops_store::repo::checklists::{
    self, ActivityRow, InstanceItemRow, InstanceRow, ItemFields, ParticipantRow,
};
use sentinelops_store::repo::org;
use sentinelops_store::repo::templates::{self, TemplateFilter};
use sentinelops_store::repo::users::{self, NewUser};

use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, stored_name};
use crate::shifts::window_of;
use crate::templates::{ItemInput, TemplateInput, TemplateSlot};
use crate::tx::commit;
use crate::{App, password};

/// A file-era template (`templates/{SHIFT}/N.json|yaml`).
#[derive(Debug, Deserialize)]
struct LegacyTemplate {
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<i32>,
    shift: String,
    name: String,
    items: Vec<LegacyTemplateItem>,
}

/// An item as the file-era formats write it: in a template, where `id` (a key, not
/// kept) is required, or as an instance item's `item` / `template_item` body, where
/// an `id` may stand and is not read.
#[derive(Debug, Clone, Deserialize)]
struct LegacyItem<Id> {
    #[allow(dead_code)]
    id: Id,
    title: String,
    description: Option<String>,
    item_type: String,
    #[serde(default = "yes")]
    is_required: bool,
    scheduled_time: Option<String>,
    notify_before_minutes: Option<i32>,
    severity: Option<i32>,
    sort_order: Option<i32>,
}

/// A template's item (its file-era key is required).
type LegacyTemplateItem = LegacyItem<String>;
/// An instance item's copy of its item (any `id` in it is ignored).
type LegacyItemBody = LegacyItem<Option<IgnoredAny>>;

fn yes() -> bool {
    true
}

/// A file-era instance (`instances/{uuid}.json`).
#[derive(Debug, Deserialize)]
struct LegacyInstance {
    id: Uuid,
    checklist_date: NaiveDate,
    shift: String,
    status: String,
    created_at: String,
    items: Vec<LegacyInstanceItem>,
    #[serde(default)]
    participants: Vec<LegacyParticipant>,
}

#[derive(Debug, Deserialize)]
struct LegacyInstanceItem {
    id: Uuid,
    #[allow(dead_code)]
    template_item_key: Option<String>,
    status: String,
    item: Option<LegacyItemBody>,
    template_item: Option<LegacyItemBody>,
    completed_by: Option<LegacyUser>,
    completed_at: Option<String>,
    skipped_reason: Option<String>,
    failure_reason: Option<String>,
    #[serde(default)]
    activities: Vec<LegacyActivity>,
}

#[derive(Debug, Clone, Deserialize)]
struct LegacyUser {
    /// A UUID, or a file-era key such as "system" (then the username identifies).
    id: Option<String>,
    username: String,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LegacyActivity {
    id: Uuid,
    action: String,
    actor: Option<LegacyUser>,
    user: Option<LegacyUser>,
    timestamp: Option<String>,
    created_at: Option<String>,
    comment: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LegacyParticipant {
    user_id: Option<Uuid>,
    user: Option<LegacyUser>,
    joined_at: Option<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub templates_created: Vec<String>,
    pub templates_unchanged: Vec<String>,
    pub instances_created: Vec<String>,
    pub instances_unchanged: Vec<String>,
    pub users_created: Vec<String>,
    pub files_ignored: Vec<String>,
    pub dry_run: bool,
}

/// A parsed file, checked.
enum Parsed {
    Template { rel: String, t: LegacyTemplate },
    Instance { rel: String, i: LegacyInstance },
}

fn parse_file<T: DeserializeOwned>(path: &Path, rel: &str) -> AppResult<T> {
    let text = std::fs::read_to_string(path).map_err(|e| invalid(format!("{rel}: cannot read the file: {e}")))?;
    let is_yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    if is_yaml {
        let de = serde_yaml_ng::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(de).map_err(|e| invalid(format!("{rel}: field `{}`: {}", e.path(), e.inner())))
    } else {
        let mut de = serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| invalid(format!("{rel}: field `{}`: {}", e.path(), e.inner())))
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_in(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Naive file-era timestamps were written in the business time zone.
fn local_time(rel: &str, field: &str, value: &str, tz: Tz) -> AppResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|_| invalid(format!("{rel}: field `{field}`: {value:?} is not a date and time")))?;
    Ok(tz
        .from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc)))
}

fn check_status<T>(rel: &str, field: &str, value: &str, parse: impl Fn(&str) -> Option<T>) -> AppResult<T> {
    parse(value).ok_or_else(|| invalid(format!("{rel}: field `{field}`: unknown status {value:?}")))
}

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn import_legacy(&self, dir: &Path, section_name: &str, dry_run: bool) -> AppResult<ImportReport> {
        if !dir.is_dir() {
            return Err(invalid(format!("{} is not a folder", dir.display())));
        }
        let mut report = ImportReport { dry_run, ..ImportReport::default() };
        let mut parsed = Vec::new();
        for path in files_in(dir) {
            let rel = path.strip_prefix(dir).unwrap_or(&path).display().to_string();
            let top = rel.split(['/', '\\']).next().unwrap_or("");
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            match (top, ext) {
                ("templates", "json" | "yaml" | "yml") => {
                    parsed.push(Parsed::Template { t: parse_file(&path, &rel)?, rel })
                }
                ("instances", "json") => parsed.push(Parsed::Instance { i: parse_file(&path, &rel)?, rel }),
                _ => report.files_ignored.push(rel),
            }
        }
        let reader = self.store.reader();
        let section = org::find_section_by_name(reader, section_name)
            .await?
            .ok_or_else(|| invalid(format!("No section named {section_name:?}: create it first (or load the demo)")))?;
        let tz = self.business_timezone().await?;
        let now = self.clock.now();
        let system = Actor::system();
        let placeholder_hash = password::hash(self.config.password_hashing, password::random_secret()).await?;

        let tx = self.store.begin_write().await?;
        // Templates first: instances attach to their shift's template.
        for p in &parsed {
            let Parsed::Template { rel, t } = p else { continue };
            let shift = ShiftType::parse(&t.shift)
                .ok_or_else(|| invalid(format!("{rel}: field `shift`: unknown shift {:?}", t.shift)))?;
            let source = format!("Imported from {rel}");
            let filter = TemplateFilter {
                section_id: Some(section.id),
                shift: Some(shift.as_str().to_owned()),
                active_only: false,
            };
            if templates::list_templates(&tx, &filter)
                .await?
                .iter()
                .any(|e| e.description.as_deref() == Some(source.as_str()))
            {
                report.templates_unchanged.push(rel.clone());
                continue;
            }
            let items = t
                .items
                .iter()
                .map(|i| ItemInput {
                    id: None,
                    title: Some(i.title.clone()),
                    description: i.description.clone().map(|d| d.trim().to_owned()),
                    item_type: Some(i.item_type.clone()),
                    is_required: Some(i.is_required),
                    scheduled_time: i.scheduled_time.clone(),
                    notify_before_minutes: i.notify_before_minutes,
                    severity: i.severity,
                    sort_order: i.sort_order,
                    ..ItemInput::default()
                })
                .collect();
            let input = TemplateInput {
                description: Some(source.clone()),
                items: Some(items),
                is_active: Some(true),
                ..TemplateInput::default()
            };
            self.create_template_in(
                &tx,
                &system,
                TemplateSlot { section_id: section.id, shift, name: t.name.clone() },
                input,
                now,
            )
            .await
            .map_err(|e| match e {
                AppError::Validation(m) => invalid(format!("{rel}: {m}")),
                other => other,
            })?;
            report.templates_created.push(rel.clone());
        }
        let mut people: HashMap<String, Uuid> = HashMap::new();
        // Participants are named by id only: learn who each id is from every file first.
        let mut named: HashMap<Uuid, LegacyUser> = HashMap::new();
        for p in &parsed {
            let Parsed::Instance { i, .. } = p else { continue };
            for item in &i.items {
                let authors = item.activities.iter().filter_map(|a| a.actor.as_ref().or(a.user.as_ref()));
                for u in authors.chain(item.completed_by.iter()) {
                    if let Some(id) = u.id.as_deref().and_then(|i| i.parse::<Uuid>().ok()) {
                        named.entry(id).or_insert_with(|| u.clone());
                    }
                }
            }
        }
        for p in &parsed {
            let Parsed::Instance { rel, i } = p else { continue };
            if checklists::find_instance(&tx, i.id).await?.is_some() {
                report.instances_unchanged.push(rel.clone());
                continue;
            }
            let shift = ShiftType::parse(&i.shift)
                .ok_or_else(|| invalid(format!("{rel}: field `shift`: unknown shift {:?}", i.shift)))?;
            if checklists::find_by_slot(&tx, section.id, i.checklist_date, shift).await?.is_some() {
                return Err(invalid(format!(
                    "{rel}: a {shift} checklist for {} already exists in {section_name}",
                    i.checklist_date
                )));
            }
            let status = check_status(rel, "status", &i.status, InstanceStatus::parse)?;
            let template = crate::checklists::active_template(&tx, section.id, shift).await?.ok_or_else(|| {
                invalid(format!("{rel}: no {shift} template in {section_name} to attach the checklist to"))
            })?;
            let window = window_of(&tx, shift).await?;
            let created_at = local_time(rel, "created_at", &i.created_at, tz)?;
            let bounds = window.bounds(i.checklist_date, tz);
            let row = InstanceRow {
                status: status.into(),
                created_at,
                ..InstanceRow::open(i.id, &template, i.checklist_date, shift, bounds, now)
            };
            checklists::insert_instance(&tx, row).await?;
            let mut rows = Vec::new();
            let mut activity = Vec::new();
            for (n, item) in i.items.iter().enumerate() {
                let field = |f: &str| format!("items[{n}].{f}");
                let body = item
                    .item
                    .clone()
                    .or_else(|| item.template_item.clone())
                    .ok_or_else(|| invalid(format!("{rel}: field `{}`: missing", field("item"))))?;
                let item_status = check_status(rel, &field("status"), &item.status, ItemStatus::parse)?;
                let completed_by = match &item.completed_by {
                    Some(u) => Some(self.legacy_user(&tx, u, &placeholder_hash, &mut people, &mut report, now).await?),
                    None => None,
                };
                let completed_at =
                    item.completed_at.as_deref().map(|t| local_time(rel, &field("completed_at"), t, tz)).transpose()?;
                let scheduled_time = body
                    .scheduled_time
                    .as_deref()
                    .map(|t| crate::shifts::parse_time(&field("scheduled_time"), t))
                    .transpose()?;
                let scheduled_at = scheduled_time.map(|t| window.resolve(i.checklist_date, t, tz));
                let fields = ItemFields {
                    title: body.title.clone(),
                    description: body.description.clone().map(|d| d.trim().to_owned()),
                    item_type: stored_name::<ItemType>(&body.item_type)?.into(),
                    is_required: body.is_required,
                    has_exe_time: false,
                    severity: body.severity.unwrap_or(1).clamp(1, 5),
                    sort_order: body.sort_order.unwrap_or(i32::try_from(n).unwrap_or(0) * 100),
                    scheduled_time,
                    notify_before_minutes: body.notify_before_minutes,
                };
                // The file's progress on a pending snapshot of its item.
                rows.push(InstanceItemRow {
                    status: item_status.into(),
                    completed_by,
                    completed_at,
                    skipped_reason: item.skipped_reason.clone(),
                    failure_reason: item.failure_reason.clone(),
                    updated_at: now,
                    ..InstanceItemRow::pending(item.id, i.id, None, fields, scheduled_at, created_at)
                });
                for (k, a) in item.activities.iter().enumerate() {
                    let who = a.actor.as_ref().or(a.user.as_ref()).ok_or_else(|| {
                        invalid(format!("{rel}: field `{}`: no actor", field(&format!("activities[{k}]"))))
                    })?;
                    let when = a.timestamp.as_deref().or(a.created_at.as_deref()).ok_or_else(|| {
                        invalid(format!("{rel}: field `{}`: no timestamp", field(&format!("activities[{k}]"))))
                    })?;
                    activity.push(ActivityRow {
                        id: a.id,
                        instance_id: i.id,
                        instance_item_id: item.id,
                        instance_subitem_id: None,
                        user_id: self.legacy_user(&tx, who, &placeholder_hash, &mut people, &mut report, now).await?,
                        action: a.action.clone(),
                        from_status: None,
                        to_status: None,
                        comment: a.comment.clone().or_else(|| a.notes.clone()),
                        reason: None,
                        duration_ms: None,
                        created_at: local_time(rel, &field(&format!("activities[{k}].timestamp")), when, tz)?,
                    });
                }
            }
            checklists::insert_items(&tx, rows).await?;
            for a in activity {
                if ActivityAction::from_name(&a.action).is_none() {
                    return Err(invalid(format!("{rel}: activity action {:?} is unknown", a.action)));
                }
                checklists::insert_activity(&tx, a).await?;
            }
            for (k, p) in i.participants.iter().enumerate() {
                let user = match (&p.user, p.user_id) {
                    (Some(u), _) => self.legacy_user(&tx, u, &placeholder_hash, &mut people, &mut report, now).await?,
                    (None, Some(id)) => match users::find(&tx, id).await? {
                        Some(u) => u.id,
                        None if named.contains_key(&id) => {
                            let u = named.get(&id).cloned().ok_or_else(|| invalid("unreachable"))?;
                            self.legacy_user(&tx, &u, &placeholder_hash, &mut people, &mut report, now).await?
                        }
                        // An id alone names nobody we know: keep the record as an inactive placeholder.
                        None => {
                            let short: String = id.simple().to_string().chars().take(8).collect();
                            let u = LegacyUser {
                                id: Some(id.to_string()),
                                username: format!("legacy-{short}"),
                                email: None,
                                first_name: None,
                                last_name: None,
                            };
                            self.legacy_user(&tx, &u, &placeholder_hash, &mut people, &mut report, now).await?
                        }
                    },
                    (None, None) => return Err(invalid(format!("{rel}: field `participants[{k}]`: no user"))),
                };
                let joined = p
                    .joined_at
                    .as_deref()
                    .map(|t| local_time(rel, &format!("participants[{k}].joined_at"), t, tz))
                    .transpose()?;
                checklists::add_participant(
                    &tx,
                    ParticipantRow {
                        id: new_id(),
                        instance_id: i.id,
                        user_id: user,
                        joined_at: joined.unwrap_or(created_at),
                    },
                )
                .await?;
            }
            record_ops(
                &tx,
                now,
                &system,
                OpsEvent {
                    event_type: "CHECKLIST_CREATED",
                    entity_type: "CHECKLIST_INSTANCE",
                    entity_id: i.id.to_string(),
                    section_id: Some(section.id),
                    payload: json!({ "instance_id": i.id, "imported_from": rel, "checklist_date": i.checklist_date, "shift": shift.as_str() }),
                },
            )
            .await?;
            report.instances_created.push(rel.clone());
        }
        if dry_run {
            drop(tx);
        } else {
            commit(tx).await?;
        }
        Ok(report)
    }

    /// The user a file names: found by username (or id), else created inactive so the
    /// record keeps its author without granting anyone access.
    async fn legacy_user(
        &self,
        c: &impl Conn,
        who: &LegacyUser,
        hash: &str,
        cache: &mut HashMap<String, Uuid>,
        report: &mut ImportReport,
        now: DateTime<Utc>,
    ) -> AppResult<Uuid> {
        let username = who.username.trim().to_lowercase();
        if let Some(id) = cache.get(&username) {
            return Ok(*id);
        }
        let known_id = who.id.as_deref().and_then(|i| i.parse::<Uuid>().ok());
        let found = match known_id {
            Some(id) => users::find(c, id).await?,
            None => None,
        };
        let found = match found {
            Some(u) => Some(u),
            None => users::find_by_login(c, &username).await?,
        };
        let id = match found {
            Some(u) => u.id,
            None => {
                let email = match &who.email {
                    Some(e) if users::find_by_login(c, &e.to_lowercase()).await?.is_none() => Some(e.to_lowercase()),
                    _ => None,
                };
                let user = users::insert(
                    c,
                    NewUser {
                        id: known_id.unwrap_or_else(new_id),
                        username: username.clone(),
                        email,
                        first_name: who.first_name.clone().unwrap_or_else(|| username.clone()),
                        last_name: who.last_name.clone().unwrap_or_default(),
                        position: "Imported".into(),
                        password_hash: hash.to_owned(),
                        role: Role::User,
                        department_id: None,
                        section_id: None,
                        is_active: false,
                        created_by: None,
                        now,
                        auth_source: sentinelops_domain::directory::AuthSource::Local,
                        external_id: None,
                    },
                )
                .await?;
                report.users_created.push(username.clone());
                user.id
            }
        };
        cache.insert(username, id);
        Ok(id)
    }
}
