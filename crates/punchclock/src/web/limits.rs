//! Per-request bounds: the body must arrive whole within a deadline and a
//! size, and the handler must answer within another. With the connection
//! limits of `serve.rs`, no client can hold a connection or a worker for
//! long by being slow (issue 11, finding 2).

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api::error::ApiError;

/// How long and how big one request may be.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// The whole body must have arrived by then (a byte every 10 s is cut).
    pub body_read_timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The handler's answer must be ready by then.
    pub request_timeout: Duration,
}

/// Reads the body within its limits, then runs the handler within its
/// deadline; refusals are JSON under `/api/`, text elsewhere.
pub async fn bounded(State(limits): State<RequestLimits>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let (parts, body) = req.into_parts();
    let read = to_bytes(body, limits.max_body_bytes);
    let bytes = match tokio::time::timeout(limits.body_read_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) if too_large(&e) => return refuse(api, Refusal::TooLarge),
        Ok(Err(_)) => return refuse(api, Refusal::Unreadable),
        Err(_) => return refuse(api, Refusal::SlowBody),
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    match tokio::time::timeout(limits.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => refuse(api, Refusal::SlowAnswer),
    }
}

fn too_large(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

enum Refusal {
    TooLarge,
    Unreadable,
    SlowBody,
    SlowAnswer,
}

fn refuse(api: bool, why: Refusal) -> Response {
    let (status, code, message) = match why {
        Refusal::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is too large.",
        ),
        Refusal::Unreadable => (
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "The request body could not be read.",
        ),
        Refusal::SlowBody => (
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "The request body arrived too slowly.",
        ),
        Refusal::SlowAnswer => (
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "That took too long. Please try again in a moment.",
        ),
    };
    if !api {
        return (status, message).into_response();
    }
    let error = ApiError::BadRequest {
        status,
        code,
        message: message.into(),
    };
    error.into_response()
}
