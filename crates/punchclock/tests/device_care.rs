//! Device care against the simulator over real sockets: setting the clock
//! (audit-logged), rotating a log only after every punch on it is verified
//! as stored, and a punch tapped between the read and the clear is never
//! lost; a "NO NAME" person's name written to the device when the owner
//! opts in, under the device's lease and audited. Runs on SQLite, and on
//! PostgreSQL when it is configured.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{Api, TestApp, TestOptions};
use punchclock::domain::{CompanyId, DeviceEventKind, DeviceId, Outcome};
use punchclock::sync::Scheduler;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_protocol::command::CMD_DISABLEDEVICE;
use zk_protocol::DeviceTime;
use zk_sim::{DeviceSpec, Punch, Simulator, User};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn host_zone() -> String {
    jiff::tz::TimeZone::system()
        .iana_name()
        .unwrap_or("UTC")
        .to_owned()
}

async fn setup(punches: u32) -> (TestApp, Api, Simulator, i64) {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Care Bakery").await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 4, punches, 9)])
        .await
        .unwrap();
    let d = api
        .add_device_with(json!({"name": "Till", "host": "127.0.0.1", "port": sim.addr(0).port(), "timezone": host_zone()}))
        .await;
    (app, api, sim, d["id"].as_i64().unwrap())
}

async fn audit(api: &Api) -> Vec<Value> {
    common::items(api.get("/account/audit").await.expect(StatusCode::OK))
}

#[tokio::test]
async fn set_clock_corrects_the_device_and_is_audited() {
    let (app, api, sim, id) = setup(10).await;
    sim.device(0).jump_clock(7200);
    let e = api
        .post(&format!("/devices/{id}/set-clock"), &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (e["kind"].as_str(), e["outcome"].as_str()),
        (Some("clock_set"), Some("ok")),
        "{e}"
    );
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("s ahead"), "{m}");
    assert!(
        sim.device(0).clock_offset_secs().abs() <= 2,
        "device clock corrected"
    );
    let log = audit(&api).await;
    assert!(
        log.iter().any(|a| a["kind"] == "device_clock_set"),
        "{log:?}"
    );
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn rotate_needs_confirmation_and_clears_only_a_verified_log() {
    let (app, api, sim, id) = setup(40).await;
    let r = api
        .post(&format!("/devices/{id}/rotate-log"), &json!({}))
        .await;
    assert!(r.expect(StatusCode::UNPROCESSABLE_ENTITY)["fields"]["confirm"].is_string());
    assert_eq!(
        sim.device(0).punch_count(),
        40,
        "nothing cleared without a yes"
    );
    let e = api
        .post(
            &format!("/devices/{id}/rotate-log"),
            &json!({"confirm": true}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(e["outcome"], "ok", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("all 40 punches"),
        "{e}"
    );
    assert_eq!(sim.device(0).punch_count(), 0, "the device log is empty");
    let (_, stored) = api.punches("?limit=1").await;
    assert_eq!(stored, 40, "and every punch is stored");
    assert!(audit(&api)
        .await
        .iter()
        .any(|a| a["kind"] == "device_log_rotated"));
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_punch_tapped_between_the_read_and_the_clear_is_not_lost() {
    let (app, api, sim, id) = setup(25).await;
    let dev = sim.device(0);
    let late = Punch {
        uid: 1,
        user_id: dev.users()[0].user_id.clone(),
        time: DeviceTime::new(2026, 11, 30, 8, 1, 2).unwrap(),
        status: 1,
        punch: 0,
    };
    // The tap lands as the client disables the device to clear it.
    dev.add_punch_on(CMD_DISABLEDEVICE, late);
    let e = api
        .post(
            &format!("/devices/{id}/rotate-log"),
            &json!({"confirm": true}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(e["outcome"], "failed", "{e}");
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains("Nothing was cleared") && m.contains("25") && m.contains("26"),
        "{m}"
    );
    assert_eq!(dev.punch_count(), 26, "the log was kept with the new punch");
    api.sync_device(id).await;
    let (_, stored) = api.punches("?limit=1").await;
    assert_eq!(stored, 26, "the late punch is stored by the next sync");
    // Now nothing moves: the rotation goes through.
    let e = api
        .post(
            &format!("/devices/{id}/rotate-log"),
            &json!({"confirm": true}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(e["outcome"], "ok", "{e}");
    assert_eq!(dev.punch_count(), 0);
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn opted_in_the_scheduler_sets_a_drifting_clock_and_rotates_a_full_log() {
    // 50,000 punches: half the simulator's capacity of 100,000.
    let (app, api, sim, _) = setup(50_000).await;
    api.patch(
        "/company",
        &json!({"auto_set_clock": true, "auto_rotate_log": true, "auto_rotate_percent": 50}),
    )
    .await
    .expect(StatusCode::OK);
    sim.device(0).jump_clock(-600);
    let scheduler = Scheduler::new(app.state.syncer.clone(), 2);
    assert_eq!(scheduler.tick().await, 1, "the new device is due");
    assert!(scheduler.idle(Duration::from_secs(120)).await);
    assert!(
        sim.device(0).clock_offset_secs().abs() <= 2,
        "clock set after the poll saw 600 s of drift"
    );
    assert_eq!(
        sim.device(0).punch_count(),
        0,
        "the verified log was cleared"
    );
    let (_, stored) = api.punches("?limit=1").await;
    assert_eq!(stored, 50_000, "every punch is stored");
    let log = audit(&api).await;
    for kind in ["device_clock_set", "device_log_rotated"] {
        let a = log
            .iter()
            .find(|a| a["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind}: {log:?}"));
        assert!(a["account_id"].is_null(), "done by the system: {a}");
        let detail = a["detail"].as_str().unwrap();
        assert!(detail.contains("Automatically"), "{detail}");
    }
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn without_the_opt_in_the_scheduler_only_reads() {
    let (app, api, sim, _) = setup(30).await;
    sim.device(0).jump_clock(-600);
    let scheduler = Scheduler::new(app.state.syncer.clone(), 2);
    assert_eq!(scheduler.tick().await, 1);
    assert!(scheduler.idle(Duration::from_secs(60)).await);
    let (_, stored) = api.punches("?limit=1").await;
    assert_eq!(stored, 30);
    assert_eq!(sim.device(0).punch_count(), 30, "nothing cleared");
    assert!(
        sim.device(0).clock_offset_secs() <= -598,
        "clock left alone"
    );
    assert!(audit(&api)
        .await
        .iter()
        .all(|a| a["kind"] != "device_clock_set"));
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn naming_a_no_name_person_writes_the_name_to_the_device_when_asked() {
    let (app, api, sim, id) = setup(5).await;
    let dev = sim.device(0);
    dev.add_user(User {
        uid: 90,
        privilege: 0,
        password: "4321".into(),
        name: String::new(),
        name_bytes: vec![],
        card: 5555,
        group: 1,
        user_id: "777".into(),
    });
    api.sync_device(id).await;
    let people = api.employees().await;
    let e = people.iter().find(|e| e["enroll_id"] == "777").unwrap();
    let eid = e["id"].as_i64().unwrap();
    // Renamed without asking: the device keeps no name.
    api.patch(&format!("/employees/{eid}"), &json!({"first_name": "Zoe"}))
        .await
        .expect(StatusCode::OK);
    let on_device = |dev: &zk_sim::SimDevice| {
        dev.users()
            .into_iter()
            .find(|u| u.user_id == "777")
            .unwrap()
    };
    assert_eq!(on_device(&dev).name, "");
    // Asked: written whole, only the name changed.
    api.patch(
        &format!("/employees/{eid}"),
        &json!({"first_name": "Zoe", "last_name": "Ng", "push_name": true}),
    )
    .await
    .expect(StatusCode::OK);
    let u = on_device(&dev);
    assert_eq!(
        (u.name.as_str(), u.password.as_str(), u.card, u.uid),
        ("Zoe Ng", "4321", 5555, 90)
    );
    let log = audit(&api).await;
    let a = log
        .iter()
        .find(|a| a["kind"] == "device_name_pushed")
        .unwrap_or_else(|| panic!("{log:?}"));
    assert_eq!(a["to"], "Zoe Ng", "{a}");
    // The next poll reads the name back from the device.
    api.sync_device(id).await;
    let people = api.employees().await;
    let e = people.iter().find(|e| e["enroll_id"] == "777").unwrap();
    assert_eq!(e["name_from_device"], "Zoe Ng", "{e}");
    // Now the clocks show a name: asking again is refused, nothing saved.
    let refused = api
        .patch(
            &format!("/employees/{eid}"),
            &json!({"first_name": "Zed", "push_name": true}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.to_string().contains("push_name"), "{refused}");
    assert_eq!(on_device(&dev).name, "Zoe Ng");
    let people = api.employees().await;
    let e = people.iter().find(|e| e["enroll_id"] == "777").unwrap();
    assert_eq!(e["first_name"], "Zoe", "{e}");
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_name_is_written_only_under_the_devices_lease() {
    let (app, api, sim, id) = setup(5).await;
    let dev = sim.device(0);
    api.sync_device(id).await;
    let nameless = dev
        .users()
        .into_iter()
        .find(|u| u.name.is_empty())
        .map(|u| u.user_id)
        .unwrap_or_else(|| {
            dev.add_user(User {
                uid: 91,
                privilege: 0,
                password: String::new(),
                name: String::new(),
                name_bytes: vec![],
                card: 0,
                group: 1,
                user_id: "778".into(),
            });
            "778".into()
        });
    api.sync_device(id).await;
    let people = api.employees().await;
    let eid = people
        .iter()
        .find(|e| e["enroll_id"] == nameless.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // Another instance is polling the device and holds its lease.
    let company = api.get("/company").await.expect(StatusCode::OK);
    let company = CompanyId(company["id"].as_i64().unwrap());
    let store = &app.state.store;
    let held = store
        .lease_device(
            company,
            DeviceId(id),
            "other-instance",
            jiff::Timestamp::now(),
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    assert!(held.is_some());
    let body = json!({"first_name": "Ida", "push_name": true});
    api.patch(&format!("/employees/{eid}"), &body)
        .await
        .expect(StatusCode::OK);
    let on_device = |dev: &zk_sim::SimDevice| {
        dev.users()
            .into_iter()
            .find(|u| u.user_id == nameless)
            .unwrap()
            .name
    };
    assert_eq!(on_device(&dev), "", "not written beside another's poll");
    let events = store.device_events(company, DeviceId(id), 5).await.unwrap();
    assert!(
        events.iter().any(|e| e.kind == DeviceEventKind::NamePushed
            && e.outcome == Outcome::Failed
            && e.message.contains("being polled")),
        "{events:?}"
    );
    // Given back: the same request writes it, and our lease is given back.
    assert!(store
        .release_lease(DeviceId(id), "other-instance")
        .await
        .unwrap());
    api.patch(&format!("/employees/{eid}"), &body)
        .await
        .expect(StatusCode::OK);
    assert_eq!(on_device(&dev), "Ida");
    assert_eq!(api.sync_device(id).await["outcome"], "ok");
    app.shutdown().await;
    sim.shutdown().await;
}
