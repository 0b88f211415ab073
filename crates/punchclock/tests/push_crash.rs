//! A kill -9 of the server while push devices upload loses nothing: what
//! was not acknowledged is sent again to the restarted server and stored
//! once (issue 13 §1). The real binary on SQLite in a temp dir, simulated
//! clocks (`zk_sim::push`) calling it over loopback.

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use zk_protocol::VerifyMethod;
use zk_sim::push::{PushFleet, PushOptions, PushSpec, PushUser};

/// Upper bound for every wait, so the test cannot hang.
const WAIT: Duration = Duration::from_secs(60);
const DEVICES: usize = 20;
const USERS: usize = 10;

/// Starts `punchclock serve` and waits until it listens.
async fn serve(dir: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_punchclock"))
        .arg("serve")
        .arg("--config")
        .arg(dir.join("punchclock.toml"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start punchclock serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let started = tokio::time::timeout(WAIT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("serving on") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(started, Ok(true), "punchclock serve did not start");
    // Keep reading, so a full pipe never blocks the server.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    child
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

async fn api(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> Value {
    let mut req = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("API request");
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {v}");
    v
}

fn specs() -> Vec<PushSpec> {
    (0..DEVICES)
        .map(|d| {
            let mut s = PushSpec::new(&format!("CRASH{d:04}"));
            s.users = (1..=USERS)
                .map(|u| PushUser::new(&u.to_string(), &format!("Person {u}")))
                .collect();
            s
        })
        .collect()
}

fn unacknowledged(fleet: &PushFleet) -> usize {
    fleet.devices().iter().map(|d| d.unacknowledged()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_mid_upload_loses_nothing_once_devices_resend() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("punchclock.toml"),
        "[push]\ndelay_seconds = 1\nerror_delay_seconds = 1\nflush_ms = 50\n",
    )
    .expect("config");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(dir.path(), port).await;

    let http = reqwest::Client::new();
    let signup = http
        .post(format!("{base}/api/v1/signup"))
        .json(
            &json!({"company": "Crash Test", "email": "owner@crash.example.com",
                      "password": "correct horse battery", "timezone": "UTC"}),
        )
        .send()
        .await
        .expect("signup");
    assert_eq!(signup.status(), reqwest::StatusCode::CREATED);
    let token = signup.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let specs = specs();
    for s in &specs {
        let body = json!({"name": s.serial, "mode": "push", "serial_number": s.serial});
        let url = format!("{base}/api/v1/devices");
        api(&http, &token, reqwest::Method::POST, url, Some(body)).await;
    }

    // Protocol seconds of 50 ms: a failed upload is retried after 50 ms.
    let opts = PushOptions {
        second: Duration::from_millis(50),
        request_timeout: Duration::from_secs(2),
        ..PushOptions::default()
    };
    let fleet = PushFleet::start(&base, specs, opts).expect("push simulator");

    // 400 punches at 100 a second, round-robin; the server is killed while
    // some are on their way, and started again.
    let mut made = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let mut killed_with = None;
    for i in 0..400usize {
        tick.tick().await;
        let dev = fleet.device(i % DEVICES);
        let pin = ((i / DEVICES) % USERS + 1).to_string();
        let p = dev.punch(&pin, 0, VerifyMethod(1));
        made.insert((dev.serial().to_owned(), p.pin, p.time));
        if i >= 150 && killed_with.is_none() && unacknowledged(&fleet) > 0 {
            killed_with = Some(unacknowledged(&fleet));
            server.start_kill().expect("kill -9");
            server.wait().await.expect("killed");
            tokio::time::sleep(Duration::from_millis(300)).await;
            server = serve(dir.path(), port).await;
        }
    }
    let in_flight = killed_with.expect("the server was killed with uploads in flight");
    assert!(in_flight > 0);

    let end = tokio::time::Instant::now() + WAIT;
    while unacknowledged(&fleet) > 0 {
        assert!(
            tokio::time::Instant::now() < end,
            "devices still hold punches"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = format!("{base}/api/v1/punches?limit=1");
    let punches = api(&http, &token, reqwest::Method::GET, url, None).await;
    assert_eq!(
        punches["total"].as_u64(),
        Some(made.len() as u64),
        "every punch stored exactly once after the kill ({in_flight} unacknowledged at the kill)"
    );
    fleet.shutdown().await;
    server.start_kill().expect("stop");
    let _ = server.wait().await;
}
