//! Sign-in hygiene (issue 11, findings 1 and 8): attempts are limited per
//! address and per account before any password is hashed, on the
//! service's clock; the limits reveal nothing about which emails exist.

mod common;

use common::{Api, TestApp, TestOptions};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;

async fn app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        manual_clock: Some("2026-07-01T08:00:00Z".parse().unwrap()),
        ..TestOptions::default()
    })
    .await
}

async fn login(api: &Api, email: &str, password: &str) -> common::Resp {
    api.post("/login", &json!({"email": email, "password": password}))
        .await
}

#[tokio::test]
async fn fifty_wrong_passwords_then_the_right_one_is_refused() {
    let app = app().await;
    app.signup_as(
        "Locked",
        "owner@locked.example.com",
        "correct horse battery",
    )
    .await;
    let anon = app.anonymous();
    let mut refused = 0;
    for i in 0..50 {
        let r = login(&anon, "owner@locked.example.com", &format!("guess {i}")).await;
        match r.status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("attempt {i}: {other} {}", r.text),
        }
    }
    assert!(refused >= 35, "only {refused} of 50 guesses were refused");
    let r = login(&anon, "OWNER@locked.example.com", "correct horse battery").await;
    let v = r.expect(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["error"], "rate_limited");
    assert!(v["message"].as_str().unwrap().contains("wait"), "{v}");

    // Once the budget refills, the owner gets in.
    app.clock.advance(SignedDuration::from_hours(1));
    login(&anon, "owner@locked.example.com", "correct horse battery")
        .await
        .expect(StatusCode::OK);
    app.shutdown().await;
}

#[tokio::test]
async fn a_limited_answer_says_when_to_retry_and_not_whether_the_email_exists() {
    let app = app().await;
    app.signup_as("Known", "owner@known.example.com", "correct horse battery")
        .await;
    let http = reqwest::Client::new();
    let mut last = Vec::new();
    for email in ["owner@known.example.com", "nobody@known.example.com"] {
        let mut answer = None;
        for _ in 0..12 {
            let r = http
                .post(app.url("/api/v1/login"))
                .json(&json!({"email": email, "password": "wrong"}))
                .send()
                .await
                .unwrap();
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                let retry: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(retry >= 1);
                answer = Some(r.json::<serde_json::Value>().await.unwrap()["error"].clone());
                break;
            }
        }
        last.push(answer.expect("limited within 12 attempts"));
    }
    assert_eq!(
        last[0], last[1],
        "known and unknown emails are limited alike"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn one_address_cannot_try_many_accounts() {
    let app = app().await;
    let anon = app.anonymous();
    let mut limited = false;
    for i in 0..40 {
        let r = login(&anon, &format!("user{i}@spray.example.com"), "password1").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            assert!(i >= 30, "limited after only {i} attempts");
            break;
        }
        r.expect(StatusCode::UNAUTHORIZED);
    }
    assert!(
        limited,
        "40 accounts tried from one address without a limit"
    );
    // Sign-up shares the address's budget.
    let r = anon
        .post(
            "/signup",
            &json!({"company": "Spray", "email": "new@spray.example.com",
                    "password": "a fine long passphrase", "timezone": "UTC"}),
        )
        .await;
    r.expect(StatusCode::TOO_MANY_REQUESTS);
    app.shutdown().await;
}

fn location(r: &reqwest::Response) -> &str {
    r.headers()["location"].to_str().unwrap()
}

async fn post_login(app: &TestApp, b: &reqwest::Client, next: &str) -> reqwest::Response {
    let form = [
        ("email", "owner@pages.example.com"),
        ("password", "correct horse battery"),
        ("next", next),
    ];
    b.post(app.url("/login")).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn next_never_leaves_the_site_nor_fails_after_signing_in() {
    let app = app().await;
    app.signup_as("Pages", "owner@pages.example.com", "correct horse battery")
        .await;
    // A tab or a line break that browsers drop; a scheme; a protocol-relative path.
    for next in [
        "/\t/evil.example/phish",
        "/\n/x",
        "//evil.example",
        "https://evil.example",
    ] {
        let b = app.browser();
        let r = post_login(&app, &b, next).await;
        assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
        // Signed in now: the GET form redirects at once, and as safely.
        let url = format!("/login?next={}", urlencode(next));
        let r = b.get(app.url(&url)).send().await.unwrap();
        assert_eq!(location(&r), "/", "{next:?}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn a_page_asked_for_while_signed_out_comes_back_after_login() {
    let app = app().await;
    app.signup_as("Pages", "owner@pages.example.com", "correct horse battery")
        .await;
    let b = app.browser();
    let r = b.get(app.url("/punches?employee=3")).send().await.unwrap();
    assert_eq!(location(&r), "/login?next=%2Fpunches%3Femployee%3D3");
    let form = b.get(app.url(location(&r))).send().await.unwrap();
    let html = form.text().await.unwrap();
    assert!(
        html.contains("value=\"/punches?employee=3\""),
        "the form keeps next"
    );
    let r = post_login(&app, &b, "/punches?employee=3").await;
    assert_eq!(location(&r), "/punches?employee=3");
    app.shutdown().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
