//! Data at rest (issue 11, finding 9): comm keys are stored sealed, older
//! plain keys are sealed on start, the key is never shown back, and the
//! data directory and its files are private.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{TestApp, TestOptions};
use serde_json::json;

async fn app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await
}

/// (plain, sealed) comm key columns of every device, read around the store.
async fn stored_keys(app: &TestApp) -> Vec<(Option<i64>, Option<String>)> {
    let url = app.state.config.database_url();
    let sql = "SELECT comm_key, comm_key_sealed FROM devices ORDER BY id";
    if app.state.store.is_postgres() {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows
    } else {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows
    }
}

#[tokio::test]
async fn comm_keys_are_sealed_and_never_shown() {
    let app = app().await;
    let api = app.signup("Sealed").await;
    let d = api
        .add_device_with(json!({"name": "Door", "host": "127.0.0.1", "comm_key": 834_271}))
        .await;
    assert_eq!(d["has_comm_key"], true);
    assert!(!d.to_string().contains("834271"), "{d}");
    let keys = stored_keys(&app).await;
    let (plain, sealed) = &keys[0];
    assert_eq!(*plain, None, "no plain key stored");
    let sealed = sealed.as_deref().expect("sealed");
    assert!(
        sealed.starts_with("v1:") && !sealed.contains("834271"),
        "{sealed}"
    );
    // The poller gets the key back.
    let id = punchclock::domain::DeviceId(d["id"].as_i64().unwrap());
    let company = app.company_of("owner@sealed.example.com").await;
    let target = app
        .state
        .store
        .device_poll_target(company, id)
        .await
        .unwrap();
    assert_eq!(target.comm_key, Some(834_271));
    app.shutdown().await;
}

#[tokio::test]
async fn plain_keys_of_older_versions_are_sealed_on_start() {
    let app = app().await;
    let api = app.signup("Legacy").await;
    let d = api
        .add_device_with(json!({"name": "Door", "host": "127.0.0.1"}))
        .await;
    let id = d["id"].as_i64().unwrap();
    app.raw_sql(&format!(
        "UPDATE devices SET comm_key = 4242 WHERE id = {id}"
    ))
    .await;
    assert_eq!(api.device(id).await["has_comm_key"], true);
    assert_eq!(app.state.store.seal_plain_comm_keys().await.unwrap(), 1);
    let keys = stored_keys(&app).await;
    assert_eq!(keys[0].0, None);
    assert!(keys[0].1.as_deref().unwrap().starts_with("v1:"));
    let company = app.company_of("owner@legacy.example.com").await;
    let target = app
        .state
        .store
        .device_poll_target(company, punchclock::domain::DeviceId(id))
        .await
        .unwrap();
    assert_eq!(target.comm_key, Some(4242));
    assert_eq!(app.state.store.seal_plain_comm_keys().await.unwrap(), 0);
    app.shutdown().await;
}

#[tokio::test]
async fn the_data_directory_and_its_files_are_private() {
    let app = TestApp::start().await;
    app.signup("Private").await;
    let dir = app.state.config.data_dir.clone();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for name in [
        "punchclock.sqlite",
        "punchclock.sqlite-wal",
        "punchclock.sqlite-shm",
        "secrets.key",
    ] {
        let path = dir.join(name);
        assert!(path.exists(), "{name} exists");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_key_that_does_not_open_fails_only_its_device() {
    let app = app().await;
    let api = app.signup("Rekeyed").await;
    let d = api
        .add_device_with(json!({"name": "Door", "host": "127.0.0.1", "comm_key": 55}))
        .await;
    let id = punchclock::domain::DeviceId(d["id"].as_i64().unwrap());
    let company = app.company_of("owner@rekeyed.example.com").await;
    // As after the operator's secrets_key changed.
    let other = app
        .state
        .store
        .clone()
        .with_sealer(punchclock::store::sealed::Sealer::new(&[9; 32]));
    let target = other.device_poll_target(company, id).await.unwrap();
    assert_eq!(target.comm_key, None, "left out, so the poll fails as auth");
    assert_eq!(api.device(id.0).await["has_comm_key"], true);
    app.shutdown().await;
}
