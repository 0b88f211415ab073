//! One device: what it reports about itself, and its log of every contact
//! attempt (`GET /devices/{id}`).

mod health;
mod view;

use axum::extract::{Path, Query, State};
use maud::Markup;

use self::view::LOG_ROWS;
use super::ctx::Ctx;
use super::devices::flash::{self, FlashQuery};
use super::error::{path_id, PageResult};
use crate::domain::DeviceId;
use crate::web::AppState;

/// `GET /devices/{id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> PageResult<Markup> {
    let id = DeviceId(path_id(&id)?);
    let logs = state.services.device_logs();
    let history = logs.history(ctx.caller(), id, LOG_ROWS).await?;
    let flash = flash::load(&state, &ctx, &q).await;
    let alerts = state
        .services
        .alerts()
        .of_device(ctx.caller(), id, 20)
        .await?;
    let health = health::card(&ctx, &alerts);
    Ok(view::device_page(&ctx, &history, flash.as_ref(), health))
}
