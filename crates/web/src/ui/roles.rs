//! Page gates by role: `Admin<A>` and `Supervisor<A>` are a `UiUser` who holds the role,
//! or, for anyone else, the 403 page in the layout saying why (`A::REFUSAL`). They only
//! hide whole pages and forms; the use cases still enforce every rule themselves.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

use crate::state::AppState;
use crate::ui::render;
use crate::ui::session::UiUser;

/// A part of the UI behind a role, and what the 403 page tells those without it.
pub trait Area {
    const REFUSAL: &'static str;
}

/// Declares each area with its refusal.
macro_rules! areas {
    ($($(#[$doc:meta])* $name:ident => $refusal:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Area for $name {
            const REFUSAL: &'static str = $refusal;
        }
    )*};
}

areas! {
    /// `/ui/admin`.
    Administration => "Administration is for administrators only.";
    /// `/ui/templates`.
    TemplateLibrary => "Templates are managed by managers and administrators.";
    /// `/ui/audit`.
    OpsAudit => "The audit log is for managers and administrators.";
    /// `/ui/audit/auth`.
    SignInAudit => "The sign-in log is for administrators only.";
}

/// A signed-in administrator.
pub struct Admin<A: Area = Administration>(pub UiUser, pub PhantomData<A>);

/// A signed-in manager or administrator.
pub struct Supervisor<A: Area>(pub UiUser, pub PhantomData<A>);

impl<S: Send + Sync, A: Area> FromRequestParts<S> for Admin<A>
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = gated::<S, A>(parts, state, UiUser::is_admin).await?;
        Ok(Admin(user, PhantomData))
    }
}

impl<S: Send + Sync, A: Area> FromRequestParts<S> for Supervisor<A>
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = gated::<S, A>(parts, state, UiUser::is_supervisor).await?;
        Ok(Supervisor(user, PhantomData))
    }
}

/// The signed-in user when `allowed`, else the 403 page (with the layout).
async fn gated<S: Send + Sync, A: Area>(
    parts: &mut Parts,
    state: &S,
    allowed: fn(&UiUser) -> bool,
) -> Result<UiUser, Response>
where
    AppState: FromRef<S>,
{
    let user = UiUser::from_request_parts(parts, state).await?;
    if allowed(&user) {
        return Ok(user);
    }
    let state = AppState::from_ref(state);
    Err(render::error_page(&state, Some(&user), &parts.headers, StatusCode::FORBIDDEN, A::REFUSAL).await)
}
