//! `punchclock push …`: what the operator sees of push mode.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::UnclaimedDevice;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    #[command(subcommand)]
    pub command: PushCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PushCommand {
    /// Serial numbers that called but no company has added: serial, source
    /// address, first and last seen (most recent first).
    Unclaimed(UnclaimedArgs),
}

#[derive(Debug, clap::Args)]
pub struct UnclaimedArgs {
    /// TOML config file (default: ./punchclock.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory of the embedded SQLite database.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` to read PostgreSQL instead of SQLite.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Most serials to show.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: PushArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        PushCommand::Unclaimed(a) => unclaimed(a).await,
    }
}

async fn unclaimed(args: UnclaimedArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(args.config.as_deref()).context("reading the configuration")?;
    if let Some(v) = args.data_dir {
        config.data_dir = v;
    }
    if let Some(v) = args.database_url {
        config.database_url = v;
    }
    let url = config.database_url();
    let store = Store::connect(&url, Clock::system())
        .await
        .with_context(|| format!("opening the database {}", crate::app::redact(&url)))?;
    let total = store.count_unclaimed().await?;
    let rows = store.list_unclaimed(args.limit).await?;
    store.close().await;
    if args.json {
        for d in &rows {
            println!("{}", serde_json::to_string(&as_json(d))?);
        }
    } else {
        print!("{}", table(&rows, total));
    }
    Ok(ExitCode::SUCCESS)
}

fn as_json(d: &UnclaimedDevice) -> serde_json::Value {
    serde_json::json!({
        "serial_number": d.serial_number,
        "source_address": d.source_address,
        "first_seen": d.first_seen.to_string(),
        "last_seen": d.last_seen.to_string(),
        "requests": d.requests,
        "push_version": d.push_version,
        "device_type": d.device_type,
    })
}

/// The table, and how many are on record when not all are shown.
fn table(rows: &[UnclaimedDevice], total: u64) -> String {
    if rows.is_empty() {
        return "No unclaimed push devices.\n".into();
    }
    let mut out = format!(
        "{:<20} {:<40} {:<20} {:<20} {:>8}\n",
        "SERIAL", "SOURCE ADDRESS", "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "REQUESTS"
    );
    let when = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M:%S").to_string();
    for d in rows {
        out.push_str(&format!(
            "{:<20} {:<40} {:<20} {:<20} {:>8}\n",
            d.serial_number,
            d.source_address,
            when(d.first_seen),
            when(d.last_seen),
            d.requests
        ));
    }
    if total > rows.len() as u64 {
        out.push_str(&format!(
            "({} of {total} shown; --limit for more)\n",
            rows.len()
        ));
    }
    out
}
