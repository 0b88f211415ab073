//! The dashboard (`GET /api/v1/dashboard` and the page at `/`) on a
//! company whose punches, shifts, holidays and leave are known: a
//! simulated clock on a real socket, the real server on 127.0.0.1:0 and a
//! manual clock. Every test runs on SQLite, and on a fresh PostgreSQL
//! database when `PUNCHCLOCK_TEST_POSTGRES_URL` is set.

mod common;

use std::collections::BTreeMap;

use common::week::{id, monday as app, punch, synced, user, LOCALHOST};
use common::{items, Api, TestApp, TestOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_protocol::{DeviceTime, Punch};
use zk_sim::{DeviceSpec, Faults, Simulator};

/// A punch on `month`-`day` 2026 at `h:m` on the device's (Berlin) clock;
/// key 0 is "check-in", 1 "check-out".
fn at(enroll_id: &str, month: u8, day: u8, h: u8, m: u8, key: u8) -> Punch {
    punch(
        enroll_id,
        DeviceTime::new(2026, month, day, h, m, 0).unwrap(),
        key,
    )
}

/// The door clock, and a gate clock that refuses every connection.
///
/// - Ana 1001: Wed 1 Jul (a holiday) 08:58–18:05; Thu 2 Jul in 08:00 and
///   nothing else; today in 08:58.
/// - Bo 1002: today in 09:20 (late).
/// - Cy 1003: Thu 2 Jul 23:30, outside every window; on leave today.
/// - Di 1004: nothing (not yet in today).
/// - Ed 1005: Tue 30 Jun 09:00 with the out key and 17:00 with the in key
///   (two key conflicts); today 08:00–09:30 (present, not in now).
/// - Fe 1006: works 05:00–07:00, no punch today (absent).
/// - Gus 1007: a check-in added by hand today at 09:00.
async fn clocks() -> Simulator {
    let door = DeviceSpec {
        serial: "DASH000001".into(),
        users: ["Ana", "Bo", "Cy", "Di", "Ed", "Fe", "Gus"]
            .iter()
            .enumerate()
            .map(|(i, n)| user(i as u16 + 1, &format!("100{}", i + 1), n))
            .collect(),
        punches: vec![
            at("1005", 6, 30, 9, 0, 1),
            at("1005", 6, 30, 17, 0, 0),
            at("1001", 7, 1, 8, 58, 0),
            at("1001", 7, 1, 18, 5, 1),
            at("1001", 7, 2, 8, 0, 0),
            at("1003", 7, 2, 23, 30, 0),
            at("1005", 7, 6, 8, 0, 0),
            at("1001", 7, 6, 8, 58, 0),
            at("1005", 7, 6, 9, 30, 1),
            at("1002", 7, 6, 9, 20, 0),
        ],
        ..DeviceSpec::default()
    };
    let gate = DeviceSpec {
        serial: "DASH000002".into(),
        ..DeviceSpec::default()
    };
    let sim = Simulator::start(LOCALHOST, 0, vec![door, gate])
        .await
        .unwrap();
    sim.device(1).set_faults(Faults {
        refuse: true,
        ..Faults::default()
    });
    sim
}

async fn employee(api: &Api, enroll_id: &str) -> i64 {
    let all = api.employees().await;
    id(all
        .iter()
        .find(|e| e["enroll_id"] == enroll_id)
        .expect("synced"))
}

/// The company above, synced, with its shifts, holiday, leave and the
/// punch added by hand. Returns the API and the door's id.
async fn company(app: &TestApp, sim: &Simulator) -> (Api, i64) {
    let (api, _day) = synced(app, sim, "Dash").await;
    let door = items(api.get("/devices").await.expect(StatusCode::OK))
        .into_iter()
        .find(|d| d["name"] == "Door")
        .expect("the door clock");
    let early = api
        .post("/shifts", &json!({"name": "Early", "start": "05:00", "end": "07:00", "window_after_minutes": 60, "weekdays": ["mon", "tue", "wed", "thu", "fri"]}))
        .await
        .expect(StatusCode::CREATED);
    let fe = employee(&api, "1006").await;
    api.patch(
        &format!("/employees/{fe}"),
        &json!({"shift_id": id(&early)}),
    )
    .await
    .expect(StatusCode::OK);
    api.post(
        "/holidays",
        &json!({"date": "2026-07-01", "name": "Founders' Day"}),
    )
    .await
    .expect(StatusCode::CREATED);
    let cy = employee(&api, "1003").await;
    api.post(
        "/leave",
        &json!({"employee_id": cy, "from": "2026-07-06", "to": "2026-07-10", "type": "vacation"}),
    )
    .await
    .expect(StatusCode::CREATED);
    let gus = employee(&api, "1007").await;
    api.post(
        "/punches",
        &json!({"employee_id": gus, "time": "2026-07-06T09:00", "reason": "Badge at home"}),
    )
    .await
    .expect(StatusCode::CREATED);
    (api, id(&door))
}

async fn dashboard(api: &Api) -> Value {
    api.get("/dashboard").await.expect(StatusCode::OK)
}

#[tokio::test]
async fn the_dashboard_counts_exactly_what_attendance_says() {
    let sim = clocks().await;
    let app = app().await;
    let (api, door) = company(&app, &sim).await;
    let d = dashboard(&api).await;
    assert_eq!(
        (d["date"].as_str(), d["zone"].as_str()),
        (Some("2026-07-06"), Some("Europe/Berlin"))
    );
    assert_eq!(d["as_of"], "2026-07-06T10:00:00+02:00", "{d}");

    // Who is in: the engine's pairing, latest check-in first; Ed checked out.
    let in_now: Vec<(&str, &str, Option<&str>)> = d["in_now"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["enroll_id"].as_str().unwrap(),
                p["since"].as_str().unwrap(),
                p["device_name"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        in_now,
        [
            ("1002", "2026-07-06T09:20:00+02:00", Some("Door")),
            ("1007", "2026-07-06T09:00:00+02:00", None),
            ("1001", "2026-07-06T08:58:00+02:00", Some("Door")),
        ]
    );
    assert_eq!(d["in_now"][0]["device_id"], door);
    assert!(d["in_now"][1]["device_id"].is_null(), "added by hand");

    assert_eq!(
        d["today"],
        json!({"present": 4, "late": 1, "absent": 1, "on_leave": 1, "not_yet_in": 1}),
        "Ana, Bo, Ed and Gus present; Bo late; Fe absent; Cy on leave; Di not yet in"
    );

    // The last 7 days that need a look, newest first.
    assert_eq!(
        d["attention"],
        json!([
            {"date": "2026-07-02", "incomplete_days": 1, "unassigned_punches": 1, "status_conflicts": 0},
            {"date": "2026-06-30", "incomplete_days": 0, "unassigned_punches": 0, "status_conflicts": 2},
        ])
    );

    // Worked time per day: 30 days, oldest first, each the sum of the
    // daily rows the attendance API gives for that date.
    let worked = d["worked"].as_array().unwrap();
    assert_eq!(worked.len(), 30);
    assert_eq!(worked[0]["date"], "2026-06-07");
    assert_eq!(worked[29]["date"], "2026-07-06");
    let rows = items(
        api.get("/attendance/daily?from=2026-06-07&to=2026-07-06")
            .await
            .expect(StatusCode::OK),
    );
    let mut by_date: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        *by_date
            .entry(r["date"].as_str().unwrap().into())
            .or_default() += r["worked_minutes"].as_i64().unwrap();
    }
    for w in worked {
        let date = w["date"].as_str().unwrap();
        assert_eq!(
            w["worked_minutes"].as_i64(),
            by_date.get(date).copied(),
            "{date}"
        );
    }
    let minutes = |date: &str| {
        worked.iter().find(|w| w["date"] == date).unwrap()["worked_minutes"]
            .as_i64()
            .unwrap()
    };
    assert!(minutes("2026-07-01") > 9 * 60, "Ana's holiday shift counts");
    assert!(
        minutes("2026-06-30") > 7 * 60,
        "Ed's day counts, keys or not"
    );
    assert_eq!(
        minutes("2026-07-02"),
        0,
        "a lone check-in is not worked time"
    );
    assert_eq!(minutes("2026-07-06"), 90, "Ed's 08:00-09:30 so far");

    // Devices and alerts: the door is online, nothing open.
    assert_eq!(
        (
            d["devices"]["online"].as_u64(),
            d["devices"]["offline"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(d["alerts"], json!([]));
    app.shutdown().await;
    sim.shutdown().await;
}

/// A browser session of the owner of `company` (signed up with `app.signup`).
async fn browser(app: &TestApp, company: &str) -> reqwest::Client {
    let b = app.browser();
    let email = format!("owner@{}.example.com", company.to_lowercase());
    let form = [
        ("email", email.as_str()),
        ("password", "correct horse battery"),
    ];
    let r = b.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/", "login lands on the dashboard");
    b
}

async fn page(app: &TestApp, b: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = b.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_page_shows_who_is_in_and_each_count_lists_its_people() {
    let sim = clocks().await;
    let app = app().await;
    let (_api, _) = company(&app, &sim).await;
    let b = browser(&app, "Dash").await;
    let (status, html) = page(&app, &b, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.matches(r#"data-testid="in-person""#).count(),
        3,
        "{html}"
    );
    assert!(html.contains(r#"data-field="since"><span class="nowrap" data-time data-zone="Europe/Berlin">09:20</span>"#), "{html}");
    assert!(html.contains("added by hand"));
    assert!(html.contains(r#"href="/attendance?date=2026-07-06&amp;show=late""#));
    assert!(
        html.contains(r#"role="img""#) && html.contains("<desc"),
        "the chart has words"
    );
    // The live panels are the same panels, without the frame.
    let (status, live) = page(&app, &b, "/dashboard/live").await;
    assert_eq!(status, StatusCode::OK);
    assert!(live.contains(r#"data-testid="in-now""#) && !live.contains("<html"));
    assert_eq!(
        app.browser()
            .get(app.url("/dashboard/live"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "the script is told the session is gone"
    );
    // Each count opens the people behind it.
    for (show, who) in [
        ("present", vec!["1001", "1002", "1005", "1007"]),
        ("late", vec!["1002"]),
        ("absent", vec!["1006"]),
        ("on_leave", vec!["1003"]),
        ("not_yet_in", vec!["1004"]),
    ] {
        let (status, html) = page(
            &app,
            &b,
            &format!("/attendance?date=2026-07-06&show={show}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{show}");
        let listed: Vec<&str> = html
            .match_indices(r#"<span class="muted small mono">#"#)
            .map(|(i, m)| &html[i + m.len()..i + m.len() + 4])
            .collect();
        assert_eq!(listed, who, "{show}");
    }
    // Each attention figure opens its day, filtered to the people behind it.
    assert!(html.contains(r#"href="/attendance?date=2026-07-02&amp;show=unassigned""#));
    assert!(html.contains(r#"href="/attendance?date=2026-06-30&amp;show=status_conflict""#));
    for (date, show, who) in [
        ("2026-06-30", "status_conflict", vec!["1005"]),
        ("2026-07-02", "unassigned", vec!["1003"]),
        ("2026-07-02", "incomplete", vec!["1001"]),
    ] {
        let (status, html) = page(&app, &b, &format!("/attendance?date={date}&show={show}")).await;
        assert_eq!(status, StatusCode::OK, "{show}");
        assert!(html.contains(&format!(r#"data-figure="{show}""#)), "{show}");
        let listed: Vec<&str> = html
            .match_indices(r#"<span class="muted small mono">#"#)
            .map(|(i, m)| &html[i + m.len()..i + m.len() + 4])
            .collect();
        assert_eq!(listed, who, "{date} {show}");
    }
    let (status, _) = page(&app, &b, "/attendance?show=everything").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an unknown figure is a form error, the day still shows"
    );
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn offline_devices_say_why_and_alerts_show() {
    let sim = clocks().await;
    let app = app().await;
    let (api, _) = company(&app, &sim).await;
    let gate = api.add_device("Gate", sim.addr(1)).await;
    for _ in 0..3 {
        assert_eq!(api.sync_device(id(&gate)).await["outcome"], "failed");
    }
    app.state.alert_watch.tick().await.unwrap();
    let d = dashboard(&api).await;
    let devices = &d["devices"];
    assert_eq!(
        (devices["online"].as_u64(), devices["offline"].as_u64()),
        (Some(1), Some(1)),
        "{devices}"
    );
    let gate_json = &devices["offline_devices"][0];
    assert_eq!(gate_json["name"], "Gate");
    assert!(gate_json["last_synced_at"].is_null(), "never synced");
    assert!(!gate_json["reason"].as_str().unwrap().is_empty());
    // Open alerts as GET /alerts?state=open lists them (the door's clock
    // runs on real time, months ahead of the test's clock: a drift alert).
    let open = items(api.get("/alerts?state=open").await.expect(StatusCode::OK));
    assert_eq!(d["alerts"], json!(open));
    let offline: Vec<&Value> = open.iter().filter(|a| a["rule"] == "offline").collect();
    assert_eq!(offline.len(), 1, "{open:?}");
    assert_eq!(offline[0]["device_id"], id(&gate));
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_blocked_account_still_sees_its_devices_syncing() {
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 12, 5, 7)])
        .await
        .unwrap();
    let app = app().await;
    let api = app.signup("Twelve").await;
    let till = api.add_device("Till", sim.addr(0)).await;
    assert_eq!(api.sync_device(id(&till)).await["outcome"], "ok");
    let r = api.get("/dashboard").await;
    assert_eq!(
        r.expect(StatusCode::PAYMENT_REQUIRED)["error"],
        "account_blocked"
    );
    let b = browser(&app, "Twelve").await;
    let (status, html) = page(&app, &b, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"data-testid="blocked-screen""#));
    assert!(html.contains(r#"data-testid="device-panel""#), "{html}");
    assert!(
        html.contains(r#"data-testid="devices-online">1 online"#),
        "{html}"
    );
    assert!(
        !html.contains(r#"data-testid="in-now""#),
        "attendance waits for the upgrade"
    );
    let (status, live) = page(&app, &b, "/dashboard/live").await;
    assert_eq!(status, StatusCode::OK);
    assert!(live.contains(r#"data-testid="device-panel""#));
    app.shutdown().await;
    sim.shutdown().await;
}

/// Night shifts, checked at 01:30 on Monday 6 July (Berlin):
/// - Nia 2001 (night 22:00–06:00): in Sunday 22:00, her shift still runs;
/// - Oto 2002 (night): Saturday 22:00 to Sunday 06:00, nothing since;
/// - Pia 2003 (day 09:00–18:00): in Sunday 09:00, forgot to check out.
#[tokio::test]
async fn a_night_shift_is_in_after_midnight() {
    let every_day = json!(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
    let door = DeviceSpec {
        serial: "DASH000003".into(),
        users: vec![
            user(1, "2001", "Nia"),
            user(2, "2002", "Oto"),
            user(3, "2003", "Pia"),
        ],
        punches: vec![
            at("2002", 7, 4, 22, 0, 0),
            at("2002", 7, 5, 6, 0, 1),
            at("2003", 7, 5, 9, 0, 0),
            at("2001", 7, 5, 22, 0, 0),
        ],
        ..DeviceSpec::default()
    };
    let sim = Simulator::start(LOCALHOST, 0, vec![door]).await.unwrap();
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        manual_clock: Some("2026-07-05T23:30:00Z".parse().unwrap()),
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Nights").await;
    let day = api
        .post(
            "/shifts",
            &json!({"name": "Day", "start": "09:00", "end": "18:00", "weekdays": every_day}),
        )
        .await
        .expect(StatusCode::CREATED);
    api.patch("/company", &json!({"default_shift_id": id(&day)}))
        .await
        .expect(StatusCode::OK);
    let night = api
        .post("/shifts", &json!({"name": "Night", "start": "22:00", "end": "06:00", "window_after_minutes": 120, "weekdays": every_day}))
        .await
        .expect(StatusCode::CREATED);
    let door = api.add_device("Door", sim.addr(0)).await;
    assert_eq!(api.sync_device(id(&door)).await["outcome"], "ok");
    for enroll in ["2001", "2002"] {
        let who = employee(&api, enroll).await;
        api.patch(
            &format!("/employees/{who}"),
            &json!({"shift_id": id(&night)}),
        )
        .await
        .expect(StatusCode::OK);
    }

    let d = dashboard(&api).await;
    assert_eq!(d["date"], "2026-07-06");
    let in_now: Vec<(&str, &str)> = d["in_now"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["enroll_id"].as_str().unwrap(),
                p["since"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        in_now,
        [("2001", "2026-07-05T22:00:00+02:00")],
        "Nia's shift began yesterday and still runs; Oto checked out; Pia's day closed: {d}"
    );
    assert_eq!(d["in_now"][0]["device_name"], "Door");

    // Once Nia's window has closed (06:00 + 2 h) without a check-out, the
    // missing punch is flagged, not read as "still in".
    app.clock.set("2026-07-06T06:30:00Z".parse().unwrap());
    assert_eq!(api.sync_device(id(&door)).await["outcome"], "ok");
    let d = dashboard(&api).await;
    assert_eq!(d["in_now"], json!([]), "{d}");
    let sunday = d["attention"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["date"] == "2026-07-05")
        .cloned();
    assert_eq!(
        sunday.map(|a| a["incomplete_days"].clone()),
        Some(json!(2)),
        "Nia's night and Pia's day are incomplete: {d}"
    );
    app.shutdown().await;
    sim.shutdown().await;
}
