//! The `punchclock` command line.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use logging::init_tracing;

pub mod backup;
pub mod device;
mod logging;
pub mod push;
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
    /// Copy the SQLite database to FILE while the service runs.
    Backup(backup::BackupArgs),
    /// Put a backup back in place of the SQLite database (service stopped).
    Restore(backup::RestoreArgs),
    /// Push mode for the operator (e.g. `push unclaimed`).
    Push(push::PushArgs),
}

/// Run a parsed command line; the exit code says whether it worked.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Device(args) => device::run(args).await,
        Command::Sim(args) => sim::run(args).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Push(args) => push::run(args).await,
    }
}
