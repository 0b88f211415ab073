//! Mail through a real SMTP server ([`SmtpSink`], on loopback): what
//! arrives, with its headers; bounces marked on the person; retries with
//! backoff; a crash mid-send neither loses nor doubles a mail; dedupe keys.
//! Runs on SQLite, and on PostgreSQL when it is configured.

mod common;

use common::smtp::SmtpSink;
use common::{TestApp, TestOptions};
use jiff::{SignedDuration, Timestamp};
use maud::html;
use punchclock::domain::{
    CompanyId, EmployeeId, MailKind, MailList, MailState, NewMail, Recipient,
};
use punchclock::mail::compose::Draft;
use punchclock::mail::sender::MailSender;
use punchclock::mail::{Composer, MailSettings};
use reqwest::StatusCode;
use serde_json::json;

const T0: &str = "2026-03-02T08:00:00Z";

async fn start(sink: &SmtpSink) -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        smtp_url: Some(sink.url()),
        manual_clock: Some(T0.parse().unwrap()),
        ..TestOptions::default()
    })
    .await
}

fn composer(sink: &SmtpSink) -> Composer {
    let s = MailSettings::parse(
        &sink.url(),
        "Punchclock <reports@punchclock.test>",
        "http://pc.test",
    );
    Composer::new(s.unwrap().unwrap())
}

fn draft(subject: &str) -> Draft {
    Draft {
        kind: MailKind::DailyReport,
        subject: subject.into(),
        text: "Ana worked 8 h 05 min.".into(),
        html: html! { p { "Ana worked " strong { "8 h 05 min" } "." } },
    }
}

fn sender(app: &TestApp) -> MailSender {
    app.state.mail_sender.clone().expect("mail is on")
}

/// A company and one of its employees with an email.
async fn employee(app: &TestApp, email: &str) -> (CompanyId, EmployeeId) {
    let api = app.signup(&format!("Bakery {email}")).await;
    let e = api
        .post(
            "/employees",
            &json!({"enroll_id": "7", "first_name": "Ana", "email": email}),
        )
        .await
        .expect(StatusCode::CREATED);
    let company = app
        .company_of(&format!(
            "owner@bakery-{}.example.com",
            email.replace(['@', '.'], "-")
        ))
        .await;
    (company, EmployeeId(e["id"].as_i64().unwrap()))
}

/// One mail queued to a new employee at `email`: the company, the
/// employee and the mail.
async fn queued(
    app: &TestApp,
    sink: &SmtpSink,
    email: &str,
    list: Option<MailList>,
) -> (CompanyId, EmployeeId, NewMail) {
    let (company, who) = employee(app, email).await;
    let mail = composer(sink).address(
        &draft("Your day"),
        email,
        Recipient::Employee(who),
        list,
        None,
    );
    let stored = app
        .state
        .store
        .queue_mail(company, std::slice::from_ref(&mail));
    assert_eq!(stored.await.unwrap(), 1);
    (company, who, mail)
}

#[tokio::test]
async fn a_queued_mail_arrives_with_its_headers_and_both_parts() {
    let sink = SmtpSink::start().await;
    let app = start(&sink).await;
    let (company, who) = employee(&app, "ana@shop.example").await;
    let mail = composer(&sink).address(
        &draft("Your day, 2 March"),
        "ana@shop.example",
        Recipient::Employee(who),
        Some(MailList::DailyReport),
        Some("test:1".into()),
    );
    assert_eq!(
        app.state
            .store
            .queue_mail(company, std::slice::from_ref(&mail))
            .await
            .unwrap(),
        1
    );
    assert_eq!(sender(&app).tick().await, 1);
    let got = sink.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "reports@punchclock.test");
    assert_eq!(m.to, ["ana@shop.example"]);
    assert_eq!(m.header("Subject").as_deref(), Some("Your day, 2 March"));
    assert_eq!(
        m.header("From").as_deref(),
        Some("Punchclock <reports@punchclock.test>")
    );
    assert_eq!(m.header("Message-ID"), Some(mail.message_id.clone()));
    let url = mail.unsubscribe.as_ref().unwrap().url.clone();
    assert_eq!(m.header("List-Unsubscribe"), Some(format!("<{url}>")));
    assert_eq!(
        m.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        m.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert_eq!(
        m.header("Date").as_deref(),
        Some("Mon, 02 Mar 2026 08:00:00 +0000"),
        "the injected clock"
    );
    assert!(m
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    let text = m.part("text/plain").expect("a text part");
    assert!(
        text.contains("Ana worked 8 h 05 min.") && text.contains(&url),
        "{text}"
    );
    let html = m.part("text/html").expect("an HTML part");
    assert!(
        html.contains("<strong>8 h 05 min</strong>") && html.contains(&url),
        "{html}"
    );
    let listed = app.state.store.list_mails(company, 10).await.unwrap();
    assert_eq!(listed[0].state, MailState::Sent);
    assert_eq!(sender(&app).tick().await, 0, "nothing sent twice");
    assert_eq!(sink.received().len(), 1);
    app.shutdown().await;
}

#[tokio::test]
async fn a_refused_address_is_marked_on_the_employee() {
    let sink = SmtpSink::start().await;
    let app = start(&sink).await;
    let (company, who, _) = queued(&app, &sink, "bounce@shop.example", None).await;
    sender(&app).tick().await;
    let listed = app.state.store.list_mails(company, 10).await.unwrap();
    assert_eq!(listed[0].state, MailState::Bounced);
    assert!(
        listed[0].last_error.as_deref().unwrap().contains("550"),
        "{listed:?}"
    );
    let e = app.state.store.get_employee(company, who).await.unwrap();
    let reason = e.email_bounce.expect("bounce marked");
    assert!(
        reason.contains("550") && reason.contains("mailbox unavailable"),
        "{reason}"
    );
    assert!(sink.received().is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn a_busy_server_is_retried_with_backoff() {
    let sink = SmtpSink::start().await;
    let app = start(&sink).await;
    let (company, _, _) = queued(&app, &sink, "busy@shop.example", None).await;
    sender(&app).tick().await;
    let listed = app.state.store.list_mails(company, 10).await.unwrap();
    assert_eq!(
        (listed[0].state, listed[0].attempts),
        (MailState::Pending, 1)
    );
    assert!(listed[0].last_error.as_deref().unwrap().contains("451"));
    sink.set_busy(false);
    assert_eq!(
        sender(&app).tick().await,
        0,
        "not due yet: one minute of backoff"
    );
    app.clock.advance(SignedDuration::from_secs(61));
    assert_eq!(sender(&app).tick().await, 1);
    assert_eq!(sink.wait_for(1).await.len(), 1);
    let listed = app.state.store.list_mails(company, 10).await.unwrap();
    assert_eq!((listed[0].state, listed[0].attempts), (MailState::Sent, 2));
    app.shutdown().await;
}

#[tokio::test]
async fn a_sender_that_died_mid_send_loses_nothing_and_doubles_nothing() {
    let sink = SmtpSink::start().await;
    let app = start(&sink).await;
    let (_, _, mail) = queued(&app, &sink, "ana@shop.example", None).await;
    // Another instance leases it, then dies before sending or marking.
    let now: Timestamp = T0.parse().unwrap();
    let lease = std::time::Duration::from_secs(300);
    let leased = app
        .state
        .store
        .claim_mails("dead", now, lease, 10, 10)
        .await
        .unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(sender(&app).tick().await, 0, "leased elsewhere");
    app.clock.advance(SignedDuration::from_secs(301));
    assert_eq!(sender(&app).tick().await, 1, "the lease ran out: sent");
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].header("Message-ID"), Some(mail.message_id));
    // The dead instance's late report changes nothing: it lost the lease.
    let late = app
        .state
        .store
        .finish_mail(&leased[0], "dead", &punchclock::store::MailResult::Sent)
        .await
        .unwrap();
    assert!(!late);
    assert_eq!(sender(&app).tick().await, 0);
    assert_eq!(sink.received().len(), 1);
    app.shutdown().await;
}

#[tokio::test]
async fn one_mail_per_dedupe_key_and_fair_shares_per_company() {
    let sink = SmtpSink::start().await;
    let app = start(&sink).await;
    let (big, who) = employee(&app, "ana@big.example").await;
    let (small, other) = employee(&app, "bo@small.example").await;
    let c = composer(&sink);
    let key = Some("daily_report:2026-03-01:employee:1".to_owned());
    let one = c.address(
        &draft("Day"),
        "ana@big.example",
        Recipient::Employee(who),
        None,
        key.clone(),
    );
    let again = c.address(
        &draft("Day"),
        "ana@big.example",
        Recipient::Employee(who),
        None,
        key,
    );
    assert_eq!(
        app.state
            .store
            .queue_mail(big, &[one, again])
            .await
            .unwrap(),
        1
    );
    let burst: Vec<_> = (0..20)
        .map(|i| {
            c.address(
                &draft(&format!("Burst {i}")),
                "ana@big.example",
                Recipient::Employee(who),
                None,
                None,
            )
        })
        .collect();
    app.state.store.queue_mail(big, &burst).await.unwrap();
    let late = c.address(
        &draft("Small"),
        "bo@small.example",
        Recipient::Employee(other),
        None,
        None,
    );
    app.state.store.queue_mail(small, &[late]).await.unwrap();
    let now: Timestamp = T0.parse().unwrap();
    let lease = std::time::Duration::from_secs(60);
    let batch = app
        .state
        .store
        .claim_mails("me", now, lease, 6, 5)
        .await
        .unwrap();
    let from_small = batch.iter().filter(|m| m.company_id == small).count();
    assert_eq!(
        (batch.len(), from_small),
        (6, 1),
        "the small company is not starved"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn the_unsubscribe_link_works_without_login() {
    let sink = SmtpSink::start().await;
    let app = start(&sink).await;
    let (company, who, mail) =
        queued(&app, &sink, "ana@shop.example", Some(MailList::DailyReport)).await;
    let token = mail.unsubscribe.unwrap().token;
    let http = reqwest::Client::new();
    let url = app.url(&format!("/unsubscribe/{token}"));
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("end-of-day report"));
    assert!(
        app.state
            .store
            .get_employee(company, who)
            .await
            .unwrap()
            .daily_report,
        "a GET changes nothing"
    );
    let done = http.post(&url).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Unsubscribed"));
    assert!(
        !app.state
            .store
            .get_employee(company, who)
            .await
            .unwrap()
            .daily_report
    );
    let bad = http
        .post(app.url(&format!("/unsubscribe/{}", "0".repeat(48))))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::NOT_FOUND);
    app.shutdown().await;
}
