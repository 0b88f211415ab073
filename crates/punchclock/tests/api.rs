//! The JSON API end to end: the real server on 127.0.0.1:0, simulated time
//! clocks on real sockets, and an HTTP client.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use common::{items, Api, TestApp, TestOptions};
use jiff::civil;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use punchclock::domain::{CompanyId, DeviceMode, NewDevice, Transport};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use zk_protocol::DeviceTime;
use zk_sim::{DeviceSpec, Faults, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// One simulated device with `users` users (the second one nameless) and
/// `punches` punches.
async fn sim(users: u32, punches: u32, seed: u64) -> Simulator {
    let mut spec = DeviceSpec::generated(0, users, punches, seed);
    if spec.users.len() > 1 {
        spec.users[1].name = String::new();
    }
    Simulator::start(LOCALHOST, 0, vec![spec])
        .await
        .expect("start simulator")
}

/// The service on SQLite, or on a fresh PostgreSQL database when
/// `PUNCHCLOCK_TEST_POSTGRES_URL` is set: every API test runs on both.
async fn app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

fn civil_of(t: DeviceTime) -> civil::DateTime {
    punchclock::domain::device_time::to_civil(t).expect("a real date")
}

/// Distinct (enroll id, device time) pairs: what the store must hold.
fn distinct_punches(sim: &Simulator) -> HashSet<(String, String)> {
    sim.device(0)
        .punches()
        .into_iter()
        .map(|p| {
            (
                p.user_id,
                civil_of(p.time).strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn signup_login_logout() {
    let app = app().await;
    let anon = app.anonymous();

    // Sign-up validates every field at once.
    let r = anon
        .post(
            "/signup",
            &json!({"company": " ", "email": "nope", "password": "short", "timezone": "Mars/Base"}),
        )
        .await;
    let v = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"], "validation");
    for field in ["company", "email", "password", "timezone"] {
        assert!(v["fields"][field].is_string(), "{field} in {v}");
    }
    assert!(v["fields"]["password"]
        .as_str()
        .unwrap()
        .contains("8 characters"));

    let api = app
        .signup_as("Acme Bakery", "Owner@Acme.example.com", "correct horse")
        .await;
    let company = api.get("/company").await.expect(StatusCode::OK);
    assert_eq!(company["name"], "Acme Bakery");
    assert_eq!(company["timezone"], "Europe/Berlin");
    assert_eq!(company["plan"], "starter");
    assert_eq!(company["seats"], 10);
    assert_eq!(company["status"], "trial");
    let ends: Timestamp = company["trial_ends_at"].as_str().unwrap().parse().unwrap();
    let days = (ends - Timestamp::now()).get_seconds() as f64 / 86_400.0;
    assert!((13.9..=14.01).contains(&days), "trial of {days} days");

    // The same email cannot sign up twice (any case).
    let r = anon
        .post(
            "/signup",
            &json!({"company": "Other", "email": "owner@acme.example.COM", "password": "a different passphrase", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(r.expect(StatusCode::CONFLICT)["error"], "conflict");

    // Wrong password and unknown email look the same.
    for (email, password) in [
        ("owner@acme.example.com", "wrong password"),
        ("nobody@acme.example.com", "correct horse"),
    ] {
        let r = anon
            .post("/login", &json!({"email": email, "password": password}))
            .await;
        let v = r.expect(StatusCode::UNAUTHORIZED);
        assert_eq!(v["error"], "invalid_credentials");
        assert!(v["message"].as_str().unwrap().len() > 5);
    }

    let r = anon
        .post(
            "/login",
            &json!({"email": "OWNER@acme.example.com", "password": "correct horse"}),
        )
        .await;
    let token = r.expect(StatusCode::OK)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(token, api.token(), "each login is its own session");
    let second = app.anonymous().with_token(&token);
    second.get("/devices").await.expect(StatusCode::OK);

    // Logging out ends only that session.
    second
        .post("/logout", &json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    let v = second
        .get("/devices")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "unauthenticated");
    api.get("/devices").await.expect(StatusCode::OK);

    // No token, or a made-up one.
    anon.get("/company").await.expect(StatusCode::UNAUTHORIZED);
    app.anonymous()
        .with_token("deadbeef")
        .get("/company")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    app.shutdown().await;
}

#[tokio::test]
async fn every_device_field_is_validated_with_a_message() {
    let app = app().await;
    let api = app.signup("Validators").await;
    let good = json!({"name": "Front door", "host": "203.0.113.7", "port": 4370});
    let cases: &[(&str, Value, &str)] = &[
        ("name", json!(""), "name"),
        ("name", json!("x".repeat(81)), "80 characters"),
        ("host", json!(""), "address"),
        ("host", json!("http://203.0.113.7"), "without http://"),
        ("host", json!("203.0.113.7:4370"), "Port field"),
        ("host", json!("clock.example.com/zk"), "without http://"),
        ("host", json!("203.0.113.999"), "IPv4"),
        ("port", json!(0), "1 to 65535"),
        ("port", json!(70000), "1 to 65535"),
        ("port", json!("abc"), "1 to 65535"),
        ("comm_key", json!("12ab"), "Comm. > Connection"),
        ("comm_key", json!(1_000_000), "999999"),
        ("comm_key", json!(-1), "digits only"),
        ("transport", json!("http"), "auto, tcp or udp"),
        ("timezone", json!("Mars/Base"), "time zone"),
        ("poll_interval_minutes", json!(4), "5 to 1440"),
        ("poll_interval_minutes", json!(1441), "5 to 1440"),
        ("enabled", json!("yes"), "true or false"),
        ("colour", json!("red"), "Unknown field"),
    ];
    for (field, value, expected) in cases {
        let mut body = good.clone();
        body[*field] = value.clone();
        let r = api.post("/devices", &body).await;
        let v = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"], "validation", "{field}={value}");
        let message = v["fields"][*field].as_str().unwrap_or_else(|| {
            panic!("no message for {field}={value}: {v}");
        });
        assert!(
            message.contains(expected),
            "{field}={value}: {message:?} should mention {expected:?}"
        );
        assert_eq!(
            v["fields"].as_object().unwrap().len(),
            1,
            "only {field} is wrong: {v}"
        );
    }
    // Several wrong fields are reported together.
    let v = api
        .post("/devices", &json!({"name": "", "host": "", "port": 0}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"].as_object().unwrap().len(), 3, "{v}");
    // Nothing was created by any of it.
    assert!(items(api.get("/devices").await.expect(StatusCode::OK)).is_empty());

    // Defaults for omitted fields; PATCH validates too and changes nothing
    // when invalid.
    let d = api.add_device_with(good.clone()).await;
    assert_eq!(d["port"], 4370);
    assert_eq!(d["transport"], "auto");
    assert_eq!(d["enabled"], true);
    assert_eq!(d["status"], "pending");
    assert_eq!(d["timezone"], "Europe/Berlin");
    assert_eq!(d["poll_interval_minutes"], 30);
    let path = format!("/devices/{}", id(&d));
    let v = api
        .patch(&path, &json!({"port": 0, "host": "ftp://x"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["port"].is_string() && v["fields"]["host"].is_string());
    assert_eq!(api.device(id(&d)).await["port"], 4370);
    let v = api
        .patch(
            &path,
            &json!({"transport": "UDP", "poll_interval_minutes": 15, "timezone": "Asia/Tokyo"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["transport"], "udp");
    assert_eq!(v["poll_interval_minutes"], 15);
    assert_eq!(v["timezone"], "Asia/Tokyo");
    // null returns the overrides to the company's settings.
    let v = api
        .patch(
            &path,
            &json!({"poll_interval_minutes": null, "timezone": null}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["poll_interval_minutes"], 30);
    assert_eq!(v["timezone"], "Europe/Berlin");
    app.shutdown().await;
}

#[tokio::test]
async fn comm_key_is_write_only() {
    const KEY: u32 = 918_273;
    let mut spec = DeviceSpec::generated(0, 3, 5, 11);
    spec.comm_key = Some(KEY);
    let sim = Simulator::start(LOCALHOST, 0, vec![spec]).await.unwrap();
    let app = app().await;
    let api = app.signup("Secretive").await;

    let mut bodies = Vec::new();
    let r = api
        .post(
            "/devices",
            &json!({"name": "Door", "host": "127.0.0.1", "port": sim.addr(0).port(), "comm_key": KEY}),
        )
        .await;
    let d = r.expect(StatusCode::CREATED);
    bodies.push(r.text);
    assert_eq!(d["has_comm_key"], true);
    assert!(d.get("comm_key").is_none());
    let path = format!("/devices/{}", id(&d));

    // The key reaches the device: the test succeeds with it.
    let r = api.post(&format!("{path}/test"), &json!({})).await;
    assert_eq!(r.expect(StatusCode::OK)["outcome"], "ok", "{}", r.text);
    bodies.push(r.text);
    let r = api.post(&format!("{path}/sync"), &json!({})).await;
    assert_eq!(r.expect(StatusCode::OK)["outcome"], "ok", "{}", r.text);
    bodies.push(r.text);
    for p in [
        path.clone(),
        "/devices".into(),
        format!("{path}/logs"),
        "/employees".into(),
        "/punches".into(),
        "/company".into(),
    ] {
        let r = api.get(&p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        bodies.push(r.text);
    }
    // Renaming keeps the key.
    let r = api.patch(&path, &json!({"name": "Back door"})).await;
    assert_eq!(r.expect(StatusCode::OK)["has_comm_key"], true);
    bodies.push(r.text);
    for body in &bodies {
        assert!(!body.contains(&KEY.to_string()), "comm key leaked: {body}");
    }

    // A wrong key fails the test; removing it (null) is reported.
    let r = api.patch(&path, &json!({"comm_key": "111111"})).await;
    assert_eq!(r.expect(StatusCode::OK)["has_comm_key"], true);
    assert!(!r.text.contains("111111"));
    let log = api.test_device(id(&d)).await;
    assert_eq!(log["outcome"], "failed", "{log}");
    assert!(log["reason"].as_str().is_some_and(|s| !s.is_empty()));
    let v = api
        .patch(&path, &json!({"comm_key": null}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["has_comm_key"], false);
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn sync_reads_everything_once_and_recovers_after_offline() {
    let sim = sim(8, 60, 21).await;
    let device = sim.device(0);
    let app = app().await;
    let api = app.signup("Bakery").await;
    let d = api.add_device("Front door", sim.addr(0)).await;
    let did = id(&d);
    let expected = distinct_punches(&sim);

    // Test connection: identity only.
    let log = api.test_device(did).await;
    assert_eq!(log["kind"], "test");
    assert_eq!(log["outcome"], "ok", "{log}");
    assert_eq!(log["punches_new"], 0);
    let d = api.device(did).await;
    assert_eq!(d["status"], "online");
    assert_eq!(d["serial_number"], device.serial());
    assert_eq!(d["user_count"], 8);
    assert_eq!(d["punch_count"], 60);
    assert!(d["last_seen"].is_string() && d["firmware"].is_string());
    assert!(d["last_error"].is_null());

    // First sync: every punch and every user.
    let log = api.sync_device(did).await;
    assert_eq!(log["kind"], "sync");
    assert_eq!(log["outcome"], "ok", "{log}");
    assert_eq!(log["users_read"], 8);
    assert_eq!(log["punches_read"], 60);
    assert_eq!(log["punches_new"].as_u64(), Some(expected.len() as u64));
    assert_eq!(log["employees_new"], 8);
    assert_eq!(log["address"], sim.addr(0).to_string());
    assert!(log["transport"] == "tcp" || log["transport"] == "udp");

    let logs = api.logs(did).await;
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0]["id"], log["id"], "newest first");
    assert_eq!(logs[1]["kind"], "test");

    let employees = api.employees().await;
    assert_eq!(employees.len(), 8);
    let by_enroll: BTreeMap<String, Value> = employees
        .into_iter()
        .map(|e| (e["enroll_id"].as_str().unwrap().to_owned(), e))
        .collect();
    for user in device.users() {
        let e = &by_enroll[&user.user_id];
        if user.name.is_empty() {
            assert_eq!(e["name"], "NO NAME");
            assert!(e["name_from_device"].is_null());
        } else {
            assert_eq!(e["name"], user.name.as_str());
        }
        assert_eq!(e["active"], true);
    }
    assert!(device.users()[1].name.is_empty());
    let (_, total) = api.punches("").await;
    assert_eq!(total, expected.len() as u64);

    // Again: nothing new.
    let log = api.sync_device(did).await;
    assert_eq!(log["outcome"], "ok");
    assert_eq!(log["punches_new"], 0);
    assert_eq!(log["employees_new"], 0);

    // The device goes offline.
    device.set_faults(Faults {
        refuse: true,
        ..Faults::default()
    });
    let log = api.sync_device(did).await;
    assert_eq!(log["outcome"], "failed", "{log}");
    let reason = log["reason"].as_str().expect("a reason");
    assert!(!reason.is_empty());
    assert_eq!(log["reason_code"], "refused", "{log}");
    let d = api.device(did).await;
    assert_eq!(d["status"], "offline");
    assert!(d["last_error"].is_string());
    assert_eq!(d["last_error_code"], "refused", "{d}");

    // People keep punching meanwhile.
    let today = jiff::Zoned::now().date();
    let user = device.users()[2].clone();
    for minute in 0..3u8 {
        device.add_punch(zk_protocol::Punch {
            uid: user.uid,
            user_id: user.user_id.clone(),
            time: DeviceTime::new(
                today.year() as u16,
                today.month() as u8,
                today.day() as u8,
                6,
                minute,
                30,
            )
            .unwrap(),
            status: 1,
            punch: 0,
        });
    }

    // Back online: exactly the missing punches, once.
    device.set_faults(Faults::default());
    let log = api.sync_device(did).await;
    assert_eq!(log["outcome"], "ok", "{log}");
    assert_eq!(log["punches_new"], 3);
    assert_eq!(log["employees_new"], 0);
    let d = api.device(did).await;
    assert_eq!(d["status"], "online");
    assert!(d["last_error"].is_null(), "{d}");
    assert!(d["last_error_code"].is_null(), "{d}");
    assert!(log["reason_code"].is_null(), "{log}");
    let (newest, total) = api.punches("?limit=3").await;
    assert_eq!(total, expected.len() as u64 + 3);
    for p in &newest {
        assert_eq!(p["enroll_id"], user.user_id.as_str());
        assert!(p["device_time"].as_str().unwrap().ends_with(":30"));
    }
    assert_eq!(api.sync_device(did).await["punches_new"], 0);
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn readding_a_deleted_device_under_another_host_duplicates_nothing() {
    let sim = sim(5, 30, 33).await;
    let app = app().await;
    let api = app.signup("Movers").await;
    let expected = distinct_punches(&sim).len() as u64;

    let first = api.add_device("Door", sim.addr(0)).await;
    assert_eq!(
        api.sync_device(id(&first)).await["punches_new"].as_u64(),
        Some(expected)
    );
    api.delete(&format!("/devices/{}", id(&first)))
        .await
        .expect(StatusCode::NO_CONTENT);
    api.get(&format!("/devices/{}", id(&first)))
        .await
        .expect(StatusCode::NOT_FOUND);

    // The punches stay, without the device.
    let (punches, total) = api.punches("?limit=1000").await;
    assert_eq!(total, expected);
    assert!(punches.iter().all(|p| p["device_id"].is_null()));
    assert!(punches
        .iter()
        .all(|p| p["device_serial"] == sim.device(0).serial()));

    let again = api
        .add_device_with(json!({"name": "Door", "host": "localhost", "port": sim.addr(0).port()}))
        .await;
    assert_ne!(id(&again), id(&first));
    assert_eq!(again["host"], "localhost");
    let log = api.sync_device(id(&again)).await;
    assert_eq!(log["outcome"], "ok", "{log}");
    assert_eq!(log["punches_read"].as_u64(), Some(30));
    assert_eq!(log["punches_new"], 0);
    assert_eq!(log["employees_new"], 0);
    assert_eq!(api.punches("").await.1, expected);
    assert_eq!(api.employees().await.len(), 5);
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let sim = sim(2, 2, 44).await;
    let app = TestApp::start_with(TestOptions {
        allow_private_device_addresses: false,
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Cloud Only").await;
    for (host, words) in [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),
        ("192.168.1.201", "private"),
        ("169.254.169.254", "link-local"),
    ] {
        let v = api
            .post(
                "/devices",
                &json!({"name": "Door", "host": host, "port": sim.addr(0).port()}),
            )
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let m = v["fields"]["host"].as_str().unwrap_or_default();
        assert!(m.contains(words) && m.contains("public"), "{host}: {v}");
    }
    // A device stored earlier (or a name that changed where it points) is
    // refused by the poller itself, with the reason logged.
    let company = api.get("/company").await.expect(StatusCode::OK);
    let device = app
        .state
        .store
        .create_device(
            CompanyId(company["id"].as_i64().unwrap()),
            &NewDevice {
                name: "Sneaky".into(),
                host: "localhost".into(),
                port: sim.addr(0).port(),
                comm_key: None,
                transport: Transport::Auto,
                timezone: None,
                enabled: true,
                poll_interval_minutes: None,
                mode: DeviceMode::Poll,
                push_serial: None,
            },
        )
        .await
        .unwrap();
    let log = api.test_device(device.id.0).await;
    assert_eq!(log["outcome"], "failed");
    let reason = log["reason"].as_str().unwrap();
    assert!(reason.contains("loopback"), "{reason}");
    assert_eq!(api.device(device.id.0).await["status"], "offline");
    assert_eq!(sim.device(0).connections_served(), 0, "never contacted");
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn companies_cannot_see_each_other() {
    let sim = sim(4, 20, 55).await;
    let app = app().await;
    let a = app.signup("Company A").await;
    let b = app.signup("Company B").await;
    let d = a.add_device("A's door", sim.addr(0)).await;
    let did = id(&d);
    assert_eq!(a.sync_device(did).await["outcome"], "ok");
    let eid = id(&a.employees().await[0]);

    for (method, path) in [
        (Method::GET, format!("/devices/{did}")),
        (Method::PATCH, format!("/devices/{did}")),
        (Method::DELETE, format!("/devices/{did}")),
        (Method::POST, format!("/devices/{did}/test")),
        (Method::POST, format!("/devices/{did}/sync")),
        (Method::GET, format!("/devices/{did}/logs")),
        (Method::GET, format!("/employees/{eid}")),
        (Method::PATCH, format!("/employees/{eid}")),
    ] {
        let body = match method {
            Method::PATCH if path.contains("employees") => Some(json!({"first_name": "Mallory"})),
            Method::PATCH => Some(json!({"name": "mine"})),
            Method::POST => Some(json!({})),
            _ => None,
        };
        let r = b.send(method.clone(), &path, body.as_ref()).await;
        assert_eq!(
            r.expect(StatusCode::NOT_FOUND)["error"],
            "not_found",
            "{method} {path}"
        );
    }
    assert!(items(b.get("/devices").await.expect(StatusCode::OK)).is_empty());
    assert!(b.employees().await.is_empty());
    assert_eq!(b.punches("").await.1, 0);
    assert_eq!(b.punches(&format!("?device_id={did}")).await.1, 0);
    assert_eq!(b.punches(&format!("?employee_id={eid}")).await.1, 0);

    // A's data is untouched by B's attempts.
    let d = a.device(did).await;
    assert_eq!(d["name"], "A's door");
    assert_eq!(a.logs(did).await.len(), 1);
    assert!(a
        .employees()
        .await
        .iter()
        .all(|e| e["first_name"].is_null()));
    assert_eq!(a.punches("").await.1, distinct_punches(&sim).len() as u64);
    app.shutdown().await;
    sim.shutdown().await;
}

/// `GET /devices` pages like Manage Devices: a company may have 10,000
/// devices, so an answer is `limit` of them (100 by default, 500 at most)
/// from `offset`, by name, with the total; a file is every device.
#[tokio::test]
async fn devices_page_by_limit_and_offset() {
    let app = app().await;
    let api = app.signup("Paged").await;
    for name in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"] {
        api.add_device_with(json!({"name": name, "host": "203.0.113.7"}))
            .await;
    }
    let names = |v: &Value| -> Vec<String> {
        let items = v["items"].as_array().expect("items");
        items
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = api.get("/devices").await.expect(StatusCode::OK);
    assert_eq!(names(&all), ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);
    assert_eq!(all["total"], 5);
    let mut walked = Vec::new();
    for offset in (0..6).step_by(2) {
        let page = api
            .get(&format!("/devices?limit=2&offset={offset}"))
            .await
            .expect(StatusCode::OK);
        assert_eq!(page["total"], 5, "{page}");
        assert!(names(&page).len() <= 2);
        walked.extend(names(&page));
    }
    assert_eq!(walked, names(&all), "every device once, in order");
    let past = api.get("/devices?offset=9").await.expect(StatusCode::OK);
    assert!(names(&past).is_empty());
    assert_eq!(past["total"], 5);
    api.get("/devices?limit=500").await.expect(StatusCode::OK);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
    ] {
        let v = api
            .get(&format!("/devices?{query}"))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["fields"][field].is_string(), "{query}: {v}");
    }
    api.get("/devices?limit=ten")
        .await
        .expect(StatusCode::BAD_REQUEST);
    // The file ignores the paging: every device.
    let r = api.get("/devices?format=csv&limit=1").await;
    assert_eq!(r.status, StatusCode::OK);
    let csv = &r.text;
    assert_eq!(csv.lines().count(), 6, "a header and five devices: {csv}");
    app.shutdown().await;
}

#[tokio::test]
async fn punches_filter_and_page() {
    let sim = sim(6, 80, 66).await;
    let app = app().await;
    let api = app.signup("Filters").await;
    let d = api.add_device("Door", sim.addr(0)).await;
    assert_eq!(api.sync_device(id(&d)).await["outcome"], "ok");
    let sim_punches = sim.device(0).punches();
    let all = distinct_punches(&sim).len() as u64;
    let berlin = TimeZone::get("Europe/Berlin").unwrap();

    // Paging walks every punch once, newest first.
    let mut seen = HashSet::new();
    let mut last: Option<Timestamp> = None;
    for page in 0.. {
        let (items, total) = api.punches(&format!("?limit=7&offset={}", page * 7)).await;
        assert_eq!(total, all);
        if items.is_empty() {
            break;
        }
        assert!(items.len() <= 7);
        for p in items {
            assert!(seen.insert(id(&p)), "duplicate {p}");
            let t: Timestamp = p["time"].as_str().unwrap().parse().unwrap();
            assert!(last.is_none_or(|l| t <= l), "not newest first");
            last = Some(t);
            // `time` is the device's wall clock read in the company zone.
            let wall: civil::DateTime = p["device_time"].as_str().unwrap().parse().unwrap();
            assert_eq!(wall.to_zoned(berlin.clone()).unwrap().timestamp(), t, "{p}");
            let offset_sign = p["time"].as_str().unwrap().as_bytes()[19];
            assert!(
                offset_sign == b'+' || offset_sign == b'-',
                "with offset: {p}"
            );
            assert_eq!(p["device_name"], "Door");
            assert_eq!(p["device_serial"], sim.device(0).serial());
        }
    }
    assert_eq!(seen.len() as u64, all);
    let (oldest, _) = api.punches("?order=asc&limit=1").await;
    assert_eq!(
        oldest[0]["device_time"],
        civil_of(sim_punches[0].time)
            .strftime("%Y-%m-%dT%H:%M:%S")
            .to_string()
    );

    // By employee.
    let employees = api.employees().await;
    let e = &employees[0];
    let enroll = e["enroll_id"].as_str().unwrap();
    let want = sim_punches.iter().filter(|p| p.user_id == enroll).count() as u64;
    let (items, total) = api
        .punches(&format!("?employee_id={}&limit=1000", id(e)))
        .await;
    assert_eq!(total, want);
    assert!(items
        .iter()
        .all(|p| p["enroll_id"] == enroll && p["employee_id"] == e["id"]));
    assert!(items.iter().all(|p| p["employee_name"] == e["name"]));

    // By device.
    assert_eq!(api.punches(&format!("?device_id={}", id(&d))).await.1, all);
    assert_eq!(api.punches("?device_id=999999").await.1, 0);

    // By day, in the company's zone: from and to are inclusive dates.
    let day = civil_of(sim_punches[sim_punches.len() / 2].time).date();
    let on_day = sim_punches
        .iter()
        .filter(|p| civil_of(p.time).date() == day)
        .count() as u64;
    assert!(on_day > 0);
    let (items, total) = api
        .punches(&format!("?from={day}&to={day}&limit=1000"))
        .await;
    assert_eq!(total, on_day);
    assert!(items.iter().all(|p| p["device_time"]
        .as_str()
        .unwrap()
        .starts_with(&day.to_string())));
    let before = sim_punches
        .iter()
        .filter(|p| civil_of(p.time).date() < day)
        .count() as u64;
    assert_eq!(
        api.punches(&format!("?to={}", day.yesterday().unwrap()))
            .await
            .1,
        before
    );
    assert_eq!(api.punches(&format!("?from={day}")).await.1, all - before);

    // By instants: from inclusive, to exclusive; a one-second window in the
    // middle of the history holds exactly one punch.
    let middle = sim_punches.len() / 2;
    let wall = civil_of(sim_punches[middle].time);
    let at = wall.to_zoned(berlin.clone()).unwrap();
    let from = at
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
        .replace('+', "%2B");
    let to = (at.timestamp() + jiff::SignedDuration::from_secs(1)).to_string();
    let (window, total) = api.punches(&format!("?from={from}&to={to}")).await;
    assert_eq!(total, 1, "{window:?}");
    let wall_text = wall.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    assert_eq!(window[0]["device_time"], wall_text.as_str());
    // The same window as company wall-clock times.
    let next = (wall + jiff::SignedDuration::from_secs(1)).strftime("%Y-%m-%dT%H:%M:%S");
    assert_eq!(
        api.punches(&format!("?from={wall_text}&to={next}")).await.1,
        1
    );
    let earlier = sim_punches
        .iter()
        .filter(|p| p.time < sim_punches[middle].time)
        .count() as u64;
    assert_eq!(
        api.punches(&format!("?to={}", at.timestamp())).await.1,
        earlier
    );

    // Bad parameters name their field.
    for (query, field) in [
        ("?from=yesterday", "from"),
        ("?to=2026-13-01", "to"),
        ("?from=2026-02-02&to=2026-02-01", "to"),
        ("?limit=0", "limit"),
        ("?limit=5000", "limit"),
        ("?offset=-1", "offset"),
        ("?employee_id=abc", "employee_id"),
        ("?order=sideways", "order"),
    ] {
        let v = api
            .get(&format!("/punches{query}"))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["fields"][field].is_string(), "{query}: {v}");
    }
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn employees_can_be_named_and_deactivated() {
    let sim = sim(4, 8, 77).await;
    let app = app().await;
    let api = app.signup("People").await;
    let d = api.add_device("Door", sim.addr(0)).await;
    assert_eq!(api.sync_device(id(&d)).await["outcome"], "ok");
    let nameless = api
        .employees()
        .await
        .into_iter()
        .find(|e| e["name"] == "NO NAME")
        .expect("the nameless user");
    let path = format!("/employees/{}", id(&nameless));

    let v = api
        .patch(
            &path,
            &json!({"first_name": " Ana ", "last_name": "Diaz", "designation": "Baker", "email": "ana@example.com"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["name"], "Ana Diaz");
    assert_eq!(v["first_name"], "Ana");
    assert_eq!(v["designation"], "Baker");
    assert_eq!(v["email"], "ana@example.com");
    assert_eq!(v["enroll_id"], nameless["enroll_id"]);

    // The punch listing uses the new name.
    let (renamed, _) = api
        .punches(&format!("?employee_id={}", id(&nameless)))
        .await;
    assert!(renamed.iter().all(|p| p["employee_name"] == "Ana Diaz"));

    // Invalid values change nothing.
    let v = api
        .patch(
            &path,
            &json!({"email": "ana at example", "last_name": "x".repeat(61), "active": "no"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["email", "last_name", "active"] {
        assert!(v["fields"][field].is_string(), "{field}: {v}");
    }
    assert_eq!(
        api.get(&path).await.expect(StatusCode::OK)["last_name"],
        "Diaz"
    );

    // Deactivate; filters follow.
    let v = api
        .patch(&path, &json!({"active": false}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["active"], false);
    assert_eq!(v["name"], "Ana Diaz", "other fields kept");
    let inactive = items(
        api.get("/employees?active=false")
            .await
            .expect(StatusCode::OK),
    );
    assert_eq!(inactive.len(), 1);
    assert_eq!(inactive[0]["id"], nameless["id"]);
    let active = api
        .get("/employees?active=true")
        .await
        .expect(StatusCode::OK);
    assert_eq!(active["total"], 3);
    assert!(items(active).iter().all(|e| e["id"] != nameless["id"]));
    assert_eq!(api.employees().await.len(), 4);
    api.get("/employees?active=maybe")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);

    // Clearing the names falls back to the device's (none here).
    let v = api
        .patch(&path, &json!({"first_name": null, "last_name": ""}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["name"], "NO NAME");
    assert!(v["first_name"].is_null() && v["last_name"].is_null());
    api.get("/employees/999999")
        .await
        .expect(StatusCode::NOT_FOUND);
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn company_settings() {
    let app = app().await;
    let api = app.signup("Settings").await;
    let d = api
        .add_device_with(json!({"name": "Door", "host": "203.0.113.7"}))
        .await;
    let v = api
        .patch(
            "/company",
            &json!({"timezone": "Atlantis/Capital", "poll_interval_minutes": 2}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["fields"]["timezone"].is_string() && v["fields"]["poll_interval_minutes"].is_string()
    );
    let v = api
        .patch(
            "/company",
            &json!({"name": "Settings Ltd", "timezone": "America/New_York", "poll_interval_minutes": 60}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(v["name"], "Settings Ltd");
    assert_eq!(v["timezone"], "America/New_York");
    assert_eq!(v["poll_interval_minutes"], 60);
    // Devices without their own settings follow the company.
    let d = api.device(id(&d)).await;
    assert_eq!(d["poll_interval_minutes"], 60);
    assert_eq!(d["timezone"], "America/New_York");
    let offset = &d["created_at"].as_str().unwrap()[19..];
    assert!(
        offset == "-04:00" || offset == "-05:00",
        "New York time: {d}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let app = app().await;
    let api = app.signup("Sloppy").await;
    let cases = [
        (
            Method::POST,
            "/devices",
            "application/json",
            "{not json",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            Method::POST,
            "/devices",
            "text/plain",
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Method::POST,
            "/devices",
            "application/json",
            "[1, 2]",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Method::POST,
            "/login",
            "application/json",
            r#"{"email": 5}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Method::PATCH,
            "/company",
            "application/json",
            "",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            Method::GET,
            "/devices/abc",
            "application/json",
            "",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/nowhere",
            "application/json",
            "",
            StatusCode::NOT_FOUND,
            "no_route",
        ),
        (
            Method::PUT,
            "/devices",
            "application/json",
            "{}",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (method, path, content_type, body, status, code) in cases {
        let r = api.raw(method.clone(), path, content_type, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text);
        assert!(
            r.content_type.starts_with("application/json"),
            "{method} {path}: {}",
            r.content_type
        );
        let v = r.json();
        assert_eq!(v["error"], code, "{method} {path}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A query the server cannot read on a device that exists.
    let d = api
        .add_device_with(json!({"name": "Door", "host": "203.0.113.7"}))
        .await;
    let v = api
        .get(&format!("/devices/{}/logs?limit=lots", id(&d)))
        .await
        .expect(StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_query");
    app.shutdown().await;
}

/// Path with `{id}` replaced by a real id of the right kind.
fn concrete(path: &str, device: i64, employee: i64) -> String {
    if path.starts_with("/employees/") {
        path.replace("{id}", &employee.to_string())
    } else {
        path.replace("{id}", &device.to_string())
    }
}

#[tokio::test]
async fn openapi_document_matches_the_router() {
    let sim = sim(2, 2, 88).await;
    let app = app().await;
    let api = app.signup("Documented").await;
    let r = app.anonymous().get("/openapi.json").await;
    let doc = r.expect(StatusCode::OK);
    assert!(r.content_type.starts_with("application/json"));
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().expect("paths");

    let d = api.add_device("Door", sim.addr(0)).await;
    assert_eq!(api.sync_device(id(&d)).await["outcome"], "ok");
    let e = id(&api.employees().await[0]);
    // Logout ends its token; use a spare one for it.
    let spare = {
        let login = app
            .anonymous()
            .post(
                "/login",
                &json!({"email": "owner@documented.example.com", "password": "correct horse battery"}),
            )
            .await
            .expect(StatusCode::OK);
        app.anonymous().with_token(login["token"].as_str().unwrap())
    };
    let other = app.signup("Other documented").await;

    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let mut documented = 0;
    // DELETE last, so the device exists for the other calls.
    let mut calls: Vec<(Method, String, bool)> = Vec::new();
    for (path, item) in paths {
        for m in &methods {
            let key = m.as_str().to_lowercase();
            calls.push((m.clone(), path.clone(), item.get(&key).is_some()));
        }
    }
    calls.sort_by_key(|(m, _, _)| *m == Method::DELETE);
    for (method, path, is_documented) in calls {
        let url = concrete(&path, id(&d), e);
        // Ending every session, or one by id, is tried on another account.
        let client: &Api = match path.as_str() {
            "/logout" => &spare,
            "/logout/everywhere" | "/sessions/{id}" => &other,
            _ => &api,
        };
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
        let r = client.send(method.clone(), &url, body.as_ref()).await;
        let code = serde_json::from_str::<Value>(&r.text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned));
        if is_documented {
            documented += 1;
            assert!(
                r.status != StatusCode::METHOD_NOT_ALLOWED && code.as_deref() != Some("no_route"),
                "documented {method} {path} is not served: {} {}",
                r.status,
                r.text
            );
            assert!(r.status.as_u16() < 500, "{method} {path}: {}", r.text);
        } else {
            assert_eq!(
                r.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is served but not documented: {}",
                r.text
            );
        }
    }
    assert_eq!(documented, 60, "operations in the document");
    // Every documented operation has a summary and responses.
    for (path, item) in paths {
        for m in &methods {
            if let Some(op) = item.get(m.as_str().to_lowercase()) {
                assert!(op["summary"].is_string(), "{m} {path}");
                assert!(op["responses"].is_object(), "{m} {path}");
            }
        }
    }
    app.shutdown().await;
    sim.shutdown().await;
}
