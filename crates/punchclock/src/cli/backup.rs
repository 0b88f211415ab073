//! `punchclock backup FILE` and `punchclock restore FILE`: an online,
//! consistent copy of the embedded SQLite database, and putting one back
//! (with the service stopped). PostgreSQL has its own tools (README).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::config::Config;
use crate::store::backup::{self, BackupFacts};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the backup (must not exist).
    pub file: PathBuf,
    /// TOML config file (default: ./punchclock.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory of the SQLite database (default: from the config).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A file written by `punchclock backup`.
    pub file: PathBuf,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Restore although a write-ahead log is present (only when the
    /// service is certainly stopped).
    #[arg(long)]
    pub force: bool,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let db = database_file(args.config.as_deref(), args.data_dir)?;
    let facts = backup::backup_sqlite(&db, &args.file)
        .await
        .with_context(|| format!("backing up {}", db.display()))?;
    report("backed up", &args.file, facts);
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let db = database_file(args.config.as_deref(), args.data_dir)?;
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let facts = backup::restore_sqlite(&args.file, &db, args.force)
        .await
        .with_context(|| format!("restoring {}", args.file.display()))?;
    report("restored", &db, facts);
    Ok(ExitCode::SUCCESS)
}

/// The SQLite file the service would open with this configuration.
fn database_file(config: Option<&Path>, data_dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let mut config = Config::load(config).context("reading the configuration")?;
    if let Some(dir) = data_dir {
        config.data_dir = dir;
    }
    let url = config.database_url();
    let Some(rest) = url.strip_prefix("sqlite://") else {
        bail!("the database is PostgreSQL: back it up with pg_dump (see the README)");
    };
    let path = rest.split('?').next().unwrap_or(rest);
    Ok(PathBuf::from(path))
}

fn report(what: &str, file: &Path, facts: BackupFacts) {
    println!(
        "{what} {}: {} punches, {} devices, {} bytes, integrity ok",
        file.display(),
        facts.punches,
        facts.devices,
        facts.bytes
    );
}
