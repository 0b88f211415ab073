//! The web layer: server-rendered pages, the JSON API under `/api/v1`, and
//! embedded assets. Handlers get an [`AppState`].

pub mod api;
pub mod assets;
pub mod auth;
pub mod pages;
pub mod validate;

use std::sync::Arc;

use axum::Router;

use crate::billing::Billing;
use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use crate::sync::Syncer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub syncer: Syncer,
    pub billing: Billing,
    pub config: Arc<Config>,
    pub clock: Clock,
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router())
        .merge(pages::router())
        .merge(assets::router())
        .with_state(state)
}
