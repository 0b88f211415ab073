//! The operator endpoints over a real socket: `/healthz`, `/readyz` and
//! `/metrics` (served to loopback, which is where this test calls from).

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::TestApp;
use reqwest::StatusCode;
use zk_sim::{DeviceSpec, Simulator};

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = reqwest::get(app.url(path)).await.expect("request");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

/// The value of one sample line, e.g. `punchclock_devices{status="online"}`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test]
async fn health_readiness_and_metrics_after_a_poll() {
    let app = TestApp::start().await;
    assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&app, "/readyz").await.0, StatusCode::OK);

    let spec = DeviceSpec::generated(0, 3, 25, 7);
    let sim = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, vec![spec])
        .await
        .expect("simulator");
    let api = app.signup("Metrics").await;
    let device = api.add_device("Door", sim.addr(0)).await;
    let log = api.sync_device(device["id"].as_i64().unwrap()).await;
    assert_eq!(log["outcome"], "ok", "{log}");

    let (status, text) = get(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let ok = sample(
        &text,
        r#"punchclock_polls_total{outcome="ok",reason="none"}"#,
    );
    assert!(ok.is_some_and(|n| n >= 1.0), "{text}");
    let stored = sample(&text, "punchclock_punches_ingested_total");
    assert!(stored.is_some_and(|n| n >= 25.0), "{text}");
    assert_eq!(
        sample(&text, r#"punchclock_devices{status="online"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"punchclock_devices{status="offline"}"#),
        Some(0.0)
    );
    assert!(
        text.contains("punchclock_poll_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        sample(&text, "punchclock_sqlite_wal_bytes").is_some(),
        "{text}"
    );
    assert!(!text.contains("Metrics"), "no company is named: {text}");

    // With the database gone the process is still up, but not ready.
    app.state.store.close().await;
    assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK);
    assert_eq!(
        get(&app, "/readyz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
