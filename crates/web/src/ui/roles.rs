//! Page gates by role: `Admin<A>` and `Supervisor<A>` are a `UiUser` who holds the role,
//! or, for anyone else, the 403 page in the layout saying why (`A::REFUSAL`). They only
//! hide whole pages and forms; the use cases still enforce every rule themselves.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
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

impl<A: Area> FromRequestParts<AppState> for Admin<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = gated::<A>(parts, state, UiUser::is_admin).await?;
        Ok(Admin(user, PhantomData))
    }
}

impl<A: Area> FromRequestParts<AppState> for Supervisor<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = gated::<A>(parts, state, UiUser::is_supervisor).await?;
        Ok(Supervisor(user, PhantomData))
    }
}

/// A gate: the user who passed it.
pub trait Gate {
    fn into_user(self) -> UiUser;
}

impl<A: Area> Gate for Admin<A> {
    fn into_user(self) -> UiUser {
        self.0
    }
}

impl<A: Area> Gate for Supervisor<A> {
    fn into_user(self) -> UiUser {
        self.0
    }
}

/// A form post behind gate `G`: what its handler runs the use case with and answers
/// from — the state, the user who passed the gate, and the request's headers (whether
/// `ui.js` sent it: see `outcome`).
pub struct FormPost<G> {
    pub state: AppState,
    pub user: UiUser,
    pub headers: HeaderMap,
    gate: PhantomData<G>,
}

impl<G: Gate + FromRequestParts<AppState, Rejection = Response>> FromRequestParts<AppState> for FormPost<G> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = G::from_request_parts(parts, state).await?.into_user();
        Ok(FormPost { state: state.clone(), user, headers: parts.headers.clone(), gate: PhantomData })
    }
}

/// The signed-in user when `allowed`, else the 403 page (with the layout).
async fn gated<A: Area>(parts: &mut Parts, state: &AppState, allowed: fn(&UiUser) -> bool) -> Result<UiUser, Response> {
    let user = UiUser::from_request_parts(parts, state).await?;
    if allowed(&user) {
        return Ok(user);
    }
    Err(render::error_page(state, Some(&user), &parts.headers, StatusCode::FORBIDDEN, A::REFUSAL).await)
}
