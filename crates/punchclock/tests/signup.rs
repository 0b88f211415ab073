//! Sign-up answers alike for taken and free emails (issue 11 item 8): with
//! mail on, both get 202 and the same page; a free email gets a link that
//! confirms the account, the owner of a taken one a mail instead, and
//! nothing about the taken account changes.

mod common;

use common::smtp::{Received, SmtpSink};
use common::{TestApp, TestOptions};
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

async fn with_mail(sink: &SmtpSink) -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        smtp_url: Some(sink.url()),
        ..TestOptions::default()
    })
    .await
}

fn signup_body(company: &str, email: &str, password: &str) -> serde_json::Value {
    json!({"company": company, "email": email, "password": password, "timezone": "UTC"})
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.anonymous()
        .post("/login", &json!({"email": email, "password": password}))
        .await
        .status
}

/// Sends what is queued; the mails to `to`.
async fn mails_to(app: &TestApp, sink: &SmtpSink, to: &str) -> Vec<Received> {
    app.state
        .mail_sender
        .clone()
        .expect("mail is on")
        .tick()
        .await;
    sink.to(to)
}

fn confirm_token(mail: &Received) -> String {
    let text = mail.part("text/plain").expect("text part");
    let token: String = text
        .split("/signup/confirm/")
        .nth(1)
        .expect("a confirmation link")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{text}");
    token
}

/// Opens the confirmation page and presses its button, as a browser does.
async fn confirm(app: &TestApp, token: &str) -> reqwest::Response {
    let browser = app.browser();
    let path = format!("/signup/confirm/{token}");
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    browser.post(app.url(&path)).send().await.unwrap()
}

#[tokio::test]
async fn a_taken_and_a_free_email_get_the_same_answer() {
    let sink = SmtpSink::start().await;
    let app = with_mail(&sink).await;
    let taken = "owner@taken.example.com";
    app.signup_as("Taken", taken, PASSWORD).await;
    let anon = app.anonymous();

    let on_taken = anon
        .post(
            "/signup",
            &signup_body("Squatter", "Owner@Taken.example.com", "another fine phrase"),
        )
        .await;
    let free = "owner@free.example.com";
    let on_free = anon
        .post("/signup", &signup_body("Free", free, PASSWORD))
        .await;
    assert_eq!(on_taken.status, StatusCode::ACCEPTED, "{}", on_taken.text);
    assert_eq!(on_free.status, StatusCode::ACCEPTED, "{}", on_free.text);
    assert_eq!(on_taken.text, on_free.text, "the same body");

    // The owner of the taken email is told, and nothing of theirs changed.
    let told = mails_to(&app, &sink, taken).await;
    assert_eq!(told.len(), 1);
    assert!(told[0]
        .part("text/plain")
        .unwrap()
        .contains("already has an account"));
    assert_eq!(login_status(&app, taken, PASSWORD).await, StatusCode::OK);
    assert_eq!(
        login_status(&app, taken, "another fine phrase").await,
        StatusCode::UNAUTHORIZED
    );

    // The free one gets a link; until it is opened the account cannot log in.
    let mails = mails_to(&app, &sink, free).await;
    assert_eq!(mails.len(), 1);
    let token = confirm_token(&mails[0]);
    assert_eq!(
        login_status(&app, free, PASSWORD).await,
        StatusCode::CONFLICT
    );
    let r = confirm(&app, &token).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/devices");
    assert_eq!(login_status(&app, free, PASSWORD).await, StatusCode::OK);
    // Once only.
    assert_eq!(
        confirm(&app, &token).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_unconfirmed_email_is_not_held_by_its_first_sign_up() {
    let sink = SmtpSink::start().await;
    let app = with_mail(&sink).await;
    let email = "owner@twice.example.com";
    let anon = app.anonymous();
    let mut tokens = Vec::new();
    for (n, (company, password)) in [("First", "first fine phrase"), ("Second", PASSWORD)]
        .into_iter()
        .enumerate()
    {
        anon.post("/signup", &signup_body(company, email, password))
            .await
            .expect(StatusCode::ACCEPTED);
        let mails = mails_to(&app, &sink, email).await;
        assert_eq!(mails.len(), n + 1, "a link for each sign-up");
        tokens.push(confirm_token(&mails[n]));
    }
    assert_eq!(
        confirm(&app, &tokens[0]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the first link stopped working"
    );
    assert_eq!(
        confirm(&app, &tokens[1]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(login_status(&app, email, PASSWORD).await, StatusCode::OK);
    assert_eq!(
        login_status(&app, email, "first fine phrase").await,
        StatusCode::UNAUTHORIZED
    );
    let company = app.company_of(email).await;
    let name = app.state.store.get_company(company).await.unwrap().name;
    assert_eq!(name, "Second");
    app.shutdown().await;
}

#[tokio::test]
async fn without_mail_a_taken_email_is_refused_and_a_free_one_signs_in() {
    let app = TestApp::start().await;
    app.signup_as("Known", "owner@known.example.com", PASSWORD)
        .await;
    let anon = app.anonymous();
    anon.post(
        "/signup",
        &signup_body("Known", "owner@known.example.com", PASSWORD),
    )
    .await
    .expect(StatusCode::CONFLICT);
    let body = anon
        .post(
            "/signup",
            &signup_body("New", "owner@new.example.com", PASSWORD),
        )
        .await
        .expect(StatusCode::CREATED);
    assert!(body["token"].is_string());
    app.shutdown().await;
}
