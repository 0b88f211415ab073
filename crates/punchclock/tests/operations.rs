//! The store's operator figures and device-log retention, on both
//! backends: device counts by status across companies, and old log entries
//! deleted in bounded batches without touching newer ones.

use std::time::Duration;

use punchclock::domain::*;
use punchclock::store::Store;

#[macro_use]
mod store_harness;
use store_harness::fixtures::{at, new_company, new_device};
use store_harness::{run_postgres, run_sqlite, TestDb};

store_tests!(
    old_device_logs_go_in_batches,
    fleet_health_counts_polled_devices_by_status,
);

const DAY: i64 = 86_400;
const NOW: i64 = 1_790_000_000;

fn device(name: &str, enabled: bool) -> NewDevice {
    NewDevice {
        enabled,
        ..new_device(name, "10.0.0.5")
    }
}

/// An attempt at `started` that read nothing.
fn attempt(started: i64, outcome: Outcome) -> PollRecord {
    let reason = (outcome == Outcome::Failed)
        .then(|| PollReason::new(PollFailure::Refused, "nothing listens at the address"));
    PollRecord {
        kind: LogKind::Sync,
        started_at: at(started),
        duration: Duration::from_millis(20),
        host: "10.0.0.5".into(),
        address: None,
        transport_used: None,
        outcome,
        reason,
        info: None,
        users: vec![],
        punches: vec![],
        history_pulled: false,
        next_poll_at: Some(at(started + 1_800)),
        sync: Default::default(),
    }
}

async fn log_count(db: &TestDb) -> String {
    let n = db
        .raw_strings("SELECT CAST(COUNT(*) AS TEXT) FROM device_logs")
        .await;
    n.into_iter().next().unwrap()
}

async fn old_device_logs_go_in_batches(db: TestDb) {
    let store: &Store = &db.store;
    let c = store.create_company(&new_company("Acme")).await.unwrap();
    let d = store
        .create_device(c.id, &device("Door", true))
        .await
        .unwrap();
    for days_ago in [200, 120, 91, 89, 1, 0] {
        let rec = attempt(NOW - days_ago * DAY, Outcome::Failed);
        store.record_poll(c.id, d.id, &rec).await.unwrap();
    }
    let cutoff = at(NOW - 90 * DAY);
    assert_eq!(store.prune_device_logs(cutoff, 2).await.unwrap(), 2);
    assert_eq!(log_count(&db).await, "4");
    assert_eq!(store.prune_device_logs(cutoff, 2).await.unwrap(), 1);
    assert_eq!(store.prune_device_logs(cutoff, 2).await.unwrap(), 0);
    assert_eq!(log_count(&db).await, "3", "entries within 90 days stay");
}

async fn fleet_health_counts_polled_devices_by_status(db: TestDb) {
    let store: &Store = &db.store;
    let a = store.create_company(&new_company("A")).await.unwrap();
    let b = store.create_company(&new_company("B")).await.unwrap();
    let online = store
        .create_device(a.id, &device("On", true))
        .await
        .unwrap();
    let offline = store
        .create_device(b.id, &device("Off", true))
        .await
        .unwrap();
    store
        .create_device(b.id, &device("New", true))
        .await
        .unwrap();
    let off = store
        .create_device(b.id, &device("Disabled", false))
        .await
        .unwrap();
    let ok = attempt(NOW - 600, Outcome::Ok);
    store.record_poll(a.id, online.id, &ok).await.unwrap();
    let failed = attempt(NOW - 60, Outcome::Failed);
    store.record_poll(b.id, offline.id, &failed).await.unwrap();
    store.record_poll(b.id, off.id, &ok).await.unwrap();

    let health = store.fleet_health().await.unwrap();
    assert_eq!((health.online, health.offline, health.pending), (1, 1, 1));
    assert!(health.oldest_sync.is_some(), "{health:?}");
    assert!(store.pool_use().open >= 1);
    assert_eq!(store.wal_bytes().is_some(), !store.is_postgres());
}
