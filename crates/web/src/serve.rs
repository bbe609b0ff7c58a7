//! The connection loop. `axum::serve` cannot bound how long a client takes to send
//! its request headers, so a slow-loris (a few header bytes now and then) kept a
//! connection, and its task, for as long as it liked. Here every connection is
//! served by hyper's HTTP/1 builder with a header read timeout, and at most
//! `max_connections` are served at once.
//!
//! Over the limit, the server stops accepting: further clients wait in the kernel's
//! listen backlog (SYN retries once it is full) and are accepted in arrival order as
//! slots free. That was chosen over accepting and closing at once because a slot held
//! by a client that does not send a request frees within the header timeout (a slow
//! body, within the request timeout): a legitimate client then waits a few seconds
//! instead of being refused, and a flood costs us no file descriptor or task. Live
//! streams (the event stream, WebSockets) hold their slot while open; they need a
//! session, so only signed-in users can hold slots for long.
//!
//! hyper's HTTP/1 connection (not hyper-util's `auto` builder, which first reads the
//! HTTP/2 preface with no time limit) starts the header timer as soon as it waits for a
//! request, so a client that connects and sends nothing is closed too, and an idle
//! keep-alive connection is closed after the same time.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use crate::state::AppState;

/// Serves until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = state.app.live.clone();
    let limits = Limits { header_read_timeout: state.web.header_read_timeout };
    let slots = Arc::new(Semaphore::new(state.web.max_connections.max(1)));
    let app = crate::router(state);

    // Dropping the receiver tells the accept loop and every connection to stop.
    let (signal_tx, signal_rx) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        // Long-lived streams and sockets end first, so the graceful drain can finish.
        live.begin_shutdown();
        drop(signal_rx);
    });
    // Each connection holds a receiver; the drain is over when none is left.
    let (close_tx, close_rx) = watch::channel(());

    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = signal_tx.closed() => break,
        };
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
            () = signal_tx.closed() => break,
        };
        let connection = Connection { permit, signal: signal_tx.clone(), drained: close_rx.clone() };
        tokio::spawn(connection.run(tcp, remote, app.clone(), limits));
    }

    drop(close_rx);
    drop(listener);
    close_tx.closed().await;
    Ok(())
}

#[derive(Clone, Copy)]
struct Limits {
    header_read_timeout: Duration,
}

/// What one connection's task holds: its slot, the shutdown signal, and its share of the
/// drain.
struct Connection {
    permit: OwnedSemaphorePermit,
    signal: watch::Sender<()>,
    drained: watch::Receiver<()>,
}

impl Connection {
    async fn run(self, tcp: TcpStream, remote: SocketAddr, app: Router, limits: Limits) {
        set_no_delay(&tcp);
        let slot = ConnectionSlot { _permit: Arc::new(self.permit) };
        // `ConnectInfo` as `into_make_service_with_connect_info` would have set it.
        let service = app.map_request(move |request: Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(remote));
            request.extensions_mut().insert(slot.clone());
            request
        });
        let service = TowerToHyperService::new(service);
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
        // A WebSocket upgrade hands the socket over (it keeps the slot, see `ConnectionSlot`);
        // the live streams' own shutdown hook, not this drain, ends it.
        let mut conn = pin!(builder.serve_connection(TokioIo::new(tcp), service).with_upgrades());
        let mut signal = pin!(self.signal.closed());
        let mut draining = false;
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(%remote, "connection ended: {err}");
                    }
                    break;
                }
                () = &mut signal, if !draining => {
                    // Finishes the request in flight, then closes; an idle connection closes now.
                    conn.as_mut().graceful_shutdown();
                    draining = true;
                }
            }
        }
        drop(self.drained);
    }
}

/// A connection's slot under the limit, shared by its requests. It frees when the
/// connection ends and no request holds it any more: a WebSocket, which outlives the
/// HTTP connection it was upgraded from, keeps it until the socket closes.
#[derive(Debug, Clone)]
pub struct ConnectionSlot {
    _permit: Arc<OwnedSemaphorePermit>,
}

/// Accepted sockets get TCP_NODELAY: without it a response written in several pieces
/// waits for the client's delayed ACK (~40 ms on Linux) before its last piece.
pub(crate) fn set_no_delay(tcp: &TcpStream) {
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::debug!("cannot set TCP_NODELAY: {err}");
    }
}

/// A failed accept: a connection reset before we took it is nothing; anything else
/// (out of file descriptors, say) is logged and retried after a pause, as hyper did.
async fn accept_failed(err: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(err.kind(), ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset) {
        return;
    }
    tracing::error!("accept error: {err}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
