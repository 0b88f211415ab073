//! The HTTP server bounds every connection (issue 11, findings 2 and 10):
//! slow headers, slow bodies, silent and idle connections are cut, the
//! connection count is capped, and answers carry the caching and transport
//! headers that keep company data out of browser caches.

mod common;

use std::time::Duration;

use common::{TestApp, TestOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

/// Short limits, so the tests see them act.
async fn app(configure: fn(&mut punchclock::config::Config)) -> TestApp {
    TestApp::start_with(TestOptions {
        configure,
        ..TestOptions::default()
    })
    .await
}

fn quick(c: &mut punchclock::config::Config) {
    c.header_read_timeout_seconds = 1;
    c.body_read_timeout_seconds = 1;
}

/// What the server sent until it closed the connection, and when it
/// closed it (`None`: still open after `within`).
async fn read_until_closed(s: &mut TcpStream, within: Duration) -> (String, Option<Duration>) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(start.elapsed());
        match timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (lossy(&got), Some(start.elapsed())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (lossy(&got), None),
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn slow_headers_and_silent_connections_are_cut() {
    let app = app(quick).await;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let (_, slow_closed) = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    let (_, silent_closed) = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(
        slow_closed.is_some(),
        "a header trickle keeps its connection"
    );
    assert!(silent_closed.is_some(), "a silent connection stays open");
    app.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = app(quick).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.80}");
    assert!(closed.is_some(), "the idle connection stays open");
    app.shutdown().await;
}

#[tokio::test]
async fn a_slow_body_is_answered_408_and_closed() {
    let app = app(quick).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let (answer, closed) = read_until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:.200}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(closed.is_some());
    app.shutdown().await;
}

#[tokio::test]
async fn a_large_body_is_refused_413() {
    let app = app(|c| c.max_body_bytes = 4096).await;
    let big = serde_json::json!({"email": "a".repeat(10_000), "password": "x"});
    let r = app.anonymous().post("/login", &big).await;
    let v = r.expect(reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "payload_too_large");
    app.shutdown().await;
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot() {
    let app = app(|c| c.max_connections = 2).await;
    let held = [
        TcpStream::connect(app.addr).await.unwrap(),
        TcpStream::connect(app.addr).await.unwrap(),
    ];
    let mut third = TcpStream::connect(app.addr).await.unwrap();
    third
        .write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 12];
    let early = timeout(Duration::from_millis(500), third.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "a third connection was served beside two held ones"
    );
    drop(held);
    let n = timeout(Duration::from_secs(10), third.read_exact(&mut buf))
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert_eq!(&buf[..n], b"HTTP/1.1 200");
    app.shutdown().await;
}

#[tokio::test]
async fn answers_are_not_cached_nor_sniffed() {
    let app = app(|_| {}).await;
    let api = app.signup("Headers").await;
    let http = reqwest::Client::new();
    let r = http
        .get(app.url("/api/v1/devices"))
        .bearer_auth(api.token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().get("strict-transport-security").is_none());
    let unauthenticated = http.get(app.url("/api/v1/devices")).send().await.unwrap();
    assert_eq!(unauthenticated.headers()["cache-control"], "no-store");
    let page = http.get(app.url("/login")).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    app.shutdown().await;
}

#[tokio::test]
async fn hsts_is_sent_when_cookies_are_secure() {
    let app = app(|c| c.secure_cookies = true).await;
    let r = reqwest::get(app.url("/login")).await.unwrap();
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
    app.shutdown().await;
}
