//! Device health alerts and webhooks end to end: a simulated device over
//! real sockets, the real SMTP server and a real HTTP receiver on
//! loopback. Offline after three failed polls (not two), by mail and by
//! webhook in order per device; recovery; a flapping device reopens its
//! alert quietly; clock drift with its likely cause; the seat rule.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::receiver::Receiver;
use common::smtp::SmtpSink;
use common::{Api, TestApp, TestOptions};
use jiff::SignedDuration;
use punchclock::webhooks::sign;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_sim::{DeviceSpec, Faults, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

struct World {
    app: TestApp,
    api: Api,
    sink: SmtpSink,
    hooks: Receiver,
    secret: String,
    sim: Simulator,
    device: i64,
}

/// The zone the simulator's clock runs in (the host's), so drift is ~0.
fn host_zone() -> String {
    jiff::tz::TimeZone::system()
        .iana_name()
        .unwrap_or("UTC")
        .to_owned()
}

async fn world() -> World {
    let sink = SmtpSink::start().await;
    let hooks = Receiver::start().await;
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        smtp_url: Some(sink.url()),
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Front Bakery").await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 3, 20, 5)])
        .await
        .unwrap();
    let addr = sim.addr(0);
    let d = api
        .add_device_with(json!({"name": "Front door", "host": "127.0.0.1", "port": addr.port(), "timezone": host_zone()}))
        .await;
    let hook = api
        .post("/webhooks", &json!({"url": hooks.url()}))
        .await
        .expect(StatusCode::CREATED);
    let secret = hook["secret"].as_str().unwrap().to_owned();
    World {
        app,
        api,
        sink,
        hooks,
        secret,
        sim,
        device: d["id"].as_i64().unwrap(),
    }
}

impl World {
    async fn sync(&self) -> Value {
        self.api
            .post(&format!("/devices/{}/sync", self.device), &json!({}))
            .await
            .expect(StatusCode::OK)
    }

    async fn watch(&self) -> (usize, usize) {
        let c = self.app.state.alert_watch.tick().await.unwrap();
        (c.opened, c.resolved)
    }

    async fn send_all(&self) {
        if let Some(m) = &self.app.state.mail_sender {
            m.tick().await;
        }
        // Deliveries of one device go one at a time, in order.
        for _ in 0..20 {
            if self.app.state.webhook_sender.tick().await == 0 {
                break;
            }
        }
    }

    async fn open_alerts(&self) -> Vec<Value> {
        common::items(
            self.api
                .get("/alerts?state=open")
                .await
                .expect(StatusCode::OK),
        )
    }

    fn events(&self) -> Vec<String> {
        self.hooks
            .delivered()
            .iter()
            .filter(|e| e["type"] != "punch.created")
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn owner() -> &'static str {
    "owner@front-bakery.example.com"
}

#[tokio::test]
async fn offline_after_three_failed_polls_by_mail_and_webhook_then_online() {
    let w = world().await;
    assert_eq!(w.sync().await["outcome"], "ok");
    assert_eq!(w.watch().await, (0, 0));
    w.sim.device(0).set_faults(Faults {
        refuse: true,
        ..Faults::default()
    });
    for n in 1..=2 {
        assert_eq!(w.sync().await["outcome"], "failed");
        assert_eq!(w.watch().await, (0, 0), "{n} failures: no alert yet");
    }
    assert_eq!(w.sync().await["outcome"], "failed");
    assert_eq!(w.watch().await, (1, 0), "the third failure opens it");
    assert_eq!(w.watch().await, (0, 0), "once");
    let open = w.open_alerts().await;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0]["rule"].as_str(), open[0]["device_id"].as_i64()),
        (Some("offline"), Some(w.device))
    );
    assert!(open[0]["message"]
        .as_str()
        .unwrap()
        .contains("3 polls in a row"));
    w.send_all().await;
    let mails = w.sink.to(owner());
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some("Alert: Front door: offline")
    );
    let text = mails[0].part("text/plain").unwrap();
    assert!(text.contains(&format!("/devices/{}", w.device)), "{text}");
    assert_eq!(w.events(), ["device.offline", "alert.opened"]);

    w.sim.device(0).set_faults(Faults::default());
    assert_eq!(w.sync().await["outcome"], "ok");
    assert_eq!(w.watch().await, (0, 1), "recovers on the next success");
    w.send_all().await;
    let mails = w.sink.to(owner());
    assert_eq!(mails.len(), 2);
    assert_eq!(
        mails[1].header("Subject").as_deref(),
        Some("Resolved: Front door: offline")
    );
    assert_eq!(
        w.events(),
        [
            "device.offline",
            "alert.opened",
            "device.online",
            "alert.resolved"
        ]
    );
    let resolved = common::items(
        w.api
            .get("/alerts?state=resolved")
            .await
            .expect(StatusCode::OK),
    );
    assert!(resolved[0]["resolved_at"].is_string());

    // Flapping: down again within the hour reopens the same alert, quietly.
    w.sim.device(0).set_faults(Faults {
        refuse: true,
        ..Faults::default()
    });
    for _ in 0..3 {
        w.sync().await;
    }
    w.watch().await;
    w.send_all().await;
    let open = w.open_alerts().await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["id"], resolved[0]["id"], "the same alert");
    assert_eq!(w.sink.to(owner()).len(), 2, "no mail per flap");
    w.app.shutdown().await;
}

#[tokio::test]
async fn webhook_deliveries_are_signed_ordered_and_retried_after_a_500() {
    let w = world().await;
    w.hooks.fail_next(1);
    let synced = w.sync().await;
    let stored = synced["punches_new"].as_u64().unwrap();
    assert!(stored > 0);
    w.send_all().await;
    let first = w.hooks.hits();
    assert_eq!(
        first.len(),
        1,
        "one per device at a time: the 500 holds the rest back"
    );
    assert_eq!(first[0].status, 500);
    // Not due again for 30 s; then everything goes, in punch order.
    w.send_all().await;
    assert_eq!(w.hooks.hits().len(), 1);
    w.app.clock.advance(SignedDuration::from_secs(31));
    w.send_all().await;
    let hits = w.hooks.wait_for(stored as usize + 1).await;
    assert_eq!(hits.len() as u64, stored + 1);
    let ids: Vec<i64> = w
        .hooks
        .delivered()
        .iter()
        .map(|e| e["data"]["punch_id"].as_i64().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in order");
    assert_eq!(hits[0].body, hits[1].body, "the retry sends the same event");
    for h in &hits {
        let ts: i64 = h.header("x-punchclock-timestamp").parse().unwrap();
        let sig = h.header("x-punchclock-signature");
        assert!(
            sign::verify(&w.secret, ts, &h.body, &sig),
            "signature of {}",
            h.body
        );
        assert!(!sign::verify("whsec_wrong", ts, &h.body, &sig));
        assert_eq!(h.header("x-punchclock-event"), "punch.created");
        assert_eq!(h.json()["data"]["device_id"].as_i64(), Some(w.device));
    }
    // Every attempt is logged; a delivery can be sent again by hand.
    let hook = common::items(w.api.get("/webhooks").await.expect(StatusCode::OK))[0]["id"]
        .as_i64()
        .unwrap();
    let list = common::items(
        w.api
            .get(&format!("/webhooks/{hook}/deliveries?limit=200"))
            .await
            .expect(StatusCode::OK),
    );
    let oldest = list.last().unwrap();
    let log = oldest["attempt_log"].as_array().unwrap();
    assert_eq!(
        (
            log.len(),
            log[0]["status"].as_u64(),
            log[1]["status"].as_u64()
        ),
        (2, Some(500), Some(200))
    );
    assert_eq!(oldest["state"], "delivered");
    let id = oldest["id"].as_i64().unwrap();
    w.api
        .post(
            &format!("/webhooks/{hook}/deliveries/{id}/resend"),
            &json!({}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    w.send_all().await;
    assert_eq!(w.hooks.hits().len() as u64, stored + 2);
    let list = common::items(
        w.api
            .get(&format!("/webhooks/{hook}/deliveries?limit=200"))
            .await
            .expect(StatusCode::OK),
    );
    let again = list.iter().find(|d| d["id"] == id).unwrap();
    assert_eq!(again["attempt_log"][2]["manual"], true);
    // Another company sees none of it.
    let other = w.app.signup("Other Shop").await;
    other
        .get(&format!("/webhooks/{hook}/deliveries"))
        .await
        .expect(StatusCode::NOT_FOUND);
    w.app.shutdown().await;
}

#[tokio::test]
async fn webhook_urls_pass_the_outbound_address_guard() {
    let app = TestApp::start_with(TestOptions {
        configure: |c| c.allow_private_webhook_addresses = false,
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Guarded").await;
    for (url, words) in [
        ("https://10.0.0.5/hook", "private"),
        ("https://169.254.169.254/latest", "link-local"),
        ("https://localhost/hook", "loopback"),
        ("http://hooks.example.com/x", "https"),
    ] {
        let r = api.post("/webhooks", &json!({"url": url})).await;
        let body = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        let msg = body["fields"]["url"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(msg.contains(words), "{url}: {body}");
    }
    let r = api
        .post(
            "/webhooks",
            &json!({"url": "https://x.example/h", "events": ["punch.deleted"]}),
        )
        .await;
    assert!(r.expect(StatusCode::UNPROCESSABLE_ENTITY)["fields"]["events"].is_string());
    app.shutdown().await;
}

#[tokio::test]
async fn clock_drift_of_whole_hours_says_time_zone_and_rules_can_be_off() {
    let w = world().await;
    w.sim.device(0).jump_clock(2 * 3600 + 30);
    w.sync().await;
    assert_eq!(w.watch().await, (1, 0));
    let open = w.open_alerts().await;
    assert_eq!(open[0]["rule"], "clock_drift");
    let m = open[0]["message"].as_str().unwrap();
    assert!(
        m.contains("2 hours ahead") && m.contains("wrong time zone"),
        "{m}"
    );
    // Acknowledged, still open.
    let id = open[0]["id"].as_i64().unwrap();
    let acked = w
        .api
        .post(&format!("/alerts/{id}/ack"), &json!({}))
        .await
        .expect(StatusCode::OK);
    assert!(acked["acknowledged_at"].is_string() && acked["state"] == "open");
    // Switching the rule off resolves it.
    let c = w
        .api
        .patch(
            "/company",
            &json!({"drift_alert": false, "report_time": "18:30"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (c["drift_alert"].as_bool(), c["report_time"].as_str()),
        (Some(false), Some("18:30"))
    );
    assert_eq!(w.watch().await, (0, 1));
    let bad = w
        .api
        .patch(
            "/company",
            &json!({"report_time": "7pm", "offline_after_polls": 0}),
        )
        .await;
    let body = bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["fields"]["report_time"].is_string()
            && body["fields"]["offline_after_polls"].is_string(),
        "{body}"
    );
    w.app.shutdown().await;
}

/// A push device calls us: silent for more than 3× its `Delay`, it is
/// offline (alert, mail, webhook); its next call resolves the alert.
#[tokio::test]
async fn a_push_device_silent_for_three_delays_goes_offline_until_it_calls() {
    let sink = SmtpSink::start().await;
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        smtp_url: Some(sink.url()),
        manual_clock: Some("2026-03-02T08:00:00Z".parse().unwrap()),
        configure: |c| c.push.delay_seconds = 20,
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Push Bakery").await;
    let d = api
        .add_device_with(json!({"name": "Gate", "mode": "push", "serial_number": "PUSHGATE01"}))
        .await;
    let device = d["id"].as_i64().unwrap();
    let watch = || async { app.state.alert_watch.tick().await.unwrap() };
    let call = |query: &'static str| {
        let app = &app;
        async move {
            let r = reqwest::get(app.url(&format!("/iclock/{query}")))
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            app.state.push.flush().await;
        }
    };
    // Never called: waiting to be set up, not offline.
    app.clock.advance(SignedDuration::from_mins(10));
    assert_eq!(watch().await.opened, 0);
    call("cdata?SN=PUSHGATE01&options=all&pushver=2.4.1").await;
    call("getrequest?SN=PUSHGATE01").await;
    // It was told Delay=20: 60 s of silence is fine, 61 s is not.
    app.clock.advance(SignedDuration::from_secs(60));
    assert_eq!(watch().await.opened, 0);
    app.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(watch().await.opened, 1);
    assert_eq!(watch().await.opened, 0, "once");
    let open = common::items(api.get("/alerts?state=open").await.expect(StatusCode::OK));
    assert_eq!(
        (open[0]["rule"].as_str(), open[0]["device_id"].as_i64()),
        (Some("offline"), Some(device))
    );
    let message = open[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Gate has not called for 61 seconds"),
        "{message}"
    );
    app.state.mail_sender.as_ref().unwrap().tick().await;
    let mails = sink.to("owner@push-bakery.example.com");
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some("Alert: Gate: offline")
    );
    // The next call brings it back.
    call("getrequest?SN=PUSHGATE01").await;
    let back = watch().await;
    assert_eq!((back.opened, back.resolved), (0, 1));
    app.shutdown().await;
}

/// `punch.created` says whether a punch was added by hand, and a punch
/// voided before its turn is not announced.
#[tokio::test]
async fn manual_punches_are_marked_and_voided_ones_not_announced() {
    let hooks = Receiver::start().await;
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        manual_clock: Some("2026-03-02T18:00:00Z".parse().unwrap()),
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Hand Bakery").await;
    api.post(
        "/webhooks",
        &json!({"url": hooks.url(), "events": ["punch.created"]}),
    )
    .await
    .expect(StatusCode::CREATED);
    let ana = api
        .post(
            "/employees",
            &json!({"enroll_id": "1", "first_name": "Ana"}),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();
    let add = |time: &'static str| {
        let api = &api;
        async move {
            api.post(
                "/punches",
                &json!({"employee_id": ana, "time": time, "reason": "Forgot"}),
            )
            .await
            .expect(StatusCode::CREATED)["id"]
                .as_i64()
                .unwrap()
        }
    };
    let kept = add("2026-03-02T09:00").await;
    let wrong = add("2026-03-02T10:00").await;
    api.post(
        &format!("/punches/{wrong}/void"),
        &json!({"reason": "Wrong person"}),
    )
    .await
    .expect(StatusCode::OK);
    for _ in 0..5 {
        if app.state.webhook_sender.tick().await == 0 {
            break;
        }
    }
    let events = hooks.delivered();
    let punches: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "punch.created")
        .collect();
    assert_eq!(punches.len(), 1, "{events:?}");
    assert_eq!(punches[0]["data"]["punch_id"].as_i64(), Some(kept));
    assert_eq!(punches[0]["data"]["manual"], true);
    assert_eq!(punches[0]["data"]["voided"], false);
    app.shutdown().await;
}
