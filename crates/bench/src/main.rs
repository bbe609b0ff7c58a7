//! `sentinelops-bench`: the benchmark tools behind BENCHMARKS.md.
//!
//! - `data`: writes a realistic year of operations into a database through the
//!   storage layer's bulk inserts (sections, users, templates, checklists, activity,
//!   handover notes, notifications with their receipts, auth events).
//! - `load`: starts the real `sentinelops` binary on loopback, drives it with the
//!   issue's scenarios at several concurrencies, measures the same storage calls
//!   in-process (the raw limit) and a static document (the framework ceiling), and
//!   prints JSON plus a Markdown table.
//! - `api-snapshot`: the answers of a scripted shift, normalised, to compare two builds.
//! - `export`: streams a million-row audit CSV export from the real server and reports
//!   rows/s and the server's peak memory meanwhile.
//! - `fanout`: one notification to N connected WebSocket clients, in-process over a
//!   test database, and how long each took to see it.

// The tools measure a real server in real time, so they read the wall clock (clippy.toml
// forbids that in the application, which is given a Clock).
#![allow(clippy::disallowed_methods)]
mod ceiling;
mod data;
mod export;
mod fanout;
mod load;
mod pdf;
mod snapshot;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "sentinelops-bench", about = "SentinelOps benchmark tools (loopback only)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a year of data into DATABASE_URL.
    Data(data::Args),
    /// Run the load scenarios against a freshly started server.
    Load(load::Args),
    /// Fan one notification out to N WebSocket clients (live push latency).
    Fanout(fanout::Args),
    /// Serve a pre-built document through the server's stack (started by `load`).
    Ceiling(ceiling::Args),
    /// Stream a million-row audit CSV export from a real server: rows/s and its peak RSS.
    Export(export::Args),
    /// Time the PDF reports (a 40-item shift record, a month's section report) over HTTP.
    Pdf(pdf::Args),
    /// Record the JSON answers of a scripted shift (ids and times normalised), to compare builds.
    ApiSnapshot(snapshot::Args),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Data(args) => data::run(args).await,
        Command::Load(args) => load::run(args).await,
        Command::Ceiling(args) => ceiling::run(args).await,
        Command::ApiSnapshot(args) => snapshot::run(args).await,
        Command::Fanout(args) => fanout::run(args).await,
        Command::Export(args) => export::run(args).await,
        Command::Pdf(args) => pdf::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
