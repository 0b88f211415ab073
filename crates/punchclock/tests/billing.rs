//! Plans, seats, trial and blocking, end to end: the real server on
//! 127.0.0.1:0, a simulated time clock on a real socket, and the API.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{items, Api, TestApp, TestOptions};
use jiff::SignedDuration;
use punchclock::domain::{CompanyId, DeviceId, PunchFilter};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_sim::{DeviceSpec, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await
}

async fn sim(users: u32, punches: u32) -> Simulator {
    Simulator::start(
        LOCALHOST,
        0,
        vec![DeviceSpec::generated(0, users, punches, 7)],
    )
    .await
    .expect("start simulator")
}

async fn company_id(app: &TestApp, name: &str) -> CompanyId {
    app.state
        .store
        .list_companies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .expect("company")
        .id
}

async fn stored_punches(app: &TestApp, company: CompanyId) -> u64 {
    app.state
        .store
        .count_punches(company, &PunchFilter::default())
        .await
        .unwrap()
}

async fn audit_kinds(api: &Api) -> Vec<String> {
    let mut kinds: Vec<String> = items(api.get("/account/audit").await.expect(StatusCode::OK))
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    kinds.reverse(); // oldest first
    kinds
}

/// A trial company whose device has 12 users: after one sync it is blocked.
async fn blocked_trial(app: &TestApp, sim: &Simulator) -> (Api, CompanyId, i64) {
    let api = app.signup("Twelve Bakers").await;
    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(account["status"], "trial");
    assert_eq!(account["seats"], 10);
    assert_eq!(account["plan"], "starter");
    let device = api.add_device("Till", sim.addr(0)).await;
    let id = device["id"].as_i64().unwrap();
    let log = api.sync_device(id).await;
    assert_eq!(log["outcome"], "ok", "{log}");
    (api, company_id(app, "Twelve Bakers").await, id)
}

fn assert_blocked(r: &common::Resp) {
    let v = r.expect(StatusCode::PAYMENT_REQUIRED);
    assert_eq!(v["error"], "account_blocked", "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("12 employees are active"),
        "{v}"
    );
}

#[tokio::test]
async fn over_the_seats_blocks_but_keeps_every_punch_and_upgrading_lifts_it() {
    let app = app().await;
    let sim = sim(12, 300).await;
    let (api, company, device) = blocked_trial(&app, &sim).await;

    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(account["blocked"], true);
    assert_eq!(account["status"], "blocked");
    assert_eq!(account["active_employees"], 12);
    let trial_end = account["trial_ends_at"].clone();
    assert!(trial_end.is_string());

    // 402 on everything but account, plans and employee status.
    assert_blocked(&api.get("/devices").await);
    assert_blocked(&api.get("/punches").await);
    assert_blocked(&api.get(&format!("/devices/{device}")).await);
    assert_blocked(
        &api.post(&format!("/devices/{device}/sync"), &json!({}))
            .await,
    );
    assert_eq!(api.get("/employees").await.status, StatusCode::OK);
    assert_eq!(api.get("/plans").await.status, StatusCode::OK);

    // Nothing was lost: every punch on the device is stored.
    let on_device = sim.device(0).punches().len() as u64;
    assert_eq!(stored_punches(&app, company).await, on_device);

    // Syncing keeps running while blocked: the scheduler still gets the device,
    // and new punches and a new employee are stored.
    let dev = sim.device(0);
    let mut user = dev.users()[0].clone();
    user.uid = 999;
    user.user_id = "9999".into();
    user.name = "Late Hire".into();
    dev.add_user(user.clone());
    let mut p = dev.punches()[0].clone();
    p.user_id = user.user_id.clone();
    p.uid = user.uid;
    dev.add_punch(p);
    app.state
        .store
        .schedule_device_poll(company, DeviceId(device), app.clock.now())
        .await
        .unwrap();
    let due = app.state.syncer.claim_due(10).await.unwrap();
    assert_eq!(due.len(), 1, "a blocked account's device is still polled");
    let outcome = app.state.syncer.poll_and_record(&due[0]).await.unwrap();
    assert_eq!(outcome.punches_new, 1);
    assert_eq!(outcome.employees_new, 1);
    assert_eq!(stored_punches(&app, company).await, on_device + 1);

    // Upgrading to the next plan lifts the block at once; the trial end stays.
    let r = api.post("/account/plan", &json!({"plan": "team"})).await;
    let account = r.expect(StatusCode::OK);
    assert_eq!(account["plan"], "team");
    assert_eq!(account["seats"], 25);
    assert_eq!(account["blocked"], false);
    assert_eq!(account["status"], "trial");
    assert_eq!(account["trial_ends_at"], trial_end);
    assert_eq!(api.get("/devices").await.status, StatusCode::OK);

    // Downgrading below usage is refused with a message.
    let r = api.post("/account/plan", &json!({"plan": "starter"})).await;
    let v = r.expect(StatusCode::CONFLICT);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("13 employees are active"),
        "{v}"
    );

    assert_eq!(
        audit_kinds(&api).await,
        ["blocked", "plan_changed", "unblocked"]
    );
    let audit = items(api.get("/account/audit").await.expect(StatusCode::OK));
    let change = audit.iter().find(|e| e["kind"] == "plan_changed").unwrap();
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str()),
        (Some("starter"), Some("team"))
    );
    assert!(change["account_id"].is_i64(), "who changed it is recorded");
    let block = audit.iter().find(|e| e["kind"] == "blocked").unwrap();
    assert!(
        block["account_id"].is_null(),
        "the sync (system) blocked it"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn deactivating_employees_lifts_the_block_and_reactivating_restores_it() {
    let app = app().await;
    let sim = sim(12, 40).await;
    let (api, _company, _device) = blocked_trial(&app, &sim).await;

    let employees = api.employees().await;
    let ids: Vec<i64> = employees
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    // Only the status may change while blocked.
    assert_blocked(
        &api.patch(
            &format!("/employees/{}", ids[0]),
            &json!({"first_name": "Ann"}),
        )
        .await,
    );
    api.patch(&format!("/employees/{}", ids[0]), &json!({"active": false}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        api.get("/account").await.expect(StatusCode::OK)["blocked"],
        true,
        "11 active is still over 10"
    );
    api.patch(&format!("/employees/{}", ids[1]), &json!({"active": false}))
        .await
        .expect(StatusCode::OK);
    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(account["blocked"], false);
    assert_eq!(account["active_employees"], 10);
    assert_eq!(account["status"], "trial");
    assert_eq!(api.get("/devices").await.status, StatusCode::OK);

    // Inactive employees' punches are kept.
    let enroll = employees[0]["enroll_id"].as_str().unwrap();
    let on_device: std::collections::HashSet<_> = sim
        .device(0)
        .punches()
        .into_iter()
        .filter(|p| p.user_id == enroll)
        .map(|p| p.time)
        .collect();
    let (_, total) = api.punches(&format!("?employee_id={}", ids[0])).await;
    assert_eq!(total, on_device.len() as u64);

    // A reactivation over the limit blocks again.
    api.patch(&format!("/employees/{}", ids[1]), &json!({"active": true}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        api.get("/account").await.expect(StatusCode::OK)["status"],
        "blocked"
    );
    assert_eq!(audit_kinds(&api).await, ["blocked", "unblocked", "blocked"]);
    app.shutdown().await;
}

#[tokio::test]
async fn adding_an_employee_by_hand_counts_as_a_seat() {
    let app = app().await;
    let sim = sim(10, 20).await;
    let api = app.signup("Exactly Ten").await;
    let id = api.add_device("Till", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    api.sync_device(id).await;
    assert_eq!(
        api.get("/account").await.expect(StatusCode::OK)["status"],
        "trial"
    );
    let r = api
        .post(
            "/employees",
            &json!({"enroll_id": "A-11", "first_name": "Eleven"}),
        )
        .await;
    let e = r.expect(StatusCode::CREATED);
    assert_eq!(e["name"], "Eleven");
    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(
        (
            account["status"].as_str(),
            account["active_employees"].as_u64()
        ),
        (Some("blocked"), Some(11))
    );
    // While blocked, adding more is refused.
    assert_eq!(
        api.post("/employees", &json!({"enroll_id": "A-12"}))
            .await
            .status,
        StatusCode::PAYMENT_REQUIRED
    );
    app.shutdown().await;
}

#[tokio::test]
async fn trial_expiry_restricts_like_a_block_until_a_plan_is_chosen() {
    let app = app().await;
    let sim = sim(4, 30).await;
    let api = app.signup("Short Trial").await;
    let company = company_id(&app, "Short Trial").await;
    let id = api.add_device("Till", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    api.sync_device(id).await;

    // During the trial the only plan change is to the next plan.
    let v = api
        .post("/account/plan", &json!({"plan": "business"}))
        .await
        .expect(StatusCode::CONFLICT);
    assert!(v["message"].as_str().unwrap().contains("Team"), "{v}");

    // Fifteen days later (injected clock) the trial is over.
    app.clock.advance(SignedDuration::from_hours(24 * 15));
    let v = api
        .get("/devices")
        .await
        .expect(StatusCode::PAYMENT_REQUIRED);
    assert_eq!(v["error"], "account_blocked");
    assert_eq!(v["account"]["status"], "expired");
    assert!(
        v["message"].as_str().unwrap().contains("trial has ended"),
        "{v}"
    );
    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(account["status"], "expired");
    assert_eq!(account["blocked"], true);
    assert!(audit_kinds(&api).await.contains(&"expired".to_string()));

    // Data is kept and syncing continues.
    let before = stored_punches(&app, company).await;
    assert_eq!(before, sim.device(0).punches().len() as u64);
    let mut p = sim.device(0).punches()[0].clone();
    p.time.hour = (p.time.hour + 1) % 24;
    sim.device(0).add_punch(p);
    app.state
        .syncer
        .sync_now(company, DeviceId(id))
        .await
        .unwrap();
    assert_eq!(stored_punches(&app, company).await, before + 1);

    // Choosing a plan ends the trial and lifts the restriction.
    let account = api
        .post("/account/plan", &json!({"plan": "starter"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(account["status"], "active");
    assert!(account["trial_ends_at"].is_null());
    assert_eq!(api.get("/devices").await.status, StatusCode::OK);

    // Unknown plans are a field error.
    let v = api
        .post("/account/plan", &json!({"plan": "platinum"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["plan"].is_string());
    app.shutdown().await;
}

#[tokio::test]
async fn the_plan_catalog_is_served() {
    let app = app().await;
    let api = app.signup("Catalog").await;
    let plans: Vec<Value> = items(api.get("/plans").await.expect(StatusCode::OK));
    let seats: Vec<Value> = plans.iter().map(|p| p["seats"].clone()).collect();
    assert_eq!(
        seats,
        [json!(10), json!(25), json!(50), json!(100), Value::Null]
    );
    assert!(plans
        .iter()
        .all(|p| p["monthly_price_cents"].as_u64().unwrap() > 0));
    app.shutdown().await;
}

/// A catalog of two small plans whose device caps a test can reach.
fn two_small_plans(config: &mut punchclock::config::Config) {
    let plan = |id: &str, name: &str, seats, devices| punchclock::billing::Plan {
        id: id.into(),
        name: name.into(),
        seats: Some(seats),
        monthly_price_cents: 900,
        devices: Some(devices),
    };
    config.plans = vec![plan("solo", "Solo", 10, 2), plan("duo", "Duo", 20, 3)];
}

/// Issue 11 item 5: a device past the plan's cap is refused (409, in words
/// naming the plan and the way out); pull and push devices count alike, a
/// deleted one frees its place, another company is not held back, and a
/// bigger plan allows more.
#[tokio::test]
async fn devices_past_the_plans_cap_are_refused_until_a_bigger_plan() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        configure: two_small_plans,
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Capped").await;
    let plans: Vec<Value> = items(api.get("/plans").await.expect(StatusCode::OK));
    let caps: Vec<Value> = plans.iter().map(|p| p["devices"].clone()).collect();
    assert_eq!(caps, [json!(2), json!(3)]);
    let pull = json!({"name": "Front door", "host": "127.0.0.1", "port": 4370});
    let first = api.add_device_with(pull.clone()).await;
    api.add_device_with(
        json!({"name": "Back door", "mode": "push", "serial_number": "CAP0000001"}),
    )
    .await;
    let third = json!({"name": "Warehouse", "host": "127.0.0.1", "port": 4371});
    let v = api
        .post("/devices", &third)
        .await
        .expect(StatusCode::CONFLICT);
    assert_eq!(v["error"], "conflict", "{v}");
    let said = v["message"].as_str().unwrap();
    assert!(
        said.contains("The Solo plan allows up to 2 devices,") && said.contains("bigger plan"),
        "{said}"
    );
    assert_eq!(
        items(api.get("/devices").await.expect(StatusCode::OK)).len(),
        2
    );
    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(
        (&account["devices"], &account["device_cap"]),
        (&json!(2), &json!(2))
    );

    // Another company's devices are its own.
    let other = app.signup("Neighbour").await;
    other.add_device_with(pull.clone()).await;

    // Deleting one frees its place.
    let id = first["id"].as_i64().unwrap();
    api.delete(&format!("/devices/{id}"))
        .await
        .expect(StatusCode::NO_CONTENT);
    api.add_device_with(third.clone()).await;
    api.post("/devices", &pull)
        .await
        .expect(StatusCode::CONFLICT);

    // The next plan allows three.
    api.post("/account/plan", &json!({"plan": "duo"}))
        .await
        .expect(StatusCode::OK);
    api.add_device_with(pull.clone()).await;
    let v = api
        .post("/devices", &pull)
        .await
        .expect(StatusCode::CONFLICT);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("The Duo plan allows up to 3 devices,"),
        "{v}"
    );
    assert_eq!(
        items(api.get("/devices").await.expect(StatusCode::OK)).len(),
        3
    );
    let account = api.get("/account").await.expect(StatusCode::OK);
    assert_eq!(
        (&account["devices"], &account["device_cap"]),
        (&json!(3), &json!(3))
    );
    app.shutdown().await;
}
