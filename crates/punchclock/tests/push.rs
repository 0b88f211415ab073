//! Push mode end to end: the real service on 127.0.0.1:0 and simulated
//! clocks (`zk_sim::push`) calling it over HTTP, on SQLite and, with
//! `PUNCHCLOCK_TEST_POSTGRES_URL`, on PostgreSQL.

mod common;

use std::time::Duration;

use common::{TestApp, TestOptions};
use punchclock::domain::{CompanyId, Device, DeviceId, PollFailure, PunchFilter};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_protocol::push::AttLog;
use zk_protocol::{DeviceTime, NameEncoding, VerifyMethod};
use zk_sim::push::{PushFleet, PushOptions, PushSpec, PushStats, PushUser};

/// Upper bound for every wait, so no test can hang.
const WAIT: Duration = Duration::from_secs(30);

async fn start() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        configure: |c| {
            c.push.delay_seconds = 2;
            c.push.error_delay_seconds = 2;
            c.push.flush_ms = 50;
        },
        ..TestOptions::default()
    })
    .await
}

/// Devices whose protocol second lasts 50 ms, so `Delay=2` is 100 ms.
fn fleet(app: &TestApp, specs: Vec<PushSpec>) -> PushFleet {
    let opts = PushOptions {
        second: Duration::from_millis(50),
        request_timeout: Duration::from_secs(5),
        ..PushOptions::default()
    };
    PushFleet::start(&app.base, specs, opts).expect("start the push simulator")
}

/// Waits for `cond`, checking every 50 ms; panics with `what` after `WAIT`.
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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Adds a push device through the API; returns its id.
async fn claim(api: &common::Api, name: &str, serial: &str) -> DeviceId {
    let d = api
        .add_device_with(json!({"name": name, "mode": "push", "serial_number": serial}))
        .await;
    DeviceId(d["id"].as_i64().expect("id"))
}

async fn device(app: &TestApp, company: CompanyId, id: DeviceId) -> Device {
    app.state
        .store
        .get_device(company, id)
        .await
        .expect("device")
}

async fn punch_count(app: &TestApp, company: CompanyId) -> u64 {
    let all = PunchFilter::default();
    app.state
        .store
        .count_punches(company, &all)
        .await
        .expect("count")
}

fn t(h: u8, m: u8, s: u8) -> DeviceTime {
    DeviceTime::new(2025, 3, 2, h, m, s).unwrap()
}

fn attlog(pin: &str, time: DeviceTime) -> AttLog {
    AttLog {
        pin: pin.into(),
        time,
        status: 0,
        verify: VerifyMethod(1),
        work_code: String::new(),
        extra: Vec::new(),
    }
}

async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path_query: &str,
    body: &[u8],
) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, app.url(path_query))
        .body(body.to_vec())
        .send()
        .await
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_answers_with_the_devices_options() {
    let app = start().await;
    let api = app.signup("Chennai Textiles").await;
    let company = app.company_of("owner@chennai-textiles.example.com").await;
    let r = api
        .patch("/company", &json!({"timezone": "Asia/Kolkata"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = claim(&api, "Gate", "CQUJ213360137").await;
    assert_eq!(device(&app, company, id).await.push.handshake_at, None);
    for path in ["/iclock/cdata", "/iclock/cdata.aspx"] {
        let r = raw(
            &app,
            reqwest::Method::GET,
            &format!("{path}?SN=CQUJ213360137&options=all&pushver=2.4.1&language=69"),
            b"",
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let date = r
            .headers()
            .get("date")
            .expect("Date header")
            .to_str()
            .unwrap()
            .to_string();
        assert!(date.ends_with(" GMT"), "{date}");
        let body = r.text().await.unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines[0], "GET OPTION FROM: CQUJ213360137");
        for want in [
            "ATTLOGStamp=0",
            "Realtime=1",
            "Delay=2",
            "TimeZone=330",
            "TransInterval=1",
        ] {
            assert!(lines.contains(&want), "{want} in\n{body}");
        }
    }
    let d = device(&app, company, id).await;
    assert!(
        d.push.handshake_at.is_some(),
        "Connected after the first handshake"
    );
    assert_eq!(d.push.source_address.as_deref(), Some("127.0.0.1"));
    assert_eq!(d.push.delay_seconds, Some(2));
    assert_eq!(d.push.push_version.as_deref(), Some("2.4.1"));
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_store_punches_and_users_once_with_gb2312_names() {
    let app = start().await;
    let api = app.signup("Shenzhen Parts").await;
    let company = app.company_of("owner@shenzhen-parts.example.com").await;
    claim(&api, "Line 1", "CN0001").await;
    let mut spec = PushSpec::new("CN0001");
    spec.name_encoding = NameEncoding::Gbk;
    spec.users = vec![PushUser::new("88", "张伟"), PushUser::new("89", "Li Na")];
    spec.punches = vec![attlog("88", t(8, 0, 0)), attlog("89", t(8, 1, 0))];
    let sim = fleet(&app, vec![spec]);
    let dev = sim.device(0).clone();
    wait_for("history uploaded", || async {
        dev.unacknowledged() == 0 && punch_count(&app, company).await == 2
    })
    .await;
    dev.punch("88", 1, VerifyMethod(15));
    wait_for("the realtime punch", || async {
        punch_count(&app, company).await == 3
    })
    .await;
    let mut names: Vec<String> = api
        .employees()
        .await
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["Li Na", "张伟"]);
    sim.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_serial_is_answered_and_nothing_is_stored() {
    let app = start().await;
    let api = app.signup("Somebody").await;
    let company = app.company_of("owner@somebody.example.com").await;
    claim(&api, "Door", "KNOWN01").await;
    let mut spec = PushSpec::new("STRANGER9");
    spec.punches = vec![attlog("1", t(9, 0, 0))];
    spec.users = vec![PushUser::new("1", "Mallory")];
    let sim = fleet(&app, vec![spec]);
    let dev = sim.device(0).clone();
    wait_for("a few tries", || async {
        PushStats::get(&dev.stats().failures) >= 2
    })
    .await;
    assert!(
        dev.unacknowledged() > 0,
        "the device keeps what it could not deliver"
    );
    sim.shutdown().await;
    app.state.push.flush().await;
    assert_eq!(punch_count(&app, company).await, 0);
    assert!(api.employees().await.is_empty());
    let unclaimed = app.state.store.list_unclaimed(10).await.unwrap();
    assert_eq!(unclaimed.len(), 1);
    assert_eq!(unclaimed[0].serial_number, "STRANGER9");
    assert_eq!(unclaimed[0].source_address, "127.0.0.1");
    assert!(unclaimed[0].requests >= 2);
    assert_eq!(app.state.push.metrics().unclaimed_serials, 1);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serial_belongs_to_one_company() {
    let app = start().await;
    let first = app.signup("First Co").await;
    let second = app.signup("Second Co").await;
    claim(&first, "Front", "SHARED42").await;
    let r = second
        .post(
            "/devices",
            &json!({"name": "Mine", "mode": "push", "serial_number": "shared42"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(
        r.text.contains("serial number is already registered"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("First"), "names no one: {}", r.text);
    // Its own second device gets told which of its devices has it.
    let r = first
        .post(
            "/devices",
            &json!({"name": "Back", "mode": "push", "serial_number": "SHARED42"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("Front"), "{}", r.text);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_line_is_reported_and_the_others_stored() {
    let app = start().await;
    let api = app.signup("Careful Co").await;
    let company = app.company_of("owner@careful-co.example.com").await;
    let id = claim(&api, "Gate", "BAD0LINES").await;
    let body = b"1\t2025-03-02 07:58:11\t0\t1\n2\t2025-02-30 08:00:00\t0\t1\n3\t2025-03-02 08:05:00\t0\t1\n";
    let r = raw(
        &app,
        reqwest::Method::POST,
        "/iclock/cdata?SN=BAD0LINES&table=ATTLOG&Stamp=9999",
        body,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "OK:3");
    assert_eq!(punch_count(&app, company).await, 2);
    let logs = api.logs(id.0).await;
    let upload: &Value = logs
        .iter()
        .find(|l| l["punches_read"] == 2)
        .expect("upload row");
    let reason = upload["reason"].as_str().unwrap();
    assert!(
        reason.contains("line 2") && reason.contains("2025-02-30"),
        "{reason}"
    );
    assert_eq!(
        upload["reason_code"],
        PollFailure::UnreadableRecords.as_str()
    );
    assert_eq!(upload["outcome"], "ok");
    app.shutdown().await;
}
