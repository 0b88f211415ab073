//! Push mode as hostile input: source addresses (logged, optionally
//! locked), keys bound on first claim, the 3.x registry and its session
//! token, and size limits. Requests are made by hand, from 127.0.0.1 and
//! 127.0.0.2 (both loopback), on SQLite and PostgreSQL.

mod common;

use std::net::IpAddr;

use common::{TestApp, TestOptions};
use punchclock::domain::{CompanyId, DeviceId, PunchFilter};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_protocol::push::security;

async fn start() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        configure: |c| {
            c.push.max_body_bytes = 64 * 1024;
            c.push.max_lines = 100;
        },
        ..TestOptions::default()
    })
    .await
}

/// A client whose requests come from `ip` (any 127.0.0.0/8 address).
fn from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    method: reqwest::Method,
    path_query: &str,
    body: &[u8],
) -> (StatusCode, String) {
    let r = client
        .request(method, app.url(path_query))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn get(app: &TestApp, client: &reqwest::Client, path_query: &str) -> (StatusCode, String) {
    call(app, client, reqwest::Method::GET, path_query, b"").await
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path_query: &str,
    body: &[u8],
) -> (StatusCode, String) {
    call(app, client, reqwest::Method::POST, path_query, body).await
}

async fn claim(api: &common::Api, serial: &str) -> DeviceId {
    let d = api
        .add_device_with(json!({"name": serial, "mode": "push", "serial_number": serial}))
        .await;
    DeviceId(d["id"].as_i64().unwrap())
}

async fn punches(app: &TestApp, company: CompanyId) -> u64 {
    app.state
        .store
        .count_punches(company, &PunchFilter::default())
        .await
        .unwrap()
}

fn one_punch(second: u8) -> Vec<u8> {
    format!("1\t2025-03-02 08:00:{second:02}\t0\t1\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_changes_are_logged_and_a_locked_device_refuses_others() {
    let app = start().await;
    let api = app.signup("Locked Co").await;
    let company = app.company_of("owner@locked-co.example.com").await;
    let id = claim(&api, "SRC01").await;
    let (a, b) = (from("127.0.0.1"), from("127.0.0.2"));
    let upload = "/iclock/cdata?SN=SRC01&table=ATTLOG";
    assert_eq!(
        post(&app, &a, upload, &one_punch(1)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        post(&app, &b, upload, &one_punch(2)).await.0,
        StatusCode::OK
    );
    let d = api.device(id.0).await;
    assert_eq!(d["source_address"], "127.0.0.2");
    let logs = api.logs(id.0).await;
    let moved: Vec<&Value> = logs.iter().filter(|l| l["push_call"] == "source").collect();
    assert_eq!(moved.len(), 2, "first address and the change");
    assert!(moved[0]["detail"]
        .as_str()
        .unwrap()
        .contains("127.0.0.2 (before: 127.0.0.1)"));
    // Locked: another address is refused, stores nothing, waits for the owner.
    let r = api
        .patch(&format!("/devices/{}", id.0), &json!({"lock_source": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        post(&app, &a, upload, &one_punch(3)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(punches(&app, company).await, 2);
    let d = api.device(id.0).await;
    assert_eq!(d["pending_source_address"], "127.0.0.1");
    assert_eq!(d["last_error_code"], "source_refused");
    let r = api
        .post(&format!("/devices/{}/source/accept", id.0), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        post(&app, &a, upload, &one_punch(3)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        post(&app, &b, upload, &one_punch(4)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(punches(&app, company).await, 3);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushcommkey_is_bound_on_first_claim_and_checked_after() {
    let app = start().await;
    let api = app.signup("Keyed Co").await;
    let id = claim(&api, "KEY01").await;
    let c = from("127.0.0.1");
    let hello = "/iclock/cdata?SN=KEY01&options=all&pushver=2.4.1&pushcommkey=";
    let (status, body) = get(&app, &c, &format!("{hello}a1b2c3")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("GET OPTION FROM: KEY01"), "{body}");
    // A forger with the serial but not the key, or with no key at all.
    assert_eq!(
        get(&app, &c, &format!("{hello}ffffff")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let bare = "/iclock/cdata?SN=KEY01&options=all&pushver=2.4.1";
    assert_eq!(get(&app, &c, bare).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&app, &c, &format!("{hello}a1b2c3")).await.0,
        StatusCode::OK
    );
    let refused: Vec<Value> = api
        .logs(id.0)
        .await
        .into_iter()
        .filter(|l| l["push_call"] == "refused")
        .collect();
    assert_eq!(refused.len(), 1, "logged once, not on every try");
    assert_eq!(refused[0]["reason_code"], "auth");
    assert!(refused[0]["reason"]
        .as_str()
        .unwrap()
        .contains("key does not match"));
    // ComKey rides on every request once bound.
    let id2 = claim(&api, "KEY02").await;
    let up = "/iclock/cdata?SN=KEY02&table=ATTLOG&ComKey=";
    assert_eq!(
        post(&app, &c, &format!("{up}88888888"), &one_punch(1))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        post(&app, &c, &format!("{up}12345678"), &one_punch(2))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let d = api.device(id2.0).await;
    assert_eq!(d["last_error_code"], "auth");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_push_registers_and_every_request_carries_its_token() {
    let app = start().await;
    let api = app.signup("Face Co").await;
    let company = app.company_of("owner@face-co.example.com").await;
    claim(&api, "SF3A001").await;
    let c = from("127.0.0.1");
    let q = "SN=SF3A001&pushver=3.1.2&DeviceType=acc";
    let (status, body) = get(&app, &c, &format!("/iclock/cdata?{q}&options=all")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "OK"),
        "unregistered"
    );
    let registry = b"DeviceType=acc,~DeviceName=SpeedFace-V5L,FirmVer=ZAM180,PushVersion=Ver 3.1.2S,authKey=secret1";
    let (status, body) = post(&app, &c, &format!("/iclock/registry?{q}"), registry).await;
    assert_eq!(status, StatusCode::OK);
    let code = body
        .strip_prefix("RegistryCode=")
        .expect("a registry code")
        .to_string();
    let wrong = b"DeviceType=acc,authKey=guess";
    assert_eq!(
        post(&app, &c, &format!("/iclock/registry?{q}"), wrong)
            .await
            .0,
        StatusCode::NOT_ACCEPTABLE
    );
    let (status, config) = post(&app, &c, &format!("/iclock/push?{q}"), b"").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        config.contains("TransTables=User Transaction") && config.contains("Realtime=1"),
        "{config}"
    );
    let session = config
        .lines()
        .find_map(|l| l.strip_prefix("SessionID="))
        .expect("a session")
        .to_string();
    let token = security::session_token(&code, "SF3A001", &session);
    let rtlog = b"time=2025-03-02 08:00:01\tpin=1005\tcardno=0\tsitecode=0\tlinkid=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=15\tindex=12\r\n\
time=2025-03-02 08:00:09\tpin=0\tcardno=0\tsitecode=0\tlinkid=0\teventaddr=1\tevent=8\tinoutstatus=2\tverifytype=200\tindex=13\r\n";
    let upload = app.url(&format!("/iclock/cdata?{q}&table=rtlog"));
    let send = |cookie: &str| {
        c.post(&upload)
            .header("Cookie", cookie.to_string())
            .body(rtlog.to_vec())
            .send()
    };
    assert_eq!(
        send("token=nope").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let r = send(&format!("token={token}")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "OK");
    assert_eq!(
        punches(&app, company).await,
        1,
        "the door event is not a punch"
    );
    let users = b"user uid=1\tcardno=\tpin=1005\tpassword=\tgroup=1\tname=Ana\tprivilege=0\n";
    let r = c
        .post(app.url(&format!(
            "/iclock/cdata?{q}&table=tabledata&tablename=user&count=1"
        )))
        .header("Cookie", format!("token={token}"))
        .body(users.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "user=1");
    let names: Vec<String> = api
        .employees()
        .await
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Ana"]);
    // A handshake now gets the registered answer.
    let (_, body) = get(&app, &c, &format!("/iclock/cdata?{q}&options=all")).await;
    assert!(body.starts_with("registry=ok\n"), "{body}");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_and_line_counts_are_capped() {
    let app = start().await;
    let api = app.signup("Big Co").await;
    let company = app.company_of("owner@big-co.example.com").await;
    let id = claim(&api, "BIG01").await;
    let c = from("127.0.0.1");
    let upload = "/iclock/cdata?SN=BIG01&table=ATTLOG";
    let huge = vec![b'x'; 65 * 1024];
    assert_eq!(
        post(&app, &c, upload, &huge).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let many: Vec<u8> = (0..101)
        .flat_map(|i| format!("{i}\t2025-03-02 08:00:00\t0\t1\n").into_bytes())
        .collect();
    assert_eq!(
        post(&app, &c, upload, &many).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(punches(&app, company).await, 0);
    let d = api.device(id.0).await;
    assert_eq!(d["last_error_code"], "too_much");
    // Anything that is not a push request is refused before any lookup.
    assert_eq!(
        get(&app, &c, "/iclock/cdata?options=all").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&app, &c, "/iclock/cdata?SN=a%0Ab&options=all").await.0,
        StatusCode::BAD_REQUEST
    );
    app.shutdown().await;
}
