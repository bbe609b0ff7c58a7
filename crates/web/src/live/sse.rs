//! `GET /api/v1/events`: server-sent events for the built-in UI (bearer token or the
//! session cookie). `Last-Event-ID` replays what was missed from the database; comments
//! keep the connection alive; the stream ends promptly when the server shuts down.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use sentinelops_app::live::LiveEvent;
use sentinelops_app::{AuthError, RequestMeta};

use crate::error::{ApiError, auth_error};
use crate::extract::{ClientMeta, bearer_token};
use crate::state::AppState;

/// The cookie the built-in UI signs in with.
pub const SESSION_COOKIE: &str = "sentinelops_session";

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn to_sse(event: &LiveEvent) -> Event {
    let mut data = event.payload.clone();
    if let serde_json::Value::Object(map) = &mut data {
        map.insert("topic".into(), json!(event.topic));
        map.insert("section_id".into(), json!(event.section_id));
    }
    Event::default().id(event.id.to_string()).event(event.kind.clone()).data(data.to_string())
}

pub async fn stream(State(state): State<AppState>, ClientMeta(meta): ClientMeta, headers: HeaderMap) -> Response {
    let token = bearer_token(&headers).map(str::to_owned).or_else(|| cookie_token(&headers));
    let Some(token) = token else {
        return auth_error(AuthError::TokenMissing);
    };
    let actor = match state.app.authenticate(&token, &meta).await {
        Ok(actor) => actor,
        Err(e) => return ApiError(e).into_response(),
    };
    // Subscribe before replaying, so nothing falls between the two.
    let live = state.app.live.subscribe();
    let last_seen =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let replay = match last_seen {
        Some(id) => state.app.replay_live(&actor, id, 1000).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let replayed: HashSet<i64> = replay.iter().map(|e| e.id).collect();
    let app = state.app.clone();
    let shutdown = state.app.live.shutdown_signal();
    let presence_actor = actor.clone();
    app.connect_presence(&presence_actor).await;
    let guard = PresenceGuard { app: app.clone(), actor: presence_actor };

    let replay_stream = stream::iter(replay.into_iter().map(|e| Ok::<Event, Infallible>(to_sse(&e))));
    let follow = Follow {
        app,
        live,
        shutdown,
        actor,
        token,
        meta,
        recheck: super::session_recheck(&state),
        _presence: guard,
        replayed,
        ended: false,
    };
    let following = stream::unfold(follow, |mut follow| async move {
        let event = follow.next().await?;
        Some((Ok::<Event, Infallible>(event), follow))
    });
    let body: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(replay_stream.chain(following));
    Sse::new(body).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("keep-alive")).into_response()
}

/// The live part of a stream: who reads, what the replay already sent, and when
/// the session is checked again.
struct Follow {
    app: sentinelops_app::App,
    live: tokio::sync::broadcast::Receiver<Arc<LiveEvent>>,
    shutdown: tokio::sync::watch::Receiver<bool>,
    actor: sentinelops_app::Actor,
    token: String,
    meta: RequestMeta,
    recheck: tokio::time::Interval,
    /// Dropped with the stream: ends the reader's presence.
    _presence: PresenceGuard,
    /// Live events already sent by the replay are skipped by id (not by "greater
    /// than": an event may commit after a later one and reach the pump late).
    replayed: HashSet<i64>,
    /// `session_ended` was sent: the stream ends.
    ended: bool,
}

impl Follow {
    /// The next event to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        if self.ended {
            return None;
        }
        loop {
            tokio::select! {
                event = self.live.recv() => match event {
                    Ok(event) if !self.replayed.contains(&event.id) && event.visible_to(&self.actor) => {
                        return Some(to_sse(&event));
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => return Some(Event::default().event("resync").data("{}")),
                    Err(RecvError::Closed) => return None,
                },
                _ = self.recheck.tick() => match self.app.authenticate(&self.token, &self.meta).await {
                    // A changed role or section applies to the open stream too.
                    Ok(fresh) => self.actor = fresh,
                    // Revoked, expired or deactivated: say so (the UI goes to sign-in) and end.
                    Err(_) => {
                        self.ended = true;
                        return Some(Event::default().event("session_ended").data("{}"));
                    }
                },
                _ = self.shutdown.changed() => return None,
            }
        }
    }
}

/// Ends the stream's presence when the stream is dropped.
struct PresenceGuard {
    app: sentinelops_app::App,
    actor: sentinelops_app::Actor,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        let app = self.app.clone();
        let actor = self.actor.clone();
        tokio::spawn(async move { app.disconnect_presence(&actor).await });
    }
}
