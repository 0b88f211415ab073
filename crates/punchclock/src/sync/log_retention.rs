//! Device-log retention: entries older than `device_log_days` are deleted
//! in small batches, one short statement each, so pruning never holds a
//! long transaction or starves the polls that write new entries.

use std::time::Duration;

use jiff::SignedDuration;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::store::{Store, StoreError};

/// Entries deleted per statement.
pub const BATCH: u32 = 1000;
/// Pause between batches, so writers get the database in between.
const BREATHER: Duration = Duration::from_millis(50);
/// How often a pass runs.
const EVERY: Duration = Duration::from_secs(3600);

/// Prunes the device log of every company.
#[derive(Clone)]
pub struct LogRetention {
    store: Store,
    clock: Clock,
    days: u32,
}

impl LogRetention {
    pub fn new(store: Store, clock: Clock, days: u32) -> Self {
        LogRetention {
            store,
            clock,
            days: days.max(1),
        }
    }

    /// One pass: deletes everything older than the retention, batch by
    /// batch, until a batch comes back short or `stop` turns true.
    pub async fn prune(&self, stop: &watch::Receiver<bool>) -> Result<u64, StoreError> {
        let age = SignedDuration::from_hours(i64::from(self.days) * 24);
        let before = self.clock.now() - age;
        let mut total = 0;
        loop {
            let n = self.store.prune_device_logs(before, BATCH).await?;
            total += n;
            metrics::counter!("punchclock_device_logs_pruned_total").increment(n);
            if n < u64::from(BATCH) || *stop.borrow() {
                return Ok(total);
            }
            tokio::time::sleep(BREATHER).await;
        }
    }

    /// A pass at start and every hour, until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            match self.prune(&stop).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("device log: pruned {n} entries over {} days", self.days),
                Err(e) => tracing::warn!("device log pruning failed (tried again in an hour): {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.changed() => return,
            }
        }
    }
}
