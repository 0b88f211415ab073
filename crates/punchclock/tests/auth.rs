//! Authentication hygiene (issue 11, finding 8): common passwords refused,
//! password change, sessions and tokens listed and revoked, log out
//! everywhere, idle expiry, and password reset by a mailed token.

mod common;

use common::smtp::SmtpSink;
use common::{items, TestApp, TestOptions};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Option<String>) {
    let r = app
        .anonymous()
        .post("/login", &json!({"email": email, "password": password}))
        .await;
    let token = r.json()["token"].as_str().map(str::to_owned);
    (r.status, token)
}

fn pg() -> TestOptions {
    TestOptions {
        postgres: true,
        ..TestOptions::default()
    }
}

#[tokio::test]
async fn common_and_blank_passwords_are_refused_at_signup() {
    let app = TestApp::start().await;
    for bad in ["password", "Password", "12345678", "        "] {
        let r = app
            .anonymous()
            .post(
                "/signup",
                &json!({"company": "Weak", "email": "owner@weak.example.com",
                        "password": bad, "timezone": "UTC"}),
            )
            .await;
        let body = r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["fields"]["password"].is_string(), "{bad:?}: {body}");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::start_with(pg()).await;
    let email = "owner@change.example.com";
    let api = app.signup_as("Change", email, PASSWORD).await;
    let (_, other) = login(&app, email, PASSWORD).await;
    let other = app.anonymous().with_token(&other.unwrap());

    let wrong =
        json!({"current_password": "not it at all", "new_password": "a new fine passphrase"});
    let body = api
        .post("/account/password", &wrong)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["current_password"].is_string(), "{body}");
    let common = json!({"current_password": PASSWORD, "new_password": "iloveyou"});
    let body = api
        .post("/account/password", &common)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["new_password"].is_string(), "{body}");
    other.get("/account").await.expect(StatusCode::OK);

    let ok = json!({"current_password": PASSWORD, "new_password": "a new fine passphrase"});
    api.post("/account/password", &ok)
        .await
        .expect(StatusCode::NO_CONTENT);
    api.get("/account").await.expect(StatusCode::OK);
    other.get("/account").await.expect(StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, email, "a new fine passphrase").await.0,
        StatusCode::OK
    );
    app.shutdown().await;
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_and_end_everywhere() {
    let app = TestApp::start_with(pg()).await;
    let email = "owner@list.example.com";
    let api = app.signup_as("List", email, PASSWORD).await;
    let (_, second) = login(&app, email, PASSWORD).await;
    let second = app.anonymous().with_token(&second.unwrap());
    let stranger = app.signup("Stranger").await;

    let listed = items(api.get("/sessions").await.expect(StatusCode::OK));
    assert_eq!(listed.len(), 2, "{listed:?}");
    let text = serde_json::to_string(&listed).unwrap();
    assert!(!text.contains(api.token()) && !text.contains(second.token()));
    let current: Vec<_> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["kind"], "api");
    let other_id = listed.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();

    // Another company cannot see or end it.
    stranger
        .delete(&format!("/sessions/{other_id}"))
        .await
        .expect(StatusCode::NOT_FOUND);
    second.get("/account").await.expect(StatusCode::OK);
    api.delete(&format!("/sessions/{other_id}"))
        .await
        .expect(StatusCode::NO_CONTENT);
    second
        .get("/account")
        .await
        .expect(StatusCode::UNAUTHORIZED);
    api.delete(&format!("/sessions/{other_id}"))
        .await
        .expect(StatusCode::NOT_FOUND);

    let (_, third) = login(&app, email, PASSWORD).await;
    let third = app.anonymous().with_token(&third.unwrap());
    api.post("/logout/everywhere", &json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    api.get("/account").await.expect(StatusCode::UNAUTHORIZED);
    third.get("/account").await.expect(StatusCode::UNAUTHORIZED);
    stranger.get("/account").await.expect(StatusCode::OK);
    app.shutdown().await;
}

/// Where `GET /devices` leads: "200 /devices" signed in, else the redirect.
async fn devices(app: &TestApp, b: &reqwest::Client) -> String {
    let r = b.get(app.url("/devices")).send().await.unwrap();
    match r.headers().get("location") {
        Some(to) => to.to_str().unwrap().split('?').next().unwrap().to_owned(),
        None => format!("{} /devices", r.status().as_u16()),
    }
}

#[tokio::test]
async fn an_idle_browser_session_ends() {
    let app = TestApp::start_with(TestOptions {
        manual_clock: Some("2026-03-02T08:00:00Z".parse().unwrap()),
        configure: |c| c.session_idle_minutes = 60,
        ..TestOptions::default()
    })
    .await;
    let email = "owner@idle.example.com";
    app.signup_as("Idle", email, PASSWORD).await;
    let browser = app.browser();
    let r = browser
        .post(app.url("/login"))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    assert_eq!(devices(&app, &browser).await, "200 /devices");
    // Used within the hour, so it lives on past the first hour.
    app.clock.advance(SignedDuration::from_mins(50));
    assert_eq!(devices(&app, &browser).await, "200 /devices");
    app.clock.advance(SignedDuration::from_mins(50));
    assert_eq!(devices(&app, &browser).await, "200 /devices");
    // Then an hour without use ends it.
    app.clock.advance(SignedDuration::from_mins(61));
    assert_eq!(devices(&app, &browser).await, "/login");
    app.shutdown().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_mailed_token_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        smtp_url: Some(sink.url()),
        ..TestOptions::default()
    })
    .await;
    let email = "owner@forgot.example.com";
    let api = app.signup_as("Forgot", email, PASSWORD).await;
    let anon = app.anonymous();

    // The same answer for an unknown email, and nothing is sent.
    for who in ["nobody@forgot.example.com", email] {
        anon.post("/password-reset", &json!({"email": who}))
            .await
            .expect(StatusCode::ACCEPTED);
    }
    // What is not an email at all is refused, as the document says.
    for body in [json!({}), json!({"email": "not an email"})] {
        let answer = anon
            .post("/password-reset", &body)
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer["fields"]["email"].is_string(), "{answer}");
    }
    let sender = app.state.mail_sender.clone().expect("mail is on");
    sender.tick().await;
    assert!(sink.to("nobody@forgot.example.com").is_empty());
    let mails = sink.to(email);
    assert_eq!(mails.len(), 1);
    let text = mails[0].part("text/plain").expect("text part");
    let token = text
        .split("/password/reset/")
        .nth(1)
        .expect("a link")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    assert_eq!(token.len(), 64, "{text}");

    let weak = json!({"token": token, "password": "password1"});
    let body = anon
        .post("/password-reset/confirm", &weak)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["password"].is_string(), "{body}");
    let bad = json!({"token": "ab".repeat(32), "password": "a brand new passphrase"});
    let body = anon
        .post("/password-reset/confirm", &bad)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["token"].is_string(), "{body}");

    let good = json!({"token": token, "password": "a brand new passphrase"});
    anon.post("/password-reset/confirm", &good)
        .await
        .expect(StatusCode::NO_CONTENT);
    api.get("/account").await.expect(StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, email, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, email, "a brand new passphrase").await.0,
        StatusCode::OK
    );
    // Once only.
    let again = json!({"token": token, "password": "yet another passphrase"});
    anon.post("/password-reset/confirm", &again)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.shutdown().await;
}

#[tokio::test]
async fn a_reset_token_expires_after_an_hour() {
    let sink = SmtpSink::start().await;
    let app = TestApp::start_with(TestOptions {
        smtp_url: Some(sink.url()),
        manual_clock: Some("2026-03-02T08:00:00Z".parse().unwrap()),
        ..TestOptions::default()
    })
    .await;
    let email = "owner@late.example.com";
    app.signup_as("Late", email, PASSWORD).await;
    let (_, token) = app
        .state
        .store
        .create_password_reset(email, std::time::Duration::from_secs(3600))
        .await
        .unwrap()
        .expect("an account");
    app.clock.advance(SignedDuration::from_mins(61));
    let body = app
        .anonymous()
        .post(
            "/password-reset/confirm",
            &json!({"token": token, "password": "a brand new passphrase"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["fields"]["token"].is_string(), "{body}");
    assert_eq!(login(&app, email, PASSWORD).await.0, StatusCode::OK);
    app.shutdown().await;
}
