//! First run (an admin account on an empty database) and the demo organisation.

use serde::Serialize;

use sentinelops_store::repo::templates::{self, TemplateFilter};
use sentinelops_store::repo::{org, settings, users};

use crate::actor::Actor;
use crate::error::AppResult;
use crate::org::SectionInput;
use crate::templates::TemplateInput;
use crate::users::CreateUser;
use crate::{App, password};

/// Credentials created on first run; the password is shown only when generated.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    pub email: String,
    pub username: String,
    pub generated_password: Option<String>,
}

/// What `sentinelops demo` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoReport {
    pub departments_created: Vec<String>,
    pub sections_created: Vec<String>,
    pub users_created: Vec<String>,
    pub timezone_set: Option<String>,
    pub templates_created: Vec<String>,
    /// Set when users were created with a generated password.
    pub generated_password: Option<String>,
}

impl DemoReport {
    pub fn changed_nothing(&self) -> bool {
        self.departments_created.is_empty()
            && self.sections_created.is_empty()
            && self.users_created.is_empty()
            && self.timezone_set.is_none()
            && self.templates_created.is_empty()
    }
}

const DEMO_DEPARTMENTS: [(&str, &[&str]); 2] = [
    ("ICT", &["ICT Operations", "SysOps", "SupportOps", "Infrastructure", "Helpdesk", "Information Security"]),
    ("Digital Transformation", &["Digital Dev", "AI & Data", "Projects", "Issuing & Acquiring"]),
];

/// (email, username, first, last, role, position)
const DEMO_USERS: [(&str, &str, &str, &str, &str, &str); 4] = [
    ("admin@demo.local", "demo.admin", "Ada", "Admin", "admin", "Platform owner"),
    ("manager@demo.local", "demo.manager", "Max", "Manager", "manager", "Operations manager"),
    ("operator@demo.local", "demo.operator", "Olu", "Operator", "user", "Shift operator"),
    ("operator2@demo.local", "demo.operator2", "Opal", "Operator", "user", "Shift operator"),
];

const DEMO_SECTION: &str = "ICT Operations";
const DEMO_TIMEZONE: &str = "Africa/Harare";

impl App {
    /// On an empty database, creates the first administrator.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn ensure_first_admin(&self, email: &str, password: Option<String>) -> AppResult<Option<FirstAdmin>> {
        if users::count(self.store.reader()).await? > 0 {
            return Ok(None);
        }
        let email = crate::validate::email(email)?.into_string();
        let username = email.split('@').next().unwrap_or("admin").to_owned();
        let username = if username.len() >= 3 { username } else { "admin".to_owned() };
        let generated = password.is_none().then(password::random_secret);
        let secret = password.or_else(|| generated.clone()).unwrap_or_default();
        self.create_user(
            &Actor::system(),
            CreateUser {
                username: username.clone(),
                email: email.clone(),
                first_name: "Sentinel".into(),
                last_name: "Administrator".into(),
                position: Some("Administrator".into()),
                password: secret,
                role: "admin".into(),
                department_id: None,
                section_id: None,
            },
        )
        .await?;
        Ok(Some(FirstAdmin { email, username, generated_password: generated }))
    }

    /// Loads the demo organisation. Idempotent: what exists is left alone.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn load_demo(&self, password: Option<String>) -> AppResult<DemoReport> {
        let system = Actor::system();
        let mut report = DemoReport::default();
        let reader = self.store.reader();
        for (department, sections) in DEMO_DEPARTMENTS {
            let dept = match org::find_department_by_name(reader, department).await? {
                Some(d) => d.id,
                None => {
                    report.departments_created.push(department.to_owned());
                    self.create_department(&system, department).await?.id
                }
            };
            for section in sections {
                if org::find_section_by_name(reader, section).await?.is_none() {
                    let input = SectionInput {
                        name: Some((*section).to_owned()),
                        department_id: Some(Some(dept)),
                        manager_id: None,
                    };
                    self.create_section(&system, input).await?;
                    report.sections_created.push((*section).to_owned());
                }
            }
        }
        let section = org::find_section_by_name(reader, DEMO_SECTION).await?;
        let generated = password.is_none().then(password::random_secret);
        let secret = password.or_else(|| generated.clone()).unwrap_or_default();
        for (email, username, first, last, role, position) in DEMO_USERS {
            if users::find_by_login(reader, email).await?.is_some()
                || users::find_by_login(reader, username).await?.is_some()
            {
                continue;
            }
            let section_id = if role == "admin" { None } else { section.as_ref().map(|s| s.id) };
            self.create_user(
                &system,
                CreateUser {
                    username: username.into(),
                    email: email.into(),
                    first_name: first.into(),
                    last_name: last.into(),
                    position: Some(position.into()),
                    password: secret.clone(),
                    role: role.into(),
                    department_id: section.as_ref().and_then(|s| s.department_id).filter(|_| section_id.is_some()),
                    section_id,
                },
            )
            .await?;
            report.users_created.push(email.to_owned());
        }
        if !report.users_created.is_empty() {
            report.generated_password = generated;
        }
        if settings::get(reader, "business_timezone").await?.is_none() {
            self.set_timezone(&system, DEMO_TIMEZONE).await?;
            report.timezone_set = Some(DEMO_TIMEZONE.to_owned());
        }
        if let Some(manager) = users::find_by_login(reader, "manager@demo.local").await?
            && let Some(s) = section.filter(|s| s.manager_id.is_none())
        {
            let input = SectionInput { name: None, department_id: None, manager_id: Some(Some(manager.id)) };
            self.update_section(&system, s.id, input).await?;
        }
        if let Some(section) = org::find_section_by_name(reader, DEMO_SECTION).await? {
            self.load_demo_templates(section.id, &mut report).await?;
        }
        Ok(report)
    }

    /// The three shift templates of the demo (ours, modelled on a production set:
    /// 9 items with 29 subitems, 6 with 14, 9 with 28), each loaded once.
    async fn load_demo_templates(&self, section_id: uuid::Uuid, report: &mut DemoReport) -> AppResult<()> {
        let templates: Vec<TemplateInput> = serde_json::from_str(DEMO_TEMPLATES)
            .map_err(|e| crate::error::AppError::Internal(format!("demo templates: {e}")))?;
        let system = Actor::system();
        for mut t in templates {
            let (name, shift) = (t.name.clone().unwrap_or_default(), t.shift.clone().unwrap_or_default());
            let filter =
                TemplateFilter { section_id: Some(section_id), shift: Some(shift.clone()), active_only: false };
            if templates::list_templates(self.store.reader(), &filter).await?.iter().any(|e| e.name == name) {
                continue;
            }
            t.section_id = Some(section_id);
            self.create_template(&system, t).await?;
            report.templates_created.push(format!("{shift}: {name}"));
        }
        Ok(())
    }
}

const DEMO_TEMPLATES: &str = include_str!("demo/templates.json");
