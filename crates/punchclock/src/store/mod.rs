//! Storage: one [`Store`] over SQLite or PostgreSQL.
//!
//! SQL is written once in the subset both backends accept (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`) and run against whichever pool is active via
//! the `with_pool!` / `with_tx!` macros; the few statements that differ branch
//! on [`Store::is_postgres`] (and the big batched INSERTs of the sync, which
//! use `?` on SQLite for speed). Rows decode into private `FromRow` structs whose
//! derived impls are generic over the backend.
//!
//! Every method touching tenant data takes the `CompanyId` and filters by it,
//! so another company's row is simply `NotFound`.

use std::str::FromStr;
use std::time::Duration;

use jiff::{civil, Timestamp};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::clock::Clock;
use crate::domain::{UnknownValue, UnknownZone, Zone};

/// Runs `$body` with `$pool` bound to the active pool (`&SqlitePool` or
/// `&PgPool`); the body is compiled once per backend.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a transaction bound to `$tx`, committing when the
/// body finishes. An early `?` drops the transaction, which rolls it back.
/// Never `return` from the body: that would skip the commit.
macro_rules! with_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite(pool) => {
                // IMMEDIATE takes the write lock up front: a deferred
                // transaction that reads first can fail with SQLITE_BUSY
                // when it later tries to write under WAL.
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::store::Backend::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

mod accounts;
mod audit;
mod companies;
mod device_logs;
mod devices;
mod employees;
mod punches;
mod sync;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, or belongs to another company.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated (e.g. email already registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller passed data the store refuses to save.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The URL is neither `sqlite:` nor `postgres:`. Holds only the scheme,
    /// never the URL (it may contain a password).
    #[error("unsupported database url scheme {0:?}")]
    UnsupportedUrl(String),
    /// A stored value could not be turned into a domain value.
    #[error("corrupt stored value: {0}")]
    Corrupt(Corrupt),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<UnknownValue> for StoreError {
    fn from(err: UnknownValue) -> Self {
        StoreError::Corrupt(Corrupt {
            field: err.kind,
            row: None,
            detail: err.to_string(),
        })
    }
}

/// Which stored value is unreadable, and why: enough to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    /// `table.column`, or the domain type when the column is not known.
    pub field: &'static str,
    /// Id of the row, when known.
    pub row: Option<i64>,
    pub detail: String,
}

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(row) => write!(f, "{} of row {row}: {}", self.field, self.detail),
            None => write!(f, "{}: {}", self.field, self.detail),
        }
    }
}

impl StoreError {
    pub(crate) fn corrupt(field: &'static str, row: Option<i64>, detail: impl ToString) -> Self {
        StoreError::Corrupt(Corrupt {
            field,
            row,
            detail: detail.to_string(),
        })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Handle to the database. Cheap to clone; clones share the pool and the
/// clock that stamps every write.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    clock: Clock,
}

impl Store {
    /// Connects and applies the embedded migrations of that backend.
    /// `clock` stamps every write (`created_at`, sessions, ...).
    ///
    /// `sqlite://path?mode=rwc` or `sqlite::memory:` opens SQLite (WAL,
    /// foreign keys, busy timeout); `postgres://…` opens PostgreSQL.
    pub async fn connect(url: &str, clock: Clock) -> Result<Store> {
        let scheme = url.split(':').next().unwrap_or_default();
        let backend = match scheme {
            "sqlite" => Backend::Sqlite(connect_sqlite(url).await?),
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Backend::Postgres(pool)
            }
            other => return Err(StoreError::UnsupportedUrl(other.to_owned())),
        };
        let store = Store { backend, clock };
        // PostgreSQL migrations take an advisory lock, so instances starting
        // together do not race.
        match &store.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(store)
    }

    /// The store's "now" (its injected clock), whole seconds as stored.
    pub(crate) fn now(&self) -> i64 {
        secs(self.clock.now())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every pooled connection; further use fails.
    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let mut options = SqliteConnectOptions::from_str(url)?
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = if in_memory {
        // Every connection to ":memory:" is its own database: keep exactly
        // one, forever.
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        SqlitePoolOptions::new().max_connections(8)
    };
    Ok(pool
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?)
}

// ---- value conversions shared by the per-concept files ----

pub(crate) fn secs(t: Timestamp) -> i64 {
    t.as_second()
}

pub(crate) fn ts(seconds: i64) -> Result<Timestamp> {
    Timestamp::from_second(seconds)
        .map_err(|e| StoreError::corrupt("timestamp", None, format!("{seconds}: {e}")))
}

pub(crate) fn opt_ts(seconds: Option<i64>) -> Result<Option<Timestamp>> {
    seconds.map(ts).transpose()
}

/// Narrows a stored integer into the domain type.
pub(crate) fn int<T: TryFrom<i64>>(value: i64, what: &'static str) -> Result<T> {
    T::try_from(value)
        .map_err(|_| StoreError::corrupt(what, None, format!("out of range: {value}")))
}

pub(crate) fn opt_int<T: TryFrom<i64>>(
    value: Option<i64>,
    what: &'static str,
) -> Result<Option<T>> {
    value.map(|v| int(v, what)).transpose()
}

/// Canonical text of a device wall-clock time. It is part of the punch
/// identity, so it must never vary: always seconds precision.
pub(crate) fn civil_text(dt: civil::DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

pub(crate) fn parse_civil(text: &str) -> Result<civil::DateTime> {
    text.parse()
        .map_err(|e| StoreError::corrupt("punches.device_time", None, format!("{text:?}: {e}")))
}

/// A stored zone name, validated. `field` and `row` say where an unknown
/// name sits, so it can be found and fixed; it never reads as UTC.
pub(crate) fn zone(name: &str, field: &'static str, row: i64) -> Result<Zone> {
    Zone::parse(name).map_err(|e: UnknownZone| StoreError::corrupt(field, Some(row), e))
}

pub(crate) fn opt_zone(name: Option<&str>, field: &'static str, row: i64) -> Result<Option<Zone>> {
    name.map(|n| zone(n, field, row)).transpose()
}

/// `Duration` to whole seconds, saturating (leases, TTLs).
pub(crate) fn dur_secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// `$a, $b, …` for a dynamic `IN (…)` list starting at placeholder `first`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
