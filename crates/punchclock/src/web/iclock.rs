//! `/iclock/*`: the push endpoint's HTTP side (adms-push.md §1). The body
//! must arrive whole within the deadline and the push size cap (the same
//! `limits::bounded` as the web, with push's numbers); the request goes to
//! [`crate::push::Receiver`], and the answer is plain text with the `Date`
//! header devices set their clocks from. Any method and path under
//! `/iclock/` (`.aspx` too) is classified by the protocol code, not here.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use zk_protocol::push::{http_date, reply};

use super::limits::{self, RequestLimits};
use crate::config::Config;
use crate::push::{cookie_token, Call, Reply};
use crate::web::AppState;

pub fn router(c: &Config) -> Router<AppState> {
    let limits = RequestLimits {
        body_read_timeout: Duration::from_secs(c.body_read_timeout_seconds.max(1)),
        max_body_bytes: c.push.max_body_bytes.max(1024),
        request_timeout: Duration::from_secs(c.request_timeout_seconds.clamp(1, 60)),
    };
    Router::new()
        .route("/iclock/{*rest}", any(answer))
        // `bounded` has read the body within the push cap already.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(limits, limits::bounded))
}

async fn answer(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let call = Call {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        source: peer.ip().to_canonical(),
        token: cookie.and_then(cookie_token),
        body: &bytes,
    };
    let answer = state.push.answer(call).await;
    plain(&state, answer)
}

/// The answer with ZKTeco's headers (adms-push.md §1): plain text, no
/// caching, and the `Date` (GMT).
fn plain(state: &AppState, answer: Reply) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let date = http_date(state.services.now());
    let mut response = (status, answer.body).into_response();
    let h = response.headers_mut();
    for (name, value) in reply::HEADERS {
        h.insert(*name, HeaderValue::from_static(value));
    }
    if let Ok(v) = HeaderValue::from_str(&date) {
        h.insert(header::DATE, v);
    }
    response
}
