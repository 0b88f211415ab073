//! The outbound-address guard through the API (issue 11, finding 7): the
//! addresses the issue found reachable are refused at save time, messages
//! never say what a name resolves to, and a non-ZK service that answers is
//! not described byte by byte. Only loopback is ever contacted here.

mod common;

use std::net::SocketAddr;

use common::{TestApp, TestOptions};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn guarded() -> TestApp {
    TestApp::start_with(TestOptions {
        allow_private_device_addresses: false,
        postgres: true,
        ..TestOptions::default()
    })
    .await
}

#[tokio::test]
async fn the_issues_addresses_are_refused_at_save_time() {
    let app = guarded().await;
    let api = app.signup("Guarded").await;
    for host in [
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",
        "2001:db8::1",
        "198.18.0.1",
        "192.0.0.1",
        "192.0.2.1",
        "[::ffff:10.0.0.1]",
    ] {
        let v = api
            .post("/devices", &json!({"name": "Door", "host": host}))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        let m = v["fields"]["host"].as_str().unwrap_or_default();
        assert!(m.contains("cannot reach"), "{host}: {v}");
    }
    assert!(api.get("/devices").await.json()["items"]
        .as_array()
        .unwrap()
        .is_empty());
    app.shutdown().await;
}

#[tokio::test]
async fn a_name_is_refused_without_saying_what_it_resolves_to() {
    let app = guarded().await;
    let api = app.signup("Names").await;
    let v = api
        .post("/devices", &json!({"name": "Door", "host": "localhost"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let m = v["fields"]["host"].as_str().unwrap();
    assert!(m.contains("loopback"), "{m}");
    assert!(!m.contains("127.0.0.1") && !m.contains("::1"), "{m}");
    app.shutdown().await;
}

/// A TCP service on loopback that answers like a web server.
async fn not_a_clock() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 64];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_service_that_is_not_a_clock_is_not_described() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let api = app.signup("Scanner").await;
    let addr = not_a_clock().await;
    let d = api
        .add_device_with(
            json!({"name": "Web", "host": "127.0.0.1", "port": addr.port(), "transport": "tcp"}),
        )
        .await;
    let log = api.test_device(d["id"].as_i64().unwrap()).await;
    assert_eq!(log["outcome"], "failed", "{log}");
    assert_eq!(log["reason_code"], "not_a_zk_device", "{log}");
    let reason = log["reason"].as_str().unwrap();
    assert!(reason.contains("4370"), "{reason}");
    for leak in ["HTTP", "[72", "magic", "48, 54"] {
        assert!(!reason.contains(leak), "{reason}");
    }
    app.shutdown().await;
}
