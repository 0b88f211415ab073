//! Storage: one [`Store`] over SQLite or PostgreSQL.
//!
//! SQL is written once in the subset both backends accept (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`) and run against whichever pool is active via
//! the `with_pool!` macro, or inside [`Store::transaction`] via `on_tx!`;
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
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::clock::Clock;
use crate::domain::{UnknownZone, Zone};

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
mod audit;
pub mod backup;
mod companies;
mod device_care;
mod device_logs;
mod devices;
mod employees;
mod error;
mod fleet_health;
mod mail_outbox;
mod notify_settings;
mod poll_record;
mod punches;
mod push_commands;
mod push_devices;
mod push_record;
mod push_unclaimed;
mod tx;
mod webhooks;

pub use alerts::{CompanyHealth, DeviceHealth, FLAP_WINDOW_SECONDS};
pub use device_care::NewDeviceEvent;
pub use error::{Corrupt, Invalid, Rule, StoreError};
pub use fleet_health::{FleetHealth, PoolUse};
pub use mail_outbox::{MailResult, UnsubscribeTarget};
pub use push_commands::CommandFinish;
pub use push_devices::SourceChange;
pub(crate) use tx::Tx;
pub use webhooks::{AttemptResult, RETRY_FOR_SECONDS};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

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
