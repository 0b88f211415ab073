//! The poll scheduler running for real: it picks up due devices by itself,
//! schedules the next poll about 30 minutes out, and a dead device does not
//! hold up a live one.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{Api, TestApp, TestOptions};
use jiff::Timestamp;
use serde_json::Value;
use zk_sim::{DeviceSpec, Faults, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn scheduled_app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        schedule: true,
        ..TestOptions::default()
    })
    .await
}

/// Wait (bounded) until `pred` holds for the device's JSON.
async fn wait_for(api: &Api, id: i64, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let d = api.device(id).await;
        if pred(&d) {
            return d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {d}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn new_devices_are_polled_by_the_scheduler_and_rescheduled_half_an_hour_out() {
    let app = scheduled_app().await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, 60, 3)])
        .await
        .unwrap();
    let api = app.signup("Scheduled").await;
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let d = wait_for(&api, id, "the first poll", |d| d["status"] == "online").await;
    assert_eq!(d["punch_count"], 60);
    let logs = api.logs(id).await;
    assert_eq!(logs.len(), 1, "exactly one poll");
    assert_eq!(logs[0]["kind"], "sync");
    assert_eq!(logs[0]["punches_new"], 60);
    // Next poll: the 30-minute default with at most 10% jitter.
    let minutes = (ts(&d["next_poll_at"]) - Timestamp::now()).get_seconds() as f64 / 60.0;
    assert!(
        (26.5..=33.1).contains(&minutes),
        "next poll in {minutes} min"
    );
    assert_eq!(d["poll_interval_minutes"], 30);
    app.shutdown().await;
}

#[tokio::test]
async fn a_dead_device_does_not_delay_a_live_one() {
    let app = scheduled_app().await;
    let sim = Simulator::start(
        LOCALHOST,
        0,
        vec![
            DeviceSpec::generated(0, 3, 20, 4),
            DeviceSpec::generated(1, 3, 20, 4),
        ],
    )
    .await
    .unwrap();
    // The first device accepts the connection and then never answers.
    sim.device(0).set_faults(Faults {
        delay: Some(Duration::from_secs(120)),
        ..Faults::default()
    });
    let api = app.signup("Two Sites").await;
    let dead = api.add_device("Dead", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let live = api.add_device("Live", sim.addr(1)).await["id"]
        .as_i64()
        .unwrap();
    wait_for(&api, live, "the live device", |d| d["status"] == "online").await;
    let dead_d = wait_for(&api, dead, "the dead device to time out", |d| {
        d["status"] == "offline"
    })
    .await;
    assert!(
        dead_d["last_error"].as_str().unwrap().contains("no answer")
            || dead_d["last_error"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("time"),
        "{dead_d}"
    );
    // The two polls overlapped: the live one finished before the dead one gave up.
    let end =
        |l: &Value| ts(&l["started_at"]).as_millisecond() + l["duration_ms"].as_i64().unwrap();
    let live_log = &api.logs(live).await[0];
    let dead_log = &api.logs(dead).await[0];
    assert!(
        end(live_log) < end(dead_log),
        "live {live_log} should end before dead {dead_log}"
    );
    app.shutdown().await;
}
