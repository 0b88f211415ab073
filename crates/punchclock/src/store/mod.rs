//! Storage: one [`Store`] over SQLite or PostgreSQL.
//!
//! SQL is written once in the subset both backends accept (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`) and run via `with_pool!` (writes),
//! `with_reader!` (reads only: SQLite's read pool, see `sqlite.rs`) or
//! inside [`Store::transaction`] via `on_tx!`;
//! the few statements that differ branch on [`Store::is_postgres`].
//! Statements with many values use `sqlx::QueryBuilder`, which binds each
//! value right after its column name (and uses `?` on SQLite, where
//! numbered parameters are slow). Rows decode into private `FromRow`
//! structs whose derived impls are generic over the backend.
//!
//! Every method touching tenant data takes the `CompanyId` and filters by it,
//! so another company's row is simply `NotFound`.

use std::str::FromStr;
use std::time::Duration;

use jiff::{civil, Timestamp};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use crate::clock::Clock;
use crate::domain::{UnknownZone, Zone};

/// Runs `$body` with `$pool` bound to the pool that writes (`&SqlitePool`
/// or `&PgPool`); the body is compiled once per backend. On SQLite that is
/// the one writer connection, so writes queue there instead of failing
/// with "database is locked".
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite(pools) => {
                let $pool = &pools.writer;
                $body
            }
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}

/// Like `with_pool!`, for statements that only read: on SQLite they run on
/// the read pool, so pages never wait behind a sync.
macro_rules! with_reader {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite(pools) => {
                let $pool = &pools.readers;
                $body
            }
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the connection of the transaction
/// `$tx` (a `&mut Tx`): `&mut SqliteConnection` or `&mut PgConnection`.
/// The body is compiled once per backend. Use it inside
/// [`Store::transaction`], which owns the commit.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

/// `INSERT INTO $table (column, …) VALUES (…)` as a `sqlx::QueryBuilder`,
/// written as `column: value` pairs: each value is bound in the same place
/// as its column is named, so two values can never swap columns.
macro_rules! insert_into {
    ($table:literal { $($column:ident: $value:expr),+ $(,)? }) => {{
        let columns = [$(stringify!($column)),+].join(", ");
        let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {} ({columns}) VALUES (", $table));
        let mut values = q.separated(", ");
        $(values.push_bind($value);)+
        q.push(")");
        q
    }};
}

/// A multi-row `INSERT INTO $table (column, …) VALUES (…), (…)` for every
/// item of `$rows`, written as `column: value` pairs like [`insert_into!`].
/// Build it with `.persistent(false)`: every row count is another statement,
/// which the connections' statement caches would keep.
macro_rules! insert_rows {
    ($table:literal, $rows:expr, |$row:ident| { $($column:ident: $value:expr),+ $(,)? }) => {{
        let columns = [$(stringify!($column)),+].join(", ");
        let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {} ({columns}) ", $table));
        q.push_values($rows, |mut values, $row| {
            $(values.push_bind($value);)+
        });
        q
    }};
}

mod accounts;
mod alerts;
mod attendance;
mod attendance_days;
mod attendance_rules;
mod audit;
pub mod backup;
mod calendar;
mod companies;
mod corrections;
mod device_care;
mod device_logs;
mod device_names;
mod devices;
mod employees;
mod error;
mod fleet_health;
mod leases;
mod live;
mod mail_outbox;
mod notify_settings;
mod poll_batches;
mod poll_record;
mod punch_ingest;
mod punches;
mod push_commands;
mod push_devices;
mod push_record;
mod push_unclaimed;
mod reports;
pub mod sealed;
mod shifts;
mod signups;
mod sqlite;
mod tx;
mod webhooks;

pub use alerts::{CompanyHealth, DeviceHealth, PushCalls, FLAP_WINDOW_SECONDS};
pub use attendance_days::StoredDay;
pub use device_care::NewDeviceEvent;
pub use error::{Corrupt, Invalid, Rule, ShiftUse, StoreError};
pub use fleet_health::{FleetHealth, PoolUse};
pub use live::LiveStored;
pub use mail_outbox::{MailResult, UnsubscribeTarget};
pub use poll_batches::{BatchStored, PollInProgress};
pub use punch_ingest::{PUNCH_ROWS, PUNCH_ROWS_PG};
pub use push_commands::CommandFinish;
pub use push_devices::SourceChange;
pub use push_record::PushWrite;
pub use reports::{DailyReportMail, ReportSchedule, REPORTS_PER_TRANSACTION};
pub use sqlite::WalStatus;
pub(crate) use tx::Tx;
pub use webhooks::{AttemptResult, RETRY_FOR_SECONDS};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(sqlite::Pools),
    Postgres(PgPool),
}

/// How the store runs, beyond its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Statements slower than this are reported (summarised by the log
    /// setup, never with their values).
    pub slow_statement: Duration,
    /// SQLite connections that only read, beside the one writer.
    pub read_connections: u32,
    /// SQLite as it ran before the single writer: eight connections that
    /// all write, no WAL bound. Only for a benchmark's baseline.
    pub shared_pool_baseline: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            slow_statement: Duration::from_secs(1),
            read_connections: 4,
            shared_pool_baseline: false,
        }
    }
}

/// Handle to the database. Cheap to clone; clones share the pools and the
/// clock that stamps every write.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    clock: Clock,
    /// Seals comm keys at rest; set the operator's with [`Store::with_sealer`].
    sealer: sealed::Sealer,
}

impl Store {
    /// [`Store::connect_with`] the default options.
    pub async fn connect(url: &str, clock: Clock) -> Result<Store> {
        Self::connect_with(url, clock, StoreOptions::default()).await
    }

    /// Connects and applies the embedded migrations of that backend.
    /// `clock` stamps every write (`created_at`, sessions, ...).
    ///
    /// `sqlite://path?mode=rwc` or `sqlite::memory:` opens SQLite (WAL, one
    /// writer and a read pool, see `sqlite.rs`); `postgres://…` opens
    /// PostgreSQL.
    pub async fn connect_with(url: &str, clock: Clock, options: StoreOptions) -> Result<Store> {
        let scheme = url.split(':').next().unwrap_or_default();
        let backend = match scheme {
            "sqlite" => {
                Backend::Sqlite(sqlite::Pools::open(url, &options, &SQLITE_MIGRATIONS).await?)
            }
            "postgres" | "postgresql" => Backend::Postgres(connect_postgres(url, &options).await?),
            other => return Err(StoreError::UnsupportedUrl(other.to_owned())),
        };
        Ok(Store {
            backend,
            clock,
            sealer: sealed::Sealer::ephemeral(),
        })
    }

    /// The same store, sealing secrets with the operator's key.
    pub fn with_sealer(mut self, sealer: sealed::Sealer) -> Store {
        self.sealer = sealer;
        self
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
        with_reader!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Sizes of the SQLite WAL and database (zero on PostgreSQL and in
    /// memory).
    pub fn wal_status(&self) -> WalStatus {
        match &self.backend {
            Backend::Sqlite(pools) => pools.wal_status(),
            Backend::Postgres(_) => WalStatus::default(),
        }
    }

    /// Closes every pooled connection; further use fails.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pools) => pools.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

async fn connect_postgres(url: &str, options: &StoreOptions) -> Result<PgPool> {
    let connect = PgConnectOptions::from_str(url)?
        .log_statements(log::LevelFilter::Trace)
        .log_slow_statements(log::LevelFilter::Warn, options.slow_statement);
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(connect)
        .await?;
    // Migrations take an advisory lock, so instances starting together do
    // not race.
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(pool)
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
