//! Operator endpoints beside the app: `/healthz` (the process answers),
//! `/readyz` (and so does the database) and `/metrics` (Prometheus text).
//! `/metrics` describes the whole installation, so it is served only to
//! clients on loopback (a Prometheus or agent on the same host), or to
//! anyone presenting `Authorization: Bearer <metrics_token>`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use subtle::ConstantTimeEq;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.health().ready().await {
        Ok(()) => "ready\n".into_response(),
        Err(e) => {
            tracing::warn!("readiness: the database does not answer: {e}");
            let body = "the database does not answer\n";
            (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    let loopback = peer.is_some_and(|p| p.0.ip().is_loopback());
    if !loopback && !has_token(request.headers(), &state.config.metrics_token) {
        let body = "metrics are served on loopback, or with the metrics_token\n";
        return (StatusCode::FORBIDDEN, body).into_response();
    }
    match state.services.health().metrics().await {
        Ok(mut text) => {
            text.push_str(&super::push_metrics::render(&state.push.metrics()));
            let kind = "text/plain; version=0.0.4; charset=utf-8";
            ([(header::CONTENT_TYPE, kind)], text).into_response()
        }
        Err(e) => {
            tracing::warn!("metrics: {e}");
            let body = "the database does not answer\n";
            (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
        }
    }
}

/// Whether the request carries the configured token (never when none is).
fn has_token(headers: &HeaderMap, token: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(given) if !token.is_empty() => bool::from(given.as_bytes().ct_eq(token.as_bytes())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_must_be_configured_and_match() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(has_token(&h, "s3cret"));
        assert!(!has_token(&h, "s3cre"));
        assert!(!has_token(&h, ""));
        assert!(!has_token(&HeaderMap::new(), "s3cret"));
    }
}
