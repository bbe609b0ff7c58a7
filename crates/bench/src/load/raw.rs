//! The raw limit: the same use-case calls the endpoints make (session check included),
//! in this process, without HTTP or JSON, at the same concurrency.

use std::str::FromStr;
use std::sync::Arc;

use sentinelops_app::password::{self, HashCost};
use sentinelops_app::users::CreateUser;
use sentinelops_app::{Actor, App, AppConfig, PoolConfig, RequestMeta, Store};
use sentinelops_domain::SystemClock;
use sentinelops_web::api::checklists::ItemUpdate;
use uuid::Uuid;

use super::driver::{self, Stats};
use super::fixture::WorkQueue;
use super::scenarios::{Timing, next_step, step_slots};

#[derive(Clone)]
pub struct Raw {
    pub app: App,
    pub instance_id: Uuid,
    pub operator_tokens: Arc<Vec<String>>,
    pub manager_token: String,
    pub patch_queue: WorkQueue,
    pub password: String,
}

/// Opens the application on the server's database, with the server's defaults.
pub async fn open_app(database_url: &str) -> anyhow::Result<App> {
    let store = Store::connect(database_url, PoolConfig::default()).await?;
    store.migrate().await?;
    Ok(App::new(store, Arc::new(SystemClock), AppConfig::default()).await?)
}

/// Makes an administrator for a bench run (a fresh name each time, so runs can share a
/// database) with `password`; returns its e-mail, to sign in with.
pub async fn create_bench_admin(app: &App, purpose: &str, password: &str) -> anyhow::Result<String> {
    let tag = Uuid::new_v4().simple().to_string();
    let tag = tag.get(..8).unwrap_or("x");
    let email = format!("{purpose}.{tag}@bench.local");
    app.create_user(
        &Actor::system(),
        CreateUser {
            username: format!("bench.{purpose}.{tag}"),
            email: email.clone(),
            first_name: "Bench".into(),
            last_name: "Admin".into(),
            position: None,
            password: password.into(),
            role: "admin".into(),
            department_id: None,
            section_id: None,
        },
    )
    .await?;
    Ok(email)
}

fn meta() -> RequestMeta {
    RequestMeta { ip: Some("127.0.0.1".to_owned()), user_agent: Some("sentinelops-bench".to_owned()) }
}

impl Raw {
    fn operator(&self, worker: usize) -> String {
        self.operator_tokens.get(worker % self.operator_tokens.len().max(1)).cloned().unwrap_or_default()
    }

    async fn actor(app: &App, token: &str) -> Result<Actor, String> {
        app.authenticate(token, &meta()).await.map_err(|e| e.to_string())
    }
}

pub async fn get_instance(r: &Raw, c: usize, timing: &Timing) -> Stats {
    let r = r.clone();
    driver::run("a GET instance (render)", "raw", c, timing.warmup, timing.duration, move |w, _| {
        let (app, token, id) = (r.app.clone(), r.operator(w), r.instance_id);
        async move {
            let actor = Raw::actor(&app, &token).await?;
            app.instance_view(&actor, id).await.map(|_| ()).map_err(|e| e.to_string())
        }
    })
    .await
}

pub async fn patch_item(r: &Raw, c: usize, timing: &Timing) -> Stats {
    let r = r.clone();
    let slots = step_slots(c);
    driver::run("b PATCH item", "raw", c, timing.warmup, timing.duration, move |w, _| {
        let (app, token, step) = (r.app.clone(), r.operator(w), next_step(&slots, w, &r.patch_queue));
        async move {
            let step = step.ok_or(driver::EXHAUSTED)?;
            let actor = Raw::actor(&app, &token).await?;
            let update: ItemUpdate = serde_json::from_value(step.body).map_err(|e| e.to_string())?;
            let (instance, item) = (uuid(&step.instance)?, uuid(&step.item)?);
            let update = update.try_into().map_err(|e: sentinelops_app::AppError| e.to_string())?;
            app.update_item(&actor, instance, item, update).await.map(|_| ()).map_err(|e| e.to_string())
        }
    })
    .await
}

fn uuid(s: &str) -> Result<Uuid, String> {
    Uuid::from_str(s).map_err(|e| e.to_string())
}

pub async fn notifications(r: &Raw, c: usize, timing: &Timing) -> Stats {
    let r = r.clone();
    driver::run("c notifications list", "raw", c, timing.warmup, timing.duration, move |_, _| {
        let (app, token) = (r.app.clone(), r.manager_token.clone());
        async move {
            let actor = Raw::actor(&app, &token).await?;
            app.list_notifications(&actor, false, 50, 0).await.map(|_| ()).map_err(|e| e.to_string())
        }
    })
    .await
}

pub async fn unread_count(r: &Raw, c: usize, timing: &Timing) -> Stats {
    let r = r.clone();
    driver::run("d unread count", "raw", c, timing.warmup, timing.duration, move |_, _| {
        let (app, token) = (r.app.clone(), r.manager_token.clone());
        async move {
            let actor = Raw::actor(&app, &token).await?;
            app.unread_notification_count(&actor).await.map(|_| ()).map_err(|e| e.to_string())
        }
    })
    .await
}

pub async fn dashboard(r: &Raw, c: usize, timing: &Timing) -> Stats {
    let r = r.clone();
    driver::run("f dashboard summary", "raw", c, timing.warmup, timing.duration, move |_, _| {
        let (app, token) = (r.app.clone(), r.manager_token.clone());
        async move {
            let actor = Raw::actor(&app, &token).await?;
            app.dashboard_summary(&actor).await.map(|_| ()).map_err(|e| e.to_string())
        }
    })
    .await
}

/// (e) The bound of sign-in: verifying one password at the server's configured cost.
pub async fn verify_password(r: &Raw, c: usize, timing: &Timing) -> anyhow::Result<Stats> {
    let hash = password::hash(HashCost::default(), r.password.clone()).await?;
    let password = r.password.clone();
    Ok(driver::run("e sign-in", "raw", c, timing.warmup, timing.duration, move |_, _| {
        let (hash, password) = (hash.clone(), password.clone());
        async move {
            match password::verify(hash, password).await {
                Ok(true) => Ok(()),
                Ok(false) => Err("password did not verify".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        }
    })
    .await)
}
