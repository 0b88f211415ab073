//! End-of-day reports through a real SMTP server ([`SmtpSink`]): what a
//! person and an owner receive, when (in the company's zone, across DST
//! changes), once per day and recipient even with two job instances
//! racing, provisional days said so, the unsubscribe link, and
//! `POST /reports/daily`. Runs on SQLite, and on PostgreSQL when it is
//! configured.

mod common;

use common::smtp::{Received, SmtpSink};
use common::{Api, TestApp, TestOptions};
use jiff::Timestamp;
use punchclock::domain::CompanyId;
use punchclock::mail::report::PROVISIONAL_NOTE;
use punchclock::reports::ReportJob;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn start(sink: &SmtpSink, at: &str) -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        smtp_url: Some(sink.url()),
        manual_clock: Some(at.parse().unwrap()),
        ..TestOptions::default()
    })
    .await
}

fn job(app: &TestApp, instance: &str) -> ReportJob {
    ReportJob::new(app.state.services.clone(), instance)
}

async fn send_all(app: &TestApp) -> usize {
    let sender = app.state.mail_sender.clone().expect("mail is on");
    let mut n = 0;
    loop {
        let sent = sender.tick().await;
        if sent == 0 {
            return n;
        }
        n += sent;
    }
}

fn set(app: &TestApp, at: &str) {
    app.clock.set(at.parse::<Timestamp>().unwrap());
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

/// A company in `zone`, signed up as `owner@bakery-<slug>.example.com`.
async fn company(app: &TestApp, name: &str, zone: &str) -> (Api, CompanyId) {
    let api = app.signup(name).await;
    api.patch("/company", &json!({"timezone": zone}))
        .await
        .expect(StatusCode::OK);
    let slug = name.to_lowercase().replace(' ', "-");
    let company = app.company_of(&format!("owner@{slug}.example.com")).await;
    (api, company)
}

async fn employee(api: &Api, enroll: &str, name: &str, email: Option<&str>) -> i64 {
    let mut body = json!({"enroll_id": enroll, "first_name": name});
    if let Some(e) = email {
        body["email"] = json!(e);
    }
    id(&api
        .post("/employees", &body)
        .await
        .expect(StatusCode::CREATED))
}

async fn punch(api: &Api, who: i64, time: &str) -> i64 {
    id(&api
        .post(
            "/punches",
            &json!({"employee_id": who, "time": time, "reason": "Clock was broken"}),
        )
        .await
        .expect(StatusCode::CREATED))
}

/// A day shift every weekday, 09:00–17:00, no grace, window closing an
/// hour after its end: the company's default.
async fn day_shift(api: &Api) {
    let shift = api
        .post(
            "/shifts",
            &json!({"name": "Day", "start": "09:00", "end": "17:00",
                    "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                    "late_grace_minutes": 0, "early_grace_minutes": 0,
                    "window_before_minutes": 120, "window_after_minutes": 60,
                    "break_minutes": 0}),
        )
        .await
        .expect(StatusCode::CREATED);
    api.patch("/company", &json!({"default_shift_id": id(&shift)}))
        .await
        .expect(StatusCode::OK);
}

fn to<'a>(got: &'a [Received], address: &str) -> Vec<&'a Received> {
    got.iter().filter(|m| m.to == [address]).collect()
}

fn text(m: &Received) -> String {
    m.part("text/plain").expect("a plain-text part")
}

fn html(m: &Received) -> String {
    m.part("text/html").expect("an HTML part")
}

#[tokio::test]
async fn each_person_and_owner_gets_the_day_once_at_the_report_time() {
    let sink = SmtpSink::start().await;
    let app = start(&sink, "2026-03-02T06:00:00Z").await;
    let (api, company) = company(&app, "Bakery Eod", "Europe/Berlin").await;
    day_shift(&api).await;
    let ana = employee(&api, "1", "Ana", Some("ana@shop.example")).await;
    let dee = employee(&api, "2", "Dee", Some("dee@shop.example")).await;
    let bo = employee(&api, "3", "Bo", Some("bo@shop.example")).await;
    employee(&api, "4", "Cy", None).await;
    api.patch(&format!("/employees/{bo}"), &json!({"daily_report": false}))
        .await
        .expect(StatusCode::OK);
    // Monday 2 March 2026, Berlin (UTC+1): Ana 12 minutes late, leaves
    // 30 minutes early; a punch added by mistake is voided.
    set(&app, "2026-03-02T17:00:00Z");
    punch(&api, ana, "2026-03-02T09:12").await;
    let wrong = punch(&api, ana, "2026-03-02T12:00").await;
    api.post(
        &format!("/punches/{wrong}/void"),
        &json!({"reason": "Wrong person"}),
    )
    .await
    .expect(StatusCode::OK);
    punch(&api, ana, "2026-03-02T16:30").await;
    punch(&api, dee, "2026-03-02T08:58").await;

    // 18:59 in Berlin: not yet. 19:00: Ana, Dee and the owner.
    set(&app, "2026-03-02T17:59:59Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 0);
    set(&app, "2026-03-02T18:00:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 3);
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 0);
    assert_eq!(job(&app, "b").tick().await.unwrap().queued, 0);
    assert_eq!(send_all(&app).await, 3);
    let got = sink.wait_for(3).await;
    assert_eq!(got.len(), 3);

    let a = to(&got, "ana@shop.example");
    assert_eq!(a.len(), 1);
    let a = a[0];
    assert_eq!(
        a.header("Subject").as_deref(),
        Some("Your day at Bakery Eod, Monday 2 March 2026")
    );
    let t = text(a);
    for want in [
        "Hello Ana,",
        "Status: late",
        "First in: 09:12",
        "Last out: 16:30",
        "Worked: 7 h 18 min",
        "Late: 12 min",
        "Left early: 30 min",
        "09:12  check-in (added by hand)",
        "12:00  voided by an admin, not counted (added by hand)",
        "16:30  check-out (added by hand)",
        "A punch was voided by an admin and is not counted.",
        "/unsubscribe/",
    ] {
        assert!(t.contains(want), "{want:?} in:\n{t}");
    }
    assert!(!t.contains(PROVISIONAL_NOTE), "a final day");
    let h = html(a);
    assert!(h.contains("First in") && h.contains("09:12") && h.contains("Unsubscribe"));

    let d = text(to(&got, "dee@shop.example")[0]);
    assert!(d.contains("No check-out recorded"), "{d}");
    assert!(d.contains("Last out: none recorded"), "{d}");

    let owner = to(&got, "owner@bakery-eod.example.com");
    assert_eq!(owner.len(), 1);
    assert_eq!(
        owner[0].header("Subject").as_deref(),
        Some("Bakery Eod, Monday 2 March 2026: 2 present, 1 late, 2 absent")
    );
    let s = text(owner[0]);
    for want in [
        "Present: 2",
        "Late: 1 (Ana)",
        "Absent: 2 (Bo, Cy)",
        "Incomplete (a punch missing): 1 (Dee)",
        "Devices offline: 0",
        "Open the dashboard: http://punchclock.test/",
    ] {
        assert!(s.contains(want), "{want:?} in:\n{s}");
    }
    assert!(html(owner[0]).contains("href=\"http://punchclock.test/\""));
    assert!(to(&got, "bo@shop.example").is_empty(), "Bo turned it off");

    // By hand: idempotent per day and recipient, unless resent.
    let again = api
        .post("/reports/daily?date=2026-03-02", &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (again["queued"].as_u64(), again["recipients"].as_u64()),
        (Some(0), Some(3))
    );
    let resent = api
        .post("/reports/daily?date=2026-03-02&resend=true", &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(resent["queued"], 3);
    let sends = app
        .state
        .store
        .report_deliveries(company, "2026-03-02".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(sends.len(), 3);
    assert!(sends.iter().all(|(_, n)| *n == 2), "{sends:?}");

    // Ana's unsubscribe link works without login; she is left out next.
    let link = t
        .lines()
        .find_map(|l| l.split_once("open ").map(|(_, u)| u.trim().to_owned()))
        .expect("the footer's link");
    let path = link.strip_prefix("http://punchclock.test").unwrap();
    let http = reqwest::Client::new();
    let done = http.post(app.url(path)).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let third = api
        .post("/reports/daily?date=2026-03-02&resend=true", &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(third["queued"], 2, "Dee and the owner");
    let me = api
        .get(&format!("/employees/{ana}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(me["daily_report"], false);
    app.shutdown().await;
}

#[tokio::test]
async fn two_instances_racing_send_each_report_once() {
    let sink = SmtpSink::start().await;
    let app = start(&sink, "2026-03-03T06:00:00Z").await;
    let (api, company) = company(&app, "Bakery Race", "America/New_York").await;
    for i in 0..9 {
        employee(
            &api,
            &format!("{i}"),
            &format!("P{i}"),
            Some(&format!("p{i}@race.example")),
        )
        .await;
    }
    // 19:00 in New York (UTC-5) on 3 March.
    set(&app, "2026-03-04T00:00:00Z");
    let (a, b) = (job(&app, "one"), job(&app, "two"));
    let mut total = 0;
    for _ in 0..3 {
        let (x, y) = tokio::join!(a.tick(), b.tick());
        total += x.unwrap().queued + y.unwrap().queued;
    }
    assert_eq!(
        total, 10,
        "9 people (the trial's seats) and the owner, once"
    );
    let sends = app
        .state
        .store
        .report_deliveries(company, "2026-03-03".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(sends.len(), 10);
    assert!(sends.iter().all(|(_, n)| *n == 1));
    assert_eq!(
        app.state
            .store
            .list_mails(company, 100)
            .await
            .unwrap()
            .len(),
        10
    );
    assert_eq!(send_all(&app).await, 10);
    app.shutdown().await;
}

#[tokio::test]
async fn report_times_follow_the_zone_across_dst_changes() {
    let sink = SmtpSink::start().await;
    let app = start(&sink, "2026-03-28T06:00:00Z").await;
    let (berlin, _) = company(&app, "Bakery Berlin", "Europe/Berlin").await;
    employee(&berlin, "1", "Ana", Some("ana@berlin.example")).await;
    // Saturday 28 March (UTC+1): 19:00 is 18:00 UTC.
    set(&app, "2026-03-28T17:59:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 0);
    set(&app, "2026-03-28T18:00:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 2);
    // Sunday 29 March, clocks go forward at 02:00: 19:00 is 17:00 UTC.
    set(&app, "2026-03-29T16:59:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 0);
    set(&app, "2026-03-29T17:00:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 2);
    assert_eq!(send_all(&app).await, 4);

    app.shutdown().await;
}

#[tokio::test]
async fn a_fall_back_day_names_the_offset_of_each_time() {
    let sink = SmtpSink::start().await;
    let app = start(&sink, "2026-10-31T12:00:00Z").await;
    // New York falls back on Sunday 1 November: 01:00–02:00 happens twice,
    // so the times say which.
    let (ny, _) = company(&app, "Bakery York", "America/New_York").await;
    let bo = employee(&ny, "1", "Bo", Some("bo@york.example")).await;
    // Saturday's reports went at 19:00 EDT (23:00 UTC).
    set(&app, "2026-11-01T12:00:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 2);
    punch(&ny, bo, "2026-11-01T01:10:00-04:00").await;
    punch(&ny, bo, "2026-11-01T01:50:00-05:00").await;
    // 19:00 EST is midnight UTC.
    set(&app, "2026-11-01T23:59:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 0);
    set(&app, "2026-11-02T00:00:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 2);
    assert_eq!(send_all(&app).await, 4);
    let got = sink.wait_for(4).await;
    let sunday: Vec<_> = to(&got, "bo@york.example")
        .into_iter()
        .filter(|m| m.header("Subject").unwrap().contains("1 November"))
        .collect();
    assert_eq!(sunday.len(), 1);
    let t = text(sunday[0]);
    assert!(t.contains("Sunday 1 November 2026"), "{t}");
    assert!(t.contains("01:10 EDT") && t.contains("01:50 EST"), "{t}");
    assert!(t.contains("Worked: 1 h 40 min"), "{t}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_provisional_day_says_so() {
    let sink = SmtpSink::start().await;
    let app = start(&sink, "2026-07-06T06:00:00Z").await;
    let (api, _) = company(&app, "Bakery Later", "Europe/Berlin").await;
    day_shift(&api).await;
    employee(&api, "1", "Ana", Some("ana@later.example")).await;
    // A clock never read: the day cannot be final.
    api.add_device_with(json!({"name": "Yard", "host": "127.0.0.1", "port": 9}))
        .await;
    set(&app, "2026-07-06T17:00:00Z");
    assert_eq!(job(&app, "a").tick().await.unwrap().queued, 2);
    assert_eq!(send_all(&app).await, 2);
    let got = sink.wait_for(2).await;
    for m in &got {
        let subject = m.header("Subject").unwrap();
        assert!(subject.ends_with("(not final yet)"), "{subject}");
        assert!(text(m).contains(PROVISIONAL_NOTE));
        assert!(html(m).contains("This day is not final yet"));
    }
    app.shutdown().await;
}

#[tokio::test]
async fn sending_by_hand_checks_its_input() {
    let sink = SmtpSink::start().await;
    let app = start(&sink, "2026-03-02T12:00:00Z").await;
    let (api, _) = company(&app, "Bakery Input", "Europe/Berlin").await;
    for (query, field) in [
        ("", "date"),
        ("?date=", "date"),
        ("?date=2026-02-30", "date"),
        ("?date=2026-03-03", "date"),
        ("?date=2024-01-01", "date"),
        ("?date=2026-03-02&resend=maybe", "resend"),
    ] {
        let r = api
            .post(&format!("/reports/daily{query}"), &json!({}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r["fields"][field].is_string(), "{query}: {r}");
    }
    // Today, before the report time: sent now, the day not over yet.
    let r = api
        .post("/reports/daily?date=2026-03-02", &json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (r["queued"].as_u64(), r["date"].as_str()),
        (Some(1), Some("2026-03-02"))
    );
    app.shutdown().await;

    let off = TestApp::start().await;
    let api = off.signup("Bakery Off").await;
    let r = api.post("/reports/daily?date=2026-01-01", &json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("Email is off"));
    off.shutdown().await;
}
