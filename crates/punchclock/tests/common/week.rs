//! The attendance week: a company in Berlin on a manual clock standing at
//! Monday 2026-07-06, 10:00 local, so the week before is final once its
//! simulated clock has synced. Shared by the attendance and export tests,
//! which compare their figures with each other.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_protocol::{DeviceTime, Punch, User};
use zk_sim::{DeviceSpec, Simulator};

use super::{Api, TestApp, TestOptions};

pub const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The service on Monday 2026-07-06, 08:00 UTC; PostgreSQL when set.
pub async fn monday() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        manual_clock: Some("2026-07-06T08:00:00Z".parse().unwrap()),
        ..TestOptions::default()
    })
    .await
}

/// A device user with a plain name.
pub fn user(uid: u16, enroll_id: &str, name: &str) -> User {
    User {
        uid,
        privilege: 0,
        password: String::new(),
        name: name.into(),
        name_bytes: name.as_bytes().to_vec(),
        card: 0,
        group: 1,
        user_id: enroll_id.into(),
    }
}

/// A punch on 2026-07-`day` at `h:m:s` on the device's (Berlin) clock;
/// `key` 0 is in, 1 is out.
pub fn at(enroll_id: &str, day: u8, h: u8, m: u8, s: u8, key: u8) -> Punch {
    punch(
        enroll_id,
        DeviceTime::new(2026, 7, day, h, m, s).unwrap(),
        key,
    )
}

/// A punch at `time` on the device's clock; `key` 0 is in, 1 is out.
pub fn punch(enroll_id: &str, time: DeviceTime, key: u8) -> Punch {
    Punch {
        uid: 1,
        user_id: enroll_id.into(),
        time,
        status: 1,
        punch: key,
    }
}

/// One simulated clock on loopback holding these users and punches.
pub async fn simulator(serial: &str, users: Vec<User>, punches: Vec<Punch>) -> Simulator {
    let spec = DeviceSpec {
        serial: serial.into(),
        users,
        punches,
        ..DeviceSpec::default()
    };
    Simulator::start(LOCALHOST, 0, vec![spec]).await.unwrap()
}

pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// Signed up (Berlin), a 09:00-18:00 weekday shift as the default, and the
/// simulator's first clock added and synced. Returns the API and the
/// shift's id.
pub async fn synced(app: &TestApp, sim: &Simulator, company: &str) -> (Api, i64) {
    let api = app.signup(company).await;
    let shift = api
        .post("/shifts", &json!({"name": "Day", "start": "09:00", "end": "18:00", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}))
        .await
        .expect(StatusCode::CREATED);
    api.patch("/company", &json!({"default_shift_id": id(&shift)}))
        .await
        .expect(StatusCode::OK);
    let d = api.add_device("Door", sim.addr(0)).await;
    assert_eq!(api.sync_device(id(&d)).await["outcome"], "ok");
    (api, id(&shift))
}
