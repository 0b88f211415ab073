//! The request bodies of adms-push.md (in the shapes it quotes from real
//! devices and ZKTeco's documents; the same files zk-protocol's parser
//! tests read) replayed through the real endpoint: each must be stored as
//! the records the reference says it holds, and answered as devices expect.

mod common;

use common::{TestApp, TestOptions};
use punchclock::domain::{CompanyId, PunchFilter};
use reqwest::StatusCode;
use serde_json::{json, Value};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../zk-protocol/tests/fixtures/push/", $name)).as_slice()
    };
}

struct Replay {
    app: TestApp,
    api: common::Api,
    company: CompanyId,
    device: i64,
}

impl Replay {
    async fn start(company: &str, serial: &str) -> Replay {
        let app = TestApp::start_with(TestOptions {
            postgres: true,
            ..TestOptions::default()
        })
        .await;
        let api = app.signup(company).await;
        let email = format!(
            "owner@{}.example.com",
            company.to_lowercase().replace(' ', "-")
        );
        let company = app.company_of(&email).await;
        let d = api
            .add_device_with(json!({"name": "Clock", "mode": "push", "serial_number": serial}))
            .await;
        let device = d["id"].as_i64().unwrap();
        Replay {
            app,
            api,
            company,
            device,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path_query: &str,
        body: &[u8],
    ) -> (StatusCode, String) {
        let r = reqwest::Client::new()
            .request(method, self.app.url(path_query))
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(&self, path_query: &str, body: &[u8]) -> String {
        let (status, text) = self.send(reqwest::Method::POST, path_query, body).await;
        assert_eq!(status, StatusCode::OK, "{path_query}: {text}");
        text
    }

    /// Punches as (enroll id, device time, keypad state, verify method).
    async fn punches(&self) -> Vec<(String, String, u64, u64)> {
        let filter = PunchFilter {
            oldest_first: true,
            ..PunchFilter::default()
        };
        let list = self
            .app
            .state
            .store
            .list_punches(self.company, &filter)
            .await
            .unwrap();
        let mut out: Vec<_> = list
            .into_iter()
            .map(|p| {
                let p = p.punch;
                let time = p.device_time.strftime("%Y-%m-%d %H:%M:%S").to_string();
                (
                    p.enroll_id,
                    time,
                    u64::from(p.punch_type),
                    u64::from(p.status),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Employees as (enroll id, display name).
    async fn people(&self) -> Vec<(String, String)> {
        let mut out: Vec<_> = self
            .api
            .employees()
            .await
            .iter()
            .map(|e| {
                (
                    e["enroll_id"].as_str().unwrap().into(),
                    e["name"].as_str().unwrap().into(),
                )
            })
            .collect();
        out.sort();
        out
    }

    async fn last_log(&self, call: &str) -> Value {
        let logs = self.api.logs(self.device).await;
        logs.into_iter()
            .find(|l| l["push_call"] == call)
            .expect("a log row")
    }
}

fn row(pin: &str, time: &str, state: u64, verify: u64) -> (String, String, u64, u64) {
    (pin.into(), time.into(), state, verify)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attlog_from_a_real_device_shape() {
    let r = Replay::start("Attlog Co", "S11ATT").await;
    let q = "/iclock/cdata?SN=S11ATT&table=ATTLOG&Stamp=9999";
    assert_eq!(r.post(q, fixture!("attlog_s11.txt")).await, "OK:3");
    let want = vec![
        row("1", "2025-03-02 07:58:11", 0, 1),
        row("1", "2025-03-02 17:02:40", 1, 1),
        row("27", "2025-03-02 08:01:05", 0, 15),
    ];
    assert_eq!(r.punches().await, want);
    // The same body again (a resend): answered the same, stored once.
    assert_eq!(r.post(q, fixture!("attlog_s11.txt")).await, "OK:3");
    assert_eq!(r.punches().await.len(), 3);
    assert_eq!(
        r.people().await,
        [
            ("1".into(), "NO NAME".into()),
            ("27".into(), "NO NAME".into())
        ]
    );
    // The stamp comes back in the next handshake.
    let (_, hello) = r
        .send(
            reqwest::Method::GET,
            "/iclock/cdata?SN=S11ATT&options=all&pushver=2.4.1",
            b"",
        )
        .await;
    assert!(hello.contains("ATTLOGStamp=9999\n"), "{hello}");
    r.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operlog_operations_and_fingerprints_are_acknowledged_not_kept() {
    let r = Replay::start("Operlog Co", "S11OP").await;
    let q = "/iclock/cdata?SN=S11OP&table=OPERLOG&Stamp=1";
    assert_eq!(r.post(q, fixture!("operlog_s11.txt")).await, "OK:6");
    assert!(r.people().await.is_empty(), "operations name no employee");
    let log = r.last_log("users").await;
    let detail = log["detail"].as_str().unwrap();
    assert!(
        detail.contains("fingerprint enrolled at 2025-03-01T09:13:41"),
        "{detail}"
    );
    assert!(detail.contains("user name changed"), "{detail}");
    assert!(
        detail.contains("1 fingerprint, face or photo records (not kept)"),
        "{detail}"
    );
    assert_eq!(log["reason"], Value::Null);
    r.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operlog_users_become_employees_and_a_bad_line_is_named() {
    let r = Replay::start("Users Co", "S11USR").await;
    let q = "/iclock/cdata?SN=S11USR&table=OPERLOG&Stamp=1";
    assert_eq!(r.post(q, fixture!("operlog_users.txt")).await, "OK:6");
    let want: Vec<(String, String)> = [("1005", "Núñez"), ("1006", "NO NAME"), ("1007", "Kim")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(r.people().await, want);
    let log = r.last_log("users").await;
    assert_eq!(log["users_read"], 3);
    let reason = log["reason"].as_str().unwrap();
    assert!(reason.contains("line 6: no PIN= field"), "{reason}");
    r.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gb2312_names_of_a_chinese_language_device() {
    let r = Replay::start("Gb Co", "CN001").await;
    // The language comes with the handshake only (notes-proto.md).
    let (status, _) = r
        .send(
            reqwest::Method::GET,
            "/iclock/cdata?SN=CN001&options=all&pushver=2.4.1&language=83",
            b"",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let q = "/iclock/cdata?SN=CN001&table=OPERLOG&Stamp=1";
    assert_eq!(r.post(q, fixture!("operlog_gb2312.txt")).await, "OK:2");
    let want = vec![
        ("88".to_string(), "张伟".to_string()),
        ("89".into(), "Li Na".into()),
    ];
    assert_eq!(r.people().await, want);
    r.app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_push_rtlog_tabledata_registry_and_results() {
    let r = Replay::start("Sec Co", "SF3A001").await;
    let q = "SN=SF3A001&pushver=3.1.2";
    let code = r
        .post(&format!("/iclock/registry?{q}"), fixture!("registry.txt"))
        .await;
    assert!(code.starts_with("RegistryCode="), "{code}");
    let log = r.last_log("registry").await;
    assert!(log["detail"]
        .as_str()
        .unwrap()
        .contains("DeviceName=SpeedFace-V5L"));
    // Registering opened a session: every later request carries its token.
    let session = r
        .app
        .state
        .store
        .push_target("SF3A001")
        .await
        .unwrap()
        .unwrap();
    let token = zk_protocol::push::security::session_token(
        code.trim_start_matches("RegistryCode="),
        "SF3A001",
        session.session_id.as_deref().unwrap(),
    );
    let send = |path: String, body: &'static [u8]| {
        reqwest::Client::new()
            .post(r.app.url(&path))
            .header("Cookie", format!("token={token}"))
            .body(body)
            .send()
    };
    let rt = send(
        format!("/iclock/cdata?{q}&table=rtlog"),
        fixture!("rtlog.txt"),
    )
    .await
    .unwrap();
    assert_eq!(rt.text().await.unwrap(), "OK");
    assert_eq!(
        r.punches().await,
        [row("1005", "2025-03-02 08:00:01", 0, 15)]
    );
    let log = r.last_log("punches").await;
    assert!(log["reason"]
        .as_str()
        .unwrap()
        .contains("line 3: no event= field"));
    assert!(log["detail"]
        .as_str()
        .unwrap()
        .contains("1 door or alarm events"));
    // Users in the 3.x table upload; the device was said to be Chinese (GB18030).
    r.app.raw_sql("UPDATE devices SET push_language = 83").await;
    let td = send(
        format!("/iclock/cdata?{q}&table=tabledata&tablename=user&count=3"),
        fixture!("tabledata_users.txt"),
    )
    .await
    .unwrap();
    assert_eq!(td.text().await.unwrap(), "user=3");
    let want = vec![
        ("1005".to_string(), "Ana".to_string()),
        ("1006".into(), "张伟".into()),
    ];
    assert_eq!(r.people().await, want);
    // Results for commands this device never got change nothing.
    let cmd = send(format!("/iclock/devicecmd?{q}"), fixture!("devicecmd.txt"))
        .await
        .unwrap();
    assert_eq!(cmd.text().await.unwrap(), "OK");
    let log = r.last_log("command_results").await;
    assert_eq!(log["outcome"], "ok");
    r.app.shutdown().await;
}
