//! The web layer: server-rendered pages, the JSON API under `/api/v1`, and
//! embedded assets. Handlers parse the request, call the [`Services`] and
//! render HTML or JSON; they never reach the store directly.

pub mod api;
pub mod assets;
pub mod pages;

mod state;

pub use state::AppState;

use axum::Router;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router())
        .merge(pages::router())
        .merge(assets::router())
        .with_state(state)
}
