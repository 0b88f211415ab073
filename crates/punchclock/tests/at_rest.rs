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

/// One text column of every row of a query, read around the store.
async fn stored_texts(app: &TestApp, sql: &str) -> Vec<String> {
    let url = app.state.config.database_url();
    if app.state.store.is_postgres() {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let rows = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows
    } else {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let rows = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
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

#[tokio::test]
async fn webhook_secrets_are_sealed_and_older_plain_ones_sealed_on_start() {
    let app = app().await;
    let api = app.signup("Hooked").await;
    let hook = api
        .post("/webhooks", &json!({"url": "http://127.0.0.1:9/hook"}))
        .await
        .expect(reqwest::StatusCode::CREATED);
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let stored = stored_texts(&app, "SELECT secret FROM webhooks").await;
    assert!(
        stored[0].starts_with("v1:") && !stored[0].contains(&secret),
        "{stored:?}"
    );
    let listed = api.get("/webhooks").await.expect(reqwest::StatusCode::OK);
    assert!(!listed.to_string().contains(&secret), "never shown back");
    // As written by a version before sealing.
    app.raw_sql("UPDATE webhooks SET secret = 'whsec_plain'")
        .await;
    let store = &app.state.store;
    assert_eq!(store.seal_plain_webhook_secrets().await.unwrap(), 1);
    assert_eq!(store.seal_plain_webhook_secrets().await.unwrap(), 0);
    let stored = stored_texts(&app, "SELECT secret FROM webhooks").await;
    assert!(stored[0].starts_with("v1:") && !stored[0].contains("whsec_plain"));
    app.shutdown().await;
}

#[tokio::test]
async fn push_key_digests_are_sealed_and_read_back() {
    let app = app().await;
    let api = app.signup("Pushed").await;
    let d = api
        .add_device_with(json!({"name": "Gate", "mode": "push", "serial_number": "SEALED0001"}))
        .await;
    let id = punchclock::domain::DeviceId(d["id"].as_i64().unwrap());
    let store = &app.state.store;
    assert!(store.bind_push_key(id, "comkey:abc123").await.unwrap());
    let sql = "SELECT push_key_hash FROM devices WHERE push_key_hash IS NOT NULL";
    let stored = stored_texts(&app, sql).await;
    assert!(
        stored[0].starts_with("v1:") && !stored[0].contains("abc123"),
        "{stored:?}"
    );
    let target = store.push_target("SEALED0001").await.unwrap().unwrap();
    assert_eq!(target.key_hash.as_deref(), Some("comkey:abc123"));
    // A digest bound by a version before sealing.
    app.raw_sql("UPDATE devices SET push_key_hash = 'comkey:def456'")
        .await;
    assert_eq!(store.seal_plain_push_keys().await.unwrap(), 1);
    let target = store.push_target("SEALED0001").await.unwrap().unwrap();
    assert_eq!(target.key_hash.as_deref(), Some("comkey:def456"));
    assert!(stored_texts(&app, sql).await[0].starts_with("v1:"));
    app.shutdown().await;
}

/// A second instance on the same database with another key, or with none
/// given (so a fresh key file of its own), is refused at start, in words
/// that name `secrets_key`; the right key starts.
#[tokio::test]
async fn a_start_with_another_secrets_key_is_refused() {
    let app = app().await;
    app.signup("Keyed").await;
    let url = app.state.config.database_url();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut other = (*app.state.config).clone();
    other.database_url = url.clone();
    other.data_dir = elsewhere.path().join("data");
    other.secrets_key = "ab".repeat(32);
    let clock = punchclock::clock::Clock::system();
    let refused = punchclock::app::build_state(other.clone(), clock.clone())
        .await
        .err()
        .expect("refused");
    assert!(
        format!("{refused:#}").contains("secrets_key"),
        "{refused:#}"
    );
    other.secrets_key = String::new();
    let refused = punchclock::app::build_state(other.clone(), clock.clone())
        .await
        .err()
        .expect("a key file of its own is refused too");
    assert!(
        format!("{refused:#}").contains("secrets_key"),
        "{refused:#}"
    );
    // The key the first instance made, given as secrets_key, is accepted.
    let key_file = app.state.config.data_dir.join("secrets.key");
    other.secrets_key = std::fs::read_to_string(key_file).unwrap().trim().into();
    let state = punchclock::app::build_state(other, clock).await.unwrap();
    state.store.close().await;
    app.shutdown().await;
}
