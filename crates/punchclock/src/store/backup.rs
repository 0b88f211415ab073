//! Online backup and restore of the embedded SQLite database.
//!
//! A backup is `VACUUM INTO`: SQLite copies one read transaction's view of
//! the database into a new file, so it is consistent (no half-recorded
//! poll) while the service keeps writing; it is then checked with
//! `PRAGMA integrity_check`. A restore checks the file the same way first,
//! and replaces the database only when the service is not running.
//! PostgreSQL is backed up with its own tools (README).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

/// Why a backup or restore was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; a backup never overwrites a file")]
    Exists(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("the integrity check failed: {0}")]
    Integrity(String),
    #[error("not a Punchclock database")]
    NotPunchclock,
    #[error("{0} exists: stop the service first (or, if it is stopped, pass --force)")]
    Running(PathBuf),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

type Result<T> = std::result::Result<T, BackupError>;

/// What a checked database file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupFacts {
    pub punches: u64,
    pub devices: u64,
    pub bytes: u64,
}

/// Writes a consistent copy of the database `db` to `to`, which must not
/// exist yet, and checks it.
pub async fn backup_sqlite(db: &Path, to: &Path) -> Result<BackupFacts> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    let mut conn = open(db, true).await?;
    let target = to.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // It holds everything the database does: only its owner may read it.
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600))?;
    check_sqlite(to).await
}

/// `PRAGMA integrity_check` and the counts of a Punchclock database file.
pub async fn check_sqlite(file: &Path) -> Result<BackupFacts> {
    let mut conn = open(file, true).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if verdict != "ok" {
        return Err(BackupError::Integrity(verdict));
    }
    let punches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM punches")
        .fetch_one(&mut conn)
        .await
        .map_err(|_| BackupError::NotPunchclock)?;
    let devices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    let bytes = std::fs::metadata(file).map_or(0, |m| m.len());
    Ok(BackupFacts {
        punches: u64::try_from(punches).unwrap_or(0),
        devices: u64::try_from(devices).unwrap_or(0),
        bytes,
    })
}

/// Replaces the database `db` with the checked backup `from`. Refused
/// while `db` has a write-ahead log beside it (the service is running, or
/// stopped uncleanly and has not been started again), unless `force`.
pub async fn restore_sqlite(from: &Path, db: &Path, force: bool) -> Result<BackupFacts> {
    let facts = check_sqlite(from).await?;
    let wal = sidecar(db, "-wal");
    if wal.exists() && !force {
        return Err(BackupError::Running(wal));
    }
    let tmp = sidecar(db, ".restoring");
    std::fs::copy(from, &tmp)?;
    std::fs::File::open(&tmp).and_then(|f| f.sync_all())?;
    for stale in [wal, sidecar(db, "-shm")] {
        if stale.exists() {
            std::fs::remove_file(stale)?;
        }
    }
    std::fs::rename(&tmp, db)?;
    Ok(facts)
}

async fn open(file: &Path, read_only: bool) -> Result<SqliteConnection> {
    if !file.exists() {
        return Err(BackupError::Missing(file.to_path_buf()));
    }
    let url = format!("sqlite://{}", file.display());
    Ok(SqliteConnectOptions::from_str(&url)?
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
