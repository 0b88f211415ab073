//! The binary's push commands: `punchclock sim --push URL` runs push
//! devices that call the service, `punchclock push unclaimed` lists the
//! serials that called without a claim, and `/metrics` counts them.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{TestApp, TestOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Upper bound for every wait, so no test can hang.
const WAIT: Duration = Duration::from_secs(30);

const SIM: [&str; 7] = ["sim", "--users", "5", "--seed", "7", "--devices", "2"];

/// The serial numbers `punchclock sim` generates (the same seed, the same).
async fn sim_serials() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_punchclock"))
        .args(SIM)
        .args(["--dump", "serials"])
        .output()
        .await
        .expect("punchclock sim --dump serials");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("a JSON list")
}

/// `punchclock sim --push`; returns the process and the serials it prints.
async fn push_sim(base: &str) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_punchclock"))
        .args(SIM)
        .args(["--push", base, "--punches-per-second", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start punchclock sim --push");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("the simulator announces itself")
        .expect("read")
        .expect("a line");
    let serials = line
        .split_once("(serial numbers ")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected announcement: {line}"))
        .split(", ")
        .map(str::to_owned)
        .collect();
    (child, serials)
}

async fn wait_for<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = tokio::time::Instant::now() + WAIT;
    while !cond().await {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_push_devices_punch_into_their_company_and_strangers_are_listed() {
    let app = TestApp::start_with(TestOptions {
        configure: |c| {
            c.push.delay_seconds = 1;
            c.push.error_delay_seconds = 1;
            c.push.flush_ms = 50;
        },
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Sim Push").await;
    // The first is claimed before it calls; the second stays a stranger.
    let serials = sim_serials().await;
    assert_eq!(serials.len(), 2, "{serials:?}");
    let body = json!({"name": "Door", "mode": "push", "serial_number": serials[0]});
    let id = api.add_device_with(body).await["id"].as_i64().expect("id");
    let (mut sim, announced) = push_sim(&app.base).await;
    assert_eq!(announced, serials, "the serials it announces");

    wait_for("punches from the claimed device", || async {
        api.punches("?limit=1").await.1 > 0
    })
    .await;
    let device = api.device(id).await;
    assert!(device["push_last_seen"].is_string(), "{device}");
    assert_eq!(device["source_address"], "127.0.0.1");

    wait_for("the stranger on record", || async {
        app.state.store.count_unclaimed().await.expect("count") == 1
    })
    .await;
    let out = Command::new(env!("CARGO_BIN_EXE_punchclock"))
        .args(["push", "unclaimed", "--json", "--database-url"])
        .arg(app.state.config.database_url())
        .output()
        .await
        .expect("punchclock push unclaimed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["serial_number"], serials[1].as_str());
    assert_eq!(rows[0]["source_address"], "127.0.0.1");
    assert!(rows[0]["first_seen"]
        .as_str()
        .is_some_and(|s| s.ends_with('Z')));
    let table = Command::new(env!("CARGO_BIN_EXE_punchclock"))
        .args(["push", "unclaimed", "--database-url"])
        .arg(app.state.config.database_url())
        .output()
        .await
        .expect("punchclock push unclaimed");
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.starts_with("SERIAL"), "{table}");
    assert!(
        table.contains(&serials[1]) && !table.contains(&serials[0]),
        "{table}"
    );

    let metrics = reqwest::get(app.url("/metrics")).await.expect("metrics");
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.expect("text");
    assert!(
        text.contains("\npunchclock_push_unclaimed_devices 1\n"),
        "{text}"
    );
    let requests: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("punchclock_push_unclaimed_requests_total "))
        .and_then(|v| v.parse().ok())
        .expect("unclaimed requests counted");
    assert!(requests >= 1, "{text}");

    sim.start_kill().expect("stop the simulator");
    let _ = sim.wait().await;
    app.shutdown().await;
}
