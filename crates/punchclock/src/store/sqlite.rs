//! SQLite as one writer and many readers.
//!
//! Every write goes through a pool of exactly one connection, so writers
//! queue in the pool (first come, first served) instead of racing for the
//! file lock and failing with "database is locked" after the busy timeout.
//! Reads use a separate pool of read-only connections: under WAL they never
//! wait for the writer, so pages do not wait behind a sync.
//!
//! The WAL is kept small: `journal_size_limit` truncates the file whenever
//! it restarts, and a checkpoint task ([`Pools::keep_wal_small`], every
//! [`CHECKPOINT_EVERY`]) runs a TRUNCATE checkpoint on the writer once the
//! WAL passes [`CHECKPOINT_AT`] or the database's own size. A reader holding an old snapshot can delay
//! that; reads are short, so the next attempt succeeds.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};

use super::{Result, StoreOptions};

/// WAL size at which a TRUNCATE checkpoint is run.
pub const CHECKPOINT_AT: u64 = 16 * 1024 * 1024;

/// A WAL smaller than this is never checkpointed by the task (SQLite's own
/// automatic checkpoints still run).
const CHECKPOINT_FLOOR: u64 = 1024 * 1024;

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
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(60))
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
        })
    }

    pub(crate) async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    /// Sizes of the WAL and the database file (zero in memory).
    pub(crate) fn wal_status(&self) -> WalStatus {
        let Some(file) = &self.file else {
            return WalStatus::default();
        };
        let len = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = file.clone().into_os_string();
        wal.push("-wal");
        WalStatus {
            wal_bytes: len(wal.into()),
            database_bytes: len(file.clone()),
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

    /// Checkpoints and truncates the WAL once it has grown past
    /// [`CHECKPOINT_AT`]. Runs on the writer, between transactions.
    pub(crate) async fn keep_wal_small(&self) -> Result<()> {
        let status = self.wal_status();
        // Past the database's own size too (1 MB at least), so the WAL of
        // a small database stays within about twice its size.
        let limit = CHECKPOINT_AT.min(status.database_bytes.max(CHECKPOINT_FLOOR));
        if status.wal_bytes < limit {
            return Ok(());
        }
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.writer)
            .await?;
        if busy != 0 {
            tracing::debug!("a WAL checkpoint waited for a reader; trying again soon");
        }
        Ok(())
    }
}

fn writer_options(base: SqliteConnectOptions) -> SqliteConnectOptions {
    base.journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        // Only a checkpoint waits here (for readers to move on): no other
        // connection writes.
        .busy_timeout(Duration::from_secs(2))
        .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string())
        .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
        .pragma("temp_store", "memory")
}

fn reader_options(base: SqliteConnectOptions) -> SqliteConnectOptions {
    base.read_only(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", format!("-{READER_CACHE_KIB}"))
}
