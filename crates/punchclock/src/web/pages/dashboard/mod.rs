//! The dashboard at `/`: today at a glance (who is in, today's counts,
//! devices, open alerts, 30 days of worked hours, what needs a look).
//! `/dashboard/live` is its panels alone, which the page's script swaps in
//! place every few seconds, as the device labels refresh.
//!
//! A blocked or expired account sees the blocked screen with the devices
//! and alerts under it: syncing goes on, and the owner can see it.

mod chart;
mod view;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

use super::ctx::Ctx;
use super::error::{PageError, PageResult};
use crate::web::AppState;

/// `GET /`: the dashboard for a signed-in browser, else the login page.
pub async fn home(State(state): State<AppState>, ctx: Result<Ctx, PageError>) -> Response {
    match ctx {
        Ok(ctx) => match panels(&state, &ctx).await {
            Ok(p) => view::page(&ctx, p).into_response(),
            Err(e) => e.into_response(),
        },
        Err(PageError::Login(_)) => Redirect::to("/login").into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /dashboard/live`: the panels, for the in-place refresh; 401 (not
/// a redirect) once the session is gone, so the script can send the
/// browser to the login page.
pub async fn live(State(state): State<AppState>, ctx: Result<Ctx, PageError>) -> Response {
    let ctx = match ctx {
        Ok(ctx) => ctx,
        Err(PageError::Login(_)) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return e.into_response(),
    };
    let shown: PageResult<Markup> =
        async { Ok(view::panels(&ctx, &panels(&state, &ctx).await?)) }.await;
    shown.into_response()
}

/// The whole dashboard in good standing; devices and alerts otherwise.
async fn panels(state: &AppState, ctx: &Ctx) -> PageResult<view::Panels> {
    let dashboards = state.services.dashboard();
    Ok(match ctx.restriction() {
        None => view::Panels::Full(Box::new(dashboards.show(ctx.caller()).await?)),
        Some(_) => view::Panels::Health(dashboards.health(ctx.caller()).await?),
    })
}
