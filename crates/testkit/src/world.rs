//! The standard world: the organisation most tests start from, built over real HTTP
//! and the application, with builder options where tests differ.
//!
//! By default: the system clock and the default business zone; an administrator
//! `root.admin`; section "Core Banking" with the manager `mary.manager` and the operator
//! `olu.operator`. Options add a fixed clock, the Harare zone, a second section
//! "Cards" (manager `carl.manager`, operator `cara.operator`), a second operator
//! `ada.operator`, a user without a section `no.section`, and the shift templates.

use std::ops::Deref;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::{Clock, ManualClock, SystemClock};

use crate::{Options, TestServer};

/// A user the world made, signed in through the API.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: Uuid,
    pub username: String,
    /// The API's bearer token (the UI's session cookie holds the same).
    pub token: String,
}

/// A member stands for their token where a token is asked for (`srv.get(path, &w.admin)`).
impl Deref for Member {
    type Target = str;

    fn deref(&self) -> &str {
        &self.token
    }
}

/// A section with its manager and operator.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: Uuid,
    pub manager: Member,
    pub operator: Member,
}

pub struct World {
    pub srv: TestServer,
    /// The server's clock: fixed at the instant given to [`WorldBuilder::at`], else at
    /// the moment of the build and unused by the server (it runs on the system clock).
    pub clock: ManualClock,
    pub admin: Member,
    /// The main section ("Core Banking") and its people.
    pub section: Uuid,
    pub manager: Member,
    pub operator: Member,
    cards: Option<Team>,
    colleague: Option<Member>,
    drifter: Option<Member>,
}

impl World {
    /// The default world (see the module's documentation).
    pub async fn new() -> World {
        World::builder().build().await
    }

    pub fn builder() -> WorldBuilder {
        WorldBuilder::default()
    }

    /// The second section, "Cards" (built with [`WorldBuilder::cards`]).
    pub fn cards(&self) -> &Team {
        self.cards.as_ref().expect("the world was built without .cards()")
    }

    /// A second operator of the main section, `ada.operator` ([`WorldBuilder::colleague`]).
    pub fn colleague(&self) -> &Member {
        self.colleague.as_ref().expect("the world was built without .colleague()")
    }

    /// An operator of no section, `no.section` ([`WorldBuilder::drifter`]).
    pub fn drifter(&self) -> &Member {
        self.drifter.as_ref().expect("the world was built without .drifter()")
    }

    /// Creates a template as the admin; returns the API's answer.
    pub async fn template(&self, section: Uuid, name: &str, shift: &str, items: Value) -> Value {
        let body = json!({"name": name, "shift": shift, "section_id": section, "items": items});
        let (status, answer) = self.srv.post("/api/v1/checklists/templates", &self.admin, body).await;
        assert_eq!(status, 200, "template {name}: {answer}");
        answer
    }
}

/// Two items of low severity: no critical items unless a test adds some.
pub fn plain_items() -> Value {
    json!([
        {"title": "Review handover notes", "severity": 2, "sort_order": 1},
        {"title": "Check services", "severity": 3, "sort_order": 2},
    ])
}

/// Options of a [`World`]; [`WorldBuilder::build`] makes it.
#[derive(Default)]
pub struct WorldBuilder {
    at: Option<DateTime<Utc>>,
    zone: Option<String>,
    options: Options,
    names: Option<(String, String, String)>,
    cards: bool,
    colleague: bool,
    drifter: bool,
    shift_templates: bool,
}

impl WorldBuilder {
    /// The server's clock stands still at `instant` (move it with `w.clock`).
    pub fn at(mut self, instant: DateTime<Utc>) -> Self {
        self.at = Some(instant);
        self
    }

    /// The business time zone, set through the API by the admin.
    pub fn zone(mut self, zone: &str) -> Self {
        self.zone = Some(zone.to_owned());
        self
    }

    /// The Harare zone (UTC+2, no daylight saving) most fixed-clock tests use.
    pub fn harare(self) -> Self {
        self.zone("Africa/Harare")
    }

    /// Server options (configuration, web settings); the clock is the builder's.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Other names for the main section, its manager and its operator.
    pub fn names(mut self, section: &str, manager: &str, operator: &str) -> Self {
        self.names = Some((section.to_owned(), manager.to_owned(), operator.to_owned()));
        self
    }

    /// Adds section "Cards" with `carl.manager` and `cara.operator`.
    pub fn cards(mut self) -> Self {
        self.cards = true;
        self
    }

    /// Adds `ada.operator` to the main section.
    pub fn colleague(mut self) -> Self {
        self.colleague = true;
        self
    }

    /// Adds `no.section`, an operator of no section.
    pub fn drifter(mut self) -> Self {
        self.drifter = true;
        self
    }

    /// Templates of [`plain_items`]: "Morning/Afternoon/Night Core Banking" for the main
    /// section, and "Cards Morning" when the world has Cards.
    pub fn shift_templates(mut self) -> Self {
        self.shift_templates = true;
        self
    }

    pub async fn build(self) -> World {
        let clock = ManualClock::new(self.at.unwrap_or_else(|| SystemClock.now()));
        let mut options = self.options;
        if self.at.is_some() {
            options.clock = Some(clock.clone());
        }
        let srv = TestServer::start_with(options).await;
        let admin = member(&srv, "root.admin", "admin", None).await;
        if let Some(zone) = &self.zone {
            let body = json!({"timezone": zone});
            let (status, answer) = srv.put("/api/v1/app-settings/timezone", &admin, body).await;
            assert_eq!(status, 200, "{answer}");
        }
        let (section_name, manager_name, operator_name) = self
            .names
            .unwrap_or_else(|| ("Core Banking".to_owned(), "mary.manager".to_owned(), "olu.operator".to_owned()));
        let section = srv.create_section(&section_name).await;
        let cards = if self.cards { Some(srv.create_section("Cards").await) } else { None };
        let manager = member(&srv, &manager_name, "manager", Some(section)).await;
        let operator = member(&srv, &operator_name, "user", Some(section)).await;
        let colleague =
            if self.colleague { Some(member(&srv, "ada.operator", "user", Some(section)).await) } else { None };
        let cards = match cards {
            Some(id) => {
                let operator = member(&srv, "cara.operator", "user", Some(id)).await;
                let manager = member(&srv, "carl.manager", "manager", Some(id)).await;
                Some(Team { id, manager, operator })
            }
            None => None,
        };
        let drifter = if self.drifter { Some(member(&srv, "no.section", "user", None).await) } else { None };
        let world = World { srv, clock, admin, section, manager, operator, cards, colleague, drifter };
        if self.shift_templates {
            for (name, shift) in [
                ("Morning Core Banking", "MORNING"),
                ("Afternoon Core Banking", "AFTERNOON"),
                ("Night Core Banking", "NIGHT"),
            ] {
                world.template(world.section, name, shift, plain_items()).await;
            }
            if let Some(cards) = &world.cards {
                world.template(cards.id, "Cards Morning", "MORNING", plain_items()).await;
            }
        }
        world
    }
}

async fn member(srv: &TestServer, username: &str, role: &str, section: Option<Uuid>) -> Member {
    let (user, token) = srv.user_with_token(username, role, section).await;
    let id = user["id"].as_str().and_then(|id| id.parse().ok()).expect("the user's id");
    Member { id, username: username.to_owned(), token }
}
