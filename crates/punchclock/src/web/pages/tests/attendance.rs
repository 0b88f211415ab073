//! Attendance pages: the day view with flags in words, corrections from
//! the pages, timesheets and the settings forms.

use std::time::Duration;

use axum::http::StatusCode;
use axum::Router;
use jiff::civil::{date, Date};

use super::{app, csrf, get, post, signed_in};
use crate::domain::*;
use crate::web::AppState;

const DAY: Date = date(2026, 7, 1);

fn berlin(d: Date, h: i8, m: i8) -> jiff::Timestamp {
    let zone = Zone::parse("Europe/Berlin").unwrap();
    zone.instant(d.at(h, m, 0, 0)).unwrap()
}

/// Signed in (Berlin), with a device whose sync stored 1001's check-in
/// at 08:58 on `DAY` and nothing else.
async fn with_a_check_in() -> (Router, AppState, String, String, CompanyId) {
    let (app, state) = app(true).await;
    let (cookie, token) = signed_in(&app).await;
    let company = state.store.list_companies().await.unwrap().pop().unwrap();
    let device = NewDevice {
        name: "Door".into(),
        host: "127.0.0.1".into(),
        port: 4370,
        comm_key: None,
        transport: Transport::Tcp,
        timezone: None,
        enabled: true,
        poll_interval_minutes: None,
        mode: DeviceMode::Poll,
        push_serial: None,
    };
    let device = state
        .store
        .create_device(company.id, &device)
        .await
        .unwrap();
    let punch = NewPunch {
        enroll_id: "1001".into(),
        device_time: DAY.at(8, 58, 0, 0),
        punched_at: berlin(DAY, 8, 58),
        status: 1,
        punch_type: 255,
        uid: 1,
    };
    let record = PollRecord {
        kind: LogKind::Sync,
        started_at: state.clock.now(),
        duration: Duration::from_millis(5),
        host: "127.0.0.1".into(),
        address: None,
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: Some(DeviceInfo {
            serial_number: Some("SER1".into()),
            ..DeviceInfo::default()
        }),
        users: vec![DeviceUser {
            enroll_id: "1001".into(),
            name: "Ana".into(),
            name_bytes: b"Ana".to_vec(),
            uid: 1,
            privilege: 0,
            card: 0,
        }],
        punches: vec![punch],
        history_pulled: true,
        next_poll_at: None,
        sync: Default::default(),
    };
    state
        .store
        .record_poll(company.id, device.id, &record)
        .await
        .unwrap();
    (app, state, cookie, token, company.id)
}

async fn ana(state: &AppState, company: CompanyId) -> EmployeeId {
    let e = state.store.employee_by_enroll_id(company, "1001").await;
    e.unwrap().unwrap().id
}

#[tokio::test]
async fn the_day_view_explains_a_flagged_day_and_is_in_the_nav() {
    let (app, _state, cookie, _, _) = with_a_check_in().await;
    let r = get(&app, "/attendance?date=2026-07-01", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r
        .body
        .contains("href=\"/attendance\" aria-current=\"page\""));
    assert!(r.body.contains("href=\"/timesheets\""));
    assert!(r.body.contains("data-status=\"incomplete\""), "{}", r.body);
    assert!(r.body.contains("data-flag=\"missing_out\""));
    assert!(
        r.body.contains("A check-out is missing"),
        "explained in words"
    );
    assert!(r.body.contains(">08:58<"), "first in");
    let bad = get(&app, "/attendance?date=someday", Some(&cookie)).await;
    assert!(bad.body.contains("data-testid=\"error-date\""));
    let signed_out = get(&app, "/attendance", None).await;
    assert_eq!(
        signed_out.location.as_deref(),
        Some("/login?next=%2Fattendance")
    );
}

#[tokio::test]
async fn a_missing_punch_is_added_and_a_punch_voided_from_the_pages() {
    let (app, state, cookie, token, company) = with_a_check_in().await;
    let ana = ana(&state, company).await.to_string();
    let form = get(
        &app,
        &format!("/punches/new?employee={ana}&date=2026-07-01"),
        Some(&cookie),
    )
    .await;
    assert!(form.body.contains("value=\"2026-07-01\""));
    let fields = |reason: &'static str| {
        vec![
            ("employee", ana.clone()),
            ("date", "2026-07-01".into()),
            ("time", "17:30".into()),
            ("reason", reason.into()),
        ]
    };
    let send = |csrf: String, f: Vec<(&'static str, String)>| {
        let app = app.clone();
        let cookie = cookie.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
            all.extend(f.iter().map(|(k, v)| (*k, v.as_str())));
            post(&app, "/punches/new", Some(&cookie), &all).await
        }
    };
    let forged = send("wrong".into(), fields("Forgot")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let no_reason = send(token.clone(), fields(" ")).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("data-testid=\"error-reason\""));
    let added = send(token.clone(), fields("Forgot to clock out")).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let back = added.location.unwrap();
    assert!(
        back.ends_with("from=2026-07-01&to=2026-07-01&done=added"),
        "{back}"
    );
    let day = get(&app, &back, Some(&cookie)).await;
    assert!(day.body.contains("data-testid=\"correction-done\""));
    assert!(day.body.contains("data-status=\"present\""), "{}", day.body);
    assert!(day.body.contains("data-flag=\"manual_punch\""));

    // Void the device's check-in, then undo it.
    let punches = state
        .store
        .attendance_punches(company, berlin(DAY, 0, 0), berlin(DAY, 23, 0), None)
        .await
        .unwrap();
    let device_punch = punches.iter().find(|p| !p.manual).unwrap().id;
    let confirm = get(
        &app,
        &format!("/punches/{device_punch}/void"),
        Some(&cookie),
    )
    .await;
    assert!(
        confirm.body.contains("2026-07-01 08:58:00"),
        "{}",
        confirm.body
    );
    let token = csrf(&confirm.body);
    let path = format!("/punches/{device_punch}/void");
    let r = post(
        &app,
        &path,
        Some(&cookie),
        &[("_csrf", &token), ("reason", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        &path,
        Some(&cookie),
        &[("_csrf", &token), ("reason", "Colleague's badge")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let day = get(&app, &r.location.unwrap(), Some(&cookie)).await;
    assert!(day.body.contains("data-flag=\"voided_punch\""));
    // Without a shift the punch by hand is now a lone check-in.
    assert!(
        day.body.contains("data-status=\"incomplete\""),
        "{}",
        day.body
    );
    let punches_page = get(&app, "/punches", Some(&cookie)).await;
    assert!(punches_page.body.contains("data-testid=\"voided\""));
    let path = format!("/punches/{device_punch}/unvoid");
    let r = post(
        &app,
        &path,
        Some(&cookie),
        &[("_csrf", &token), ("reason", "It was hers")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let log = get(&app, "/corrections", Some(&cookie)).await;
    for (kind, why) in [
        ("punch_added", "Forgot to clock out"),
        ("punch_voided", "Colleague's badge"),
        ("punch_unvoided", "It was hers"),
    ] {
        assert!(
            log.body.contains(&format!("data-kind=\"{kind}\"")),
            "{kind}"
        );
        assert!(log.body.contains(why), "{why}: {}", log.body);
    }
    assert!(log.body.contains("owner@bakery.example"), "who");
}

#[tokio::test]
async fn timesheets_total_the_month_per_employee() {
    let (app, state, cookie, _, company) = with_a_check_in().await;
    let r = get(
        &app,
        "/timesheets?from=2026-07-01&to=2026-07-31",
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("data-testid=\"timesheet-row\""));
    let ana = ana(&state, company).await;
    let r = get(
        &app,
        &format!("/timesheets/{ana}?from=2026-07-01&to=2026-07-03"),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.body.matches("data-testid=\"timesheet-day\"").count(), 3);
    let r = get(
        &app,
        "/timesheets?from=2026-07-01&to=2027-07-31",
        Some(&cookie),
    )
    .await;
    assert!(r.body.contains("at most 366 days"), "bounded");
    let r = get(&app, "/timesheets/999999", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn shifts_rules_holidays_and_leave_are_set_on_pages() {
    let (app, state, cookie, token, company) = with_a_check_in().await;
    let shift = |name: &'static str, start: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("name", name.into()),
            ("start", start.into()),
            ("end", "17:00".into()),
            ("mon", "on".into()),
            ("wed", "on".into()),
            ("late_grace_minutes", "5".into()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>()
    };
    let send = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(&app, path, Some(&cookie), &refs).await
        }
    };
    let bad = send("/shifts/new", as_refs(&shift("Day", "25:00"))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("data-testid=\"error-start\""),
        "{}",
        bad.body
    );
    let ok = send("/shifts/new", as_refs(&shift("Day", "08:00"))).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let saved = state
        .store
        .list_shifts(company)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(saved.spec.weekdays, ["mon", "wed"]);
    let rules = vec![
        ("_csrf", token.clone()),
        ("default_shift_id", saved.id.to_string()),
        ("double_tap_seconds", "120".into()),
        ("min_rest_hours", "4".into()),
        ("weekly_overtime_hours", "".into()),
        ("absent_below_hours", "".into()),
        ("half_day_below_hours", "".into()),
    ];
    let r = send("/attendance/settings", rules).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let day = get(&app, "/attendance?date=2026-07-01", Some(&cookie)).await;
    assert!(
        day.body.contains(">0:58<"),
        "58 minutes late for 08:00: {}",
        day.body
    );
    // In use: refused, with who uses it.
    let path = format!("/shifts/{}/delete", saved.id);
    let r = post(&app, &path, Some(&cookie), &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("default shift"), "{}", r.body);
    let holiday = vec![
        ("_csrf", token.clone()),
        ("date", "2026-07-01".into()),
        ("name", "Founders' Day".into()),
    ];
    assert_eq!(
        send("/holidays", holiday.clone()).await.status,
        StatusCode::SEE_OTHER
    );
    let again = send("/holidays", holiday).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already a holiday"), "{}", again.body);
    let ana = ana(&state, company).await.to_string();
    let leave = vec![
        ("_csrf", token.clone()),
        ("employee", ana),
        ("from", "2026-07-06".into()),
        ("to", "2026-07-03".into()),
        ("type", "vacation".into()),
    ];
    let r = send("/leave", leave).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("before the first day"), "{}", r.body);
    let page = get(&app, "/attendance/settings", Some(&cookie)).await;
    assert!(page.body.contains("Founders' Day"), "{}", page.body);
    assert!(page.body.contains("data-testid=\"shift-row\""));
}
