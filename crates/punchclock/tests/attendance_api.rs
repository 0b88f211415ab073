//! Attendance through the API, end to end: a simulated clock on a real
//! socket, the real server on 127.0.0.1:0, and a manual clock. Every test
//! runs on SQLite, and on a fresh PostgreSQL database when
//! `PUNCHCLOCK_TEST_POSTGRES_URL` is set.

mod common;

use common::week::{at, id, monday, simulator, synced, user};
use common::{items, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zk_sim::Simulator;

/// Ana (1001): Wednesday 1 July in 08:58:10, a double tap 08:58:40, out
/// 18:05; Thursday 2 July in 08:00 and nothing else. Bo (1002): nothing.
async fn clock() -> Simulator {
    simulator(
        "ATT0000001",
        vec![user(1, "1001", "Ana"), user(2, "1002", "Bo")],
        vec![
            at("1001", 1, 8, 58, 10, 0),
            at("1001", 1, 8, 58, 40, 0),
            at("1001", 1, 18, 5, 0, 1),
            at("1001", 2, 8, 0, 0, 0),
        ],
    )
    .await
}

async fn employee(api: &Api, enroll_id: &str) -> i64 {
    let all = api.employees().await;
    id(all
        .iter()
        .find(|e| e["enroll_id"] == enroll_id)
        .expect("synced"))
}

async fn daily(api: &Api, query: &str) -> Vec<Value> {
    items(
        api.get(&format!("/attendance/daily{query}"))
            .await
            .expect(StatusCode::OK),
    )
}

fn codes(row: &Value) -> Vec<&str> {
    row["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn daily_rows_are_exactly_as_specified() {
    let sim = clock().await;
    let app = monday().await;
    let (api, shift) = synced(&app, &sim, "Rows").await;
    let ana = employee(&api, "1001").await;
    let rows = daily(
        &api,
        &format!("?from=2026-07-01&to=2026-07-02&employee_id={ana}"),
    )
    .await;
    assert_eq!(rows.len(), 2);
    let wed = &rows[0];
    let mut keys: Vec<&str> = wed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "date",
            "early_leave_minutes",
            "employee_id",
            "enroll_id",
            "first_in",
            "flags",
            "last_out",
            "late_minutes",
            "overtime_minutes",
            "provisional",
            "shift_id",
            "status",
            "worked_minutes"
        ]
    );
    assert_eq!(wed["date"], "2026-07-01");
    assert_eq!(
        (wed["employee_id"].as_i64(), wed["enroll_id"].as_str()),
        (Some(ana), Some("1001"))
    );
    assert_eq!(wed["shift_id"], shift);
    assert_eq!(wed["first_in"], "2026-07-01T08:58:10+02:00");
    assert_eq!(wed["last_out"], "2026-07-01T18:05:00+02:00");
    assert_eq!(wed["worked_minutes"], 9 * 60 + 6, "9 h 6 min 50 s");
    assert_eq!(
        (
            wed["late_minutes"].as_i64(),
            wed["overtime_minutes"].as_i64()
        ),
        (Some(0), Some(6))
    );
    assert_eq!(wed["status"], "present");
    assert_eq!(wed["provisional"], false);
    assert_eq!(codes(wed), ["double_tap_merged"]);
    assert!(wed["flags"][0]["message"]
        .as_str()
        .unwrap()
        .contains("double tap"));
    let thu = &rows[1];
    assert_eq!(thu["status"], "incomplete");
    assert_eq!(codes(thu), ["missing_out"]);
    assert_eq!(thu["worked_minutes"], 0);
    assert!(thu["last_out"].is_null());
    // Everyone on one day: Bo, who never punched, is absent.
    let wednesday = daily(&api, "?from=2026-07-01&to=2026-07-01").await;
    assert_eq!(wednesday.len(), 2);
    let bo = wednesday.iter().find(|r| r["enroll_id"] == "1002").unwrap();
    assert_eq!(bo["status"], "absent");
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn corrections_change_the_days_and_are_logged() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Fix").await;
    let ana = employee(&api, "1001").await;
    let thursday = format!("?from=2026-07-02&to=2026-07-02&employee_id={ana}");
    // Add the missing check-out, in the company's wall clock.
    let added = api
        .post("/punches", &json!({"employee_id": ana, "time": "2026-07-02T17:00", "reason": "Forgot to clock out"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (added["manual"].as_bool(), added["voided"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(added["time"], "2026-07-02T17:00:00+02:00");
    let row = &daily(&api, &thursday).await[0];
    assert_eq!(
        (row["status"].as_str(), row["worked_minutes"].as_i64()),
        (Some("present"), Some(540))
    );
    assert_eq!(codes(row), ["manual_punch"]);
    // The same second again, a time in the future, no reason.
    let again = api
        .post(
            "/punches",
            &json!({"employee_id": ana, "time": "2026-07-02T17:00:00+02:00", "reason": "twice"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    let bad = api
        .post(
            "/punches",
            &json!({"employee_id": "x", "time": "2026-07-09T10:00", "reason": " ", "extra": 1}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["employee_id", "time", "reason", "extra"] {
        assert!(bad["fields"][f].is_string(), "{f}: {bad}");
    }
    // Void it: incomplete again; the raw punch is still listed.
    let path = format!("/punches/{}/void", id(&added));
    let voided = api
        .post(&path, &json!({"reason": "Wrong day"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(voided["voided"], true);
    api.post(&path, &json!({"reason": "again"}))
        .await
        .expect(StatusCode::CONFLICT);
    api.post(&path, &json!({}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let row = &daily(&api, &thursday).await[0];
    assert_eq!(row["status"], "incomplete");
    assert!(codes(row).contains(&"voided_punch"));
    let unvoid = format!("/punches/{}/unvoid", id(&added));
    api.post(&unvoid, &json!({"reason": "Right day"}))
        .await
        .expect(StatusCode::OK);
    let log = items(api.get("/corrections").await.expect(StatusCode::OK));
    let kinds: Vec<_> = log.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["punch_unvoided", "punch_voided", "punch_added"]);
    assert_eq!(log[2]["reason"], "Forgot to clock out");
    assert_eq!(log[0]["by"], "owner@fix.example.com");
    // Another company sees none of it.
    let other = app.signup("Other").await;
    other
        .post(&path, &json!({"reason": "x"}))
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(items(other.get("/corrections").await.expect(StatusCode::OK)).is_empty());
    let theirs = other
        .post(
            "/punches",
            &json!({"employee_id": ana, "time": "2026-07-02T17:00", "reason": "x"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(theirs["fields"]["employee_id"].is_string());
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn timesheets_total_per_employee_with_rows_for_one() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Sheets").await;
    let ana = employee(&api, "1001").await;
    let all = api
        .get("/timesheets?from=2026-07-01&to=2026-07-03")
        .await
        .expect(StatusCode::OK);
    assert_eq!(all["total"], 2);
    let sheet = items(all)
        .into_iter()
        .find(|t| t["employee_id"] == ana)
        .unwrap();
    assert!(sheet.get("days").is_none());
    assert_eq!(sheet["days_present"], 1);
    assert_eq!(sheet["incomplete_days"], 1);
    assert_eq!(sheet["absent_days"], 1, "Friday");
    assert_eq!(sheet["worked_minutes"], 546);
    assert_eq!(
        (
            sheet["overtime_minutes"].as_i64(),
            sheet["regular_minutes"].as_i64()
        ),
        (Some(6), Some(540))
    );
    let one = api
        .get(&format!(
            "/timesheets?from=2026-07-01&to=2026-07-03&employee_id={ana}"
        ))
        .await
        .expect(StatusCode::OK);
    let days = one["items"][0]["days"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!(days[2]["status"], "absent");
    // The default period is this month.
    let month = items(api.get("/timesheets").await.expect(StatusCode::OK));
    assert_eq!(
        (month[0]["from"].as_str(), month[0]["to"].as_str()),
        (Some("2026-07-01"), Some("2026-07-31"))
    );
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn ranges_and_pages_are_bounded_with_clear_messages() {
    let app = monday().await;
    let api = app.signup("Bounds").await;
    for (query, field) in [
        ("?from=2026-01-01&to=2027-01-02", "to"),
        ("?from=2026-07-02&to=2026-07-01", "to"),
        ("?from=July", "from"),
        ("?employee_id=ana", "employee_id"),
        ("?from=2026-01-01&to=2026-12-31&limit=100", "limit"),
        ("?limit=0", "limit"),
        ("?offset=-1", "offset"),
        ("?offset=9223372036854775808", "offset"),
        ("?to=", "to"),
        ("?from=&limit=5", "from"),
        ("?limit=", "limit"),
    ] {
        let r = api.get(&format!("/attendance/daily{query}")).await;
        let v = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["fields"][field].is_string(), "{query}: {v}");
    }
    let year = api
        .get("/timesheets?from=2026-01-01&to=2026-12-31&limit=54")
        .await;
    year.expect(StatusCode::OK);
    api.get("/attendance/daily?employee_id=999999")
        .await
        .expect(StatusCode::NOT_FOUND);
    // Found by schemathesis: an empty date is not the date left out, and
    // offsets are int64 as documented.
    for path in ["/holidays?to=", "/leave?from=", "/timesheets?to="] {
        let v = api.get(path).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["fields"].is_object(), "{path}: {v}");
    }
    api.get("/corrections?offset=9223372036854775808")
        .await
        .expect(StatusCode::BAD_REQUEST);
    api.get("/corrections?offset=-1")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.shutdown().await;
}

#[tokio::test]
async fn shifts_are_validated_and_never_deleted_in_use() {
    let app = monday().await;
    let api = app.signup("Shifts").await;
    let bad = api
        .post("/shifts", &json!({"name": "", "start": "25:00", "end": 9, "weekdays": ["someday"], "late_grace_minutes": "x", "colour": "red"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    for f in [
        "name",
        "start",
        "end",
        "weekdays",
        "late_grace_minutes",
        "colour",
    ] {
        assert!(bad["fields"][f].is_string(), "{f}: {bad}");
    }
    let long = api
        .post(
            "/shifts",
            &json!({"name": "Long", "start": "06:00", "end": "04:00", "weekdays": ["mon"]}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        long["fields"]["end"]
            .as_str()
            .unwrap()
            .contains("at most 20 h"),
        "{long}"
    );
    let night = api
        .post("/shifts", &json!({"name": "Night", "start": "22:00", "end": "06:00", "weekdays": ["mon", "tue"], "break_minutes": 30}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (
            night["late_grace_minutes"].as_i64(),
            night["window_after_minutes"].as_i64()
        ),
        (Some(5), Some(240))
    );
    let path = format!("/shifts/{}", id(&night));
    let changed = api
        .patch(&path, &json!({"end": "07:00"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (changed["start"].as_str(), changed["end"].as_str()),
        (Some("22:00"), Some("07:00"))
    );
    api.post(
        "/shifts",
        &json!({"name": "Night", "start": "21:00", "end": "05:00", "weekdays": ["fri"]}),
    )
    .await
    .expect(StatusCode::CONFLICT);
    assert_eq!(
        items(api.get("/shifts").await.expect(StatusCode::OK)).len(),
        1
    );
    // The company default: refused for another company's shift.
    let other = app.signup("Elsewhere").await;
    other.get(&path).await.expect(StatusCode::NOT_FOUND);
    let refused = other
        .patch("/company", &json!({"default_shift_id": id(&night)}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["fields"]["default_shift_id"].is_string());
    api.patch("/company", &json!({"default_shift_id": id(&night)}))
        .await
        .expect(StatusCode::OK);
    let in_use = api.delete(&path).await.expect(StatusCode::CONFLICT);
    assert!(
        in_use["message"]
            .as_str()
            .unwrap()
            .contains("default shift"),
        "{in_use}"
    );
    api.patch("/company", &json!({"default_shift_id": null}))
        .await
        .expect(StatusCode::OK);
    api.delete(&path).await.expect(StatusCode::NO_CONTENT);
    app.shutdown().await;
}

#[tokio::test]
async fn company_rules_and_employee_shifts_are_patched() {
    let sim = clock().await;
    let app = monday().await;
    let (api, shift) = synced(&app, &sim, "Rules").await;
    let c = api
        .patch("/company", &json!({"double_tap_seconds": 60, "punch_status_reliable": true,
            "min_rest_hours": 6.5, "weekly_overtime_hours": 40, "absent_below_hours": 4, "half_day_below_hours": 7.5}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            c["double_tap_seconds"].as_u64(),
            c["min_rest_hours"].as_f64()
        ),
        (Some(60), Some(6.5))
    );
    assert_eq!(
        (
            c["absent_below_hours"].as_f64(),
            c["half_day_below_hours"].as_f64()
        ),
        (Some(4.0), Some(7.5))
    );
    assert_eq!(c["default_shift_id"], shift);
    let off = api
        .patch("/company", &json!({"weekly_overtime_hours": null}))
        .await
        .expect(StatusCode::OK);
    assert!(off["weekly_overtime_hours"].is_null());
    let bad = api
        .patch("/company", &json!({"double_tap_seconds": -1, "min_rest_hours": 0, "absent_below_hours": "lots", "punch_status_reliable": "yes"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    for f in [
        "double_tap_seconds",
        "min_rest_hours",
        "absent_below_hours",
        "punch_status_reliable",
    ] {
        assert!(bad["fields"][f].is_string(), "{f}: {bad}");
    }
    let crossed = api
        .patch("/company", &json!({"absent_below_hours": 8}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        crossed["fields"]["absent_below_hours"].is_string(),
        "{crossed}"
    );
    // An employee's own shift, then back to the default.
    let bo = employee(&api, "1002").await;
    let own = api
        .post(
            "/shifts",
            &json!({"name": "Early", "start": "06:00", "end": "14:00", "weekdays": ["wed"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/employees/{bo}");
    let e = api
        .patch(&path, &json!({"shift_id": id(&own)}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(e["shift_id"], id(&own));
    let row = &daily(
        &api,
        &format!("?from=2026-07-01&to=2026-07-01&employee_id={bo}"),
    )
    .await[0];
    assert_eq!(row["shift_id"], id(&own));
    let e = api
        .patch(&path, &json!({"shift_id": null}))
        .await
        .expect(StatusCode::OK);
    assert!(e["shift_id"].is_null());
    api.patch(&path, &json!({"shift_id": 999_999}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn holidays_and_leave_are_never_absences() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Days").await;
    let bo = employee(&api, "1002").await;
    let h = api
        .post(
            "/holidays",
            &json!({"date": "2026-07-03", "name": "Summer Friday"}),
        )
        .await
        .expect(StatusCode::CREATED);
    api.post("/holidays", &json!({"date": "2026-07-03", "name": "Again"}))
        .await
        .expect(StatusCode::CONFLICT);
    let bad = api
        .post("/holidays", &json!({"date": "soon"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["fields"]["date"].is_string() && bad["fields"]["name"].is_string());
    let listed = items(
        api.get("/holidays?from=2026-07-01&to=2026-07-31")
            .await
            .expect(StatusCode::OK),
    );
    assert_eq!(listed.len(), 1);
    let leave = api
        .post(
            "/leave",
            &json!({"employee_id": bo, "from": "2026-07-01", "to": "2026-07-02", "type": "sick"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(leave["type"], "sick");
    api.post(
        "/leave",
        &json!({"employee_id": bo, "from": "2026-07-02", "to": "2026-07-02", "type": "vacation"}),
    )
    .await
    .expect(StatusCode::CONFLICT);
    let bad = api.post("/leave", &json!({"employee_id": bo, "from": "2026-07-02", "to": "2026-07-01", "type": "holiday"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["fields"]["to"].is_string() && bad["fields"]["type"].is_string(),
        "{bad}"
    );
    let rows = daily(
        &api,
        &format!("?from=2026-07-01&to=2026-07-03&employee_id={bo}"),
    )
    .await;
    let statuses: Vec<_> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["leave", "leave", "holiday"]);
    let mine = items(
        api.get(&format!(
            "/leave?employee_id={bo}&from=2026-07-01&to=2026-07-31"
        ))
        .await
        .expect(StatusCode::OK),
    );
    assert_eq!(mine.len(), 1);
    api.delete(&format!("/leave/{}", id(&leave)))
        .await
        .expect(StatusCode::NO_CONTENT);
    api.delete(&format!("/holidays/{}", id(&h)))
        .await
        .expect(StatusCode::NO_CONTENT);
    let rows = daily(
        &api,
        &format!("?from=2026-07-01&to=2026-07-03&employee_id={bo}"),
    )
    .await;
    assert!(rows.iter().all(|r| r["status"] == "absent"), "{rows:?}");
    app.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_clock_that_has_not_synced_keeps_days_provisional() {
    let sim = clock().await;
    let app = monday().await;
    let (api, _) = synced(&app, &sim, "Later").await;
    let bo = employee(&api, "1002").await;
    let query = format!("?from=2026-07-03&to=2026-07-03&employee_id={bo}");
    assert_eq!(daily(&api, &query).await[0]["status"], "absent");
    // A second clock, never read: nobody is absent until it is.
    api.add_device_with(json!({"name": "Yard", "host": "127.0.0.1", "port": 9}))
        .await;
    let row = &daily(&api, &query).await[0];
    assert_eq!(
        (row["status"].as_str(), row["provisional"].as_bool()),
        (Some("incomplete"), Some(true))
    );
    assert!(codes(row).contains(&"provisional"));
    app.shutdown().await;
    sim.shutdown().await;
}
