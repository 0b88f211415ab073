//! Operator endpoints: is the process up, is the database answering, and
//! the installation's figures for Prometheus. No company is named here.

use metrics::gauge;

use super::error::ServiceResult;
use super::services::Services;

impl Services {
    pub fn health(&self) -> Health<'_> {
        Health(self)
    }
}

/// Health and metrics; see [`Services::health`].
pub struct Health<'a>(&'a Services);

impl Health<'_> {
    /// Whether the database answers a round trip.
    pub async fn ready(&self) -> ServiceResult<()> {
        Ok(self.0.store.ping().await?)
    }

    /// The Prometheus text: what the recorder collected, with the device
    /// counts, sync lag and database gauges read now.
    pub async fn metrics(&self) -> ServiceResult<String> {
        let store = &self.0.store;
        let fleet = store.fleet_health().await?;
        for (status, n) in [
            ("online", fleet.online),
            ("offline", fleet.offline),
            ("pending", fleet.pending),
        ] {
            gauge!("punchclock_devices", "status" => status).set(n as f64);
        }
        let lag = fleet.oldest_sync.map_or(0.0, |t| {
            let since = self.0.clock.now().duration_since(t);
            since.as_secs_f64().max(0.0)
        });
        gauge!("punchclock_sync_lag_seconds").set(lag);
        let pool = store.pool_use();
        let in_use = pool.open.saturating_sub(pool.idle);
        gauge!("punchclock_db_connections", "state" => "open").set(f64::from(pool.open));
        gauge!("punchclock_db_connections", "state" => "in_use").set(f64::from(in_use));
        if let Some(wal) = store.wal_bytes() {
            gauge!("punchclock_sqlite_wal_bytes").set(wal as f64);
        }
        Ok(crate::telemetry::handle().map_or_else(String::new, |h| h.render()))
    }
}
