//! Figures about the whole installation, for the operator's `/metrics`:
//! device counts by status, the oldest successful sync, the database's
//! connections and WAL. Nothing here is scoped to a company, and nothing
//! names one. Also the pruning of old device-log entries.

use jiff::Timestamp;

use super::{opt_ts, secs, Backend, Result, Store};

/// Polled devices by status, and how stale the stalest one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FleetHealth {
    pub online: u64,
    pub offline: u64,
    pub pending: u64,
    /// The oldest last successful sync among enabled polled devices that
    /// have synced at least once.
    pub oldest_sync: Option<Timestamp>,
}

/// The database's connection pool right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
}

impl Store {
    /// Enabled polled devices of every company, counted by status.
    pub async fn fleet_health(&self) -> Result<FleetHealth> {
        let rows: Vec<(String, i64, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT status, COUNT(*), MIN(last_seen_at) FROM devices \
                 WHERE enabled AND mode = 'poll' GROUP BY status",
            )
            .fetch_all(pool)
            .await?
        });
        let mut health = FleetHealth::default();
        for (status, count, oldest) in rows {
            let count = u64::try_from(count).unwrap_or(0);
            match status.as_str() {
                "online" => health.online = count,
                "offline" => health.offline = count,
                _ => health.pending += count,
            }
            let oldest = opt_ts(oldest)?;
            health.oldest_sync = match (health.oldest_sync, oldest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(health)
    }

    /// Open and idle connections (on SQLite the writer and the readers).
    pub fn pool_use(&self) -> PoolUse {
        let (open, idle) = match &self.backend {
            Backend::Sqlite(p) => (
                p.writer.size() + p.readers.size(),
                p.writer.num_idle() + p.readers.num_idle(),
            ),
            Backend::Postgres(p) => (p.size(), p.num_idle()),
        };
        PoolUse {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        }
    }

    /// Size of the SQLite write-ahead log in bytes; `None` on PostgreSQL or
    /// an in-memory database.
    pub fn wal_bytes(&self) -> Option<u64> {
        match &self.backend {
            Backend::Sqlite(pools) => pools.wal_bytes(),
            Backend::Postgres(_) => None,
        }
    }

    /// Deletes up to `batch` device-log entries that started before
    /// `before`, oldest first; returns how many went. One short statement,
    /// so pruning a year of logs never holds a long transaction: callers
    /// repeat it until it returns less than `batch`.
    pub async fn prune_device_logs(&self, before: Timestamp, batch: u32) -> Result<u64> {
        let done = with_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM device_logs WHERE id IN \
                 (SELECT id FROM device_logs WHERE started_at < $1 ORDER BY id LIMIT $2)",
            )
            .bind(secs(before))
            .bind(i64::from(batch))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done)
    }
}
