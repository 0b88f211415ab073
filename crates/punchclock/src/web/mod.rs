//! The web layer: server-rendered pages, the JSON API under `/api/v1`, and
//! embedded assets. Handlers parse the request, call the [`Services`] and
//! render HTML or JSON; they never reach the store directly.

pub mod api;
pub mod assets;
pub mod export;
pub mod health;
pub mod iclock;
pub mod limits;
pub mod pages;
pub mod peer;
pub mod push_metrics;
pub mod serve;

mod state;

pub use state::AppState;

use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::Response;
use axum::Router;

use self::limits::RequestLimits;

/// The whole application router, with the per-request limits.
pub fn router(state: AppState) -> Router {
    let c = &state.config;
    let limits = RequestLimits {
        body_read_timeout: Duration::from_secs(c.body_read_timeout_seconds.max(1)),
        max_body_bytes: c.max_body_bytes.max(1024),
        request_timeout: Duration::from_secs(c.request_timeout_seconds.max(1)),
    };
    let secure = c.secure_cookies;
    Router::new()
        .nest("/api/v1", api::router())
        .merge(pages::router())
        .merge(assets::router())
        .merge(health::router())
        .layer(middleware::from_fn_with_state(limits, limits::bounded))
        .layer(middleware::map_response_with_state(
            secure,
            transport_security,
        ))
        // Push devices are not browsers: their own limits, no HSTS.
        .merge(iclock::router(c))
        .with_state(state)
}

/// The push endpoint alone, for the `push_listen` address.
pub fn iclock_router(state: AppState) -> Router {
    iclock::router(&state.config).with_state(state)
}

/// Behind HTTPS (`secure_cookies`), browsers are told to use nothing else
/// for a year, so a first plain-HTTP request cannot be intercepted.
async fn transport_security(
    axum::extract::State(secure): axum::extract::State<bool>,
    mut res: Response,
) -> Response {
    if secure {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}
