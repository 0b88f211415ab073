//! Page tests against the real router over an in-memory SQLite store.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

use crate::app::build_state;
use crate::clock::Clock;
use crate::config::Config;
use crate::web::{self, AppState};

async fn app(allow_private: bool) -> (Router, AppState) {
    let config = Config {
        database_url: "sqlite::memory:".into(),
        allow_private_device_addresses: allow_private,
        public_address: "198.51.100.20".into(),
        ..Config::default()
    };
    let state = build_state(config, Clock::system()).await.expect("state");
    (web::router(state.clone()), state)
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    content_type: Option<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let cookie = headers
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(res.into_body(), 4 << 20)
        .await
        .expect("body");
    Reply {
        status,
        location,
        cookie,
        content_type,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &Router, path: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Reply {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", super::fmt::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(app, req.body(Body::from(body)).unwrap()).await
}

/// The CSRF token embedded in a page.
fn csrf(body: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = body.find(marker).expect("page has a csrf field") + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

/// Signs up and returns the session cookie and a CSRF token.
async fn signed_in(app: &Router) -> (String, String) {
    let r = post(
        app,
        "/signup",
        None,
        &[
            ("company", "Corner Bakery"),
            ("timezone", "Europe/Berlin"),
            ("email", "owner@bakery.example"),
            ("password", "correct horse"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/devices"));
    let cookie = r.cookie.expect("session cookie");
    let page = get(app, "/devices", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    (cookie, csrf(&page.body))
}

/// Signs the owner of `signed_in` in again: another browser, or the same
/// one after its session ended. Returns the new session's cookie.
async fn log_in_again(app: &Router) -> String {
    let form = [
        ("email", "owner@bakery.example"),
        ("password", "correct horse"),
    ];
    let r = post(app, "/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.cookie.expect("a new session cookie")
}

#[tokio::test]
async fn signup_signs_in_and_shows_empty_devices() {
    let (app, _) = app(false).await;
    let (cookie, _) = signed_in(&app).await;
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert!(r.body.contains("Manage Devices"));
    assert!(r.body.contains("No devices yet"));
    assert!(r.body.contains("Corner Bakery"));
    assert!(r.body.contains("Our poller connects from"));
    assert!(r.body.contains("198.51.100.20"));
    // Signed in: the login page sends you on.
    let r = get(&app, "/login", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signup_errors_keep_what_was_typed() {
    let (app, _) = app(false).await;
    let r = post(
        &app,
        "/signup",
        None,
        &[
            ("company", "Corner <Bakery>"),
            ("timezone", "Mars/Olympus"),
            ("email", "not-an-email"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("value=\"Corner &lt;Bakery&gt;\""),
        "escaped and kept"
    );
    assert!(r.body.contains("value=\"not-an-email\""));
    assert!(r.body.contains("data-testid=\"error-email\""));
    assert!(r.body.contains("data-testid=\"error-password\""));
    assert!(r.body.contains("data-testid=\"error-timezone\""));
    assert!(r
        .body
        .contains("id=\"f-timezone\" name=\"timezone\" type=\"text\" value=\"Mars/Olympus\""));
    assert!(
        !r.body.contains("value=\"short\""),
        "passwords are not echoed"
    );
}

#[tokio::test]
async fn signed_out_pages_go_to_login() {
    let (app, _) = app(false).await;
    for path in [
        "/devices",
        "/employees",
        "/punches",
        "/company",
        "/devices/1",
    ] {
        let r = get(&app, path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        // Back to the page asked for after logging in (issue 14 item 2).
        let back = format!("/login?next={}", super::fmt::percent_encode(path));
        assert_eq!(r.location.as_deref(), Some(back.as_str()), "{path}");
    }
    let r = get(&app, "/devices/status.json", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = get(&app, "/devices", Some("pc_session=expired-or-made-up")).await;
    assert_eq!(r.location.as_deref(), Some("/login?next=%2Fdevices"));
    let r = get(&app, "/", None).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn unknown_pages_are_friendly_404s() {
    let (app, _) = app(false).await;
    let (cookie, _) = signed_in(&app).await;
    for path in ["/nope", "/devices/999", "/devices/abc", "/employees/5/edit"] {
        let r = get(&app, path, Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.contains("This page does not exist"), "{path}");
    }
}

#[tokio::test]
async fn forms_need_the_session_csrf_token() {
    let (app, _) = app(true).await;
    let (cookie, token) = signed_in(&app).await;
    let fields = [("name", "Door"), ("host", "127.0.0.1"), ("port", "4370")];
    let r = post(&app, "/devices/new", Some(&cookie), &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut with = fields.to_vec();
    with.push(("_csrf", "wrong"));
    let r = post(&app, "/devices/new", Some(&cookie), &with).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&app, "/logout", Some(&cookie), &[("_csrf", "wrong")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&app, "/logout", Some(&cookie), &[("_csrf", &token)]).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?next=%2Fdevices"),
        "session ended"
    );
}

#[tokio::test]
async fn cross_site_login_is_refused() {
    let (app, _) = app(false).await;
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "punchclock.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("email=a%40b.c&password=x"))
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn devices_add_edit_delete_with_write_only_comm_key() {
    let (app, state) = app(true).await;
    let (cookie, token) = signed_in(&app).await;
    // Invalid: messages by the fields, values kept.
    let r = post(
        &app,
        "/devices/new",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Front door"),
            ("host", "http://clock.example.com"),
            ("port", "99999"),
            ("comm_key", "12a"),
            ("transport", "udp"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"Front door\""));
    assert!(r.body.contains("value=\"http://clock.example.com\""));
    assert!(r.body.contains("data-testid=\"error-host\""));
    assert!(r.body.contains("data-testid=\"error-port\""));
    assert!(r.body.contains("data-testid=\"error-comm_key\""));
    assert!(r.body.contains("<option value=\"udp\" selected"));
    // Valid.
    let r = post(
        &app,
        "/devices/new",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Front door"),
            ("host", "127.0.0.1"),
            ("port", "4370"),
            ("comm_key", "4242"),
            ("transport", "auto"),
            ("enabled", "on"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location.unwrap();
    assert!(loc.starts_with("/devices?added="), "{loc}");
    let list = get(&app, &loc, Some(&cookie)).await;
    // The first contact is made at once and told in Test connection's
    // words (nothing listens on that port); the device stays saved.
    assert!(
        list.body
            .contains("Connection test: could not reach Front door."),
        "{}",
        list.body
    );
    assert!(list.body.contains(r#"data-testid="still-saved""#));
    assert!(list.body.contains("Added Front door"));
    assert!(list.body.contains("127.0.0.1:4370"));
    let company = state.store.list_companies().await.unwrap().pop().unwrap();
    let device = state
        .store
        .list_devices(company.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert!(device.has_comm_key);
    // The edit form never shows the key.
    let edit = get(&app, &format!("/devices/{}/edit", device.id), Some(&cookie)).await;
    assert!(!edit.body.contains("4242"));
    assert!(edit.body.contains("A comm key is saved"));
    assert!(edit.body.contains("clear_comm_key"));
    // Empty key keeps it.
    let path = format!("/devices/{}/edit", device.id);
    let base = [
        ("_csrf", token.as_str()),
        ("name", "Back door"),
        ("host", "127.0.0.1"),
        ("port", "4370"),
        ("transport", "tcp"),
        ("enabled", "on"),
    ];
    let r = post(&app, &path, Some(&cookie), &base).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = state.store.get_device(company.id, device.id).await.unwrap();
    assert!(d.has_comm_key && d.name == "Back door");
    // Both a key and "clear": refused.
    let mut both = base.to_vec();
    both.extend([("comm_key", "1"), ("clear_comm_key", "on")]);
    let r = post(&app, &path, Some(&cookie), &both).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Clear.
    let mut clear = base.to_vec();
    clear.push(("clear_comm_key", "on"));
    post(&app, &path, Some(&cookie), &clear).await;
    assert!(
        !state
            .store
            .get_device(company.id, device.id)
            .await
            .unwrap()
            .has_comm_key
    );
    // Live status JSON.
    let s = get(&app, "/devices/status.json", Some(&cookie)).await;
    assert_eq!(s.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&s.body).unwrap();
    // The first contact after adding failed (nothing listens there).
    assert_eq!(json["devices"][0]["label"], "Offline");
    assert_eq!(json["devices"][0]["status"], "offline");
    // One device's, for its page; a bad or foreign id is refused.
    let one = get(
        &app,
        &format!("/devices/status.json?id={}", device.id),
        Some(&cookie),
    )
    .await;
    let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(one["devices"].as_array().unwrap().len(), 1);
    assert_eq!(one["devices"][0]["id"], device.id.0);
    let bad = get(&app, "/devices/status.json?id=x", Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let missing = get(&app, "/devices/status.json?id=999999", Some(&cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Detail page: that contact is in the log, as a test.
    let page = get(&app, &format!("/devices/{}", device.id), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(r#"data-outcome="failed" data-kind="test""#),
        "{}",
        page.body
    );
    // Delete asks first and says what stays.
    let confirm = get(
        &app,
        &format!("/devices/{}/delete", device.id),
        Some(&cookie),
    )
    .await;
    assert!(confirm.body.contains("are kept"));
    let r = post(
        &app,
        &format!("/devices/{}/delete", device.id),
        Some(&cookie),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = get(&app, r.location.as_deref().unwrap(), Some(&cookie)).await;
    assert!(after.body.contains("Device deleted."));
    assert!(state
        .store
        .list_devices(company.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn private_hosts_are_refused_unless_allowed() {
    let (app, _) = app(false).await;
    let (cookie, token) = signed_in(&app).await;
    let r = post(
        &app,
        "/devices/new",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Door"),
            ("host", "192.168.1.201"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("data-testid=\"error-host\""));
}

#[tokio::test]
async fn test_connection_failure_is_reported_in_plain_words() {
    let (app, state) = app(true).await;
    let (cookie, token) = signed_in(&app).await;
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let port_s = port.to_string();
    let r = post(
        &app,
        "/devices/new",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Door"),
            ("host", "127.0.0.1"),
            ("port", &port_s),
            ("transport", "tcp"),
            ("enabled", "on"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let company = state.store.list_companies().await.unwrap().pop().unwrap();
    let device = state
        .store
        .list_devices(company.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let r = post(
        &app,
        &format!("/devices/{}/test", device.id),
        Some(&cookie),
        &[("_csrf", &token), ("back", "detail")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.location.unwrap();
    assert!(
        loc.starts_with(&format!("/devices/{}?did=test", device.id)),
        "{loc}"
    );
    let page = get(&app, &loc, Some(&cookie)).await;
    assert!(
        page.body.contains("Connection test: could not reach Door"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-testid=\"log-entry\""));
    assert!(page.body.contains("Failed"));
}

#[tokio::test]
async fn employees_punches_and_company_pages_render() {
    let (app, _) = app(false).await;
    let (cookie, token) = signed_in(&app).await;
    let r = get(&app, "/employees", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("No employees yet"));
    let r = get(
        &app,
        "/punches?from=2026-07-01&to=2026-07-31",
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("No punches match"));
    let r = get(&app, "/punches?from=junk", Some(&cookie)).await;
    assert!(r.body.contains("data-testid=\"error-from\""));
    let r = get(&app, "/company", Some(&cookie)).await;
    assert!(r.body.contains("Europe/Berlin"));
    let r = post(
        &app,
        "/company",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Corner Bakery 2"),
            ("timezone", "Asia/Tokyo"),
            ("poll_interval_minutes", "2"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"Corner Bakery 2\""));
    assert!(r
        .body
        .contains("data-testid=\"error-poll_interval_minutes\""));
    let r = post(
        &app,
        "/company",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Corner Bakery 2"),
            ("timezone", "Asia/Tokyo"),
            ("poll_interval_minutes", "15"),
        ],
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/company?saved=1"));
    let r = get(&app, "/company?saved=1", Some(&cookie)).await;
    assert!(r.body.contains("Settings saved"));
    assert!(r
        .body
        .contains("name=\"timezone\" type=\"text\" value=\"Asia/Tokyo\""));
    assert!(
        r.body.contains("Times are in <strong>Asia/Tokyo</strong>"),
        "the footer names the zone"
    );
}

#[tokio::test]
async fn assets_are_embedded_with_types_and_caching() {
    let (app, _) = app(false).await;
    let url = crate::web::assets::url("app.css");
    let r = get(&app, &url, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type.as_deref(), Some("text/css; charset=utf-8"));
    assert!(r.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let etag = r.headers[header::ETAG].to_str().unwrap().to_owned();
    let req = Request::get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::NOT_MODIFIED);
    let r = get(&app, "/assets/app.js", None).await;
    assert_eq!(
        r.content_type.as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert!(r.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age=300"));
    assert_eq!(
        get(&app, "/assets/nope.js", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_send_security_headers() {
    let (app, _) = app(false).await;
    for path in ["/login", "/nope"] {
        let r = get(&app, path, None).await;
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !r.body.contains("style=\""),
            "{path}: no inline styles under the CSP"
        );
        assert!(
            !r.body.contains("<script>"),
            "{path}: no inline scripts under the CSP"
        );
    }
}

#[tokio::test]
async fn an_ended_trial_is_announced_and_restricts_changes() {
    let (app, state) = app(false).await;
    let (cookie, _) = signed_in(&app).await;
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert!(!r.body.contains("blocked-screen"));
    state
        .clock
        .advance(jiff::SignedDuration::from_hours(24 * 60));
    // Sixty days on, the 14-day session has ended too (sessions run on the
    // same clock): log in again.
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/login?next=%2Fdevices"),
        "session expired"
    );
    let cookie = log_in_again(&app).await;
    let token = csrf(&get(&app, "/employees", Some(&cookie)).await.body);
    // Devices shows the blocked screen with the way out.
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert!(r.body.contains("data-testid=\"blocked-screen\""));
    assert!(r.body.contains("Your trial has ended"));
    assert!(r.body.contains("data-testid=\"choose-starter\""));
    // Employees stays reachable (deactivating is a way out), with the notice.
    let r = get(&app, "/employees", Some(&cookie)).await;
    assert!(r.body.contains("data-testid=\"account-notice\""));
    assert!(!r.body.contains("data-testid=\"blocked-screen\""));
    let r = post(
        &app,
        "/company",
        Some(&cookie),
        &[
            ("_csrf", &token),
            ("name", "Renamed"),
            ("timezone", "UTC"),
            ("poll_interval_minutes", "30"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    assert!(r.body.contains("Your account needs attention"));
    let r = post(
        &app,
        "/devices/new",
        Some(&cookie),
        &[("_csrf", &token), ("name", "Door"), ("host", "8.8.8.8")],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    // Choosing a plan (CSRF-checked) ends the restriction.
    let r = post(
        &app,
        "/account/plan",
        Some(&cookie),
        &[("_csrf", "wrong"), ("plan", "starter")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &app,
        "/account/plan",
        Some(&cookie),
        &[("_csrf", &token), ("plan", "starter")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert!(!r.body.contains("blocked-screen"));
}

#[tokio::test]
async fn a_blocked_account_may_only_change_who_is_active() {
    use crate::domain::NewEmployee;
    let (app, state) = app(false).await;
    let (cookie, token) = signed_in(&app).await;
    let company = state.store.list_companies().await.unwrap().pop().unwrap();
    let seats = state
        .billing
        .standing(company.id)
        .await
        .unwrap()
        .seats
        .unwrap();
    let mut first = None;
    for n in 0..=seats {
        let e = state
            .store
            .create_employee(
                company.id,
                &NewEmployee {
                    enroll_id: (100 + n).to_string(),
                    first_name: None,
                    last_name: None,
                    designation: None,
                    email: None,
                },
            )
            .await
            .unwrap();
        first.get_or_insert(e.id);
    }
    let first = first.unwrap();
    let page = get(&app, "/employees", Some(&cookie)).await;
    assert!(
        page.body.contains("Your account is blocked"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Deactivate 1 employee"));
    let path = format!("/employees/{first}/edit");
    // Naming someone is refused while blocked…
    let r = post(
        &app,
        &path,
        Some(&cookie),
        &[("_csrf", &token), ("first_name", "Ana"), ("active", "on")],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    assert!(r.body.contains("data-testid=\"error-active\""));
    assert!(r.body.contains("value=\"Ana\""), "typed value kept");
    // …deactivating is the way out.
    let r = post(&app, &path, Some(&cookie), &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&app, "/employees", Some(&cookie)).await;
    assert!(!page.body.contains("account-notice"));
    assert!(!state.store.get_company(company.id).await.unwrap().blocked);
}

mod attendance;
mod security;

/// Issue 11 item 5: the form refuses a device past the plan's cap with the
/// plan's words at its top, what was typed kept.
#[tokio::test]
async fn a_device_past_the_plans_cap_is_refused_on_the_form() {
    let plan = crate::billing::Plan {
        id: "solo".into(),
        name: "Solo".into(),
        seats: Some(10),
        monthly_price_cents: 900,
        devices: Some(1),
    };
    let config = Config {
        database_url: "sqlite::memory:".into(),
        allow_private_device_addresses: true,
        plans: vec![plan],
        ..Config::default()
    };
    let state = build_state(config, Clock::system()).await.expect("state");
    let app = web::router(state.clone());
    let (cookie, token) = signed_in(&app).await;
    for (name, status) in [
        ("Front door", StatusCode::SEE_OTHER),
        ("Back door", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let fields = [
            ("_csrf", token.as_str()),
            ("name", name),
            ("host", "127.0.0.1"),
            ("port", "4370"),
            ("transport", "auto"),
            ("enabled", "on"),
        ];
        let r = post(&app, "/devices/new", Some(&cookie), &fields).await;
        assert_eq!(r.status, status, "{name}: {}", r.body);
        if status == StatusCode::SEE_OTHER {
            continue;
        }
        assert!(r.body.contains("data-testid=\"form-errors\""), "{}", r.body);
        assert!(
            r.body
                .contains("The Solo plan allows up to 1 device, and this account has that many"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"Back door\""),
            "what was typed is kept"
        );
    }
    let r = get(&app, "/devices", Some(&cookie)).await;
    assert!(r.body.contains("Front door") && !r.body.contains("Back door"));
    // The plan page counts them against the cap.
    let r = get(&app, "/account", Some(&cookie)).await;
    assert!(
        r.body
            .contains("data-testid=\"devices\">1 of 1 device</dd>"),
        "{}",
        r.body
    );
}

/// Manage Devices shows a page of 100: a company with thousands of devices
/// gets a pager, and the live status asks for the page on screen.
#[tokio::test]
async fn many_devices_are_listed_a_page_at_a_time() {
    let (app, state) = app(true).await;
    let (cookie, _) = signed_in(&app).await;
    let company = state.store.list_companies().await.unwrap().pop().unwrap();
    for i in 0..101 {
        let new = crate::domain::NewDevice {
            name: format!("Clock {i:03}"),
            host: "127.0.0.1".into(),
            port: 4370,
            comm_key: None,
            transport: crate::domain::Transport::Tcp,
            timezone: None,
            enabled: false,
            poll_interval_minutes: None,
            mode: crate::domain::DeviceMode::Poll,
            push_serial: None,
        };
        state.store.create_device(company.id, &new).await.unwrap();
    }
    let rows = |body: &str| body.matches(r#"data-testid="device-row""#).count();
    let first = get(&app, "/devices", Some(&cookie)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(rows(&first.body), 100);
    assert!(first.body.contains("1–100 of 101"), "{}", first.body);
    assert!(first.body.contains(r#"href="/devices?page=2""#));
    assert!(first
        .body
        .contains(r#"data-live-status="/devices/status.json?page=1""#));
    let second = get(&app, "/devices?page=2", Some(&cookie)).await;
    assert_eq!(rows(&second.body), 1);
    assert!(second.body.contains("Clock 100"));
    assert!(second
        .body
        .contains(r#"data-live-status="/devices/status.json?page=2""#));
    let status = get(&app, "/devices/status.json?page=2", Some(&cookie)).await;
    let status: serde_json::Value = serde_json::from_str(&status.body).unwrap();
    assert_eq!(status["devices"].as_array().unwrap().len(), 1);
    let status = get(&app, "/devices/status.json", Some(&cookie)).await;
    let status: serde_json::Value = serde_json::from_str(&status.body).unwrap();
    assert_eq!(
        status["devices"].as_array().unwrap().len(),
        100,
        "the first page"
    );
}
