//! `punchclock backup` and `restore` on SQLite: backups taken while syncs
//! write are consistent (every recorded poll whole, none half), the last
//! one holds every punch, it restores into a database the service opens,
//! and a restore over a running service's database is refused.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::TestApp;
use punchclock::clock::Clock;
use punchclock::store::backup::{backup_sqlite, check_sqlite, restore_sqlite, BackupError};
use punchclock::store::Store;
use zk_sim::{DeviceSpec, Simulator};

/// The punches stored and the punches the logs say were stored new.
async fn counts(file: &Path) -> (i64, i64) {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let stored = sqlx::query_scalar("SELECT COUNT(*) FROM punches")
        .fetch_one(&pool)
        .await
        .unwrap();
    let logged = sqlx::query_scalar("SELECT COALESCE(SUM(punches_new), 0) FROM device_logs")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    (stored, logged)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_during_syncs_are_consistent_and_restore_every_punch() {
    let app = TestApp::start().await;
    let spec = DeviceSpec::generated(0, 5, 2_000, 3);
    let later = DeviceSpec::generated(0, 5, 6_000, 4).punches;
    let sim = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, vec![spec])
        .await
        .unwrap();
    let api = app.signup("Backup").await;
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    api.sync_device(id).await;
    let db = app.state.config.data_dir.join("punchclock.sqlite");
    let dir = tempfile::tempdir().unwrap();

    // Taps arrive and are synced while backups are taken.
    let device = sim.device(0);
    let syncing = api.clone();
    let load = tokio::spawn(async move {
        for batch in later.chunks(500) {
            device.add_punches(batch.to_vec());
            syncing.sync_device(id).await;
        }
    });
    let mut taken = 0;
    while !load.is_finished() {
        let file = dir.path().join(format!("during-{taken}.sqlite"));
        let facts = backup_sqlite(&db, &file).await.unwrap();
        let (stored, logged) = counts(&file).await;
        assert_eq!(stored, logged, "backup {taken} holds a poll only in part");
        assert_eq!(facts.punches, stored as u64);
        taken += 1;
    }
    load.await.unwrap();
    assert!(taken >= 2, "only {taken} backups overlapped the syncs");

    let last = dir.path().join("last.sqlite");
    let facts = backup_sqlite(&db, &last).await.unwrap();
    assert_eq!(facts.punches, check_sqlite(&db).await.unwrap().punches);
    assert!(facts.punches >= 2_000);
    let mode = std::fs::metadata(&last).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a backup is readable by its owner only");
    let again = backup_sqlite(&db, &last).await;
    assert!(matches!(again, Err(BackupError::Exists(_))), "{again:?}");

    let restored = dir.path().join("restored").join("punchclock.sqlite");
    std::fs::create_dir_all(restored.parent().unwrap()).unwrap();
    let back = restore_sqlite(&last, &restored, false).await.unwrap();
    assert_eq!(back.punches, facts.punches);
    let url = format!("sqlite://{}?mode=rwc", restored.display());
    Store::connect(&url, Clock::system())
        .await
        .unwrap()
        .close()
        .await;
    assert_eq!(counts(&restored).await.0 as u64, facts.punches);

    let over_live = restore_sqlite(&last, &db, false).await;
    assert!(
        matches!(over_live, Err(BackupError::Running(_))),
        "{over_live:?}"
    );
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, b"not a database at all").unwrap();
    assert!(restore_sqlite(&garbage, &restored, true).await.is_err());
    assert_eq!(
        counts(&restored).await.0 as u64,
        facts.punches,
        "a bad file changes nothing"
    );
}
