//! Checklist templates per section: the demo set (templates.json: hierarchical MORNING,
//! AFTERNOON and NIGHT) plus a large flat MORNING variant (the January 2026 dump's
//! 28 items, 10 of them TIMED). Odd sections run the hierarchical MORNING, even ones the
//! flat one; the other MORNING template stays inactive.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use sentinelops_domain::Named;
use sentinelops_domain::checklist::ItemType;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::entity::item_columns::ItemFields;
use sentinelops_store::entity::{
    checklist_template_items, checklist_template_scheduled_events, checklist_template_subitems, checklist_templates,
};
use sentinelops_store::repo::rows::insert_all;
use sentinelops_store::{Store, Tx};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::org::Org;
use super::rng::Gen;
use super::sink::Tally;

const DEMO_TEMPLATES: &str = include_str!("../../../app/src/demo/templates.json");

#[derive(Debug, Clone, Deserialize)]
struct Spec {
    name: String,
    shift: String,
    description: Option<String>,
    items: Vec<StepSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct StepSpec {
    title: String,
    description: Option<String>,
    item_type: Option<String>,
    severity: Option<i32>,
    has_exe_time: Option<bool>,
    is_required: Option<bool>,
    scheduled_time: Option<String>,
    notify_before_minutes: Option<i32>,
    #[serde(default)]
    subitems: Vec<StepSpec>,
}

/// A template item as instances copy it: its row, its subitems' and its events.
#[derive(Debug, Clone)]
pub struct Step {
    pub item: checklist_template_items::Model,
    pub subitems: Vec<checklist_template_subitems::Model>,
    pub events: Vec<checklist_template_scheduled_events::Model>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub version: i32,
    pub items: Vec<Step>,
}

/// The active template of each shift of one section.
#[derive(Debug, Clone)]
pub struct SectionTemplates {
    pub morning: Template,
    pub afternoon: Template,
    pub night: Template,
}

impl SectionTemplates {
    pub fn of(&self, shift: ShiftType) -> &Template {
        match shift {
            ShiftType::Morning => &self.morning,
            ShiftType::Afternoon => &self.afternoon,
            ShiftType::Night => &self.night,
        }
    }
}

fn step(title: &str, item_type: &str, at: Option<(u32, u32, i32)>) -> StepSpec {
    StepSpec {
        title: title.to_owned(),
        item_type: Some(item_type.to_owned()),
        severity: Some(5),
        scheduled_time: at.map(|(h, m, _)| format!("{h:02}:{m:02}")),
        notify_before_minutes: at.map(|(_, _, lead)| lead),
        ..StepSpec::default()
    }
}

/// The flat MORNING variant (§5 B): 28 items, 10 TIMED, 4 CONDITIONAL, 14 ROUTINE, plus
/// one SCHEDULED_EVENT item whose change window is copied into every checklist.
fn flat_morning() -> Spec {
    let mut items = vec![step("Attend to handover notes", "CONDITIONAL", None)];
    let uptime = "Share Systems Uptime Status via email & WhatsApp";
    items.push(step(uptime, "TIMED", Some((7, 0, 5))));
    items.push(step("Extract All-Accounts List and upload to Trustlink STP", "TIMED", Some((7, 40, 0))));
    let routine = [
        "IDC OF services check",
        "System exceptions, locks and logs",
        "Disk space for apps and databases",
        "RTGS folder monitoring enabled",
        "RTGS acceleration disabled",
        "RTGS folder mounts on the IDC app servers",
        "RTGS folder mounts on the Mobile Banking server",
        "SWIFT mounts",
        "Incoming and outgoing RTGS settling",
        "iSupport issues",
        "USSD and Mobile Banking (balance enquiry)",
        "Wallet and Digi-Loans",
        "D365 server",
        "Card switch uptime",
    ];
    for (n, title) in routine.iter().enumerate() {
        items.push(step(title, "ROUTINE", None));
        if let Some(hour) = u32::try_from(n).ok().map(|n| n + 8).filter(|h| *h <= 14) {
            items.push(step(&format!("{uptime} ({hour:02}:00)"), "TIMED", Some((hour, 0, 5))));
        }
    }
    items.push(step(&format!("{uptime} (14:55)"), "TIMED", Some((14, 55, 5))));
    for title in ["Escalate DB issues to DBAs", "Escalate infrastructure issues", "Implement approved change requests"]
    {
        items.push(step(title, "CONDITIONAL", None));
    }
    items.push(step("Core banking patch window", "SCHEDULED_EVENT", None));
    Spec {
        name: "ICT Operations Day Shift (Morning)".into(),
        shift: "MORNING".into(),
        description: Some("Flat morning checklist: hourly uptime posts and core checks.".into()),
        items,
    }
}

fn parse_time(value: Option<&str>) -> anyhow::Result<Option<NaiveTime>> {
    value.map(|v| NaiveTime::parse_from_str(v, "%H:%M").with_context(|| format!("bad time {v:?}"))).transpose()
}

/// Rows to insert for one template, and what instances copy.
#[derive(Default)]
struct Rows {
    templates: Vec<checklist_templates::Model>,
    items: Vec<checklist_template_items::Model>,
    subitems: Vec<checklist_template_subitems::Model>,
    events: Vec<checklist_template_scheduled_events::Model>,
}

struct Ctx<'a> {
    g: &'a mut Gen,
    rows: &'a mut Rows,
    at: DateTime<Utc>,
    author: Uuid,
}

/// The item columns of the step `spec` at `position` (subitems default to a higher
/// severity).
fn fields(spec: &StepSpec, position: usize, sub: bool) -> anyhow::Result<ItemFields> {
    let item_type = match spec.item_type.as_deref() {
        None => ItemType::Routine,
        Some(name) => ItemType::parse(name).ok_or_else(|| anyhow::anyhow!("unknown item type {name:?}"))?,
    };
    Ok(ItemFields {
        title: spec.title.clone(),
        description: spec.description.clone(),
        item_type: item_type.into(),
        is_required: spec.is_required.unwrap_or(true),
        has_exe_time: spec.has_exe_time.unwrap_or(false),
        severity: spec.severity.unwrap_or(if sub { 4 } else { 3 }),
        sort_order: i32::try_from(position + 1).unwrap_or(i32::MAX).saturating_mul(100),
        scheduled_time: parse_time(spec.scheduled_time.as_deref())?,
        notify_before_minutes: spec.notify_before_minutes,
    })
}

fn build_step(ctx: &mut Ctx<'_>, template: Uuid, spec: &StepSpec, position: usize) -> anyhow::Result<Step> {
    let item =
        checklist_template_items::Model::new(ctx.g.id_at(ctx.at), template, fields(spec, position, false)?, ctx.at);
    let mut step = Step { item, subitems: Vec::new(), events: Vec::new() };
    for (n, s) in spec.subitems.iter().enumerate() {
        let id = ctx.g.id_at(ctx.at);
        step.subitems.push(checklist_template_subitems::Model::new(id, step.item.id, fields(s, n, true)?, ctx.at));
    }
    if *step.item.item_type == ItemType::ScheduledEvent {
        step.events.push(checklist_template_scheduled_events::Model {
            id: ctx.g.id_at(ctx.at),
            template_item_id: step.item.id,
            event_datetime: ctx.at + Duration::days(1) + Duration::hours(10),
            notify_before_minutes: 30,
            notify_roles: Some(json!(["manager", "user"])),
            notify_all: false,
            created_by: Some(ctx.author),
            created_at: ctx.at,
        });
    }
    ctx.rows.items.push(step.item.clone());
    ctx.rows.subitems.extend(step.subitems.iter().cloned());
    ctx.rows.events.extend(step.events.iter().cloned());
    Ok(step)
}

fn build(ctx: &mut Ctx<'_>, section: Uuid, spec: &Spec, active: bool) -> anyhow::Result<Template> {
    let id = ctx.g.id_at(ctx.at);
    let shift = ShiftType::from_name(&spec.shift).with_context(|| format!("unknown shift {:?}", spec.shift))?;
    ctx.rows.templates.push(checklist_templates::Model {
        id,
        name: spec.name.clone(),
        description: spec.description.clone(),
        shift: shift.into(),
        section_id: section,
        is_active: active,
        version: 1,
        created_by: Some(ctx.author),
        created_at: ctx.at,
        updated_by: None,
        updated_at: ctx.at,
    });
    let mut items = Vec::new();
    for (n, item) in spec.items.iter().enumerate() {
        items.push(build_step(ctx, id, item, n)?);
    }
    Ok(Template { id, name: spec.name.clone(), description: spec.description.clone(), version: 1, items })
}

fn find<'a>(specs: &'a [Spec], shift: &str) -> anyhow::Result<&'a Spec> {
    specs.iter().find(|s| s.shift == shift).with_context(|| format!("templates.json has no {shift} template"))
}

/// Creates every section's templates; returns the active ones, in section order.
pub async fn create(
    store: &Store,
    g: &mut Gen,
    org: &Org,
    at: DateTime<Utc>,
    tally: &mut Tally,
) -> anyhow::Result<Vec<SectionTemplates>> {
    let specs: Vec<Spec> = serde_json::from_str(DEMO_TEMPLATES).context("parsing the demo templates")?;
    let flat = flat_morning();
    let author = org.admins.first().map(|a| a.id).context("no admin")?;
    let mut rows = Rows::default();
    let mut out = Vec::new();
    for (k, section) in org.sections.iter().enumerate() {
        let mut ctx = Ctx { g, rows: &mut rows, at, author };
        let hierarchical_active = k % 2 == 0;
        let hierarchical = build(&mut ctx, section.id, find(&specs, "MORNING")?, hierarchical_active)?;
        let flat = build(&mut ctx, section.id, &flat, !hierarchical_active)?;
        let afternoon = build(&mut ctx, section.id, find(&specs, "AFTERNOON")?, true)?;
        let night = build(&mut ctx, section.id, find(&specs, "NIGHT")?, true)?;
        let morning = if hierarchical_active { hierarchical } else { flat };
        out.push(SectionTemplates { morning, afternoon, night });
    }
    tally.add("checklist_templates", rows.templates.len(), std::time::Duration::ZERO);
    tally.add("checklist_template_items", rows.items.len(), std::time::Duration::ZERO);
    tally.add("checklist_template_subitems", rows.subitems.len(), std::time::Duration::ZERO);
    tally.add("checklist_template_scheduled_events", rows.events.len(), std::time::Duration::ZERO);
    let tx = store.begin_write().await?;
    write(&tx, rows).await?;
    sentinelops_store::commit(tx).await?;
    Ok(out)
}

async fn write(tx: &Tx, rows: Rows) -> anyhow::Result<()> {
    insert_all::<checklist_templates::ActiveModel>(tx, rows.templates).await.context("inserting templates")?;
    insert_all::<checklist_template_items::ActiveModel>(tx, rows.items).await.context("inserting template items")?;
    insert_all::<checklist_template_subitems::ActiveModel>(tx, rows.subitems)
        .await
        .context("inserting template subitems")?;
    insert_all::<checklist_template_scheduled_events::ActiveModel>(tx, rows.events)
        .await
        .context("inserting template events")?;
    Ok(())
}
