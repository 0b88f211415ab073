//! SQLite as one writer and many readers.
//!
//! Every write goes through a pool of exactly one connection, so writers
//! queue in the pool (first come, first served) instead of racing for the
//! file lock and failing with "database is locked" after the busy timeout.
//! Reads use a separate pool of read-only connections: under WAL they never
//! wait for the writer, so pages do not wait behind a sync.
//!
//! The WAL is kept within its bound (64 MB, or twice the database when
//! that is smaller). SQLite's own checkpoints are PASSIVE: with readers
//! always somewhere in the WAL they copy pages back but can never restart
//! the file, so under constant writes it only grows. So the writer checks
//! the WAL's size each time it goes back to its pool ([`WalKeeper`], the
//! pool's `after_release`, before the next write can start) and, past
//! [`CHECKPOINT_AT`] or half the database, runs a TRUNCATE checkpoint
//! there, waiting [`SHORT_WAIT`] at most for readers to leave. A reader
//! that holds a snapshot longer makes it fail: the next releases try
//! again only after [`RETRY_AFTER`], until the WAL reaches
//! [`BACKPRESSURE_AT`] (or the database's size); past that every release
//! waits for the readers (up to the writer's busy timeout), so writes slow
//! to one transaction per busy timeout instead of the WAL growing without bound. A task
//! ([`CHECKPOINT_EVERY`]) does the same while nothing writes, and
//! `journal_size_limit` truncates the file whenever it restarts.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection, SqlitePool};

use super::{Result, StoreOptions};

/// WAL size at which a TRUNCATE checkpoint is run (or half the database's
/// size, when that is smaller).
pub const CHECKPOINT_AT: u64 = 16 * 1024 * 1024;

/// A WAL smaller than this is never checkpointed by us (SQLite's own
/// automatic checkpoints still run).
const CHECKPOINT_FLOOR: u64 = 512 * 1024;

/// WAL size (or the database's size, when that is smaller) from which
/// every write waits for a checkpoint: a reader holding an old snapshot
/// slows the writes rather than letting the WAL pass its bound.
const BACKPRESSURE_AT: u64 = 40 * 1024 * 1024;

/// After a checkpoint found a reader in the way, writes below
/// [`BACKPRESSURE_AT`] go on without trying again for this long.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// How long a checkpoint below [`BACKPRESSURE_AT`] waits for readers.
const SHORT_WAIT: Duration = Duration::from_millis(100);

/// The writer's busy timeout: only a checkpoint waits on it (for readers
/// to move on), as no other connection writes.
const WRITER_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the checkpoint task looks at the WAL.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// What the WAL file is truncated to whenever it restarts.
const JOURNAL_SIZE_LIMIT: u64 = 8 * 1024 * 1024;

/// Page cache of the writer (KiB): index pages of a big punch table stay
/// in memory while batches go in.
const WRITER_CACHE_KIB: u32 = 64 * 1024;
const READER_CACHE_KIB: u32 = 8 * 1024;

/// The two pools and where the database lives (`None` in memory).
#[derive(Clone, Debug)]
pub(crate) struct Pools {
    pub(crate) writer: SqlitePool,
    pub(crate) readers: SqlitePool,
    file: Option<PathBuf>,
    keeper: Option<Arc<WalKeeper>>,
}

/// Keeps the WAL within its bound from the writer connection (see the
/// module's comment).
#[derive(Debug)]
pub(crate) struct WalKeeper {
    file: PathBuf,
    /// When a checkpoint last found a reader in the way.
    blocked_at: Mutex<Option<Instant>>,
}

/// The WAL beside the database, for metrics and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalStatus {
    pub wal_bytes: u64,
    pub database_bytes: u64,
}

impl Pools {
    /// Opens the writer, applies `migrations` on it, then opens the readers
    /// and starts the checkpoint task.
    pub(crate) async fn open(
        url: &str,
        options: &StoreOptions,
        migrations: &sqlx::migrate::Migrator,
    ) -> Result<Pools> {
        let base = SqliteConnectOptions::from_str(url)?
            .foreign_keys(true)
            .log_statements(log::LevelFilter::Trace)
            .log_slow_statements(log::LevelFilter::Warn, options.slow_statement);
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Self::in_memory(base, migrations).await;
        }
        if options.shared_pool_baseline {
            return Self::shared(base, migrations).await;
        }
        let file = base.get_filename().to_path_buf();
        let keeper = Arc::new(WalKeeper::new(file.clone()));
        let on_release = keeper.clone();
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(60))
            // Runs before the connection is handed to the next write.
            .after_release(move |conn, _| {
                let keeper = on_release.clone();
                Box::pin(async move {
                    keeper.after_write(conn).await;
                    Ok(true)
                })
            })
            .connect_with(writer_options(base.clone()))
            .await?;
        migrations.run(&writer).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(options.read_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(reader_options(base))
            .await?;
        let pools = Pools {
            writer,
            readers,
            file: Some(file),
            keeper: Some(keeper),
        };
        tokio::spawn(pools.clone().checkpoints());
        Ok(pools)
    }

    /// Every connection to ":memory:" is its own database: one connection,
    /// forever, does both.
    async fn in_memory(
        base: SqliteConnectOptions,
        migrations: &sqlx::migrate::Migrator,
    ) -> Result<Pools> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(base)
            .await?;
        migrations.run(&pool).await?;
        Ok(Pools {
            writer: pool.clone(),
            readers: pool,
            file: None,
            keeper: None,
        })
    }

    /// How the store ran before the single writer (eight connections that
    /// all write, SQLite's own checkpoints, no size limit): only the
    /// baseline of `examples/sqlite_load.rs`.
    async fn shared(
        base: SqliteConnectOptions,
        migrations: &sqlx::migrate::Migrator,
    ) -> Result<Pools> {
        let file = base.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(
                base.busy_timeout(Duration::from_secs(10))
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal),
            )
            .await?;
        migrations.run(&pool).await?;
        Ok(Pools {
            writer: pool.clone(),
            readers: pool,
            file: Some(file),
            keeper: None,
        })
    }

    pub(crate) async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    /// Sizes of the WAL and the database file (zero in memory).
    pub(crate) fn wal_status(&self) -> WalStatus {
        match &self.file {
            Some(file) => wal_status(file),
            None => WalStatus::default(),
        }
    }

    /// Size of the WAL file; `None` in memory or while there is none.
    pub(crate) fn wal_bytes(&self) -> Option<u64> {
        let mut wal = self.file.clone()?.into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).ok().map(|m| m.len())
    }

    /// The checkpoint task: ends when the store is closed.
    async fn checkpoints(self) {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !self.writer.is_closed() {
            tick.tick().await;
            if let Err(e) = self.keep_wal_small().await {
                if !self.writer.is_closed() {
                    tracing::warn!("checkpointing the SQLite WAL failed: {e}");
                }
            }
        }
    }

    /// Checkpoints the WAL if it has grown past its threshold (see
    /// [`WalKeeper::after_write`]), between two writes.
    pub(crate) async fn keep_wal_small(&self) -> Result<()> {
        let Some(keeper) = &self.keeper else {
            return Ok(());
        };
        let status = self.wal_status();
        if status.wal_bytes < thresholds(status.database_bytes).0 {
            return Ok(());
        }
        let mut conn = self.writer.acquire().await?;
        keeper.after_write(&mut conn).await;
        Ok(())
    }
}

impl WalKeeper {
    fn new(file: PathBuf) -> WalKeeper {
        WalKeeper {
            file,
            blocked_at: Mutex::new(None),
        }
    }

    /// On the writer, between two transactions: a TRUNCATE checkpoint when
    /// the WAL is past [`CHECKPOINT_AT`] or half the database, unless one
    /// found a reader in the way within [`RETRY_AFTER`] and the WAL is not
    /// yet past [`BACKPRESSURE_AT`] or the database's size. Never fails:
    /// the next write must go on, and the next release tries again.
    pub(crate) async fn after_write(&self, conn: &mut SqliteConnection) {
        let status = wal_status(&self.file);
        let (soft, hard) = thresholds(status.database_bytes);
        if status.wal_bytes < soft {
            return;
        }
        let recently_blocked = self
            .blocked_at
            .lock()
            .map(|at| at.is_some_and(|at| at.elapsed() < RETRY_AFTER))
            .unwrap_or(false);
        if recently_blocked && status.wal_bytes < hard {
            return;
        }
        // Below the backpressure mark a reader in the way costs the write
        // that follows a short wait only.
        let wait = if status.wal_bytes < hard {
            SHORT_WAIT
        } else {
            WRITER_BUSY_TIMEOUT
        };
        let blocked = checkpoint(conn, wait).await;
        if blocked {
            tracing::debug!(
                wal_bytes = status.wal_bytes,
                "a WAL checkpoint waited for a reader in vain; trying again soon"
            );
        }
        if let Ok(mut at) = self.blocked_at.lock() {
            *at = blocked.then(Instant::now);
        }
    }
}

/// A TRUNCATE checkpoint that waits at most `wait` for readers to leave
/// the WAL; whether it could not (a reader stayed, or it failed).
async fn checkpoint(conn: &mut SqliteConnection, wait: Duration) -> bool {
    let set_wait = |d: Duration| format!("PRAGMA busy_timeout = {}", d.as_millis());
    let shortened = wait != WRITER_BUSY_TIMEOUT;
    if shortened {
        if let Err(e) = sqlx::query(&set_wait(wait)).execute(&mut *conn).await {
            tracing::debug!("setting the checkpoint's wait failed: {e}");
        }
    }
    let result: std::result::Result<(i64, i64, i64), _> =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
    if shortened {
        if let Err(e) = sqlx::query(&set_wait(WRITER_BUSY_TIMEOUT))
            .execute(&mut *conn)
            .await
        {
            tracing::warn!("restoring the writer's busy timeout failed: {e}");
        }
    }
    match result {
        Ok((busy, _, _)) => busy != 0,
        Err(e) => {
            tracing::debug!("a WAL checkpoint failed: {e}");
            true
        }
    }
}

/// When a checkpoint is tried, and when every write waits for one, for a
/// database of `database_bytes`: both well inside the bound (64 MB, or
/// twice the database).
fn thresholds(database_bytes: u64) -> (u64, u64) {
    let soft = (database_bytes / 2).clamp(CHECKPOINT_FLOOR, CHECKPOINT_AT);
    let hard = database_bytes.clamp(2 * CHECKPOINT_FLOOR, BACKPRESSURE_AT);
    (soft, hard)
}

/// Sizes of the WAL and of the database file `file` (zero when absent).
fn wal_status(file: &Path) -> WalStatus {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    WalStatus {
        wal_bytes: len(Path::new(&wal)),
        database_bytes: len(file),
    }
}

fn writer_options(base: SqliteConnectOptions) -> SqliteConnectOptions {
    base.journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(WRITER_BUSY_TIMEOUT)
        .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string())
        .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
        .pragma("temp_store", "memory")
}

fn reader_options(base: SqliteConnectOptions) -> SqliteConnectOptions {
    base.read_only(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", format!("-{READER_CACHE_KIB}"))
}
