//! The `sentinelops` binary: parse configuration, set up logging, dispatch.

mod cli;
mod config;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = match config::parse_cli() {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    config::init_tracing(&cli.settings);
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
