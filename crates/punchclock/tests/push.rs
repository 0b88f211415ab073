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
async fn the_device_setting_overrides_its_language_and_names_are_decoded_again() {
    let app = start().await;
    let api = app.signup("Cairo Parts").await;
    let company = app.company_of("owner@cairo-parts.example.com").await;
    // The clock says English (CP1252) but stores its names in CP1256.
    let d = api
        .add_device_with(
            json!({"name": "Gate", "mode": "push", "serial_number": "EG0001",
            "name_encoding": "cp1256"}),
        )
        .await;
    let id = d["id"].as_i64().expect("id");
    let mut spec = PushSpec::new("EG0001");
    spec.name_encoding = NameEncoding::Arabic1256;
    spec.language = Some(69);
    spec.users = vec![PushUser::new("7", "علي")];
    spec.punches = vec![attlog("7", t(8, 0, 0))];
    let sim = fleet(&app, vec![spec]);
    let dev = sim.device(0).clone();
    wait_for("history uploaded", || async {
        dev.unacknowledged() == 0 && punch_count(&app, company).await == 1
    })
    .await;
    sim.shutdown().await;
    let name = |all: Vec<Value>| all[0]["name_from_device"].clone();
    assert_eq!(name(api.employees().await), "علي");
    // Back to the language's code page: the kept bytes read as CP1252.
    api.patch(&format!("/devices/{id}"), &json!({"name_encoding": "auto"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(name(api.employees().await), "Úáí");
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

async fn queue(api: &common::Api, id: DeviceId, body: Value) -> Value {
    api.post(&format!("/devices/{}/commands", id.0), &body)
        .await
        .expect(StatusCode::CREATED)
}

/// Waits until command `cmd` has finished; returns its JSON.
async fn finished(api: &common::Api, id: DeviceId, cmd: &Value) -> Value {
    let path = format!("/devices/{}/commands", id.0);
    let end = tokio::time::Instant::now() + WAIT;
    loop {
        let all = common::items(api.get(&path).await.expect(StatusCode::OK));
        let found = all
            .into_iter()
            .find(|c| c["id"] == cmd["id"])
            .unwrap_or_default();
        if matches!(found["state"].as_str(), Some("done" | "failed")) {
            return found;
        }
        assert!(tokio::time::Instant::now() < end, "timed out: {found}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Seconds between the device's clock and ours in `zone`.
fn clock_error(dev: &zk_sim::push::PushDevice, zone: &str) -> i64 {
    let ours = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get(zone).unwrap())
        .datetime();
    let c = dev.clock();
    let theirs = jiff::civil::datetime(
        c.year as i16,
        c.month as i8,
        c.day as i8,
        c.hour as i8,
        c.minute as i8,
        c.second as i8,
        0,
    );
    ours.duration_since(theirs).as_secs().abs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_command_sets_the_device_clock() {
    let app = start().await;
    let api = app.signup("Punctual Co").await;
    let id = claim(&api, "Hall", "CLOCK01").await;
    let mut spec = PushSpec::new("CLOCK01");
    spec.clock_drift_secs = 5_000;
    let sim = fleet(&app, vec![spec]);
    let dev = sim.device(0).clone();
    wait_for("the handshake", || async {
        PushStats::get(&dev.stats().handshakes) >= 1
    })
    .await;
    assert!(
        clock_error(&dev, "Europe/Berlin") <= 2,
        "the handshake set it"
    );
    dev.jump_clock(-7_200);
    assert!(clock_error(&dev, "Europe/Berlin") >= 7_000);
    let cmd = queue(&api, id, json!({"kind": "set_clock"})).await;
    assert_eq!(cmd["state"], "queued");
    let done = finished(&api, id, &cmd).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["return_code"], 0);
    assert!(
        clock_error(&dev, "Europe/Berlin") <= 2,
        "the command set it"
    );
    sim.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_backfill_read_users_and_write_names() {
    let app = start().await;
    let api = app.signup("Backfill Co").await;
    let company = app.company_of("owner@backfill-co.example.com").await;
    let id = claim(&api, "Gate", "BACK01").await;
    let mut spec = PushSpec::new("BACK01");
    spec.users = vec![PushUser::new("5", "Ana"), PushUser::new("6", "Ben")];
    let sim = fleet(&app, vec![spec]);
    let dev = sim.device(0).clone();
    wait_for("users", || async { api.employees().await.len() == 2 }).await;
    for i in 0..3 {
        dev.punch("5", 0, VerifyMethod(1));
        tokio::time::sleep(Duration::from_millis(1_100 * (i % 2))).await;
    }
    wait_for("punches", || async { dev.unacknowledged() == 0 }).await;
    let before = punch_count(&app, company).await;
    assert!(before >= 2, "{before}");
    // Lost on our side: delete them, then ask the device to send them again.
    app.raw_sql("DELETE FROM punches").await;
    let day = dev.clock();
    let from = format!("{:04}-{:02}-{:02}T00:00", day.year, day.month, day.day);
    let to = format!("{:04}-{:02}-{:02}T23:59:59", day.year, day.month, day.day);
    let cmd = queue(
        &api,
        id,
        json!({"kind": "send_punches", "from": from, "to": to}),
    )
    .await;
    assert_eq!(finished(&api, id, &cmd).await["state"], "done");
    wait_for("the backfill", || async {
        punch_count(&app, company).await == before
    })
    .await;
    // Write a name: the device's record is read first, then written whole.
    let cmd = queue(
        &api,
        id,
        json!({"kind": "write_name", "enroll_id": "6", "name": "Benjamin"}),
    )
    .await;
    let done = finished(&api, id, &cmd).await;
    assert_eq!(done["state"], "done", "{done}");
    let ben = dev.users().into_iter().find(|u| u.pin == "6").unwrap();
    assert_eq!(ben.name, "Benjamin");
    assert_eq!(ben.group, 1, "the rest of the record kept");
    // Unknown PIN: the device says so.
    let cmd = queue(&api, id, json!({"kind": "send_users", "enroll_id": "99"})).await;
    let done = finished(&api, id, &cmd).await;
    assert_eq!(done["state"], "failed");
    assert_eq!(done["return_code"], -10);
    assert!(done["result"]
        .as_str()
        .unwrap()
        .contains("PIN not on the device"));
    sim.shutdown().await;
    app.shutdown().await;
}

/// Between the devices and the service: passes every request on, but holds
/// back the answer to the first `drops` ATTLOG uploads until the device has
/// given up waiting: a reply lost on its way back, after the commit.
async fn lossy_proxy(target: String, drops: u32, hold: Duration) -> std::net::SocketAddr {
    use axum::extract::{Request, State};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let left = Arc::new(AtomicU32::new(drops));
    let http = reqwest::Client::new();
    let app = axum::Router::new()
        .fallback(
            move |State((target, left, http)): State<(String, Arc<AtomicU32>, reqwest::Client)>,
                  req: Request| async move {
                let uri = req.uri().clone();
                let method = req.method().clone();
                let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                    .await
                    .unwrap();
                let url = format!("{target}{}", uri.path_and_query().unwrap());
                let r = http.request(method, url).body(body).send().await.unwrap();
                let status = r.status().as_u16();
                let text = r.bytes().await.unwrap();
                let upload = uri.query().unwrap_or("").contains("table=ATTLOG");
                if upload
                    && left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    tokio::time::sleep(hold).await;
                }
                (axum::http::StatusCode::from_u16(status).unwrap(), text)
            },
        )
        .with_state((target, left, http));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_after_a_dropped_reply_is_stored_once() {
    let app = start().await;
    let api = app.signup("Flaky Link").await;
    let company = app.company_of("owner@flaky-link.example.com").await;
    let id = claim(&api, "Gate", "LOSSY01").await;
    let proxy = lossy_proxy(app.base.clone(), 1, Duration::from_secs(2)).await;
    let mut spec = PushSpec::new("LOSSY01");
    spec.punches = (0..50).map(|i| attlog("7", t(8, 0, i))).collect();
    let opts = PushOptions {
        second: Duration::from_millis(50),
        request_timeout: Duration::from_millis(700),
        ..PushOptions::default()
    };
    let sim = PushFleet::start(&format!("http://{proxy}"), vec![spec], opts).unwrap();
    let dev = sim.device(0).clone();
    wait_for("everything acknowledged", || async {
        dev.unacknowledged() == 0
    })
    .await;
    assert!(
        PushStats::get(&dev.stats().failures) >= 1,
        "the reply was lost once"
    );
    assert_eq!(punch_count(&app, company).await, 50);
    let uploads: Vec<Value> = api
        .logs(id.0)
        .await
        .into_iter()
        .filter(|l| l["push_call"] == "punches")
        .collect();
    let read: u64 = uploads
        .iter()
        .map(|l| l["punches_read"].as_u64().unwrap())
        .sum();
    let new: u64 = uploads
        .iter()
        .map(|l| l["punches_new"].as_u64().unwrap())
        .sum();
    assert_eq!((read, new), (100, 50), "sent twice, stored once");
    sim.shutdown().await;
    app.shutdown().await;
}

/// A polled clock switched to push (and back) keeps its punches and
/// employees, and a punch it pushes that was polled before is stored once:
/// both modes use the same punch key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_modes_keeps_punches_and_employees() {
    let app = start().await;
    let api = app.signup("Switch").await;
    let spec = zk_sim::DeviceSpec::generated(0, 3, 12, 5);
    let sim = zk_sim::Simulator::start("127.0.0.1".parse().unwrap(), 0, vec![spec.clone()])
        .await
        .expect("simulator");
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .expect("id");
    api.sync_device(id).await;
    let (_, polled) = api.punches("?limit=1").await;
    assert_eq!(polled, 12);
    let people = api.employees().await.len();
    assert_eq!(people, 3);

    let path = format!("/devices/{id}");
    let body = json!({"mode": "push", "serial_number": spec.serial});
    let d = api.patch(&path, &body).await.expect(StatusCode::OK);
    assert_eq!(
        (d["mode"].as_str(), d["serial_number"].as_str()),
        (Some("push"), Some(spec.serial.as_str()))
    );
    // It pushes a punch that was polled already, and a new one.
    let old = &spec.punches[0];
    let mut push = PushSpec::new(&spec.serial);
    push.punches = vec![
        attlog(&old.user_id, old.time),
        attlog(&old.user_id, t(8, 0, 0)),
    ];
    let fleet = fleet(&app, vec![push]);
    wait_for("both punches acknowledged", || async {
        fleet.device(0).unacknowledged() == 0
    })
    .await;
    assert_eq!(
        api.punches("?limit=1").await.1,
        polled + 1,
        "the polled one once"
    );
    assert_eq!(api.employees().await.len(), people);
    fleet.shutdown().await;

    let d = api
        .patch(&path, &json!({"mode": "poll"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(d["mode"], "poll");
    assert_eq!(api.punches("?limit=1").await.1, polled + 1);
    assert_eq!(api.employees().await.len(), people);
    let d = api.sync_device(id).await;
    assert_eq!(d["outcome"], "ok", "{d}");
    assert_eq!(api.punches("?limit=1").await.1, polled + 1, "nothing twice");
    sim.shutdown().await;
    app.shutdown().await;
}
