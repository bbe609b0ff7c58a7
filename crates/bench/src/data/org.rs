//! The organisation: departments, `Bench Section NN`, and their users (3 admins, one
//! manager and 8 operators per section), all sharing one production-cost password hash.
//! Also the guard against generating twice, and `--force`'s purge of an earlier run.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use sentinelops_app::AppConfig;
use sentinelops_domain::Role;
use sentinelops_store::entity::{sections, users};
use sentinelops_store::repo::rows::insert_all;
use sentinelops_store::repo::users::UserFilter;
use sentinelops_store::repo::{org as org_repo, users as users_repo};
use sentinelops_store::{Conn, Store};
use uuid::Uuid;

use super::rng::Gen;
use super::sink::Tally;

pub const OPERATORS_PER_SECTION: usize = 8;
const DEPARTMENTS: [&str; 3] = ["Bench Operations", "Bench Infrastructure", "Bench Digital"];
const FIRST_NAMES: [&str; 12] = [
    "Tendai", "Rudo", "Farai", "Nyasha", "Tatenda", "Chipo", "Kuda", "Rumbi", "Tapiwa", "Vimbai", "Tinashe", "Shamiso",
];
const LAST_NAMES: [&str; 10] =
    ["Moyo", "Ncube", "Dube", "Sibanda", "Mpofu", "Chikore", "Mutasa", "Banda", "Phiri", "Zulu"];

#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub username: String,
}

#[derive(Debug, Clone)]
pub struct SectionOrg {
    pub id: Uuid,
    pub manager: Person,
    pub operators: Vec<Person>,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub sections: Vec<SectionOrg>,
    pub admins: Vec<Person>,
    /// Every active admin, the pre-existing ones included: the app notifies them all.
    pub all_admins: Vec<Uuid>,
}

pub fn section_name(k: usize) -> String {
    format!("Bench Section {k:02}")
}

/// Fails when an earlier run's rows are present, or purges them with `force`.
pub async fn guard(store: &Store, force: bool) -> anyhow::Result<()> {
    let reader = store.reader();
    let present = org_repo::find_section_by_name(reader, &section_name(1)).await?.is_some()
        || users_repo::find_by_login(reader, "bench.admin1").await?.is_some();
    if !present {
        return Ok(());
    }
    if !force {
        anyhow::bail!(
            "the database already holds generated data (section {:?} or user bench.admin1); \
             pass --force to delete it and generate again",
            section_name(1)
        );
    }
    println!("--force: deleting the previous run's data…");
    purge(store).await
}

/// Deletes what an earlier run wrote; the cascades remove the child rows.
async fn purge(store: &Store) -> anyhow::Result<()> {
    const SECTIONS: &str = "(SELECT id FROM sections WHERE name LIKE 'Bench Section %')";
    let statements = [
        format!("DELETE FROM notifications WHERE section_id IN {SECTIONS}"),
        format!("DELETE FROM handover_notes WHERE section_id IN {SECTIONS}"),
        format!("DELETE FROM ops_events WHERE section_id IN {SECTIONS}"),
        format!("DELETE FROM checklist_instances WHERE section_id IN {SECTIONS}"),
        format!("DELETE FROM checklist_templates WHERE section_id IN {SECTIONS}"),
        "DELETE FROM auth_events WHERE username LIKE 'bench.%'".to_owned(),
        // Rejected unknown tokens name nobody; these are the generator's (its clients and addresses).
        format!(
            "DELETE FROM auth_events WHERE username IS NULL AND ip LIKE '10.%' AND user_agent IN ({})",
            super::auth::USER_AGENTS.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
        ),
        "DELETE FROM users WHERE username LIKE 'bench.%'".to_owned(),
        "DELETE FROM sections WHERE name LIKE 'Bench Section %'".to_owned(),
        "DELETE FROM departments WHERE name LIKE 'Bench %'".to_owned(),
    ];
    let tx = store.begin_write().await?;
    for sql in &statements {
        tx.execute_unprepared(sql).await.with_context(|| sql.clone())?;
    }
    sentinelops_store::commit(tx).await?;
    Ok(())
}

/// Hashes the shared password once, at the production cost, so the real server
/// verifies bench logins exactly as it verifies real ones.
pub async fn password_hash(password: &str) -> anyhow::Result<String> {
    let cost = AppConfig::default().password_hashing;
    sentinelops_app::password::hash(cost, password.to_owned()).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// What every bench user shares: the password hash and when the rows were made.
struct Users<'a> {
    hash: &'a str,
    at: DateTime<Utc>,
}

impl Users<'_> {
    /// The `n`th bench user: `role` decides the position, `section` is (section,
    /// department) for managers and operators.
    fn row(
        &self,
        g: &mut Gen,
        (username, role): (String, Role),
        section: Option<(Uuid, i32)>,
        n: usize,
    ) -> users::Model {
        let first = FIRST_NAMES.get(n % FIRST_NAMES.len()).copied().unwrap_or("Sam");
        let last = LAST_NAMES.get((n / FIRST_NAMES.len() + n) % LAST_NAMES.len()).copied().unwrap_or("Moyo");
        let email = format!("{}@bench.local", username.trim_start_matches("bench."));
        let position = match role {
            Role::Admin => "Administrator",
            Role::Manager => "Shift manager",
            Role::User => "Shift operator",
        };
        users::Model {
            id: g.id_at(self.at),
            username,
            email: Some(email),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            position: position.to_owned(),
            password_hash: self.hash.to_owned(),
            role: role.into(),
            department_id: section.map(|(_, d)| d),
            section_id: section.map(|(s, _)| s),
            is_active: true,
            created_by: None,
            created_at: self.at,
            updated_at: self.at,
            last_login_at: None,
            password_changed_at: Some(self.at),
            auth_source: sentinelops_domain::directory::AuthSource::Local.into(),
            external_id: None,
        }
    }
}

fn person(row: &users::Model) -> Person {
    Person { id: row.id, username: row.username.clone() }
}

/// Creates departments, sections and users in one transaction.
pub async fn create(
    store: &Store,
    g: &mut Gen,
    count: usize,
    hash: &str,
    at: DateTime<Utc>,
    tally: &mut Tally,
) -> anyhow::Result<Org> {
    let started = Instant::now();
    let tx = store.begin_write().await?;
    let mut departments = Vec::new();
    for name in DEPARTMENTS {
        // The repository lets the database number departments (serial ids).
        departments.push(org_repo::insert_department(&tx, name.to_owned(), at).await?.id);
    }
    let users = Users { hash, at };
    let mut rows = Vec::new();
    let mut admins = Vec::new();
    for a in 1..=3 {
        let row = users.row(g, (format!("bench.admin{a}"), Role::Admin), None, a);
        admins.push(person(&row));
        rows.push(row);
    }
    let mut section_rows = Vec::new();
    let mut sections = Vec::new();
    for k in 1..=count {
        let department = departments.get(k % departments.len()).copied();
        let id = g.id_at(at);
        let place = department.map(|d| (id, d));
        let manager = users.row(g, (format!("bench.manager.s{k:02}"), Role::Manager), place, k * 10);
        let mut operators = Vec::new();
        for j in 1..=OPERATORS_PER_SECTION {
            let row = users.row(g, (format!("bench.op{j:02}.s{k:02}"), Role::User), place, k * 10 + j);
            operators.push(person(&row));
            rows.push(row);
        }
        section_rows.push(sections::Model {
            id,
            name: section_name(k),
            department_id: department,
            manager_id: Some(manager.id),
            created_at: at,
            hide_leaderboard_names: None,
        });
        sections.push(SectionOrg { id, manager: person(&manager), operators });
        rows.push(manager);
    }
    tally.add("departments", DEPARTMENTS.len(), Duration::ZERO);
    tally.add("sections", section_rows.len(), Duration::ZERO);
    tally.add("users", rows.len(), started.elapsed());
    insert_all::<sections::ActiveModel>(&tx, section_rows).await.context("inserting sections")?;
    insert_all::<users::ActiveModel>(&tx, rows).await.context("inserting users")?;
    let filter = UserFilter { role: Some(Role::Admin), active_only: true, ..UserFilter::default() };
    let all_admins = users_repo::list(&tx, &filter).await?.into_iter().map(|u| u.id).collect();
    sentinelops_store::commit(tx).await?;
    Ok(Org { sections, admins, all_admins })
}
