//! The `sentinelops` binary: parse configuration, set up logging, dispatch.

mod allocator;
mod cli;
mod config;
mod directory;

fn main() -> std::process::ExitCode {
    let cli = match config::parse_cli() {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    config::init_tracing(&cli.settings);
    // Workers give their idle memory back when they park, and blocking threads
    // (password hashing) when they stop; see `allocator`.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(allocator::collect_when_asked)
        .on_thread_stop(allocator::collect_this_thread)
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli::run(cli).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
