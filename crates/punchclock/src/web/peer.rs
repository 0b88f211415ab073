//! The client's network address, for the per-address rate limits. The
//! server puts the TCP peer in every request (`serve.rs`); a request made
//! in-process has none and shares one budget.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::service::throttle::Client;

/// Who is asking, as far as the network tells.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(Client::unknown, |c| Client::from_ip(c.0.ip()));
        Ok(Peer(client))
    }
}
