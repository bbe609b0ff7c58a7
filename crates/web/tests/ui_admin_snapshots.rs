//! Snapshots of the administration and audit partials: one users-table row and one row
//! of each audit table, rendered from fixed data (ids and times redacted anyway, so
//! the snapshots survive a change of fixture).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use askama::Template;
use uuid::Uuid;

use sentinelops_web::ui::admin::users::{ROLES, SectionOption, UserItem, UserRowPartial};
use sentinelops_web::ui::audit::{AuthRow, AuthRowPartial, OpsRow, OpsRowPartial};

const UUID: &str = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TIME: &str = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?";

fn snapshot(name: &str, html: &str) {
    insta::with_settings!({ filters => vec![(UUID, "[id]"), (TIME, "[time]")], prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, html);
    });
}

#[test]
fn a_users_table_row() {
    let section = SectionOption { id: Uuid::from_u128(2), name: "Treasury Ops".into(), department_id: Some(1) };
    let other = SectionOption { id: Uuid::from_u128(3), name: "Cards & <Payments>".into(), department_id: None };
    let row = UserRowPartial {
        csrf: "csrf-token".into(),
        user: UserItem {
            id: Uuid::from_u128(1),
            name: "Ada Okafor".into(),
            first_name: "Ada".into(),
            last_name: "Okafor".into(),
            email: "ada@bank.example".into(),
            username: "ada.okafor".into(),
            position: "Shift \"lead\" & <ops>".into(),
            role: "manager".into(),
            section_id: Some(section.id),
            section_name: section.name.clone(),
            is_active: true,
            last_sign_in: "2026-11-26 07:41".into(),
            source: "Local",
            identity_locked: false,
            section_locked: false,
        },
        sections: vec![section, other],
        roles: ROLES,
    };
    snapshot("admin_user_row", &row.render().unwrap());
}

/// A directory account: what the directory owns is read-only, and no password is set here.
#[test]
fn a_directory_users_table_row() {
    let section = SectionOption { id: Uuid::from_u128(2), name: "Treasury Ops".into(), department_id: Some(1) };
    let row = UserRowPartial {
        csrf: "csrf-token".into(),
        user: UserItem {
            id: Uuid::from_u128(4),
            name: "Dora Directory".into(),
            first_name: "Dora".into(),
            last_name: "Directory".into(),
            email: "dora@bank.example".into(),
            username: "dora".into(),
            position: String::new(),
            role: "manager".into(),
            section_id: Some(section.id),
            section_name: section.name.clone(),
            is_active: true,
            last_sign_in: "2026-12-06 07:41".into(),
            source: "Directory (LDAP)",
            identity_locked: true,
            section_locked: true,
        },
        sections: vec![section],
        roles: ROLES,
    };
    let html = row.render().unwrap();
    assert!(html.contains(r#"name="username" readonly"#) && html.contains(r#"name="section_id" disabled"#));
    assert!(!html.contains("Set a new password"));
    snapshot("admin_directory_user_row", &html);
}

#[test]
fn audit_rows() {
    let auth = AuthRowPartial {
        event: AuthRow {
            time: "2026-11-26 07:41:09".into(),
            event_type: "LOGIN_FAILURE".into(),
            username: "=hyperlink(1)".into(),
            ip: "10.0.0.7".into(),
            user_agent: "Mozilla/5.0 <script>".into(),
            detail: "reason: wrong_password".into(),
        },
    };
    snapshot("audit_auth_row", &auth.render().unwrap());
    let ops = OpsRowPartial {
        event: OpsRow {
            time: "2026-11-26 07:42:00".into(),
            event_type: "USER_CREATED".into(),
            entity: format!("USER {}", Uuid::from_u128(9)),
            actor: "root.admin".into(),
            section: "Treasury Ops".into(),
            detail: "username: ada.okafor".into(),
        },
    };
    snapshot("audit_ops_row", &ops.render().unwrap());
}
