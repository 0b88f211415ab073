//! The process's metrics recorder (the `metrics` facade with the Prometheus
//! exporter). Code anywhere records with `metrics::counter!` and friends;
//! `/metrics` renders what this recorder holds. Installed once per process,
//! so several services in one test process share it.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Poll durations from a LAN clock (well under a second) to the whole-poll
/// limit (600 s by default).
const POLL_SECONDS: &[f64] = &[
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// The recorder's handle, installing the recorder on first use. `None` if
/// another recorder was installed first (then nothing is rendered).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(install).as_ref()
}

fn install() -> Option<PrometheusHandle> {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("punchclock_poll_duration_seconds".into()),
            POLL_SECONDS,
        )
        .ok()?;
    let handle = builder.install_recorder().ok()?;
    describe();
    Some(handle)
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "punchclock_polls_total",
        "Polls by outcome and failure reason."
    );
    describe_histogram!(
        "punchclock_poll_duration_seconds",
        Unit::Seconds,
        "How long each poll took."
    );
    describe_counter!("punchclock_punches_ingested_total", "Punches stored new.");
    describe_counter!(
        "punchclock_poll_modes_total",
        "Syncs by how much they handed to the store: full, incremental or unchanged."
    );
    describe_counter!(
        "punchclock_device_bytes_total",
        Unit::Bytes,
        "Bytes received from and sent to polled devices, frames as on the wire."
    );
    describe_gauge!("punchclock_devices", "Enabled polled devices by status.");
    describe_gauge!(
        "punchclock_sync_lag_seconds",
        Unit::Seconds,
        "Now minus the oldest last successful sync of an enabled polled device."
    );
    describe_gauge!(
        "punchclock_db_connections",
        "Database pool connections, open and in use (waiting work shows as all in use)."
    );
    describe_gauge!(
        "punchclock_sqlite_wal_bytes",
        Unit::Bytes,
        "Size of the SQLite write-ahead log."
    );
    describe_counter!(
        "punchclock_device_logs_pruned_total",
        "Device-log entries removed after device_log_days."
    );
}
