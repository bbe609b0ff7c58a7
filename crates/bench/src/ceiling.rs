//! The framework ceiling: a pre-built JSON document of a given size served through
//! the server's own stack (tokio, hyper, axum and SentinelOps' middleware layers), in
//! a process of its own, as the real server runs. Nothing in SentinelOps can answer
//! faster than this.

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use sentinelops_web::{AppState, WebConfig};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A database for the application state the middleware needs (it is not queried).
    #[arg(long)]
    database_url: String,
    #[arg(long)]
    bind: String,
    /// Size of the document in bytes.
    #[arg(long)]
    size: usize,
}

pub const PATH: &str = "/bench-static.json";

pub async fn run(args: Args) -> anyhow::Result<()> {
    let app = crate::load::open_app(&args.database_url).await?;
    let state = AppState::new(app, WebConfig::default());
    let document = Bytes::from(crate::load::static_document(args.size));
    let routes = Router::new()
        .route(PATH, get(move || std::future::ready(([(header::CONTENT_TYPE, "application/json")], document.clone()))))
        .route("/health/ready", get(|| std::future::ready("ok")))
        .with_state(state.clone());
    let router = sentinelops_web::middleware::wrap(routes, &state);
    let listener = tokio::net::TcpListener::bind(&args.bind).await.context("bind")?;
    axum::serve(sentinelops_web::no_delay(listener), router).await.context("serve")
}
