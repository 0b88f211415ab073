//! The `punchclock` command line.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod device;
pub mod serve;
pub mod sim;

#[derive(Debug, Parser)]
#[command(
    name = "punchclock",
    version,
    about = "Time and attendance from ZKTeco-compatible clocks"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: web app, API and poll scheduler.
    Serve(serve::ServeArgs),
    /// Talk to one device directly (for field technicians).
    Device(device::DeviceArgs),
    /// Run simulated devices.
    Sim(sim::SimArgs),
}

/// Run a parsed command line; the exit code says whether it worked.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Device(args) => device::run(args).await,
        Command::Sim(args) => sim::run(args).await,
    }
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
