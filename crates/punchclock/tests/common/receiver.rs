//! A real HTTP receiver for webhook tests, on 127.0.0.1:0: it keeps every
//! request (headers and body) and answers 200, or 500 for as many requests
//! as it was told to fail.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Hit {
    pub headers: HeaderMap,
    pub body: String,
    pub status: u16,
}

impl Hit {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

#[derive(Clone, Default)]
struct Inner {
    hits: Arc<Mutex<Vec<Hit>>>,
    failures: Arc<AtomicUsize>,
}

/// The running receiver.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Inner,
}

async fn hook(State(inner): State<Inner>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let failing = inner
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    inner.hits.lock().unwrap().push(Hit {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        status: status.as_u16(),
    });
    status
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Inner::default();
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, inner }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The next `n` requests get 500.
    pub fn fail_next(&self, n: usize) {
        self.inner.failures.store(n, Ordering::SeqCst);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.inner.hits.lock().unwrap().clone()
    }

    /// Bodies of the requests answered 200, as JSON.
    pub fn delivered(&self) -> Vec<serde_json::Value> {
        self.hits()
            .iter()
            .filter(|h| h.status == 200)
            .map(Hit::json)
            .collect()
    }

    pub async fn wait_for(&self, n: usize) -> Vec<Hit> {
        for _ in 0..200 {
            if self.hits().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.hits()
    }
}
