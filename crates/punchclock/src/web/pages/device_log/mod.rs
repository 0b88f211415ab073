//! One device: what it reports about itself, and its log of every contact
//! attempt (`GET /devices/{id}`).

mod clock;
mod health;
mod view;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use maud::Markup;

use self::view::LOG_ROWS;
use super::ctx::Ctx;
use super::devices::flash::{self, FlashQuery};
use super::error::{path_id, PageResult};
use crate::domain::{DeviceId, DeviceMode};
use crate::web::AppState;

/// `GET /devices/{id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
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
    let events = state
        .services
        .device_care()
        .events(ctx.caller(), id, 10)
        .await?;
    let polled = history.device.mode == DeviceMode::Poll;
    let health = health::card(&ctx, id, &alerts, &events, polled);
    let cloud = super::devices::cloud_setting(&state, &headers);
    Ok(view::device_page(
        &ctx,
        &history,
        flash.as_ref(),
        health,
        &cloud,
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct CareForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /devices/{id}/set-clock`
pub async fn set_clock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<CareForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let id = DeviceId(path_id(&id)?);
    state
        .services
        .device_care()
        .set_clock(ctx.caller(), id)
        .await?;
    Ok(super::error::see_other(&format!("/devices/{id}")))
}

/// `POST /devices/{id}/rotate-log`
pub async fn rotate_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<CareForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let id = DeviceId(path_id(&id)?);
    let care = state.services.device_care();
    match care.rotate_log(ctx.caller(), id, f.confirm.is_some()).await {
        Ok(_) | Err(crate::service::ServiceError::Invalid(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(super::error::see_other(&format!("/devices/{id}")))
}
